#include <fmt/format.h>
#include <gtest/gtest.h>

#include "test_util.h"
#include "treeline/common/atomic_file.h"
#include "treeline/common/error.h"
#include "treeline/store/directory_store.h"
#include "treeline/store/manifest.h"

using namespace treeline;
using namespace treeline::store;
using treeline::testing::TempDir;

TEST(Names, RefusesPathTricks) {
  EXPECT_NO_THROW(validate_name("mlops-workshop", "PROJECT"));
  EXPECT_THROW_WITH(validate_name("", "PROJECT"), InputError, "PROJECT", "empty");
  EXPECT_THROW_WITH(validate_name("..", "NAME"), InputError, "NAME '..'");
  EXPECT_THROW_WITH(validate_name("a/b", "NAME"), InputError, "slash");
  EXPECT_THROW_WITH(validate_name("/etc", "PROJECT"), InputError, "absolute");
}

TEST(DirectoryStore, WriteSetReplacesWholeSetAtomically) {
  TempDir dir;
  DirectoryStore store(dir.path());
  write_with_manifest(store, "p/n/models/cover_type_1", {{"model.json", "v1"}, {"old-only.txt", "x"}}, {});
  write_with_manifest(store, "p/n/models/cover_type_1", {{"model.json", "v2"}}, {});
  EXPECT_EQ(store.read("p/n/models/cover_type_1/model.json"), "v2");
  EXPECT_FALSE(store.exists("p/n/models/cover_type_1/old-only.txt"));
  // No staging folders are left beside the set.
  int entries = 0;
  for (auto& e : std::filesystem::directory_iterator(dir / "p/n/models")) entries += e.path().filename() != "";
  EXPECT_EQ(entries, 1);
}

TEST(DirectoryStore, FailedWriteLeavesPreviousVersionIntact) {
  TempDir dir;
  DirectoryStore store(dir.path());
  write_with_manifest(store, "p/n/set", {{"model.json", "v1"}}, {});
  // "a" as a file and as a folder: the second write fails midway.
  // The error names the set and the store, not only the staging path it failed at.
  EXPECT_THROW_WITH(write_with_manifest(store, "p/n/set", {{"model.json", "v2"}, {"a", "x"}, {"a/b", "y"}}, {}), Error,
                    fmt::format("cannot store p/n/set in the artifact store {} (is it writable, with space left?): ",
                                dir.path().string()));
  const auto manifest = read_manifest(store, "p/n/set");
  EXPECT_EQ(read_verified(store, "p/n/set", manifest, "model.json"), "v1");
  int entries = 0;
  for (auto& e : std::filesystem::directory_iterator(dir / "p/n")) entries += e.path().filename() != "";
  EXPECT_EQ(entries, 1);
}

TEST(DirectoryStore, TamperedFileIsRefused) {
  TempDir dir;
  DirectoryStore store(dir.path());
  write_with_manifest(store, "s", {{"model.json", "good"}}, {});
  treeline::testing::write_text(dir / "s/model.json", "evil");
  const auto manifest = read_manifest(store, "s");
  EXPECT_THROW_WITH(read_verified(store, "s", manifest, "model.json"), InputError, "model.json",
                    "does not match its manifest");
}

TEST(DirectoryStore, KeysCannotLeaveTheStore) {
  TempDir dir;
  DirectoryStore store(dir.path());
  EXPECT_THROW_WITH(store.read("../x"), InputError, "leaves the store");
}

TEST(AtomicFile, ReplacesContentAndLeavesNoTemporaries) {
  TempDir dir;
  write_file_atomically(dir / "f.txt", "one");
  write_file_atomically(dir / "f.txt", "two");
  EXPECT_EQ(read_file(dir / "f.txt"), "two");
  int entries = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path())) entries += e.path().filename() != "";
  EXPECT_EQ(entries, 1);
}
