#include "series_output.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <numeric>

#include "go_float_format.h"

namespace vme::cli {

namespace {

constexpr size_t kFlushBytes = 1 << 20;

bool CsvNeedsQuotes(std::string_view f) {
  if (f.empty()) return false;
  if (f == "\\.") return true;
  if (f.find_first_of("\",\r\n") != std::string_view::npos) return true;
  const unsigned char c = static_cast<unsigned char>(f[0]);
  if (c == ' ' || c == '\t' || c == '\v' || c == '\f') return true;
  return f.size() >= 2 && c == 0xc2 &&
         (static_cast<unsigned char>(f[1]) == 0x85 || static_cast<unsigned char>(f[1]) == 0xa0);
}

void AppendInt(std::string* out, int64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, res.ptr);
}

void AppendHexBits(std::string* out, double v) {
  static constexpr char kHex[] = "0123456789abcdef";
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  for (int shift = 60; shift >= 0; shift -= 4) out->push_back(kHex[(bits >> shift) & 0xf]);
}

}  // namespace

void AppendCsvField(std::string* out, std::string_view field) {
  if (!CsvNeedsQuotes(field)) {
    out->append(field);
    return;
  }
  out->push_back('"');
  for (char c : field) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendCsvRow(std::string* out, std::string_view metric, int64_t ts, double value) {
  AppendCsvField(out, metric);
  out->push_back(',');
  AppendInt(out, ts);
  out->push_back(',');
  AppendGoFloat(out, value);
  out->push_back(',');
  AppendHexBits(out, value);
  out->push_back('\n');
}

void AppendJsonlSeries(std::string* out, const std::vector<Label>& labels, const int64_t* ts,
                       const double* values, size_t n) {
  nlohmann::ordered_json metric = nlohmann::ordered_json::object();
  for (const Label& l : labels) metric[l.name] = l.value;
  out->append("{\"metric\":");
  out->append(metric.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  out->append(",\"values\":[");
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out->push_back(',');
    if (std::isfinite(values[i])) {
      AppendGoFloat(out, values[i]);
    } else {
      out->push_back('"');
      AppendGoFloat(out, values[i]);
      out->push_back('"');
    }
  }
  out->append("],\"timestamps\":[");
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out->push_back(',');
    AppendInt(out, ts[i]);
  }
  out->append("]}\n");
}

void SeriesWriter::WriteHeader() {
  if (format_ == OutputFormat::kCsv) buf_.append("metric,timestamp_ms,value,value_bits\n");
}

void SeriesWriter::WriteSeries(std::string_view name, const std::vector<Label>& labels,
                               const int64_t* ts, const double* values, size_t n) {
  if (!std::is_sorted(ts, ts + n)) {
    order_.resize(n);
    std::iota(order_.begin(), order_.end(), size_t{0});
    std::stable_sort(order_.begin(), order_.end(),
                     [ts](size_t a, size_t b) { return ts[a] < ts[b]; });
    sorted_ts_.resize(n);
    sorted_values_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      sorted_ts_[i] = ts[order_[i]];
      sorted_values_[i] = values[order_[i]];
    }
    ts = sorted_ts_.data();
    values = sorted_values_.data();
  }
  ++series_;
  samples_ += n;
  if (format_ == OutputFormat::kCsv) {
    for (size_t i = 0; i < n; ++i) {
      AppendCsvRow(&buf_, name, ts[i], values[i]);
      if (buf_.size() >= kFlushBytes) MaybeFlush();
    }
  } else {
    AppendJsonlSeries(&buf_, labels, ts, values, n);
  }
  MaybeFlush();
}

void SeriesWriter::MaybeFlush() {
  if (buf_.size() < kFlushBytes) return;
  if (!write_failed_ && std::fwrite(buf_.data(), 1, buf_.size(), out_) != buf_.size()) {
    write_failed_ = true;
  }
  buf_.clear();
}

bool SeriesWriter::Finish(std::string* error) {
  if (!write_failed_ && !buf_.empty() &&
      std::fwrite(buf_.data(), 1, buf_.size(), out_) != buf_.size()) {
    write_failed_ = true;
  }
  buf_.clear();
  if (std::fflush(out_) != 0 || std::ferror(out_)) write_failed_ = true;
  if (write_failed_) {
    *error = std::string("writing the output failed: ") + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace vme::cli
