#include <gtest/gtest.h>

#include "test_util.h"
#include "treeline/common/error.h"
#include "treeline/data/csv_source.h"
#include "treeline/data/data_source.h"
#include "treeline/data/sqlite_source.h"

using namespace treeline;
using namespace treeline::data;
using treeline::testing::TempDir;

// A warehouse holding the bundled sample in table `covertype`.
class SqliteSource : public ::testing::Test {
 protected:
  void SetUp() override {
    sample_ = CsvDataSource(treeline::testing::sample_data()).read({});
    load_into_sqlite(sample_, dir_ / "w.db", "covertype");
  }
  std::unique_ptr<DataSource> query(const std::string& sql) {
    return open_data_source("sqlite:" + (dir_ / "w.db").string(), sql);
  }

  TempDir dir_;
  Table sample_;
};

TEST_F(SqliteSource, LoadThenQueryGivesTheSameRows) {
  const Table sql = query("SELECT * FROM covertype")->read({});
  ASSERT_EQ(sql.rows(), sample_.rows());
  EXPECT_EQ(sql.labels, sample_.labels);
  EXPECT_EQ(sql.numeric[3].values, sample_.numeric[3].values);
  EXPECT_LT(query("SELECT * FROM covertype WHERE Wilderness_Area = 'Rawah'")->read({}).rows(), sample_.rows());
}

TEST_F(SqliteSource, BadQueryGivesSqlitesMessage) {
  EXPECT_THROW_WITH(query("SELECT * FROM no_such_table")->read({}), InputError, "no such table: no_such_table");
}

TEST_F(SqliteSource, QueryWithNoRowsIsAnError) {
  EXPECT_THROW_WITH(query("SELECT * FROM covertype WHERE Cover_Type = 99")->read({}), InputError,
                    "returned no rows");
}

TEST_F(SqliteSource, MissingQueryOrDatabase) {
  EXPECT_THROW_WITH(query("")->read({}), InputError, "--query");
  EXPECT_THROW_WITH(open_data_source("sqlite:" + (dir_ / "none.db").string(), "SELECT 1")->read({}), InputError,
                    "no such database");
}

TEST_F(SqliteSource, ResultWithoutWarehouseColumnsIsUnknownSchema) {
  EXPECT_THROW_WITH(query("SELECT Elevation FROM covertype")->read({}), InputError, "unknown schema",
                    "missing column(s)");
}
