#include "cli_common.h"

#include <cstdio>
#include <filesystem>

#include <CLI/CLI.hpp>

#include "time_parse.h"
#include "util/quote.h"

namespace vme::cli {

CommandStatus ApiError(std::string_view context, vme_status status, vme_error* err) {
  std::string message(context);
  const char* detail = vme_error_message(err);
  if (detail == nullptr || *detail == '\0') detail = vme_status_string(status);
  if (!message.empty()) message += ": ";
  message += detail;
  vme_error_free(err);
  return CommandStatus::Error(std::move(message));
}

void AddDbFlags(CLI::App* app, DbFlags* flags, bool with_read_only) {
  app->add_option("-d,--data", flags->data_dir, "Data directory (VictoriaMetrics 1.72 layout)")
      ->required()
      ->type_name("DIR");
  if (with_read_only) {
    app->add_flag("--read-only", flags->read_only, "Open the data directory without writing");
    flags->must_exist = true;
  }
}

CommandStatus OpenDb(const DbFlags& flags, DbPtr* db) {
  std::error_code ec;
  if (flags.must_exist && !flags.read_only && !std::filesystem::is_directory(flags.data_dir, ec)) {
    return CommandStatus::Error("data directory " + QuoteForMessage(flags.data_dir) +
                                " does not exist");
  }
  std::unique_ptr<vme_options, void (*)(vme_options*)> opts(vme_options_create(),
                                                            vme_options_destroy);
  if (!opts) return CommandStatus::Error("out of memory");
  vme_error* err = nullptr;
  vme_status st;
  if (!flags.retention.empty()) {
    st = vme_options_set(opts.get(), "retention", flags.retention.c_str(), &err);
    if (st != VME_OK)
      return ApiError("invalid --retention " + QuoteForMessage(flags.retention), st, err);
  }
  if (flags.read_only) {
    st = vme_options_set(opts.get(), "read_only", "1", &err);
    if (st != VME_OK) return ApiError("--read-only", st, err);
  }
  vme_db* raw = nullptr;
  st = vme_open(flags.data_dir.c_str(), opts.get(), &raw, &err);
  if (st != VME_OK) return ApiError("cannot open " + flags.data_dir, st, err);
  db->reset(raw);
  return CommandStatus::Ok();
}

CommandStatus CloseDb(DbPtr* db) {
  vme_error* err = nullptr;
  const vme_status st = vme_close(db->release(), &err);
  if (st != VME_OK) return ApiError("closing the data directory", st, err);
  return CommandStatus::Ok();
}

CommandStatus MakeQuery(const std::string& start, const std::string& end,
                        const std::string* selector, bool match_all_names, QueryPtr* q) {
  int64_t min_ts = 0;
  int64_t max_ts = INT64_MAX;
  std::string error;
  if (!start.empty() && !ParseTimestampMs(start, &min_ts, &error)) {
    return CommandStatus::Error("--start: " + error);
  }
  if (!end.empty() && !ParseTimestampMs(end, &max_ts, &error)) {
    return CommandStatus::Error("--end: " + error);
  }
  if (min_ts > max_ts) {
    return CommandStatus::Error("--start " + QuoteForMessage(start) + " is after --end " +
                                QuoteForMessage(end));
  }
  q->reset(vme_query_create(min_ts, max_ts));
  if (!*q) return CommandStatus::Error("out of memory");
  vme_error* err = nullptr;
  vme_status st;
  if (selector != nullptr) {
    if (selector->find('\0') != std::string::npos) {
      return CommandStatus::Error("invalid selector " + QuoteForMessage(*selector) +
                                  ": it contains a NUL byte");
    }
    st = vme_query_add_selector(q->get(), selector->c_str(), &err);
    if (st != VME_OK) return ApiError("invalid selector " + QuoteForMessage(*selector), st, err);
  } else if (match_all_names) {
    static constexpr std::string_view kName = "__name__";
    static constexpr std::string_view kAny = ".+";
    st = vme_query_add_matcher(q->get(), VME_MATCH_RE, kName.data(), kName.size(), kAny.data(),
                               kAny.size(), &err);
    if (st != VME_OK) return ApiError("adding the matcher __name__=~\".+\"", st, err);
  }
  return CommandStatus::Ok();
}

CommandStatus WriteOutput(const std::string& out) {
  if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0) {
    return CommandStatus::Error("writing the output failed");
  }
  return CommandStatus::Ok();
}

CLI::Option* AddSelectorArg(CLI::App* app, SelectorArg* arg, const std::string& description) {
  return app
      ->add_option_function<std::string>(
          "selector",
          [arg](const std::string& s) {
            arg->text = s;
            arg->given = true;
          },
          description)
      ->type_name("SELECTOR");
}

CommandStatus WriteStrlistQuoted(const vme_strlist* list) {
  std::string out;
  const size_t n = vme_strlist_count(list);
  for (size_t i = 0; i < n; ++i) {
    size_t len = 0;
    const char* s = vme_strlist_get(list, i, &len);
    const std::string_view v = s != nullptr ? std::string_view(s, len) : std::string_view();
    if (NeedsEscaping(v) || (!v.empty() && v[0] == '"')) {
      AppendQuoted(&out, v);
    } else {
      out.append(v);
    }
    out.push_back('\n');
  }
  return WriteOutput(out);
}

CommandStatus WriteStrlist(const vme_strlist* list) {
  std::string out;
  const size_t n = vme_strlist_count(list);
  for (size_t i = 0; i < n; ++i) {
    size_t len = 0;
    const char* s = vme_strlist_get(list, i, &len);
    if (s != nullptr) out.append(s, len);
    out.push_back('\n');
  }
  return WriteOutput(out);
}

}  // namespace vme::cli
