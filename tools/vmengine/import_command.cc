#include "import_command.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "line_reader.h"
#include "progress.h"
#include "prom_parser.h"
#include "series_key.h"

namespace vme::cli {

namespace {

constexpr size_t kBatchRows = 10000;
constexpr size_t kBatchKeyBytes = 64 << 20;
constexpr size_t kMaxCachedSeries = 1 << 20;

struct ImportFlags {
  DbFlags db;
  std::string format = "prom";
  bool strict = false;
  std::vector<std::string> files;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

class Importer {
 public:
  Importer(vme_db* db, bool strict, int64_t now_ms) : db_(db), strict_(strict), now_ms_(now_ms) {
    offsets_.push_back(0);
  }

  CommandStatus ImportFile(const std::string& path) {
    LineReader reader(path);
    VME_CLI_RETURN_IF_ERROR(reader.Open());
    Progress progress(reader.display_name(), reader.total_bytes());
    file_names_.push_back(reader.display_name());
    uint64_t line_no = 0;
    CommandStatus status = CommandStatus::Ok();
    const auto on_line = [&](std::string_view line, bool too_long) {
      ++line_no;
      line_no_ = line_no;
      progress.Update(reader.bytes_read(), line_no, rows_read_);
      std::string reason;
      if (too_long) {
        reason = "line longer than " + std::to_string(LineReader::kMaxLineBytes) + " bytes";
      } else if (!AddLine(line, &reason)) {
        return false;
      }
      if (reason.empty()) return true;
      const std::string where = reader.display_name() + ":" + std::to_string(line_no) + ": ";
      if (strict_) {
        status = CommandStatus::Error(where + reason);
        return false;
      }
      // Every rejected line is reported; a reason quotes at most 128 bytes of the line.
      ++rejected_lines_;
      progress.Clear();
      std::fprintf(stderr, "%s%s\n", where.c_str(), reason.c_str());
      return true;
    };
    VME_CLI_RETURN_IF_ERROR(reader.ForEachLine(on_line));
    return status;
  }

  // Sends the rows collected so far. Every row the engine rejects is reported with its file and
  // line; with --strict such a batch fails the import.
  CommandStatus SendBatch() {
    const size_t n = ts_.size();
    if (n == 0) return CommandStatus::Ok();
    vme_add_result result{};
    vme_error* err = nullptr;
    row_status_.assign(n, VME_ROW_FAILED);
    const vme_status st = vme_add_rows_report(db_, reinterpret_cast<const uint8_t*>(keys_.data()),
                                              keys_.size(), offsets_.data(), ts_.data(),
                                              values_.data(), n, row_status_.data(), &result, &err);
    uint64_t engine_rejected = 0;
    std::string first_rejected;
    for (size_t i = 0; i < n; i++) {
      const uint8_t rs = row_status_[i];
      if (rs == VME_ROW_STORED || rs == VME_ROW_FAILED) continue;
      const RowSource& src = row_sources_[i];
      const std::string where = file_names_[src.file] + ":" + std::to_string(src.line) + ": ";
      if (first_rejected.empty()) first_rejected = where + RowRejectionReason(rs);
      engine_rejected++;
      std::fprintf(stderr, "%s%s\n", where.c_str(), RowRejectionReason(rs));
    }
    keys_.clear();
    offsets_.assign(1, 0);
    ts_.clear();
    values_.clear();
    row_sources_.clear();
    if (st != VME_OK) return ApiError("adding rows", st, err);
    totals_.rows_added += result.rows_added;
    totals_.rejected_invalid_labels += result.rejected_invalid_labels;
    totals_.rejected_nan += result.rejected_nan;
    totals_.rejected_out_of_retention += result.rejected_out_of_retention;
    totals_.rejected_too_far_future += result.rejected_too_far_future;
    totals_.rejected_invalid_timestamp += result.rejected_invalid_timestamp;
    if (strict_ && engine_rejected > 0) {
      return CommandStatus::Error(std::to_string(engine_rejected) +
                                  " row(s) rejected by the engine (first: " + first_rejected +
                                  "); rows of the same batch before and after them were stored");
    }
    return CommandStatus::Ok();
  }

  uint64_t rows_read() const { return rows_read_; }
  uint64_t rejected_lines() const { return rejected_lines_; }
  const vme_add_result& totals() const { return totals_; }
  const CommandStatus& batch_status() const { return batch_status_; }

 private:
  // Returns false when sending a batch failed (batch_status_ has the error); otherwise sets
  // *reason when the line is malformed.
  bool AddLine(std::string_view line, std::string* reason) {
    PromLine parsed;
    const PromLineKind kind = ParsePromLine(line, &parsed, reason);
    if (kind != PromLineKind::kSample) return true;
    auto it = key_cache_.find(parsed.series);
    if (it == key_cache_.end()) {
      if (!ParsePromSeries(parsed.series, &labels_, reason)) return true;
      std::string key;
      if (!PackSeriesKey(labels_, &key, reason)) return true;
      if (key_cache_.size() >= kMaxCachedSeries) key_cache_.clear();
      it = key_cache_.emplace(std::string(parsed.series), std::move(key)).first;
    }
    ++rows_read_;
    row_sources_.push_back(RowSource{file_names_.size() - 1, line_no_});
    keys_.append(it->second);
    offsets_.push_back(static_cast<uint32_t>(keys_.size()));
    ts_.push_back(parsed.has_timestamp ? parsed.timestamp_ms : now_ms_);
    values_.push_back(parsed.value);
    if (ts_.size() >= kBatchRows || keys_.size() >= kBatchKeyBytes) {
      batch_status_ = SendBatch();
      if (!batch_status_.ok()) return false;
    }
    return true;
  }

  struct RowSource {
    size_t file;  // index into file_names_
    uint64_t line;
  };

  static const char* RowRejectionReason(uint8_t row_status) {
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

  vme_db* db_;
  bool strict_;
  int64_t now_ms_;
  std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> key_cache_;
  std::vector<Label> labels_;
  std::string keys_;
  std::vector<uint32_t> offsets_;
  std::vector<int64_t> ts_;
  std::vector<double> values_;
  std::vector<RowSource> row_sources_;  // per row of the batch
  std::vector<uint8_t> row_status_;
  std::vector<std::string> file_names_;
  uint64_t line_no_ = 0;
  uint64_t rows_read_ = 0;
  uint64_t rejected_lines_ = 0;
  vme_add_result totals_{};
  CommandStatus batch_status_ = CommandStatus::Ok();
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
    LineReader probe(f);
    VME_CLI_RETURN_IF_ERROR(probe.Open());
  }

  DbPtr db;
  VME_CLI_RETURN_IF_ERROR(OpenDb(flags.db, &db));
  Importer importer(db.get(), flags.strict, now_ms);
  for (const std::string& file : flags.files) {
    CommandStatus st = importer.ImportFile(file);
    if (st.ok()) st = importer.batch_status();
    if (!st.ok()) {
      (void)importer.SendBatch();
      (void)CloseDb(&db);
      return st;
    }
  }
  VME_CLI_RETURN_IF_ERROR(importer.SendBatch());
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
