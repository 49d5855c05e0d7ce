#include <gtest/gtest.h>

#include <fstream>

#include "test_util.h"
#include "treeline/common/error.h"
#include "treeline/data/covertype_schema.h"
#include "treeline/data/csv_source.h"
#include "treeline/data/data_source.h"

using namespace treeline;
using namespace treeline::data;
using treeline::testing::TempDir;
using treeline::testing::write_text;

namespace {

const std::string kHeader = covertype::warehouse_header() + "\n";

std::string uci_row(int wilderness, int soil, int cover) {
  std::string row = "2596,51,3,258,0,510,221,232,148,6279";
  for (int i = 0; i < 4; ++i) row += i == wilderness ? ",1" : ",0";
  for (int i = 0; i < 40; ++i) row += i == soil ? ",1" : ",0";
  return row + "," + std::to_string(cover);
}

Table read_csv(const std::filesystem::path& p, bool require_label = true) {
  return CsvDataSource(p).read(ReadOptions{.require_label = require_label});
}

}  // namespace

TEST(CsvSource, ReadsWarehouseSchemaWithBothSpellings) {
  TempDir dir;
  write_text(dir / "a.csv", kHeader + "2596,51,3,258,0,510,221,232,148,6279,Commanche,7745,5\n" +
                                "2590,56,2,212,-6,390,220,235,151,6225,Commanche Peak,2702,2\n" +
                                "2804,139,9,268,65,3180,234,238,135,6121,Cache,8776,1\r\n\n");
  const Table t = read_csv(dir / "a.csv");
  ASSERT_EQ(t.rows(), 3u);
  EXPECT_EQ(t.labels, (std::vector<std::int32_t>{5, 2, 1}));
  const auto& w = t.categorical[covertype::kWildernessColumn];
  EXPECT_EQ(w.levels[w.codes[0]], "Commanche Peak");
  EXPECT_EQ(w.levels[w.codes[2]], "Cache la Poudre");
  const auto& s = t.categorical[covertype::kSoilColumn];
  EXPECT_EQ(s.levels[s.codes[1]], "2702");
  EXPECT_FLOAT_EQ(t.numeric[4].values[1], -6.0f);
}

TEST(CsvSource, ReadsColumnsInAnyOrder) {
  TempDir dir;
  write_text(dir / "a.csv",
             "Cover_Type,Soil_Type,Wilderness_Area,Elevation,Aspect,Slope,Horizontal_Distance_To_Hydrology,"
             "Vertical_Distance_To_Hydrology,Horizontal_Distance_To_Roadways,Hillshade_9am,Hillshade_Noon,"
             "Hillshade_3pm,Horizontal_Distance_To_Fire_Points\n3,2702,Rawah,1,2,3,4,5,6,7,8,9,10\n");
  const Table t = read_csv(dir / "a.csv");
  EXPECT_EQ(t.labels[0], 3);
  EXPECT_FLOAT_EQ(t.numeric[0].values[0], 1.0f);
  EXPECT_FLOAT_EQ(t.numeric[9].values[0], 10.0f);
}

TEST(CsvSource, ReadsGzipWarehouseSample) {
  const Table t = read_csv(treeline::testing::sample_data());
  EXPECT_EQ(t.rows(), 20000u);
  for (auto label : t.labels) ASSERT_TRUE(label >= 1 && label <= 7);
}

TEST(CsvSource, ReadsUciSchema) {
  TempDir dir;
  write_text(dir / "covtype.data", uci_row(2, 28, 5) + "\n" + uci_row(0, 0, 1) + "\n");
  const Table t = read_csv(dir / "covtype.data");
  ASSERT_EQ(t.rows(), 2u);
  const auto& w = t.categorical[covertype::kWildernessColumn];
  const auto& s = t.categorical[covertype::kSoilColumn];
  EXPECT_EQ(w.levels[w.codes[0]], "Commanche Peak");
  EXPECT_EQ(s.levels[s.codes[0]], "7745");  // Soil_Type29
  EXPECT_EQ(t.labels[0], 5);
}

TEST(CsvSource, BothSchemasGiveTheSameTable) {
  TempDir dir;
  write_text(dir / "w.csv", kHeader + "2596,51,3,258,0,510,221,232,148,6279,Commanche Peak,7745,5\n");
  write_text(dir / "u.csv", uci_row(2, 28, 5) + "\n");
  const Table a = read_csv(dir / "w.csv"), b = read_csv(dir / "u.csv");
  EXPECT_EQ(a.labels, b.labels);
  for (std::size_t c = 0; c < 2; ++c)
    EXPECT_EQ(a.categorical[c].levels[a.categorical[c].codes[0]], b.categorical[c].levels[b.categorical[c].codes[0]]);
}

