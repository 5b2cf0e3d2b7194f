#include "maintenance_commands.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "util/quote.h"

namespace vme::cli {

namespace {

struct ForceMergeFlags {
  DbFlags db;
  std::string partition;
};

struct DeleteFlags {
  DbFlags db;
  SelectorArg selector;
};

struct SnapshotFlags {
  DbFlags db;
  std::string name;
};

struct LibraryFreer {
  void operator()(char* p) const { vme_free(p); }
};

CommandStatus ReadStat(vme_db* db, std::string_view name, double* value) {
  vme_error* err = nullptr;
  vme_stats* raw = nullptr;
  const vme_status st = vme_stats_get(db, &raw, &err);
  if (st != VME_OK) return ApiError("reading statistics", st, err);
  StatsPtr stats(raw);
  const size_t n = vme_stats_count(stats.get());
  for (size_t i = 0; i < n; ++i) {
    const char* s = vme_stats_name(stats.get(), i);
    if (s != nullptr && name == s) {
      *value = vme_stats_value(stats.get(), i);
      return CommandStatus::Ok();
    }
  }
  return CommandStatus::Error("the statistic \"" + std::string(name) + "\" is missing");
}

// Maintenance of a directory that does not exist is a mistake (a typo, say): only import
// creates a data directory.
CommandStatus OpenExistingDb(DbFlags flags, DbPtr* db) {
  flags.must_exist = true;
  return OpenDb(flags, db);
}

CommandStatus RunForceMerge(const ForceMergeFlags& flags) {
  DbPtr db;
  VME_CLI_RETURN_IF_ERROR(OpenExistingDb(flags.db, &db));
  double before = 0;
  VME_CLI_RETURN_IF_ERROR(ReadStat(db.get(), "parts", &before));
  vme_error* err = nullptr;
  const vme_status st = vme_force_merge(db.get(), flags.partition.c_str(), &err);
  if (st != VME_OK) return ApiError("force merge", st, err);
  double after = 0;
  VME_CLI_RETURN_IF_ERROR(ReadStat(db.get(), "parts", &after));
  const std::string scope =
      flags.partition.empty() ? "all partitions" : "partitions " + flags.partition + "*";
  VME_CLI_RETURN_IF_ERROR(WriteOutput(
      "force-merged " + scope + ": parts before: " + std::to_string(static_cast<uint64_t>(before)) +
      ", after: " + std::to_string(static_cast<uint64_t>(after)) + "\n"));
  return CloseDb(&db);
}

CommandStatus RunDelete(const DeleteFlags& flags) {
  QueryPtr query;
  VME_CLI_RETURN_IF_ERROR(MakeQuery("", "", flags.selector.get(), false, &query));
  DbPtr db;
  VME_CLI_RETURN_IF_ERROR(OpenExistingDb(flags.db, &db));
  vme_error* err = nullptr;
  uint64_t deleted = 0;
  const vme_status st = vme_delete_series(db.get(), query.get(), &deleted, &err);
  if (st != VME_OK) {
    return ApiError("deleting series " + QuoteForMessage(flags.selector.text), st, err);
  }
  VME_CLI_RETURN_IF_ERROR(
      WriteOutput(std::to_string(static_cast<unsigned long long>(deleted)) + "\n"));
  return CloseDb(&db);
}

CommandStatus RunSnapshotCreate(const SnapshotFlags& flags) {
  DbPtr db;
  VME_CLI_RETURN_IF_ERROR(OpenExistingDb(flags.db, &db));
  vme_error* err = nullptr;
  char* raw = nullptr;
  const vme_status st = vme_snapshot_create(db.get(), &raw, &err);
  if (st != VME_OK) return ApiError("creating a snapshot", st, err);
  std::unique_ptr<char, LibraryFreer> name(raw);
  VME_CLI_RETURN_IF_ERROR(WriteOutput(std::string(name ? name.get() : "") + "\n"));
  return CloseDb(&db);
}

CommandStatus RunSnapshotList(const SnapshotFlags& flags) {
  DbPtr db;
  VME_CLI_RETURN_IF_ERROR(OpenExistingDb(flags.db, &db));
  vme_error* err = nullptr;
  vme_strlist* raw = nullptr;
  const vme_status st = vme_snapshot_list(db.get(), &raw, &err);
  if (st != VME_OK) return ApiError("listing snapshots", st, err);
  StrlistPtr list(raw);
  VME_CLI_RETURN_IF_ERROR(WriteStrlist(list.get()));
  list.reset();
  return CloseDb(&db);
}

CommandStatus RunSnapshotDelete(const SnapshotFlags& flags) {
  DbPtr db;
  VME_CLI_RETURN_IF_ERROR(OpenExistingDb(flags.db, &db));
  vme_error* err = nullptr;
  const vme_status st = vme_snapshot_delete(db.get(), flags.name.c_str(), &err);
  if (st != VME_OK) return ApiError("deleting snapshot " + QuoteForMessage(flags.name), st, err);
  return CloseDb(&db);
}

}  // namespace

Command AddForceMergeCommand(CLI::App* parent) {
  auto flags = std::make_shared<ForceMergeFlags>();
  CLI::App* app = parent->add_subcommand(
      "force-merge", "Merge the parts of every partition (or those matching PREFIX) into one");
  AddDbFlags(app, &flags->db, /*with_read_only=*/false);
  app->add_option("--partition", flags->partition,
                  "Only partitions whose name (YYYY_MM) starts with PREFIX")
      ->type_name("PREFIX");
  return {app, [flags] { return RunForceMerge(*flags); }};
}

Command AddDeleteCommand(CLI::App* parent) {
  auto flags = std::make_shared<DeleteFlags>();
  CLI::App* app = parent->add_subcommand(
      "delete", "Delete the series matching SELECTOR (over all time); print how many");
  AddDbFlags(app, &flags->db, /*with_read_only=*/false);
  AddSelectorArg(app, &flags->selector, "PromQL series selector")->required();
  return {app, [flags] { return RunDelete(*flags); }};
}

std::vector<Command> AddSnapshotCommands(CLI::App* parent) {
  CLI::App* snapshot =
      parent->add_subcommand("snapshot", "Create, list or delete snapshots of a data directory");
  snapshot->require_subcommand(1);

  auto create_flags = std::make_shared<SnapshotFlags>();
  CLI::App* create = snapshot->add_subcommand(
      "create", "Create a snapshot under DIR/snapshots/ and print its name");
  AddDbFlags(create, &create_flags->db, /*with_read_only=*/false);

  auto list_flags = std::make_shared<SnapshotFlags>();
  CLI::App* list = snapshot->add_subcommand("list", "Print the snapshot names, one per line");
  AddDbFlags(list, &list_flags->db, /*with_read_only=*/true);

  auto delete_flags = std::make_shared<SnapshotFlags>();
  CLI::App* del = snapshot->add_subcommand("delete", "Delete the snapshot NAME");
  AddDbFlags(del, &delete_flags->db, /*with_read_only=*/false);
  del->add_option("name", delete_flags->name, "Snapshot name (as printed by `snapshot list`)")
      ->required()
      ->type_name("NAME");

  return {
      {create, [create_flags] { return RunSnapshotCreate(*create_flags); }},
      {list, [list_flags] { return RunSnapshotList(*list_flags); }},
      {del, [delete_flags] { return RunSnapshotDelete(*delete_flags); }},
  };
}

}  // namespace vme::cli
