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

TEST_F(SqliteSource, QueryMistakesNameTheFlag) {
  EXPECT_THROW_WITH(query("SELEC * FROM covertype")->read({}), InputError, "--query: SQLite", "syntax error");
  // SQLite runs the first statement only; the rest would be dropped without a word.
  EXPECT_THROW_WITH(query("SELECT * FROM covertype; DROP TABLE covertype")->read({}), InputError,
                    "--query: SQLite", "one statement expected, found more after it: DROP TABLE covertype");
  EXPECT_EQ(query("SELECT * FROM covertype;  ")->read({}).rows(), sample_.rows()) << "a closing ';' is fine";
  EXPECT_EQ(query("SELECT * FROM covertype; -- all of it\n")->read({}).rows(), sample_.rows()) << "and a comment";
  treeline::testing::write_text(dir_ / "rows.csv", "Elevation,Aspect\n1,2\n");
  EXPECT_THROW_WITH(open_data_source("sqlite:" + (dir_ / "rows.csv").string(), "SELECT 1")->read({}), InputError,
                    "rows.csv: not a SQLite database file; for CSV give --data");
  EXPECT_THROW_WITH(open_data_source("sqlite:" + dir_.path().string(), "SELECT 1")->read({}), InputError,
                    "a directory; expected a SQLite database file");
}

TEST_F(SqliteSource, NullIsShownAsNull) {
  EXPECT_THROW_WITH(query("SELECT Elevation, NULL AS Aspect, Slope, Horizontal_Distance_To_Hydrology, "
                          "Vertical_Distance_To_Hydrology, Horizontal_Distance_To_Roadways, Hillshade_9am, "
                          "Hillshade_Noon, Hillshade_3pm, Horizontal_Distance_To_Fire_Points, Wilderness_Area, "
                          "Soil_Type, Cover_Type FROM covertype")
                        ->read({}),
                    InputError, "result row 1: column Aspect: expected a number, found 'NULL'");
}

TEST_F(SqliteSource, ACoverTypeColumnOfNullsIsDataToPredict) {
  // New rows in a warehouse table that has the label column, not yet labelled.
  const std::string columns =
      "Elevation, Aspect, Slope, Horizontal_Distance_To_Hydrology, Vertical_Distance_To_Hydrology, "
      "Horizontal_Distance_To_Roadways, Hillshade_9am, Hillshade_Noon, Hillshade_3pm, "
      "Horizontal_Distance_To_Fire_Points, Wilderness_Area, Soil_Type, ";
  const ReadOptions to_predict{.require_label = false};
  const Table unlabelled = query("SELECT " + columns + "NULL AS Cover_Type FROM covertype")->read(to_predict);
  EXPECT_FALSE(unlabelled.labelled);
  EXPECT_EQ(unlabelled.rows(), sample_.rows());
  // Some labelled and some not: neither scored nor predicted as if unlabelled.
  EXPECT_THROW_WITH(query("SELECT " + columns + "CASE WHEN rowid > 3 THEN Cover_Type END AS Cover_Type FROM "
                          "covertype ORDER BY rowid")
                        ->read(to_predict),
                    InputError, "column Cover_Type is empty or NULL in 3 of 20000 rows (the first at result row 1)");
  // Training needs every label.
  EXPECT_THROW_WITH(query("SELECT " + columns + "NULL AS Cover_Type FROM covertype")->read({}), InputError,
                    "result row 1: column Cover_Type", "found 'NULL'");
}

TEST_F(SqliteSource, AStatementThatIsNoSelectIsNamedAsSuchAndChangesNothing) {
  EXPECT_THROW_WITH(query("DELETE FROM covertype")->read({}), InputError, "--query: 'DELETE FROM covertype' returns no columns",
                    "expected a SELECT");
  EXPECT_EQ(query("SELECT * FROM covertype")->read({}).rows(), sample_.rows());
}

TEST_F(SqliteSource, LoadingAgainSaysWhatItReplaced) {
  const Table fewer = query("SELECT * FROM covertype WHERE Cover_Type = 3")->read({});
  ASSERT_LT(fewer.rows(), sample_.rows());
  EXPECT_EQ(load_into_sqlite(fewer, dir_ / "w.db", "covertype"), sample_.rows());
  EXPECT_EQ(load_into_sqlite(sample_, dir_ / "w.db", "CoverType"), fewer.rows()) << "SQL names ignore case";
  EXPECT_EQ(load_into_sqlite(sample_, dir_ / "w.db", "other"), std::nullopt) << "a new table replaces nothing";
}
