#include "import_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <string_view>
#include <vector>

#include "capi/db_handle.h"
#include "import/importer.h"
#include "import/line_reader.h"
#include "progress.h"

namespace vme::cli {

namespace {

struct ImportFlags {
  DbFlags db;
  std::string format = "prom";
  bool strict = false;
  std::vector<std::string> files;
};

const char* RowRejectionReason(uint8_t row_status) {
  switch (row_status) {
    case VME_ROW_INVALID_LABELS:
      return "row rejected: invalid labels (over a label limit, or no metric name)";
    case VME_ROW_NAN:
      return "row rejected: NaN value (only the staleness marker is stored)";
    case VME_ROW_OUT_OF_RETENTION:
      return "row rejected: timestamp older than the retention";
    case VME_ROW_TOO_FAR_FUTURE:
      return "row rejected: timestamp more than 2 days in the future";
    case VME_ROW_INVALID_TIMESTAMP:
      return "row rejected: negative timestamp";
    default:
      return "row rejected";
  }
}

CommandStatus FromStatus(const Status& st) {
  return st.ok() ? CommandStatus::Ok() : CommandStatus::Error(st.message());
}

// The library's importer (src/import/importer.h) with the tool's reporting: every skipped line
// and every row the engine rejects is printed as FILE:LINE: reason, a progress bar is drawn on
// a terminal, and with --strict a batch with rows the engine rejected fails the import.
class Importer {
 public:
  Importer(storage::Storage* storage, bool strict, int64_t now_ms)
      : strict_(strict), importer_(storage, now_ms, strict, Hooks()) {}

  CommandStatus ImportFile(const std::string& path) {
    prom::LineReader reader;
    if (path == "-") {
      reader.OpenFd(STDIN_FILENO, "<stdin>");
    } else {
      VME_CLI_RETURN_IF_ERROR(FromStatus(reader.Open(path)));
    }
    Progress progress(reader.display_name(), reader.total_bytes());
    progress_ = &progress;
    const Status st = importer_.ImportReader(&reader);
    progress_ = nullptr;
    return FromStatus(st);
  }

  // Sends the rows collected so far.
  CommandStatus Finish() { return FromStatus(importer_.Finish()); }

  uint64_t rows_read() const { return importer_.counters().samples; }
  uint64_t rejected_lines() const { return importer_.counters().lines_skipped; }
  vme_add_result totals() const {
    return vme_add_result{importer_.counters().rows.rows_added,
                          importer_.counters().rows.rejected_invalid_labels,
                          importer_.counters().rows.rejected_nan,
                          importer_.counters().rows.rejected_out_of_retention,
                          importer_.counters().rows.rejected_too_far_future,
                          importer_.counters().rows.rejected_invalid_timestamp};
  }

 private:
  prom::ImportHooks Hooks() {
    prom::ImportHooks h;
    h.skipped_line = [this](std::string_view source, uint64_t line, std::string_view reason) {
      // Every rejected line is reported; a reason quotes at most 128 bytes of the line.
      if (progress_ != nullptr) progress_->Clear();
      std::fprintf(stderr, "%.*s:%llu: %.*s\n", static_cast<int>(source.size()), source.data(),
                   static_cast<unsigned long long>(line), static_cast<int>(reason.size()),
                   reason.data());
    };
    h.rejected_row = [this](std::string_view source, uint64_t line, uint8_t row_status) {
      const std::string where =
          std::string(source) + ":" + std::to_string(line) + ": " + RowRejectionReason(row_status);
      if (first_rejected_.empty()) first_rejected_ = where;
      ++batch_rejected_;
      if (progress_ != nullptr) progress_->Clear();
      std::fprintf(stderr, "%s\n", where.c_str());
    };
    h.after_batch = [this]() {
      const uint64_t rejected = batch_rejected_;
      batch_rejected_ = 0;
      if (strict_ && rejected > 0) {
        return Status::InvalidArgument(
            std::to_string(rejected) + " row(s) rejected by the engine (first: " + first_rejected_ +
            "); rows of the same batch before and after them were stored");
      }
      first_rejected_.clear();
      return Status::OK();
    };
    h.progress = [this](const prom::LineReader& reader, uint64_t line, uint64_t samples) {
      if (progress_ != nullptr) progress_->Update(reader.bytes_read(), line, samples);
    };
    return h;
  }

