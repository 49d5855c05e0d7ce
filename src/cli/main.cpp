#include "treeline/cli/app.h"

int main(int argc, char** argv) { return treeline::cli::run(argc, argv); }