TEST(CsvSource, WrongColumnCountNamesFileAndLine) {
  TempDir dir;
  write_text(dir / "a.csv", kHeader + "2596,51,3,258,0,510,221,232,148,6279,Rawah,7745,5\n2596,51,3\n");
  EXPECT_THROW_WITH(read_csv(dir / "a.csv"), InputError, "a.csv", "line 3", "expected 13 columns", "found 3");
}

TEST(CsvSource, NonNumericValueNamesColumn) {
  TempDir dir;
  write_text(dir / "a.csv", kHeader + "2596,51,abc,258,0,510,221,232,148,6279,Rawah,7745,5\n");
  EXPECT_THROW_WITH(read_csv(dir / "a.csv"), InputError, "a.csv", "line 2", "column Slope", "expected a number",
                    "'abc'");
}

TEST(CsvSource, WildernessAndSoilOutsideTheSchemaAreRefused) {
  TempDir dir;
  write_text(dir / "a.csv", kHeader + "2596,51,3,258,0,510,221,232,148,6279,Rawah,7745,5\n" +
                                "2596,51,3,258,0,510,221,232,148,6279,rawah,7745,5\n");
  EXPECT_THROW_WITH(read_csv(dir / "a.csv"), InputError, "a.csv", "line 3", "column Wilderness_Area",
                    "one of Rawah, Neota, Commanche Peak, Cache la Poudre", "'rawah'; did you mean Rawah?");
  write_text(dir / "c.csv", kHeader + "2596,51,3,258,0,510,221,232,148,6279,Comanche Peak,7745,5\n");
  EXPECT_THROW_WITH(read_csv(dir / "c.csv"), InputError, "'Comanche Peak'; did you mean Commanche Peak?");
  write_text(dir / "b.csv", kHeader + "2596,51,3,258,0,510,221,232,148,6279,Rawah,7744,5\n");
  EXPECT_THROW_WITH(read_csv(dir / "b.csv"), InputError, "b.csv", "line 2", "column Soil_Type", "soil codes",
                    "'7744'");
}

TEST(CsvSource, BadCoverTypeIsRefused) {
  TempDir dir;
  write_text(dir / "a.csv", kHeader + "2596,51,3,258,0,510,221,232,148,6279,Rawah,7745,9\n");
  EXPECT_THROW_WITH(read_csv(dir / "a.csv"), InputError, "line 2", "Cover_Type", "1..7");
}

TEST(CsvSource, EmptyFileIsRefused) {
  TempDir dir;
  write_text(dir / "empty.csv", "");
  EXPECT_THROW_WITH(read_csv(dir / "empty.csv"), InputError, "empty.csv", "empty");
  write_text(dir / "header-only.csv", kHeader);
  EXPECT_THROW_WITH(read_csv(dir / "header-only.csv"), InputError, "header-only.csv", "no data rows");
}

TEST(CsvSource, MissingLabelColumn) {
  TempDir dir;
  std::string header = kHeader.substr(0, kHeader.rfind(",Cover_Type")) + "\n";
  write_text(dir / "a.csv", header + "2596,51,3,258,0,510,221,232,148,6279,Rawah,7745\n");
  EXPECT_THROW_WITH(read_csv(dir / "a.csv"), InputError, "a.csv", "missing label column Cover_Type");
  const Table t = read_csv(dir / "a.csv", /*require_label=*/false);  // predict reads it
  EXPECT_FALSE(t.labelled);
  EXPECT_EQ(t.rows(), 1u);
}

TEST(CsvSource, UnknownSchema) {
  TempDir dir;
  write_text(dir / "a.csv", "foo,bar\n1,2\n");
  EXPECT_THROW_WITH(read_csv(dir / "a.csv"), InputError, "a.csv", "line 1", "unknown schema", "unexpected column(s) 'foo', 'bar'");
  write_text(dir / "b.csv", "1,2,3\n");
  EXPECT_THROW_WITH(read_csv(dir / "b.csv"), InputError, "b.csv", "unknown schema", "3 columns");
}

TEST(CsvSource, UciOneHotMustHaveExactlyOneOne) {
  TempDir dir;
  std::string row = uci_row(0, 0, 1);
  row[row.find(",1,0,0,0,") + 3] = '1';  // a second wilderness flag
  write_text(dir / "a.csv", row + "\n");
  EXPECT_THROW_WITH(read_csv(dir / "a.csv"), InputError, "line 1", "Wilderness_Area");
}

TEST(CsvSource, MissingFileNamesIt) {
  EXPECT_THROW_WITH(read_csv("/nonexistent/x.csv"), InputError, "/nonexistent/x.csv");
}

