#include "treeline/jobs/job_store.h"

#include "treeline/common/error.h"
#include "treeline/jobs/sqlite_job_store.h"

namespace treeline::jobs {

std::unique_ptr<JobStore> open_job_store(const std::string& spec) {
  constexpr std::string_view kScheme = "sqlite:";
  const std::string path = spec.starts_with(kScheme) ? spec.substr(kScheme.size()) : spec;
  if (path.empty()) throw InputError("--jobs: expected sqlite:PATH");
  return std::make_unique<SqliteJobStore>(path);
}

}  // namespace treeline::jobs
