#pragma once
#include <cstdint>
#include <functional>
#include <optional>

#include "treeline/model/hyperparameters.h"
#include "treeline/model/xgboost_handles.h"

namespace treeline::model {

// The most threads XGBoost is asked for: it starts that many at once, so a larger count is a
// typo that would crash it (--nthread 99999) rather than a machine.
inline constexpr int kMostThreads = 1024;

struct TrainingOptions {
  Hyperparameters hyperparameters;
  int nthread = 0;  // 0: all cores
  std::uint64_t seed = 42;
  // Asked after every round; a value becomes XGBoost's nthread from the next round on (the
  // platform's thread share: a trial left alone takes up the cores its peers freed).
  std::function<std::optional<int>()> thread_updates;
};

// Called after each boosting round with the number of rounds done; returning false stops.
using RoundCallback = std::function<bool(int rounds_done, const Booster& booster)>;

// Trains a binary:logistic booster on `train` (labels already set).
Booster train_booster(const DMatrix& train, const TrainingOptions& options, const RoundCallback& on_round = {});

}  // namespace treeline::model
