#include "treeline/model/xgboost_handles.h"

#include <fmt/format.h>

#include <utility>

#include "treeline/common/error.h"

namespace treeline::model {

void check_xgboost(int status, std::string_view what) {
  if (status != 0) throw SystemError(fmt::format("XGBoost: {}: {}", what, XGBGetLastError()));
}

namespace {

void set_feature_info(DMatrixHandle h, const char* field, const std::vector<std::string>& values) {
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values) ptrs.push_back(v.c_str());
  check_xgboost(XGDMatrixSetStrFeatureInfo(h, field, ptrs.data(), ptrs.size()), field);
}

}  // namespace

namespace {

DMatrixHandle create_dmatrix(const features::FeatureMatrix& m, int nthread) {
  DMatrixHandle handle = nullptr;
  if (m.sparse) {
    check_xgboost(XGDMatrixCreateFromCSREx(m.indptr.data(), m.indices.data(), m.values.data(), m.indptr.size(),
                                           m.values.size(), m.cols, &handle),
                  "creating a sparse matrix");
  } else {
    check_xgboost(XGDMatrixCreateFromMat_omp(m.dense.data(), m.rows, m.cols, std::numeric_limits<float>::quiet_NaN(),
                                             &handle, nthread),
                  "creating a dense matrix");
  }
  return handle;
}

}  // namespace

DMatrix::DMatrix(const features::FeatureMatrix& m, int nthread) : DMatrix(create_dmatrix(m, nthread), m.rows) {
  set_feature_info(handle_, "feature_name", m.feature_names);
  set_feature_info(handle_, "feature_type", m.feature_types);
}

DMatrix::~DMatrix() {
  if (handle_ != nullptr) XGDMatrixFree(handle_);
}

void DMatrix::set_labels(std::span<const float> labels) {
  check_xgboost(XGDMatrixSetFloatInfo(handle_, "label", labels.data(), labels.size()), "setting labels");
}

Booster::Booster() { check_xgboost(XGBoosterCreate(nullptr, 0, &handle_), "creating a booster"); }

Booster::Booster(const DMatrix& train) {
  DMatrixHandle h = train.handle();
  check_xgboost(XGBoosterCreate(&h, 1, &handle_), "creating a booster");
}

Booster::~Booster() {
  if (handle_ != nullptr) XGBoosterFree(handle_);
}

Booster::Booster(Booster&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}

Booster& Booster::operator=(Booster&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) XGBoosterFree(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

void Booster::set_param(const std::string& name, const std::string& value) {
  check_xgboost(XGBoosterSetParam(handle_, name.c_str(), value.c_str()), "setting " + name + "=" + value);
}

void Booster::update_one_iteration(int iteration, const DMatrix& train) {
  check_xgboost(XGBoosterUpdateOneIter(handle_, iteration, train.handle()), "boosting");
}

std::vector<float> Booster::predict(const DMatrix& data, int iteration_end) const {
  const std::string config = fmt::format(
      R"({{"type": 0, "training": false, "iteration_begin": 0, "iteration_end": {}, "strict_shape": false}})",
      iteration_end);
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  check_xgboost(XGBoosterPredictFromDMatrix(handle_, data.handle(), config.c_str(), &shape, &dim, &result),
                "predicting");
  return std::vector<float>(result, result + data.rows());
}

int Booster::boosted_rounds() const {
  int rounds = 0;
  check_xgboost(XGBoosterBoostedRounds(handle_, &rounds), "counting rounds");
  return rounds;
}

std::string Booster::save_json() const {
  bst_ulong len = 0;
  const char* bytes = nullptr;
  check_xgboost(XGBoosterSaveModelToBuffer(handle_, R"({"format": "json"})", &len, &bytes), "saving the model");
  return std::string(bytes, len);
}

std::string Booster::config_json() const {
  bst_ulong len = 0;
  const char* bytes = nullptr;
  check_xgboost(XGBoosterSaveJsonConfig(handle_, &len, &bytes), "reading the booster's configuration");
  return std::string(bytes, len);
}

Booster Booster::load(std::string_view bytes) {
  Booster b;
  check_xgboost(XGBoosterLoadModelFromBuffer(b.handle_, bytes.data(), bytes.size()), "loading the model");
  return b;
}

}  // namespace treeline::model
