// Drives treeline's samplers on test functions with known minima; bench/search_quality.py runs
// it beside Optuna and prints the comparison.
//
//   treeline_search_quality [--functions branin,hartmann6,mixed] [--samplers gp,tpe,random]
//                           [--parallelism 1,4] [--seeds 10] [--trials 30]
//     prints one line per run: RESULT <function> <sampler> <parallelism> <seed> <best value>
//   treeline_search_quality --time-suggest [--history 100] [--repeats 10] [--curves 0]
//     prints TIME <median ms> <max ms> <median CPU ms> <max CPU ms>: one GP suggestion after
//     `history` finished trials of Hartmann-6 (6-d), in wall-clock and in CPU time; with
//     --curves N each trial also carries N earlier reports along x1, as a trial with
//     treeline.stepParameter does (the GP learns up to 200 points in all)
//
// A run minimises the function for `trials` trials. At parallelism p the trials go in batches
// of p: each of the p suggestions is asked for with the batch's earlier ones running, as p
// workers would, and the batch is evaluated once all p are out.
//
// The functions (all minimised):
//   branin     2-d, x1 in [-5, 10], x2 in [0, 15]; minimum 0.397887.
//   hartmann6  6-d, [0, 1]^6; minimum -3.32237.
//   mixed      a hyperparameter-like space of 5 parameters; minimum 0:
//                learning_rate DOUBLE [1e-4, 1] log scale  (t = log10 learning_rate)
//                depth         INTEGER [1, 12]
//                booster       CATEGORICAL gbtree | dart | gblinear
//                subsample     DISCRETE 0.5, 0.6, ..., 1.0
//                colsample     DOUBLE [0, 1]
//              f = (t - c_b)^2 + 0.04 (depth - 8 - 2 (t - c_b))^2 + 5 (subsample - 0.8)^2
//                  + 2 (colsample - 0.3)^2 + p_b
//              with (c_b, p_b) = (-2, 0) for gbtree, (-1.5, 0.3) for dart, (-3, 1) for gblinear:
//              the best learning rate depends on the booster, the best depth on the learning
//              rate. The minimum is at gbtree, 0.01, 8, 0.8, 0.3.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "treeline/common/random.h"
#include "treeline/tuning/gaussian_process_sampler.h"
#include "treeline/tuning/random_sampler.h"
#include "treeline/tuning/sampler.h"
#include "treeline/tuning/sampler_registry.h"

