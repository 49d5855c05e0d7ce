#pragma once
// What a search learns from a trial of its study: the trial as a tuning::Observation.
#include <optional>
#include <string>

#include "treeline/jobs/job.h"
#include "treeline/tuning/search_space.h"

namespace treeline::jobs {

// Seconds a succeeded trial ran (for one stopped early, less than its point's full price); empty
// for a trial that has not succeeded or lacks a start or end time.
std::optional<double> seconds_run(const Trial& t);

// The trial as its study's sampler sees it: its value once it succeeded, and what it cost (for a
// trial stopped early, at least what it cost: its point's full price was not paid). When
// `step_parameter` (treeline.stepParameter) counts the trainer's steps, a trial stopped at step s
// measured its point with that parameter at s, value and cost alike: a boosted model stopped
// after s rounds is the model of s rounds. Taken as the value of the rounds it was proposed
// with, an early stop would teach the search that slow starters (low learning rates, which the
// median rule stops first) are poor at any length. A step before the parameter's range is learnt
// at the range's start (encode_history). With a step parameter, the reports before the last are
// the observation's partial measurements, at their steps, each priced at the seconds the trial had
// run by its timestamp plus the trial's tail after its last report (none when the trainer wrote
// no time, or one outside the trial's times).
tuning::Observation observation_of(const Trial& t, const std::string& step_parameter);

}  // namespace treeline::jobs
