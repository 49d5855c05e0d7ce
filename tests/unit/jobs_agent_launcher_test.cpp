// How a submitting command makes sure an agent serves its store (jobs/agent_launcher).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>

#include "jobs_test_util.h"
#include "test_util.h"
#include "treeline/jobs/agent_launcher.h"
#include "treeline/jobs/sqlite_job_store.h"

namespace treeline::jobs {
namespace {

using namespace std::chrono_literals;
using treeline::testing::TempDir;

TEST(EnsureAgent, SaysWhetherTheAgentItStartedShowedUp) {
  TempDir dir;
  const PlatformPaths paths = platform_paths(dir.path(), "");
  SqliteJobStore store(paths.jobs_spec.substr(std::string("sqlite:").size()));
  // /bin/sh, run as `sh agent --store ...`, cannot open a script "agent" and exits at once:
  // started, never registered, and what it said is in the agent log.
  EXPECT_EQ(ensure_agent(store, paths, "/bin/sh", 10, 200ms), AgentStart::kNotRegistered);
  std::ifstream log(paths.agent_log);
  const std::string said((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(said.find("agent"), std::string::npos) << "agent.log: '" << said << "'";

  // A live registered agent (this test's own process) serves the store: nothing is started.
  store.heartbeat(treeline::testing::agent_named("agent-1"));
  EXPECT_EQ(ensure_agent(store, paths, "/bin/false", 10, 200ms), AgentStart::kAlreadyServed);
}

}  // namespace
}  // namespace treeline::jobs
