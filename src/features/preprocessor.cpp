#include "treeline/features/preprocessor.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <unordered_map>

#include "treeline/common/error.h"

namespace treeline::features {
namespace {

constexpr std::string_view kFormat = "treeline.preprocessor/2";
// Scaled in float arithmetic (mean and scale rounded to float first); still read, as its models
// split on those values.
constexpr std::string_view kFloatScalingFormat = "treeline.preprocessor/1";

const data::NumericColumn& numeric_column(const data::Table& table, const std::string& name) {
  for (const auto& col : table.numeric)
    if (col.name == name) return col;
  throw InputError(fmt::format("the data has no numeric column {} that the preprocessor was fitted on", name));
}

const data::CategoricalColumn& categorical_column(const data::Table& table, const std::string& name) {
  for (const auto& col : table.categorical)
    if (col.name == name) return col;
  throw InputError(fmt::format("the data has no categorical column {} that the preprocessor was fitted on", name));
}

// For each of the table's level codes: the position among the fitted categories, or -1.
std::vector<int> code_to_position(const data::CategoricalColumn& col, const CategoryVocabulary& vocab) {
  std::unordered_map<std::string, int> position;
  for (std::size_t i = 0; i < vocab.categories.size(); ++i) position.emplace(vocab.categories[i], static_cast<int>(i));
  std::vector<int> out(col.levels.size(), -1);
  for (std::size_t code = 0; code < col.levels.size(); ++code) {
    auto it = position.find(col.levels[code]);
    if (it != position.end()) out[code] = it->second;
  }
  return out;
}

}  // namespace

Encoding parse_encoding(const std::string& text) {
  if (text == "categorical") return Encoding::kNativeCategorical;
  if (text == "onehot") return Encoding::kOneHot;
  throw InputError(fmt::format("--encoding: expected 'categorical' or 'onehot', got '{}'", text));
}

std::string to_string(Encoding encoding) {
  return encoding == Encoding::kNativeCategorical ? "categorical" : "onehot";
}

Preprocessor Preprocessor::fit(const data::Table& table, std::span<const std::size_t> rows, Encoding encoding) {
  if (rows.empty()) throw InputError("cannot fit the preprocessor on an empty training split");
  Preprocessor p;
  p.encoding_ = encoding;
  for (const auto& col : table.numeric) {
    double sum = 0;
    for (std::size_t r : rows) sum += col.values[r];
    const double mean = sum / static_cast<double>(rows.size());
    double sq = 0;
    for (std::size_t r : rows) sq += (col.values[r] - mean) * (col.values[r] - mean);
    const double sd = std::sqrt(sq / static_cast<double>(rows.size()));
    p.numeric_.push_back({col.name, mean, sd > 0 ? sd : 1.0});
  }
  for (const auto& col : table.categorical) {
    std::vector<char> seen(col.levels.size(), 0);
    for (std::size_t r : rows) seen[col.codes[r]] = 1;
    CategoryVocabulary vocab{col.name, {}};
    for (std::size_t code = 0; code < col.levels.size(); ++code)
      if (seen[code]) vocab.categories.push_back(col.levels[code]);
    p.categorical_.push_back(std::move(vocab));
  }
  return p;
}

std::vector<std::string> Preprocessor::feature_names() const {
  std::vector<std::string> names;
  for (const auto& n : numeric_) names.push_back(n.name);
  for (const auto& c : categorical_) {
    if (encoding_ == Encoding::kNativeCategorical) {
      names.push_back(c.name);
    } else {
      for (const auto& category : c.categories) {
        std::string name = c.name + "_" + category;
        for (char& ch : name)
          if (ch == ' ') ch = '_';
        names.push_back(name);
      }
    }
  }
  return names;
}

std::vector<std::string> Preprocessor::feature_types() const {
  std::vector<std::string> types(numeric_.size(), "q");
  for (const auto& c : categorical_) {
    if (encoding_ == Encoding::kNativeCategorical)
      types.push_back("c");
    else
      types.insert(types.end(), c.categories.size(), "i");
  }
  return types;
}

FeatureMatrix Preprocessor::transform(const data::Table& table, std::span<const std::size_t> rows) const {
  FeatureMatrix m;
  m.rows = rows.size();
  m.feature_names = feature_names();
  m.feature_types = feature_types();
  m.cols = m.feature_names.size();

  std::vector<const data::NumericColumn*> num_cols;
  for (const auto& n : numeric_) num_cols.push_back(&numeric_column(table, n.name));
  auto scaled = [&](std::size_t j, float value) -> float {
    const NumericScaling& s = numeric_[j];
    if (float_scaling_) return (value - static_cast<float>(s.mean)) / static_cast<float>(s.scale);
    return static_cast<float>((static_cast<double>(value) - s.mean) / s.scale);
  };
  std::vector<const data::CategoricalColumn*> cat_cols;
  std::vector<std::vector<int>> positions;
  for (const auto& c : categorical_) {
    cat_cols.push_back(&categorical_column(table, c.name));
    positions.push_back(code_to_position(*cat_cols.back(), c));
  }

  const std::size_t n_num = numeric_.size();
  if (encoding_ == Encoding::kNativeCategorical) {
    m.dense.resize(m.rows * m.cols);
    for (std::size_t j = 0; j < n_num; ++j) {
      const float* values = num_cols[j]->values.data();
      for (std::size_t i = 0; i < m.rows; ++i) m.dense[i * m.cols + j] = scaled(j, values[rows[i]]);
    }
    for (std::size_t k = 0; k < cat_cols.size(); ++k) {
      const std::int32_t* codes = cat_cols[k]->codes.data();
      const auto& pos = positions[k];
      for (std::size_t i = 0; i < m.rows; ++i) {
        const int p = pos[codes[rows[i]]];
        m.dense[i * m.cols + n_num + k] = p >= 0 ? static_cast<float>(p) : std::numeric_limits<float>::quiet_NaN();
      }
    }
    return m;
  }

  m.sparse = true;
  m.indptr.reserve(m.rows + 1);
  m.indptr.push_back(0);
  m.indices.reserve(m.rows * (n_num + cat_cols.size()));
  m.values.reserve(m.rows * (n_num + cat_cols.size()));
  std::vector<unsigned> group_start;
  unsigned start = static_cast<unsigned>(n_num);
  for (const auto& c : categorical_) {
    group_start.push_back(start);
    start += static_cast<unsigned>(c.categories.size());
  }
  for (std::size_t i = 0; i < m.rows; ++i) {
    const std::size_t r = rows[i];
    for (std::size_t j = 0; j < n_num; ++j) {
      m.indices.push_back(static_cast<unsigned>(j));
      m.values.push_back(scaled(j, num_cols[j]->values[r]));
    }
    for (std::size_t k = 0; k < cat_cols.size(); ++k) {
      const int p = positions[k][cat_cols[k]->codes[r]];
      if (p >= 0) {
        m.indices.push_back(group_start[k] + static_cast<unsigned>(p));
        m.values.push_back(1.0f);
      }
    }
    m.indptr.push_back(m.indices.size());
  }
  return m;
}

nlohmann::json Preprocessor::to_json() const {
  nlohmann::json j;
  j["format"] = float_scaling_ ? kFloatScalingFormat : kFormat;
  j["encoding"] = to_string(encoding_);
  j["numeric"] = nlohmann::json::array();
  for (const auto& n : numeric_) j["numeric"].push_back({{"name", n.name}, {"mean", n.mean}, {"scale", n.scale}});
  j["categorical"] = nlohmann::json::array();
  for (const auto& c : categorical_) j["categorical"].push_back({{"name", c.name}, {"categories", c.categories}});
  j["feature_names"] = feature_names();
  j["feature_types"] = feature_types();
  return j;
}

Preprocessor Preprocessor::from_json(const nlohmann::json& j, const std::string& where) {
  try {
    const std::string format = j.at("format").get<std::string>();
    if (format != kFormat && format != kFloatScalingFormat)
      throw InputError(fmt::format("{}: format is '{}', expected '{}'", where, format, kFormat));
    Preprocessor p;
    p.float_scaling_ = format == kFloatScalingFormat;
    p.encoding_ = parse_encoding(j.at("encoding").get<std::string>());
    for (const auto& n : j.at("numeric"))
      p.numeric_.push_back({n.at("name").get<std::string>(), n.at("mean").get<double>(), n.at("scale").get<double>()});
    for (const auto& c : j.at("categorical"))
      p.categorical_.push_back({c.at("name").get<std::string>(), c.at("categories").get<std::vector<std::string>>()});
    return p;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: not a treeline preprocessor: {}", where, e.what()));
  }
}

}  // namespace treeline::features
