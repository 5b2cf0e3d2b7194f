// Importer: Prometheus text exposition lines (prom_parser.h) into a Storage, in batches, as
// VictoriaMetrics' /api/v1/import/prometheus does (lib/protoparser/prometheus). The body of
// vme_import_prometheus / vme_import_prometheus_file (src/capi/import.cc) and of the
// command-line tool's `vmengine import`.
//
// Each sample line becomes one row: its series key is packed from the labels in their order
// (series_key.h; the engine canonicalises them), and the keys of recently seen series texts are
// cached (up to kMaxCacheBytes), so a scrape repeated many times is parsed into labels once per
// series. Rows are sent
// to Storage::AddRows in batches of kBatchRows rows (or kBatchKeyBytes of keys); the last
// partial batch is sent by Finish(). Malformed lines fail the import (strict) or are skipped and
// counted; rows the engine rejects (NaN, retention, ...) are counted in counters().rows, as
// Storage::AddRows counts them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "import/line_reader.h"
#include "import/series_key.h"
#include "storage/storage.h"
#include "util/status.h"

namespace vme::prom {

struct ImportCounters {
  storage::AddRowsResult rows;      // what the engine did with the parsed samples
  uint64_t samples = 0;             // sample lines parsed (rows sent to the engine)
  uint64_t lines_read = 0;          // lines seen, comments and blank lines included
  uint64_t lines_skipped = 0;       // malformed lines skipped (never counted when strict)
  uint64_t first_skipped_line = 0;  // 1-based line (within its input) of the first one; 0: none
};

// Optional callbacks, for a caller that reports lines and rows (the command-line tool).
struct ImportHooks {
  // A malformed line skipped (not strict): its input's name, its 1-based line, the reason.
  std::function<void(std::string_view source, uint64_t line, std::string_view reason)> skipped_line;
  // A row the engine rejected: its input's name, its 1-based line, its storage::RowStatus.
  std::function<void(std::string_view source, uint64_t line, uint8_t row_status)> rejected_row;
  // Runs after each batch was stored; a non-OK status stops the import with that status.
  std::function<Status()> after_batch;
  // Runs for every line read from a LineReader (bytes read so far, lines, samples).
  std::function<void(const LineReader& reader, uint64_t line, uint64_t samples)> progress;
};

class Importer {
 public:
  static constexpr size_t kBatchRows = 10000;
  static constexpr size_t kBatchKeyBytes = 64 << 20;
  // The cache of series keys holds at most about this many bytes (series texts, keys and
  // per-entry overhead); it is emptied when full, so memory stays bounded whatever the input.
  static constexpr size_t kMaxCacheBytes = 32 << 20;

  // storage must outlive the importer. default_ts_ms: the timestamp of a line without one.
  // strict: the first malformed line fails ImportText/ImportReader with InvalidArgument
  // "SOURCE:LINE: reason" ("line LINE: reason" for an unnamed source).
  Importer(storage::Storage* storage, int64_t default_ts_ms, bool strict, ImportHooks hooks = {});

  // Imports the lines of text (a line ends at '\n'; a trailing '\r' is ignored; the last line
  // needs no '\n'). source names the input in messages; empty: none.
  Status ImportText(std::string_view text, std::string source);
  // Imports every line of an opened reader (source: reader->display_name()).
  Status ImportReader(LineReader* reader);
  // Sends the rows collected so far. Call it at the end, also after a failed import, so that
  // the rows of the lines before the failure are stored.
  Status Finish();

  const ImportCounters& counters() const { return counters_; }

 private:
  // Returns false to stop: *st holds the error (strict malformed line, failed batch).
  bool OnLine(std::string_view line, bool too_long, Status* st);
  Status SendBatch();

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  struct RowSource {
    uint32_t source;  // index into sources_
    uint64_t line;
  };

  storage::Storage* storage_;
  int64_t default_ts_ms_;
  bool strict_;
  ImportHooks hooks_;
  std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> key_cache_;
  size_t key_cache_bytes_ = 0;
  std::vector<Label> labels_;
  std::string error_;
  std::string keys_;
  std::vector<uint32_t> offsets_;
  std::vector<int64_t> ts_;
  std::vector<double> values_;
  std::vector<RowSource> row_sources_;  // per row of the batch (only with hooks_.rejected_row)
  std::vector<uint8_t> row_status_;
  std::vector<std::string> sources_;
  uint64_t line_no_ = 0;  // within the current source
  ImportCounters counters_;
};

}  // namespace vme::prom
