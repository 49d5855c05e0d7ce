#include "treeline/jobs/job_layout.h"

namespace treeline::jobs {

std::filesystem::path trainer_directory(const std::filesystem::path& jobs_root, const std::string& job_id,
                                        std::optional<int> trial) {
  const std::filesystem::path job_dir = jobs_root / job_id;
  return trial ? job_dir / "trials" / std::to_string(*trial) : job_dir;
}

}  // namespace treeline::jobs
