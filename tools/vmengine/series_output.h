// Output of query and export results.
//
// CSV (RFC 4180, "\n" line ends), the columns of tests/data/vm172/*/expected.csv:
//   metric,timestamp_ms,value,value_bits
//   metric      the series in Prometheus text form (vme_series_iter_name)
//   value       Go strconv.FormatFloat(v, 'g', -1, 64), or NaN / +Inf / -Inf
//   value_bits  the IEEE-754 bits as 16 lower-case hex digits
// A field is quoted as Go's encoding/csv does: when it contains '"', ',', CR or LF, or begins
// with a space; inner quotes are doubled.
//
// JSONL, one object per series as VictoriaMetrics' /api/v1/export writes it:
//   {"metric":{"__name__":"x","k":"v"},"values":[1,2.5,"NaN"],"timestamps":[1000,2000]}
// Values are JSON numbers in the Go format above; NaN and infinities are strings.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "import/series_key.h"

namespace vme::cli {

// The packed series keys of the C API (the library's src/import/series_key.h).
using prom::Label;
using prom::UnpackSeriesKey;

enum class OutputFormat { kCsv, kJsonl };

void AppendCsvField(std::string* out, std::string_view field);
void AppendCsvRow(std::string* out, std::string_view metric, int64_t ts, double value);
void AppendJsonlSeries(std::string* out, const std::vector<Label>& labels, const int64_t* ts,
                       const double* values, size_t n);

// Buffers rows and writes them to a FILE. Samples are written in timestamp order (stable).
class SeriesWriter {
 public:
  SeriesWriter(OutputFormat format, std::FILE* out) : format_(format), out_(out) {}

  void WriteHeader();
  void WriteSeries(std::string_view name, const std::vector<Label>& labels, const int64_t* ts,
                   const double* values, size_t n);
  // Flushes; returns false with *error when writing failed.
  bool Finish(std::string* error);

  uint64_t series() const { return series_; }
  uint64_t samples() const { return samples_; }

 private:
  void MaybeFlush();

  OutputFormat format_;
  std::FILE* out_;
  std::string buf_;
  std::vector<int64_t> sorted_ts_;
  std::vector<double> sorted_values_;
  std::vector<size_t> order_;
  uint64_t series_ = 0;
  uint64_t samples_ = 0;
  bool write_failed_ = false;
};

}  // namespace vme::cli
