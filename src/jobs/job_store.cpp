#include "treeline/jobs/job_store.h"

#include <fmt/format.h>

#include <filesystem>

#include "treeline/common/error.h"
#include "treeline/jobs/sqlite_job_store.h"

namespace treeline::jobs {

std::unique_ptr<JobStore> open_job_store(const std::string& spec, StoreAccess access) {
  constexpr std::string_view kScheme = "sqlite:";
  if (!spec.starts_with(kScheme)) {
    // "name://..." is a URL (postgres://host/db), and SQLite the only kind so far; a colon
    // elsewhere is part of a file name.
    const auto colon = spec.find("://");
    if (colon != std::string::npos && colon > 0 && spec.find('/') > colon)
      throw InputError(fmt::format("--jobs '{}': expected sqlite:PATH or a path (SQLite is the only job store so far)",
                                   spec));
  }
  const std::string path = spec.starts_with(kScheme) ? spec.substr(kScheme.size()) : spec;
  if (path.empty()) throw InputError("--jobs: expected sqlite:PATH");
  return std::make_unique<SqliteJobStore>(path, access);
}

}  // namespace treeline::jobs
