// Series keys in the packed label format of the C API (include/vmengine.h, "Labels"):
//
//   key   := pair*
//   pair  := u16be name_len | name bytes | u16be value_len | value bytes
//
// The metric name is the pair whose name is "__name__" (an empty name also denotes it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vme::prom {

inline constexpr std::string_view kMetricNameLabel = "__name__";

struct Label {
  std::string name;
  std::string value;
  bool operator==(const Label&) const = default;
};

// Appends one pair. Returns false (appending nothing) if name or value is longer than 65535
// bytes, which the format cannot represent.
bool AppendLabel(std::string* key, std::string_view name, std::string_view value);

// Packs labels in their order. On failure *error names the label that is too long.
bool PackSeriesKey(const std::vector<Label>& labels, std::string* key, std::string* error);

// Unpacks a key; an empty name comes back as "__name__". On failure (truncated key) *error
// names the offset.
bool UnpackSeriesKey(std::string_view key, std::vector<Label>* labels, std::string* error);

}  // namespace vme::prom
