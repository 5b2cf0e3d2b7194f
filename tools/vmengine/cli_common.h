// Plumbing shared by the vmengine subcommands: the command status type, wrappers that turn
// C API errors into one-line messages, and RAII owners of C API handles.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "vmengine.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace vme::cli {

// The outcome of a subcommand: success, or the message printed as
// "vmengine: error: <message>".
class [[nodiscard]] CommandStatus {
 public:
  static CommandStatus Ok() { return CommandStatus(); }
  static CommandStatus Error(std::string message) {
    CommandStatus s;
    s.ok_ = false;
    s.message_ = std::move(message);
    return s;
  }
  bool ok() const { return ok_; }
  const std::string& message() const { return message_; }

 private:
  bool ok_ = true;
  std::string message_;
};

#define VME_CLI_RETURN_IF_ERROR(expr)               \
  do {                                              \
    ::vme::cli::CommandStatus _vme_cli_st = (expr); \
    if (!_vme_cli_st.ok()) return _vme_cli_st;      \
  } while (0)

// A registered subcommand and what runs it once its flags are parsed.
struct Command {
  CLI::App* app;
  std::function<CommandStatus()> run;
};

// Turns a failed C API call into a status: "<context>: <message of err>" (or the status
// name when there is no message). Frees err.
CommandStatus ApiError(std::string_view context, vme_status status, vme_error* err);

// Writes out to stdout and flushes; an error if the write fails (e.g. a closed pipe).
CommandStatus WriteOutput(const std::string& out);
// Writes each string of list on its own line (WriteOutput).
CommandStatus WriteStrlist(const vme_strlist* list);

struct DbCloser {
  void operator()(vme_db* db) const { vme_close(db, nullptr); }
};
using DbPtr = std::unique_ptr<vme_db, DbCloser>;

struct QueryDeleter {
  void operator()(vme_query* q) const { vme_query_destroy(q); }
};
using QueryPtr = std::unique_ptr<vme_query, QueryDeleter>;

struct IterCloser {
  void operator()(vme_series_iter* it) const { vme_series_iter_close(it); }
};
using IterPtr = std::unique_ptr<vme_series_iter, IterCloser>;

struct StrlistDeleter {
  void operator()(vme_strlist* l) const { vme_strlist_free(l); }
};
using StrlistPtr = std::unique_ptr<vme_strlist, StrlistDeleter>;

struct StatsDeleter {
  void operator()(vme_stats* s) const { vme_stats_free(s); }
};
using StatsPtr = std::unique_ptr<vme_stats, StatsDeleter>;

// Flags common to every subcommand that opens a data directory.
struct DbFlags {
  std::string data_dir;
  std::string retention;  // empty: the library default (keep everything)
  bool read_only = false;
  // Set for the subcommands that only read: a missing directory is an error (a typo must
  // not answer "0 series" from a directory created on the spot).
  bool must_exist = false;
};

// Adds --data (required) and, when with_read_only (the subcommands that only read),
// --read-only; those subcommands also set must_exist (checked by OpenDb without --read-only;
// with it, the engine itself refuses a missing directory with VME_ERR_NOT_FOUND).
void AddDbFlags(CLI::App* app, DbFlags* flags, bool with_read_only);

CommandStatus OpenDb(const DbFlags& flags, DbPtr* db);
// Closes the db, reporting a failure of vme_close.
CommandStatus CloseDb(DbPtr* db);

// Builds a query over [start, end] (each empty = unbounded, else RFC 3339 or ms) with the
// selector (nullptr = none; then, if match_all_names, __name__=~".+"). A given selector goes
// to vme_query_add_selector as it is, so an empty one is an error there.
CommandStatus MakeQuery(const std::string& start, const std::string& end,
                        const std::string* selector, bool match_all_names, QueryPtr* q);

// A command-line SELECTOR argument: the text and whether it was given at all (an empty
// string given on the command line is an error, not "no selector").
struct SelectorArg {
  std::string text;
  bool given = false;
  const std::string* get() const { return given ? &text : nullptr; }
};

// Adds the positional argument "selector" to app; `arg->given` is set when it is parsed.
CLI::Option* AddSelectorArg(CLI::App* app, SelectorArg* arg, const std::string& description);

// Writes each string of list on its own line; a string that holds a control byte (a newline,
// say) or invalid UTF-8, or that starts with '"', is written double-quoted with Go-style
// escapes (util/quote.h), so that every string is exactly one line.
CommandStatus WriteStrlistQuoted(const vme_strlist* list);

}  // namespace vme::cli
