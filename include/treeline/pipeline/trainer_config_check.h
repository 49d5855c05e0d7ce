#pragma once
// What can be checked of a job's config before it is queued when its trials run treeline's own
// trainer (`train-evaluate`, the default when masterConfig.containerCommand is not given): that
// each search parameter is one of its hyperparameters with every value in range, and that the
// metric tag is one it reports. Otherwise every trial would fail on the same mistake, with an
// error that names a trainer flag instead of the config's field.
#include <string>

#include "treeline/jobs/training_input.h"

namespace treeline::pipeline {

// Throws InputError naming `config_file` and the field's path, e.g.
// trainingInput.hyperparameters.params[2].maxValue. Does nothing for a custom trainer.
void check_config_for_default_trainer(const jobs::TrainingInput& input, const std::string& config_file);

}  // namespace treeline::pipeline