TEST(CsvSource, TruncatedGzipIsRefused) {
  // A download cut short: without its trailer (CRC, length) and cut mid-stream.
  const std::string gz = treeline::testing::read_text(treeline::testing::sample_data());
  TempDir dir;
  write_text(dir / "no-trailer.csv.gz", gz.substr(0, gz.size() - 8));
  EXPECT_THROW_WITH(read_csv(dir / "no-trailer.csv.gz"), InputError, "no-trailer.csv.gz", "truncated gzip");
  write_text(dir / "half.csv.gz", gz.substr(0, gz.size() / 2));
  EXPECT_THROW_WITH(read_csv(dir / "half.csv.gz"), InputError, "half.csv.gz", "truncated gzip");
}

TEST(CsvSource, GzipMembersAreReadAndWhatFollowsThemIsRefused) {
  const std::string gz = treeline::testing::read_text(treeline::testing::sample_data());
  const std::size_t rows = read_csv(treeline::testing::sample_data()).rows();
  TempDir dir;
  // Concatenated gzip files are one file to gzip -d: a second header then follows the rows.
  write_text(dir / "twice.csv.gz", gz + gz);
  const std::string second_header = "line " + std::to_string(rows + 2);
  EXPECT_THROW_WITH(read_csv(dir / "twice.csv.gz"), InputError, std::string("twice.csv.gz"), second_header,
                    std::string("column Elevation"));
  // Rows appended as text after the compressed data would be skipped without a word.
  write_text(dir / "appended.csv.gz", gz + "2596,51,3,258,0,510,221,232,148,6279,Rawah,7745,5\n");
  EXPECT_THROW_WITH(read_csv(dir / "appended.csv.gz"), InputError, "appended.csv.gz",
                    "50 bytes follow the end of the gzip data");
  write_text(dir / "bad-crc.csv.gz", gz.substr(0, gz.size() - 8) + std::string(8, '\x01'));
  EXPECT_THROW_WITH(read_csv(dir / "bad-crc.csv.gz"), InputError, "bad-crc.csv.gz", "cannot decompress");
  // Zeros that pad a file to a block (tar, dd) are no rows: gzip -d takes them, and so does this.
  write_text(dir / "padded.csv.gz", gz + std::string(10240, '\0'));
  EXPECT_EQ(read_csv(dir / "padded.csv.gz").rows(), rows);
}

TEST(CsvSource, GzipIsReadTheSameHandedToZlibInTinyChunks) {
  // Files beyond zlib's 32-bit counts are handed over a chunk at a time; 7-byte chunks cross
  // every boundary a 1 GiB one would (within a member, between members, into trailing bytes).
  const std::string gz = treeline::testing::read_text(treeline::testing::sample_data());
  TempDir dir;
  const std::string whole = read_maybe_gzip(treeline::testing::sample_data());
  write_text(dir / "two.gz", gz + gz);
  EXPECT_TRUE(read_maybe_gzip(dir / "two.gz", 7) == whole + whole);
  EXPECT_TRUE(read_maybe_gzip(treeline::testing::sample_data(), 7) == whole);
  write_text(dir / "tail.gz", gz + "abc");
  EXPECT_THROW_WITH(read_maybe_gzip(dir / "tail.gz", 7), InputError, "3 bytes follow the end of the gzip data");
  write_text(dir / "cut.gz", gz.substr(0, gz.size() / 2));
  EXPECT_THROW_WITH(read_maybe_gzip(dir / "cut.gz", 7), InputError, "truncated gzip");
}

TEST(CsvSource, LineEndsWhitespaceAndWholeRealsAsAFileMayHaveThem) {
  TempDir dir;
  const std::string row = "2596,51,3,258,0,510,221,232,148,6279,Rawah,7745,5";
  // Lines ended by CR alone would read as one header of every row's fields.
  write_text(dir / "cr.csv", kHeader.substr(0, kHeader.size() - 1) + "\r" + row + "\r");
  EXPECT_THROW_WITH(read_csv(dir / "cr.csv"), InputError, "cr.csv: its lines end in CR alone");
  // Blank and whitespace-only lines before the header: the header's own line is named.
  write_text(dir / "late.csv", "\n  \n" + std::string("Elevation,Aspct") + kHeader.substr(kHeader.find(",Slope")) +
                                   row + "\n");
  EXPECT_THROW_WITH(read_csv(dir / "late.csv"), InputError, "late.csv: line 3 (header): unknown schema");
  // Soil and cover type stored as REAL (pandas, SQLite) are whole numbers all the same.
  write_text(dir / "real.csv", kHeader + "2596,51,3,258,0,510,221,232,148,6279,Rawah,7745.0,5.0\n");
  const Table t = read_csv(dir / "real.csv");
  EXPECT_EQ(t.labels[0], 5);
  const auto& soil = t.categorical[covertype::kSoilColumn];
  EXPECT_EQ(soil.levels[soil.codes[0]], "7745");
  write_text(dir / "half.csv", kHeader + "2596,51,3,258,0,510,221,232,148,6279,Rawah,7745,2.5\n");
  EXPECT_THROW_WITH(read_csv(dir / "half.csv"), InputError, "Cover_Type", "found '2.5'");
  // Whole by their text, not once rounded to a double.
  write_text(dir / "near.csv", kHeader + "2596,51,3,258,0,510,221,232,148,6279,Rawah,7745,2.9999999999999999\n");
  EXPECT_THROW_WITH(read_csv(dir / "near.csv"), InputError, "Cover_Type", "found '2.9999999999999999'");
  write_text(dir / "exp.csv", kHeader + "2596,51,3,258,0,510,221,232,148,6279,Rawah,7.745e3,2\n");
  EXPECT_THROW_WITH(read_csv(dir / "exp.csv"), InputError, "Soil_Type", "found '7.745e3'");
}

