// `vmengine query` and `vmengine export`: matching series as CSV or JSON lines on stdout.
#pragma once

#include "cli_common.h"

namespace vme::cli {

Command AddQueryCommand(CLI::App* parent);
Command AddExportCommand(CLI::App* parent);

}  // namespace vme::cli
