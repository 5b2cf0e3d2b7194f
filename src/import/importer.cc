#include "import/importer.h"

#include <cstring>

#include "import/prom_parser.h"

namespace vme::prom {

namespace {

// What a cache entry costs besides its two strings' bytes (node, hash bucket, string headers).
constexpr size_t kCacheEntryOverhead = 128;

}  // namespace

Importer::Importer(storage::Storage* storage, int64_t default_ts_ms, bool strict, ImportHooks hooks)
    : storage_(storage), default_ts_ms_(default_ts_ms), strict_(strict), hooks_(std::move(hooks)) {
  offsets_.push_back(0);
}

bool Importer::OnLine(std::string_view line, bool too_long, Status* st) {
  ++line_no_;
  ++counters_.lines_read;
  error_.clear();
  if (too_long) {
    error_ = "line longer than " + std::to_string(LineReader::kMaxLineBytes) + " bytes";
  } else {
    PromLine parsed;
    const PromLineKind kind = ParsePromLine(line, &parsed, &error_);
    if (kind == PromLineKind::kSkip) return true;
    if (kind == PromLineKind::kSample) {
      auto it = key_cache_.find(parsed.series);
      if (it == key_cache_.end()) {
        std::string key;
        if (ParsePromSeries(parsed.series, &labels_, &error_) &&
            PackSeriesKey(labels_, &key, &error_)) {
          const size_t bytes = parsed.series.size() + key.size() + kCacheEntryOverhead;
          if (key_cache_bytes_ + bytes > kMaxCacheBytes) {
            key_cache_.clear();
            key_cache_bytes_ = 0;
          }
          key_cache_bytes_ += bytes;
          it = key_cache_.emplace(std::string(parsed.series), std::move(key)).first;
        }
      }
      if (it != key_cache_.end()) {
        ++counters_.samples;
        if (hooks_.rejected_row) {
          row_sources_.push_back(RowSource{static_cast<uint32_t>(sources_.size() - 1), line_no_});
        }
        keys_.append(it->second);
        offsets_.push_back(static_cast<uint32_t>(keys_.size()));
        ts_.push_back(parsed.has_timestamp ? parsed.timestamp_ms : default_ts_ms_);
        values_.push_back(parsed.value);
        if (ts_.size() >= kBatchRows || keys_.size() >= kBatchKeyBytes) {
          *st = SendBatch();
          if (!st->ok()) return false;
        }
        return true;
      }
    }
  }
  // A malformed line: error_ holds the reason.
  const std::string& source = sources_.back();
  if (strict_) {
    *st = Status::InvalidArgument((source.empty() ? "line " : source + ":") +
                                  std::to_string(line_no_) + ": " + error_);
    return false;
  }
  ++counters_.lines_skipped;
  if (counters_.first_skipped_line == 0) counters_.first_skipped_line = line_no_;
  if (hooks_.skipped_line) hooks_.skipped_line(source, line_no_, error_);
  return true;
}

Status Importer::ImportText(std::string_view text, std::string source) {
  sources_.push_back(std::move(source));
  line_no_ = 0;
  Status st;
  while (!text.empty()) {
    const char* nl = static_cast<const char*>(std::memchr(text.data(), '\n', text.size()));
    const size_t len = nl ? static_cast<size_t>(nl - text.data()) : text.size();
    const bool too_long = len > LineReader::kMaxLineBytes;
    if (!OnLine(too_long ? std::string_view() : text.substr(0, len), too_long, &st)) return st;
    text.remove_prefix(nl ? len + 1 : len);
  }
  return Status::OK();
}

Status Importer::ImportReader(LineReader* reader) {
  sources_.push_back(reader->display_name());
  line_no_ = 0;
  Status st;
  const auto on_line = [&](std::string_view line, bool too_long) {
    if (hooks_.progress) hooks_.progress(*reader, line_no_ + 1, counters_.samples);
    return OnLine(line, too_long, &st);
  };
  VME_RETURN_IF_ERROR(reader->ForEachLine(on_line));
  return st;
}

Status Importer::SendBatch() {
  const size_t n = ts_.size();
  if (n == 0) return Status::OK();
  storage::AddRowsResult r;
  const bool report = static_cast<bool>(hooks_.rejected_row);
  if (report) row_status_.assign(n, storage::kRowFailed);
  const auto& o = storage_->options();
  static const uint8_t kEmpty = 0;
  Status st =
      storage_->AddRows(keys_.empty() ? &kEmpty : reinterpret_cast<const uint8_t*>(keys_.data()),
                        keys_.size(), offsets_.data(), ts_.data(), values_.data(), n, o.account_id,
                        o.project_id, &r, report ? row_status_.data() : nullptr);
  counters_.rows.rows_added += r.rows_added;
  counters_.rows.rejected_invalid_labels += r.rejected_invalid_labels;
  counters_.rows.rejected_nan += r.rejected_nan;
  counters_.rows.rejected_out_of_retention += r.rejected_out_of_retention;
  counters_.rows.rejected_too_far_future += r.rejected_too_far_future;
  counters_.rows.rejected_invalid_timestamp += r.rejected_invalid_timestamp;
  if (report) {
    for (size_t i = 0; i < n; i++) {
      const uint8_t rs = row_status_[i];
      if (rs == storage::kRowStored || rs == storage::kRowFailed) continue;
      const RowSource& src = row_sources_[i];
      hooks_.rejected_row(sources_[src.source], src.line, rs);
    }
  }
  keys_.clear();
  offsets_.assign(1, 0);
  ts_.clear();
  values_.clear();
  row_sources_.clear();
  if (!st.ok()) return st.WithContext("adding rows");
  if (hooks_.after_batch) return hooks_.after_batch();
  return Status::OK();
}

Status Importer::Finish() { return SendBatch(); }

}  // namespace vme::prom
