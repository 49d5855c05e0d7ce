#pragma once
// treeline's own trainer (`train-evaluate`) as the platform's default, run when a job's config
// gives no masterConfig.containerCommand: what the config must hold for it, checked before
// anything is queued (otherwise every trial would fail on the same mistake, with an error naming
// a trainer flag instead of the config's field), and what a job hands it beyond the config's args.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "treeline/jobs/training_input.h"

namespace treeline::pipeline {

// The share of the training split a tuning job's trials score on, unless told otherwise.
inline constexpr double kDefaultValidationFraction = 0.2;

// Each search parameter must be a hyperparameter of the trainer (or one of its other tunable
// flags, encoding and seed) with every value the search may propose accepted by it, and the
// metric tag one it reports. Throws InputError naming `config_file` and the field's path, e.g.
// trainingInput.hyperparameters.params[2].maxValue. Does nothing for a custom trainer.
// Also checks the config's args as check_args_for_default_trainer does.
void check_config_for_default_trainer(const jobs::TrainingInput& input, const std::string& config_file);

// train-evaluate's flags besides its hyperparameters, as "--name": what trainer args may set
// besides those. The CLI registers the same flags; a test holds the two together.
const std::vector<std::string>& default_trainer_flags();

// Where input.args[i] is in the config file: masterConfig.containerArgs[i], or args[j].
std::string config_arg_place(const jobs::TrainingInput& input, const std::string& config_file, std::size_t i);

// Trainer `args` the default trainer would refuse on every trial's command line, refused at
// submit instead: a --flag that is not one of default_trainer_flags() or a hyperparameter,
// --job-dir (the platform sets it), a bad value for a hyperparameter (or for seed and encoding,
// which a search may set too), and a setting given twice in `args` or also searched by the
// config's params. Values come as --name=value or --name value. `where(i)` names args[i] in
// errors. Does nothing for a custom trainer.
void check_args_for_default_trainer(const jobs::TrainingInput& input, const std::vector<std::string>& args,
                                    const std::function<std::string(std::size_t)>& where);

// The prepared dataset a job's trainer would train on, checked before the job is queued: `args`
// (the config's and the user's) must give --project, --name and --cover-type, and that cover type
// must be prepared in the store the trainer reads (--store in `args`, else `store_root`). Throws
// InputError saying what to add or run. Nothing for a custom trainer.
void check_trainer_dataset(const jobs::TrainingInput& input, const std::vector<std::string>& args,
                           const std::filesystem::path& store_root);

// What `jobs submit-training` and `submit-tuning` add to `args` (the config's and the user's) for
// the default trainer: the store the job was submitted to (`store_root`, absolute as
// jobs::PlatformPaths has it: each trial runs in its own directory), and for a tuning job
// --validation-fraction unless given. Throws
// InputError for a relative --store in `args`, and for a tuning job's validation fraction outside
// (0, 1): 0 would have its trials score on the test split. Nothing for a custom trainer.
std::vector<std::string> default_trainer_args(const jobs::TrainingInput& input, const std::vector<std::string>& args,
                                              const std::filesystem::path& store_root);

}  // namespace treeline::pipeline
