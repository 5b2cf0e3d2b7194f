// MetricName: the canonical series key of VictoriaMetrics 1.72, cluster flavour (VictoriaMetrics
// MetricName.Marshal, MarshalMetricNameRaw, lib/storage/metric_name.go).
//
// Tag value escaping (esc): a byte string without 0x00, 0x01, 0x02 is written as is; otherwise
// 0x00 -> 00 30, 0x01 -> 00 31, 0x02 -> 00 32. Every escaped element is followed by 0x01
// (except in the "no trailing separator" variant used for search prefixes).
//
// Canonical marshaled form (Marshal):
//   u32be AccountID | u32be ProjectID | esc(MetricGroup) 01 | { esc(Key) 01 esc(Value) 01 } ...
// There is no tag count: pairs are read until the input is exhausted. MarshalNoTenant omits the
// first 8 bytes. Tags must be in canonical order (SortTags) whenever the bytes are used as a key.
//
// Series key of the C API (FromSeriesKey / ToSeriesKey), the label part of MetricNameRaw:
//   { u16be len(name) | name | u16be len(value) | value } ...
// A name of "" or "__name__" carries the metric name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace vme::storage {

struct Tag {
  std::string key;
  std::string value;

  bool operator==(const Tag&) const = default;
};

struct LabelLimits {
  size_t max_name_len = 256;
  size_t max_value_len = 16384;
  size_t max_labels = 30;
};

class MetricName {
 public:
  uint32_t account_id = 0;
  uint32_t project_id = 0;
  std::string metric_group;
  std::vector<Tag> tags;

  void Reset();

  // Sets metric_group for key "" / "__name__", else appends a tag.
  void AddTag(std::string_view key, std::string_view value);
  // Value of the tag `key` ("" / "__name__" = metric_group); nullptr when absent.
  const std::string* GetTagValue(std::string_view key) const;

  // Canonical order (VictoriaMetrics MetricName.sortTags in lib/storage/metric_name.go): stable
  // sort by the normalised key, then adjacent tags with the same key collapse into the last one.
  void SortTags();

  void Marshal(std::string* dst) const;
  void MarshalNoTenant(std::string* dst) const;
  Status Unmarshal(std::string_view src);
  Status UnmarshalNoTenant(std::string_view src);

  Status FromSeriesKey(std::string_view key, uint32_t account_id, uint32_t project_id,
                       const LabelLimits& limits);
  // "__name__" first (when the metric group is not empty), then the tags in their current order.
  // Elements longer than 65535 bytes are truncated.
  void ToSeriesKey(std::string* dst) const;

  // name{k="v",...}, labels sorted bytewise by key, values quoted like Go's strconv.Quote.
  std::string ToPrometheusText() const;

  bool operator==(const MetricName&) const = default;
};

// The sort key of a tag key used by SortTags (special keys map to short binary codes).
std::string_view NormalizeTagKey(std::string_view key);

void MarshalTagValue(std::string* dst, std::string_view s);
void MarshalTagValueNoTrailingSep(std::string* dst, std::string_view s);
// Consumes one escaped element including its trailing 0x01.
bool UnmarshalTagValue(std::string_view* src, std::string* out);

// Go's strconv.Quote. IsPrint follows the Unicode 14 database (Go 1.19 uses Unicode 13).
std::string GoQuote(std::string_view s);
void AppendGoQuote(std::string* dst, std::string_view s);
// Decodes one rune like Go's utf8.DecodeRuneInString: invalid input gives (0xFFFD, 1).
// `s` must not be empty.
char32_t DecodeRune(std::string_view s, size_t* size);
bool IsPrintRune(char32_t r);
void AppendUtf8(std::string* dst, char32_t r);

}  // namespace vme::storage
