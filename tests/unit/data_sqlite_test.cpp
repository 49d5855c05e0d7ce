#include <gtest/gtest.h>

#include "test_util.h"
#include "treeline/common/error.h"
#include "treeline/data/csv_source.h"
#include "treeline/data/data_source.h"
#include "treeline/data/sqlite_source.h"

using namespace treeline;
using namespace treeline::data;
using treeline::testing::TempDir;

TEST(SqliteSource, LoadThenQueryGivesTheSameRows) {
  TempDir dir;
  const Table csv = CsvDataSource(treeline::testing::sample_data()).read({});
  load_into_sqlite(csv, dir / "w.db", "covertype");
  auto source = open_data_source("sqlite:" + (dir / "w.db").string(), "SELECT * FROM covertype");
  const Table sql = source->read({});
  ASSERT_EQ(sql.rows(), csv.rows());
  EXPECT_EQ(sql.labels, csv.labels);
  EXPECT_EQ(sql.numeric[3].values, csv.numeric[3].values);
  auto filtered = open_data_source("sqlite:" + (dir / "w.db").string(),
                                   "SELECT * FROM covertype WHERE Wilderness_Area = 'Rawah'");
  EXPECT_LT(filtered->read({}).rows(), csv.rows());
}

TEST(SqliteSource, BadQueryGivesSqlitesMessage) {
  TempDir dir;
  const Table csv = CsvDataSource(treeline::testing::sample_data()).read({});
  load_into_sqlite(csv, dir / "w.db", "covertype");
  auto source = open_data_source("sqlite:" + (dir / "w.db").string(), "SELECT * FROM no_such_table");
  EXPECT_THROW_WITH(source->read({}), InputError, "no such table: no_such_table");
}

TEST(SqliteSource, QueryWithNoRowsIsAnError) {
  TempDir dir;
  const Table csv = CsvDataSource(treeline::testing::sample_data()).read({});
  load_into_sqlite(csv, dir / "w.db", "covertype");
  auto source = open_data_source("sqlite:" + (dir / "w.db").string(), "SELECT * FROM covertype WHERE Cover_Type = 99");
  EXPECT_THROW_WITH(source->read({}), InputError, "returned no rows");
}

TEST(SqliteSource, MissingQueryOrDatabase) {
  TempDir dir;
  EXPECT_THROW_WITH(open_data_source("sqlite:" + (dir / "w.db").string(), "")->read({}), InputError, "--query");
  EXPECT_THROW_WITH(open_data_source("sqlite:" + (dir / "none.db").string(), "SELECT 1")->read({}), InputError,
                    "no such database");
}

TEST(SqliteSource, ResultWithoutWarehouseColumnsIsUnknownSchema) {
  TempDir dir;
  const Table csv = CsvDataSource(treeline::testing::sample_data()).read({});
  load_into_sqlite(csv, dir / "w.db", "covertype");
  auto source = open_data_source("sqlite:" + (dir / "w.db").string(), "SELECT Elevation FROM covertype");
  EXPECT_THROW_WITH(source->read({}), InputError, "unknown schema", "missing column(s)");
}
