// `vmengine check --data DIR [--repair] [--format text|json]`: verifies every part, the indexdb
// and their consistency (src/storage/storage_check.h) and prints a report. Unlike the other
// subcommands it reads the files directly rather than through the C API (it must see what an
// open would refuse), so it links the engine's internal library.
//
// Exit status: 0 no problems (warnings allowed); 1 problems found (with --repair: problems left
// after repairing); 2 the check could not run (not a data directory, an I/O error, --repair
// while a writer holds flock.lock). Usage errors exit with CLI11's codes (100 and above).
#pragma once

#include <functional>

namespace CLI {
class App;
}  // namespace CLI

namespace vme::cli {

inline constexpr int kCheckClean = 0;
inline constexpr int kCheckProblems = 1;
inline constexpr int kCheckFailed = 2;

struct CheckCommand {
  CLI::App* app;
  std::function<int()> run;  // prints the report (stdout) or the error (stderr)
};

CheckCommand AddCheckCommand(CLI::App* parent);

}  // namespace vme::cli