  bool strict_;
  Progress* progress_ = nullptr;
  uint64_t batch_rejected_ = 0;
  std::string first_rejected_;
  prom::Importer importer_;
};

void PrintSummary(const Importer& imp, uint64_t series, double secs) {
  const vme_add_result& t = imp.totals();
  const uint64_t rejected_rows = t.rejected_invalid_labels + t.rejected_nan +
                                 t.rejected_out_of_retention + t.rejected_too_far_future +
                                 t.rejected_invalid_timestamp;
  const auto line = [](const char* name, uint64_t v) {
    std::printf("%-22s%llu\n", name, static_cast<unsigned long long>(v));
  };
  line("rows read:", imp.rows_read());
  line("rows imported:", t.rows_added);
  line("rows rejected:", rejected_rows);
  line("  invalid labels:", t.rejected_invalid_labels);
  line("  NaN:", t.rejected_nan);
  line("  out of retention:", t.rejected_out_of_retention);
  line("  too far in future:", t.rejected_too_far_future);
  line("  invalid timestamp:", t.rejected_invalid_timestamp);
  line("rejected lines:", imp.rejected_lines());
  line("series:", series);
  std::printf("%-22s%.3f s\n", "elapsed:", secs);
  line("rows/s:",
       secs > 0 ? static_cast<uint64_t>(static_cast<double>(t.rows_added) / secs) : t.rows_added);
}

CommandStatus RunImport(const ImportFlags& flags) {
  const auto start = std::chrono::steady_clock::now();
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  size_t stdin_uses = 0;
  for (const std::string& f : flags.files) stdin_uses += f == "-";
  if (stdin_uses > 1) return CommandStatus::Error("standard input (-) given more than once");

  for (const std::string& f : flags.files) {
    if (f == "-") continue;
    prom::LineReader probe;
    VME_CLI_RETURN_IF_ERROR(FromStatus(probe.Open(f)));
  }

  DbPtr db;
  VME_CLI_RETURN_IF_ERROR(OpenDb(flags.db, &db));
  Importer importer(capi::StorageOf(db.get()).get(), flags.strict, now_ms);
  for (const std::string& file : flags.files) {
    CommandStatus st = importer.ImportFile(file);
    if (!st.ok()) {
      (void)importer.Finish();
      (void)CloseDb(&db);
      return st;
    }
  }
  VME_CLI_RETURN_IF_ERROR(importer.Finish());
  vme_error* err = nullptr;
  vme_status st = vme_flush(db.get(), &err);
  if (st != VME_OK) return ApiError("flushing", st, err);
  uint64_t series = 0;
  st = vme_series_count(db.get(), nullptr, &series, &err);
  if (st != VME_OK) return ApiError("counting series", st, err);
  VME_CLI_RETURN_IF_ERROR(CloseDb(&db));
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  PrintSummary(importer, series, secs);
  return CommandStatus::Ok();
}

}  // namespace

Command AddImportCommand(CLI::App* parent) {
  auto flags = std::make_shared<ImportFlags>();
  CLI::App* app = parent->add_subcommand(
      "import", "Import Prometheus text exposition files (.zst: zstd-compressed, -: stdin)");
  AddDbFlags(app, &flags->db, /*with_read_only=*/false);
  app->add_option("--format", flags->format, "Input format")
      ->check(CLI::IsMember({"prom"}))
      ->capture_default_str();
  app->add_flag("--strict", flags->strict,
                "Fail on the first malformed line, or after a batch with rows the engine rejects");
  app->add_option("--retention", flags->db.retention,
                  "Reject rows older than now - DUR (e.g. 30d, 12h, 1y; 0 = keep all)")
      ->type_name("DUR");
  app->add_option("files", flags->files, "Input files")->required()->type_name("FILE");
  return {app, [flags] { return RunImport(*flags); }};
}

}  // namespace vme::cli
