#pragma once
// Where a job's files lie under the jobs root (STORE/jobs): the agent writes them there and
// `jobs logs` reads them back, so both take the layout from here.
#include <filesystem>
#include <optional>
#include <string>

namespace treeline::jobs {

inline constexpr const char* kTrainerLog = "trainer.log";  // the trainer's stdout and stderr

// A training job's trainer runs in JOBS_ROOT/JOB_ID (its --job-dir); a tuning job's trial N in
// JOBS_ROOT/JOB_ID/trials/N.
std::filesystem::path trainer_directory(const std::filesystem::path& jobs_root, const std::string& job_id,
                                        std::optional<int> trial);

}  // namespace treeline::jobs
