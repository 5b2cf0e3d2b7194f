// `vmengine labels`, `series-count`, `stats` and `version`.
#pragma once

#include "cli_common.h"

namespace vme::cli {

Command AddLabelsCommand(CLI::App* parent);
Command AddSeriesCountCommand(CLI::App* parent);
Command AddStatsCommand(CLI::App* parent);
Command AddVersionCommand(CLI::App* parent);

}  // namespace vme::cli
