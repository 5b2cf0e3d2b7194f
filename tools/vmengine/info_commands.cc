#include "info_commands.h"

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "go_float_format.h"
#include "util/quote.h"

namespace vme::cli {

namespace {

struct LabelsFlags {
  DbFlags db;
  std::string name;
};

struct SeriesCountFlags {
  DbFlags db;
  std::string start;
  std::string end;
  SelectorArg selector;
};

struct StatsFlags {
  DbFlags db;
  std::string format = "text";
};

constexpr double kMaxExactInt = 9007199254740992.0;  // 2^53

bool IsExactInt(double v) {
  return std::isfinite(v) && v == std::trunc(v) && std::fabs(v) <= kMaxExactInt;
}

CommandStatus RunLabels(const LabelsFlags& flags) {
  DbPtr db;
  VME_CLI_RETURN_IF_ERROR(OpenDb(flags.db, &db));
  vme_error* err = nullptr;
  vme_strlist* raw = nullptr;
  vme_status st;
  if (flags.name.empty()) {
    st = vme_label_names(db.get(), nullptr, &raw, &err);
    if (st != VME_OK) return ApiError("listing label names", st, err);
  } else {
    st = vme_label_values(db.get(), flags.name.data(), flags.name.size(), nullptr, &raw, &err);
    if (st != VME_OK) {
      return ApiError("listing values of label " + QuoteForMessage(flags.name), st, err);
    }
  }
  StrlistPtr list(raw);
  VME_CLI_RETURN_IF_ERROR(WriteStrlistQuoted(list.get()));
  list.reset();
  return CloseDb(&db);
}

CommandStatus RunSeriesCount(const SeriesCountFlags& flags) {
  QueryPtr query;
  const bool all = !flags.selector.given && flags.start.empty() && flags.end.empty();
  if (!all) {
    VME_CLI_RETURN_IF_ERROR(MakeQuery(flags.start, flags.end, flags.selector.get(), false, &query));
  }
  DbPtr db;
  VME_CLI_RETURN_IF_ERROR(OpenDb(flags.db, &db));
  vme_error* err = nullptr;
  uint64_t count = 0;
  const vme_status st = vme_series_count(db.get(), query.get(), &count, &err);
  if (st != VME_OK) return ApiError("counting series", st, err);
  std::printf("%llu\n", static_cast<unsigned long long>(count));
  return CloseDb(&db);
}

CommandStatus RunStats(const StatsFlags& flags) {
  DbPtr db;
  VME_CLI_RETURN_IF_ERROR(OpenDb(flags.db, &db));
  vme_error* err = nullptr;
  vme_stats* raw = nullptr;
  const vme_status st = vme_stats_get(db.get(), &raw, &err);
  if (st != VME_OK) return ApiError("reading statistics", st, err);
  StatsPtr stats(raw);
  const size_t n = vme_stats_count(stats.get());
  std::string out;
  if (flags.format == "json") {
    nlohmann::ordered_json obj = nlohmann::ordered_json::object();
    for (size_t i = 0; i < n; ++i) {
      const char* name = vme_stats_name(stats.get(), i);
      const double v = vme_stats_value(stats.get(), i);
      if (name == nullptr) continue;
      if (IsExactInt(v)) {
        obj[name] = static_cast<int64_t>(v);
      } else if (std::isfinite(v)) {
        obj[name] = v;
      } else {
        obj[name] = FormatGoFloat(v);
      }
      const char* text = vme_stats_text(stats.get(), i);
      if (text != nullptr) obj[std::string(name) + "_message"] = text;
    }
    out = obj.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    out.push_back('\n');
  } else {
    size_t width = 0;
    for (size_t i = 0; i < n; ++i) {
      const char* name = vme_stats_name(stats.get(), i);
      if (name != nullptr) width = std::max(width, std::string_view(name).size());
    }
    for (size_t i = 0; i < n; ++i) {
      const char* name = vme_stats_name(stats.get(), i);
      if (name == nullptr) continue;
      const double v = vme_stats_value(stats.get(), i);
      out.append(name);
      out.append(width + 2 - std::string_view(name).size(), ' ');
      if (IsExactInt(v)) {
        out.append(std::to_string(static_cast<int64_t>(v)));
      } else {
        AppendGoFloat(&out, v);
      }
      const char* text = vme_stats_text(stats.get(), i);
      if (text != nullptr && *text != '\0') {
        out.append("  ");
        for (const char* c = text; *c != '\0'; ++c) out.push_back(*c == '\n' ? ' ' : *c);
      }
      out.push_back('\n');
    }
  }
  stats.reset();
  VME_CLI_RETURN_IF_ERROR(WriteOutput(out));
  return CloseDb(&db);
}

}  // namespace

Command AddLabelsCommand(CLI::App* parent) {
  auto flags = std::make_shared<LabelsFlags>();
  CLI::App* app = parent->add_subcommand(
      "labels", "List label names, or the values of label NAME (__name__: metric names)");
  AddDbFlags(app, &flags->db, /*with_read_only=*/true);
  app->add_option("name", flags->name, "Label whose values to list")->type_name("NAME");
  return {app, [flags] { return RunLabels(*flags); }};
}

Command AddSeriesCountCommand(CLI::App* parent) {
  auto flags = std::make_shared<SeriesCountFlags>();
  CLI::App* app = parent->add_subcommand(
      "series-count", "Print the number of series (matching SELECTOR, if given)");
  AddDbFlags(app, &flags->db, /*with_read_only=*/true);
  app->add_option("--start", flags->start, "Start of the time range: RFC 3339 or ms")
      ->type_name("TIME");
  app->add_option("--end", flags->end, "End of the time range: RFC 3339 or ms")->type_name("TIME");
  AddSelectorArg(app, &flags->selector, "PromQL series selector");
  return {app, [flags] { return RunSeriesCount(*flags); }};
}

Command AddStatsCommand(CLI::App* parent) {
  auto flags = std::make_shared<StatsFlags>();
  CLI::App* app = parent->add_subcommand("stats", "Print the engine's statistics");
  AddDbFlags(app, &flags->db, /*with_read_only=*/true);
  app->add_option("--format", flags->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  return {app, [flags] { return RunStats(*flags); }};
}

Command AddVersionCommand(CLI::App* parent) {
  CLI::App* app = parent->add_subcommand("version", "Print the versions of the tool and library");
  return {app, [] {
            std::printf("vmengine %s (library %s, ABI %u)\n", VME_VERSION_STRING,
                        vme_version_string(), vme_abi_version());
            return CommandStatus::Ok();
          }};
}

}  // namespace vme::cli
