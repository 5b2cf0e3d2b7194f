// `vmengine import`: Prometheus text exposition files into a data directory.
#pragma once

#include "cli_common.h"

namespace vme::cli {

Command AddImportCommand(CLI::App* parent);

}  // namespace vme::cli
