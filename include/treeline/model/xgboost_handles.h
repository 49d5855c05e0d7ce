#pragma once
// RAII around XGBoost's C handles. Every call's status is checked; failures throw SystemError
// with XGBoost's own message.
#include <xgboost/c_api.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "treeline/features/preprocessor.h"

namespace treeline::model {

// Throws SystemError("<what>: <XGBGetLastError()>") when `status` is non-zero.
void check_xgboost(int status, std::string_view what);

class DMatrix {
 public:
  // Copies `features` into XGBoost (dense: NaN is missing; CSR: absent is missing).
  DMatrix(const features::FeatureMatrix& features, int nthread);
  ~DMatrix();
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;

  void set_labels(std::span<const float> labels);
  std::size_t rows() const { return rows_; }
  DMatrixHandle handle() const { return handle_; }

 private:
  // Owns `handle` from here on: what the delegating constructor does after it cannot leak it.
  DMatrix(DMatrixHandle handle, std::size_t rows) : handle_(handle), rows_(rows) {}

  DMatrixHandle handle_ = nullptr;
  std::size_t rows_ = 0;
};

class Booster {
 public:
  Booster();  // an empty booster, e.g. to load a model into
  explicit Booster(const DMatrix& train);  // a booster to train on `train`
  ~Booster();
  Booster(Booster&& other) noexcept;
  Booster& operator=(Booster&& other) noexcept;
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;

  void set_param(const std::string& name, const std::string& value);
  void update_one_iteration(int iteration, const DMatrix& train);
  // Probabilities (binary:logistic) of every row, using trees [0, iteration_end) (0 = all).
  std::vector<float> predict(const DMatrix& data, int iteration_end = 0) const;
  int boosted_rounds() const;

  std::string save_json() const;
  // XGBoost's own view of the booster's parameters (JSON), e.g. the nthread it trains with.
  std::string config_json() const;
  static Booster load(std::string_view bytes);
  BoosterHandle handle() const { return handle_; }

 private:
  BoosterHandle handle_ = nullptr;
};

}  // namespace treeline::model