namespace {

using treeline::tuning::Assignment;
using treeline::tuning::Observation;
using treeline::tuning::ParameterSpec;
using treeline::tuning::ParameterType;
using treeline::tuning::ScaleType;
using treeline::tuning::SearchSpace;

struct TestFunction {
  std::string name;
  SearchSpace space;
  std::function<double(const Assignment&)> evaluate;
};

double number(const Assignment& a, const std::string& name) {
  const auto& v = a.at(name);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return static_cast<double>(std::get<std::int64_t>(v));
}

ParameterSpec double_param(const std::string& name, double low, double high,
                           ScaleType scale = ScaleType::kLinear) {
  ParameterSpec spec;
  spec.name = name;
  spec.type = ParameterType::kDouble;
  spec.min_value = low;
  spec.max_value = high;
  spec.scale = scale;
  return spec;
}

TestFunction branin() {
  TestFunction f{"branin", {}, nullptr};
  f.space.params = {double_param("x1", -5, 10), double_param("x2", 0, 15)};
  f.evaluate = [](const Assignment& a) {
    const double x1 = number(a, "x1");
    const double x2 = number(a, "x2");
    const double pi = 3.141592653589793;
    const double b = 5.1 / (4 * pi * pi);
    const double c = 5 / pi;
    const double t = 1 / (8 * pi);
    const double u = x2 - b * x1 * x1 + c * x1 - 6;
    return u * u + 10 * (1 - t) * std::cos(x1) + 10;
  };
  return f;
}

TestFunction hartmann6() {
  TestFunction f{"hartmann6", {}, nullptr};
  for (int i = 1; i <= 6; ++i) f.space.params.push_back(double_param("x" + std::to_string(i), 0, 1));
  f.evaluate = [](const Assignment& a) {
    static constexpr std::array<double, 4> alpha = {1.0, 1.2, 3.0, 3.2};
    static constexpr double A[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                       {0.05, 10, 17, 0.1, 8, 14},
                                       {3, 3.5, 1.7, 10, 17, 8},
                                       {17, 8, 0.05, 10, 0.1, 14}};
    static constexpr double P[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                       {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                       {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                       {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
    double total = 0;
    for (int i = 0; i < 4; ++i) {
      double inner = 0;
      for (int j = 0; j < 6; ++j) {
        const double x = number(a, "x" + std::to_string(j + 1));
        inner += A[i][j] * (x - P[i][j]) * (x - P[i][j]);
      }
      total -= alpha[i] * std::exp(-inner);
    }
    return total;
  };
  return f;
}

TestFunction mixed() {
  TestFunction f{"mixed", {}, nullptr};
  ParameterSpec depth;
  depth.name = "depth";
  depth.type = ParameterType::kInteger;
  depth.min_value = 1;
  depth.max_value = 12;
  depth.scale = ScaleType::kLinear;
  ParameterSpec booster;
  booster.name = "booster";
  booster.type = ParameterType::kCategorical;
  booster.categorical_values = {"gbtree", "dart", "gblinear"};
  ParameterSpec subsample;
  subsample.name = "subsample";
  subsample.type = ParameterType::kDiscrete;
  subsample.discrete_values = {0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
  subsample.scale = ScaleType::kLinear;
  f.space.params = {double_param("learning_rate", 1e-4, 1, ScaleType::kLog), depth, booster, subsample,
                    double_param("colsample", 0, 1)};
  f.evaluate = [](const Assignment& a) {
    const double t = std::log10(number(a, "learning_rate"));
    const double depth = number(a, "depth");
    const std::string& booster = std::get<std::string>(a.at("booster"));
    const double subsample = number(a, "subsample");
    const double colsample = number(a, "colsample");
    double centre = -2;
    double penalty = 0;
    if (booster == "dart") {
      centre = -1.5;
      penalty = 0.3;
    } else if (booster == "gblinear") {
      centre = -3;
      penalty = 1.0;
    }
    const double shift = t - centre;
    const double depth_gap = depth - 8 - 2 * shift;
    return shift * shift + 0.04 * depth_gap * depth_gap + 5 * (subsample - 0.8) * (subsample - 0.8) +
           2 * (colsample - 0.3) * (colsample - 0.3) + penalty;
  };
  return f;
}

// The short names bench/search_quality.py uses, as registered algorithms with their defaults.
std::unique_ptr<treeline::tuning::Sampler> make(const std::string& name) {
  if (name == "gp") return treeline::tuning::make_sampler("ALGORITHM_UNSPECIFIED");
  if (name == "tpe") return treeline::tuning::make_sampler("TPE");
  if (name == "random") return treeline::tuning::make_sampler("RANDOM_SEARCH");
  std::cerr << "unknown sampler " << name << "\n";
  std::exit(2);
}


double run(const TestFunction& function, treeline::tuning::Sampler& sampler, std::size_t parallelism,
           std::uint64_t seed, std::size_t trials) {
  std::vector<Observation> history;
  double best = INFINITY;
  while (history.size() < trials) {
    const std::size_t batch_start = history.size();
    const std::size_t batch = std::min(parallelism, trials - batch_start);
    for (std::size_t k = 0; k < batch; ++k) {
      const treeline::tuning::SuggestRequest request{function.space, treeline::tuning::Goal::kMinimize,
                                                     history, 1, treeline::tuning::trial_seed(seed, history.size() + 1)};
      const std::vector<Assignment> suggestion = sampler.suggest(request);
      if (suggestion.empty()) return best;
      history.push_back({suggestion.front(), std::nullopt, true});
    }
    for (std::size_t i = batch_start; i < history.size(); ++i) {
      const double value = function.evaluate(history[i].params);
      history[i].value = value;
      history[i].running = false;
      best = std::min(best, value);
    }
  }
  return best;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, ',');) parts.push_back(part);
  return parts;
}

double cpu_milliseconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) * 1e-6;
}

void time_suggest(std::size_t history_size, int repeats, int curves) {
  const TestFunction function = hartmann6();
  std::vector<double> wall;
  std::vector<double> cpu;  // what the suggestion costs, whatever else the machine runs
  for (int r = 0; r < repeats; ++r) {
    std::vector<Observation> history;
    treeline::tuning::RandomSampler random;
    const treeline::tuning::SuggestRequest initial{function.space, treeline::tuning::Goal::kMinimize, history,
                                                   history_size, static_cast<std::uint64_t>(1000 + r)};
    for (Assignment& a : random.suggest(initial)) {
      Observation o{a, function.evaluate(a), false};
      // Reports at x1 * k / (curves + 1): the trial's shorter runs, as rounds along a boosting curve.
      for (int k = 1; k <= curves; ++k) {
        Assignment at = a;
        at["x1"] = std::get<double>(a.at("x1")) * k / (curves + 1);
        o.partial.push_back({.at = at, .value = function.evaluate(at)});
      }
      history.push_back(std::move(o));
    }
    treeline::tuning::GaussianProcessSampler gp;
    const treeline::tuning::SuggestRequest request{function.space, treeline::tuning::Goal::kMinimize, history,
                                                   1, static_cast<std::uint64_t>(r)};
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = cpu_milliseconds();
    const auto suggestion = gp.suggest(request);
    cpu.push_back(cpu_milliseconds() - cpu_start);
    const auto stop = std::chrono::steady_clock::now();
    if (suggestion.size() != 1) std::exit(1);
    wall.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  std::printf("TIME %.2f %.2f %.2f %.2f\n", wall[wall.size() / 2], wall.back(), cpu[cpu.size() / 2],
              cpu.back());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> functions = {"branin", "hartmann6", "mixed"};
  std::vector<std::string> samplers = {"gp", "tpe", "random"};
  std::vector<std::size_t> parallelisms = {1, 4};
  std::size_t seeds = 10;
  std::size_t trials = 30;
  std::size_t history_size = 100;
  int repeats = 10;
  int curves = 0;
  bool timing = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << flag << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (flag == "--functions") {
      functions = split(value());
    } else if (flag == "--samplers") {
      samplers = split(value());
    } else if (flag == "--parallelism") {
      parallelisms.clear();
      for (const auto& p : split(value())) parallelisms.push_back(std::stoul(p));
    } else if (flag == "--seeds") {
      seeds = std::stoul(value());
    } else if (flag == "--trials") {
      trials = std::stoul(value());
    } else if (flag == "--time-suggest") {
      timing = true;
    } else if (flag == "--history") {
      history_size = std::stoul(value());
    } else if (flag == "--repeats") {
      repeats = std::stoi(value());
    } else if (flag == "--curves") {
      curves = std::stoi(value());
    } else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  if (timing) {
    time_suggest(history_size, repeats, curves);
    return 0;
  }
  for (const std::string& name : functions) {
    TestFunction function = name == "branin"      ? branin()
                            : name == "hartmann6" ? hartmann6()
                            : name == "mixed"     ? mixed()
                                                  : TestFunction{};
    if (!function.evaluate) {
      std::cerr << "unknown function " << name << "\n";
      return 2;
    }
    for (const std::string& sampler_name : samplers) {
      for (std::size_t parallelism : parallelisms) {
        for (std::size_t seed = 0; seed < seeds; ++seed) {
          const auto sampler = make(sampler_name);
          const double best = run(function, *sampler, parallelism, seed, trials);
          std::printf("RESULT %s %s %zu %zu %.6f\n", name.c_str(), sampler_name.c_str(), parallelism, seed,
                      best);
          std::fflush(stdout);
        }
      }
    }
  }
  return 0;
}