TEST(CsvSource, HugeFieldsAndHeadersAreNamedBriefly) {
  TempDir dir;
  // A 1 MB misspelt wilderness area: no edit-distance table of its size, and a short message.
  write_text(dir / "long.csv", kHeader + "2596,51,3,258,0,510,221,232,148,6279," + std::string(1 << 20, 'R') +
                                   ",7745,5\n");
  try {
    (void)read_csv(dir / "long.csv");
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_LT(message.size(), 1000u);
    EXPECT_NE(message.find("... (1048576 bytes)"), std::string::npos) << message.substr(0, 400);
  }
  // 60,000 header names: checked for repeats in one pass, and named by their first ones.
  std::string header;
  for (int i = 0; i < 60000; ++i) header += (i ? ",c" : "c") + std::to_string(i);
  write_text(dir / "wide.csv", header + "\n" + header + "\n");
  try {
    (void)read_csv(dir / "wide.csv");
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    EXPECT_LT(std::string(e.what()).size(), 2000u);
    EXPECT_NE(std::string(e.what()).find("'c19', ..."), std::string::npos) << std::string(e.what()).substr(0, 400);
  }
}

TEST(CsvSource, QueryWithCsvIsRefused) {
  EXPECT_THROW_WITH(open_data_source("x.csv", "SELECT 1"), InputError, "--query");
}

TEST(CsvSource, WarehouseCsvRoundTrip) {
  TempDir dir;
  const Table t = read_csv(treeline::testing::sample_data());
  write_text(dir / "copy.csv", to_warehouse_csv(t));
  const Table u = read_csv(dir / "copy.csv");
  EXPECT_EQ(t.labels, u.labels);
  EXPECT_EQ(t.numeric[0].values, u.numeric[0].values);
}

// Files that are not what they seem get an error that says what they are and what to do.
TEST(CsvSource, SaysWhatAFileIsWhenItIsNotCsv) {
  TempDir dir;
  write_text(dir / "w.csv", std::string("SQLite format 3\0\x10\x00\x01\x01", 20) + std::string(100, '\0'));
  EXPECT_THROW_WITH(read_csv(dir / "w.csv"), InputError, std::string("a SQLite database, not CSV text"),
                    "--data sqlite:" + (dir / "w.csv").string());
  write_text(dir / "b.csv", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
  EXPECT_THROW_WITH(read_csv(dir / "b.csv"), InputError, "binary data, not CSV text (byte 9 is zero)");
}

TEST(CsvSource, HeaderMistakesAreNamed) {
  TempDir dir;
  const std::string row = "2596,51,3,258,0,510,221,232,148,6279,Rawah,7745,5\n";
  // A spreadsheet's byte-order mark is not part of the first name.
  write_text(dir / "bom.csv", "\xEF\xBB\xBF" + kHeader + row);
  EXPECT_EQ(read_csv(dir / "bom.csv").rows(), 1u);
  // A second Elevation would silently win over the first.
  std::string twice = kHeader;
  twice.replace(twice.find("Aspect"), 6, "Elevation");
  write_text(dir / "dup.csv", twice + row);
  EXPECT_THROW_WITH(read_csv(dir / "dup.csv"), InputError, "line 1 (header): column Elevation appears twice (columns 1 and 2)");
  std::string trailing = kHeader;
  trailing.insert(trailing.size() - 1, ",");
  write_text(dir / "comma.csv", trailing + "2596,51,3,258,0,510,221,232,148,6279,Rawah,7745,5,\n");
  EXPECT_THROW_WITH(read_csv(dir / "comma.csv"), InputError, "'' (column 14, no name: a trailing comma?)");
}
