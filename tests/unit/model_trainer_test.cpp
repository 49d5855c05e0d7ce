// train_booster: rounds, the round callback, and thread-count changes between rounds.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <optional>

#include "treeline/model/trainer.h"

namespace treeline::model {
namespace {

features::FeatureMatrix toy_features(std::size_t rows) {
  features::FeatureMatrix m;
  m.rows = rows;
  m.cols = 2;
  for (std::size_t i = 0; i < rows; ++i) {
    m.dense.push_back(static_cast<float>(i % 17));
    m.dense.push_back(static_cast<float>((i * 7) % 11));
  }
  m.feature_names = {"a", "b"};
  m.feature_types = {"q", "q"};
  return m;
}

std::string trained_nthread(const Booster& booster) {
  const auto config = nlohmann::json::parse(booster.config_json());
  return config["learner"]["generic_param"]["nthread"].get<std::string>();
}

TEST(TrainBooster, TakesANewThreadCountBetweenRounds) {
  DMatrix train(toy_features(400), 1);
  std::vector<float> labels;
  for (std::size_t i = 0; i < 400; ++i) labels.push_back(i % 17 > 8 ? 1.0f : 0.0f);
  train.set_labels(labels);

  TrainingOptions options;
  options.nthread = 1;
  options.hyperparameters.set("n_estimators", "6");
  int asked = 0;
  options.thread_updates = [&]() -> std::optional<int> {
    ++asked;
    if (asked == 3) return 2;  // the platform's share changed after the third round
    return std::nullopt;
  };
  int rounds_seen = 0;
  const Booster booster = train_booster(train, options, [&](int rounds, const Booster&) {
    rounds_seen = rounds;
    return true;
  });
  EXPECT_EQ(asked, 6) << "asked once per round";
  EXPECT_EQ(rounds_seen, 6);
  EXPECT_EQ(booster.boosted_rounds(), 6);
  EXPECT_EQ(trained_nthread(booster), "2");

  options.thread_updates = {};
  EXPECT_EQ(trained_nthread(train_booster(train, options)), "1") << "no updates: --nthread stands";
}

}  // namespace
}  // namespace treeline::model
