// Parser for one line of the Prometheus text exposition format:
//
//   [ws] metric_name [ "{" label_name "=" "\"" value "\"" { "," ... } [","] "}" ] ws value [ws
//   timestamp_ms] [ws]
//
// Metric names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*; label
// values are double-quoted with the escapes \\ \" \n; any other backslash is kept with the
// byte after it (`\t` is the two bytes '\\' 't'), as in Prometheus' text parser and
// VictoriaMetrics' unescapeValue. Error texts quote at most 128 bytes of the line, escaped
// (QuoteForMessage). The metric name may also be given only as the label __name__
// ("{__name__="x"} 1"). Values are decimal floats as Go's strconv.ParseFloat reads them
// (1.8087e-05, NaN, +Inf, -Inf, Inf; no hex). The timestamp is an integer in milliseconds.
// Blank lines and lines starting with '#' (HELP, TYPE, comments) carry no sample.
//
// Parsing is split in two so that an importer can cache per series: ParsePromLine finds the
// series text (name and label set, unparsed), the value and the timestamp; ParsePromSeries
// turns the series text into labels.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "import/series_key.h"

namespace vme::prom {

enum class PromLineKind { kSample, kSkip, kError };

struct PromLine {
  std::string_view series;  // e.g. `up{job="a"}`, a view into the line
  double value = 0;
  bool has_timestamp = false;
  int64_t timestamp_ms = 0;
};

// Parses one line (without its '\n'; a trailing '\r' is ignored). On kError, *error holds
// the reason.
PromLineKind ParsePromLine(std::string_view line, PromLine* out, std::string* error);

// Parses series text into labels: the metric name first as "__name__" (when given before
// the braces), then the labels in their order. Returns false and sets *error when malformed.
bool ParsePromSeries(std::string_view series, std::vector<Label>* labels, std::string* error);

// Parses a sample value as Go's strconv.ParseFloat does for decimal input.
bool ParsePromValue(std::string_view s, double* v);

}  // namespace vme::prom
