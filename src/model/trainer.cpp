#include "treeline/model/trainer.h"

#include <thread>

namespace treeline::model {

Booster train_booster(const DMatrix& train, const TrainingOptions& options, const RoundCallback& on_round) {
  Booster booster(train);
  booster.set_param("objective", "binary:logistic");
  booster.set_param("eval_metric", "logloss");
  booster.set_param("verbosity", "0");
  const int nthread = options.nthread > 0 ? options.nthread : static_cast<int>(std::thread::hardware_concurrency());
  booster.set_param("nthread", std::to_string(nthread));
  booster.set_param("seed", std::to_string(options.seed));
  for (const auto& [name, value] : options.hyperparameters.xgboost_params()) booster.set_param(name, value);
  const int rounds = options.hyperparameters.n_estimators();
  for (int i = 0; i < rounds; ++i) {
    booster.update_one_iteration(i, train);
    if (options.thread_updates)
      if (const auto threads = options.thread_updates(); threads && *threads > 0)
        booster.set_param("nthread", std::to_string(*threads));
    if (on_round && !on_round(i + 1, booster)) break;
  }
  return booster;
}

}  // namespace treeline::model
