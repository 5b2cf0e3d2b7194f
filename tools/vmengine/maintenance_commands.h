// `vmengine force-merge`, `delete` and `snapshot create|list|delete`: maintenance of a data
// directory through the C API.
#pragma once

#include <vector>

#include "cli_common.h"

namespace vme::cli {

Command AddForceMergeCommand(CLI::App* parent);
Command AddDeleteCommand(CLI::App* parent);
// Adds `snapshot` with its subcommands `create`, `list` and `delete`; returns the latter.
std::vector<Command> AddSnapshotCommands(CLI::App* parent);

}  // namespace vme::cli
