// vmengine: command-line access to a vmengine / VictoriaMetrics 1.72 data directory through
// the public C API. Every failure prints one line "vmengine: error: <message>" on stderr and
// exits non-zero.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "check_command.h"
#include "cli_common.h"
#include "export_command.h"
#include "import_command.h"
#include "info_commands.h"
#include "maintenance_commands.h"
#include "util/quote.h"

namespace {

constexpr int kCommandFailed = 1;

// One line: control bytes and invalid UTF-8 escaped, a few KiB at most (vme::SanitizeMessage).
void PrintError(const std::string& message) {
  const std::string line = vme::SanitizeMessage(message);
  std::fflush(stdout);
  std::fprintf(stderr, "vmengine: error: %s\n", line.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vmengine: import, query and inspect VictoriaMetrics 1.72 storage directories",
               "vmengine"};
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", std::string("vmengine ") + VME_VERSION_STRING);
  std::vector<vme::cli::Command> commands = {
      vme::cli::AddImportCommand(&app),      vme::cli::AddQueryCommand(&app),
      vme::cli::AddExportCommand(&app),      vme::cli::AddLabelsCommand(&app),
      vme::cli::AddSeriesCountCommand(&app), vme::cli::AddStatsCommand(&app),
      vme::cli::AddVersionCommand(&app),     vme::cli::AddForceMergeCommand(&app),
      vme::cli::AddDeleteCommand(&app),
  };
  for (vme::cli::Command& command : vme::cli::AddSnapshotCommands(&app)) {
    commands.push_back(std::move(command));
  }
  // `check` has its own exit statuses (check_command.h).
  const vme::cli::CheckCommand check = vme::cli::AddCheckCommand(&app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForVersion& e) {
    std::printf("%s\n", e.what());
    return 0;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    PrintError(e.what());
    return e.get_exit_code();
  }
  if (check.app->parsed()) {
    try {
      return check.run();
    } catch (const std::exception& e) {
      PrintError(e.what());
      return vme::cli::kCheckFailed;
    }
  }
  for (const vme::cli::Command& command : commands) {
    if (!command.app->parsed()) continue;
    try {
      const vme::cli::CommandStatus status = command.run();
      if (!status.ok()) {
        PrintError(status.message());
        return kCommandFailed;
      }
      return 0;
    } catch (const std::exception& e) {
      PrintError(e.what());
      return kCommandFailed;
    }
  }
  PrintError("missing subcommand (see vmengine --help)");
  return kCommandFailed;
}
