#pragma once
// The command line: parses flags and calls library code. Errors are caught here, once.
namespace treeline::cli {

int run(int argc, char** argv);

}  // namespace treeline::cli
