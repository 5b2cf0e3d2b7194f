#include "export_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <vector>

#include "import/series_key.h"
#include "series_output.h"
#include "util/quote.h"

namespace vme::cli {

namespace {

struct ExportFlags {
  DbFlags db;
  std::string format = "csv";
  std::string start;
  std::string end;
  SelectorArg selector;
};

CommandStatus RunExport(const ExportFlags& flags, bool match_all_names) {
  QueryPtr query;
  VME_CLI_RETURN_IF_ERROR(
      MakeQuery(flags.start, flags.end, flags.selector.get(), match_all_names, &query));
  DbPtr db;
  VME_CLI_RETURN_IF_ERROR(OpenDb(flags.db, &db));
  vme_error* err = nullptr;
  vme_series_iter* raw = nullptr;
  vme_status st = vme_search(db.get(), query.get(), &raw, &err);
  if (st != VME_OK) return ApiError("search", st, err);
  IterPtr it(raw);

  const OutputFormat format = flags.format == "jsonl" ? OutputFormat::kJsonl : OutputFormat::kCsv;
  SeriesWriter writer(format, stdout);
  writer.WriteHeader();
  std::vector<Label> labels;
  std::string error;
  while ((st = vme_series_iter_next(it.get(), &err)) == VME_OK) {
    const char* name = vme_series_iter_name(it.get());
    if (format == OutputFormat::kJsonl) {
      const uint8_t* key = nullptr;
      size_t key_len = 0;
      vme_series_iter_key(it.get(), &key, &key_len);
      if (!UnpackSeriesKey(std::string_view(reinterpret_cast<const char*>(key), key_len), &labels,
                           &error)) {
        return CommandStatus::Error("series " + QuoteForMessage(name ? name : "") + ": " + error);
      }
    }
    const int64_t* ts = nullptr;
    const double* values = nullptr;
    const size_t n = vme_series_iter_samples(it.get(), &ts, &values);
    writer.WriteSeries(name ? name : "", labels, ts, values, n);
  }
  if (st != VME_DONE) {
    (void)writer.Finish(&error);
    return ApiError("reading series", st, err);
  }
  if (!writer.Finish(&error)) return CommandStatus::Error(error);
  it.reset();
  return CloseDb(&db);
}

void AddOutputFlags(CLI::App* app, ExportFlags* flags) {
  AddDbFlags(app, &flags->db, /*with_read_only=*/true);
  app->add_option("--format", flags->format, "Output format")
      ->check(CLI::IsMember({"csv", "jsonl"}))
      ->capture_default_str();
  app->add_option("--start", flags->start,
                  "Start of the time range, inclusive: RFC 3339 or ms (default: 0)")
      ->type_name("TIME");
  app->add_option("--end", flags->end,
                  "End of the time range, inclusive: RFC 3339 or ms (default: no limit)")
      ->type_name("TIME");
}

}  // namespace

Command AddQueryCommand(CLI::App* parent) {
  auto flags = std::make_shared<ExportFlags>();
  CLI::App* app =
      parent->add_subcommand("query", "Print the samples of the series matching a selector");
  AddOutputFlags(app, flags.get());
  AddSelectorArg(app, &flags->selector,
                 "PromQL series selector, e.g. 'up{job=~\"node|db\",instance!=\"h1\"}'")
      ->required();
  return {app, [flags] { return RunExport(*flags, /*match_all_names=*/false); }};
}

Command AddExportCommand(CLI::App* parent) {
  auto flags = std::make_shared<ExportFlags>();
  CLI::App* app =
      parent->add_subcommand("export", "Print every series (or those matching a selector)");
  AddOutputFlags(app, flags.get());
  AddSelectorArg(app, &flags->selector, "PromQL series selector (default: all series)");
  return {app, [flags] { return RunExport(*flags, /*match_all_names=*/true); }};
}

}  // namespace vme::cli
