#include "import/series_key.h"

#include <cstdint>

#include "util/quote.h"

namespace vme::prom {

namespace {

constexpr size_t kMaxLen = 0xffff;

void AppendU16(std::string* out, size_t v) {
  out->push_back(static_cast<char>((v >> 8) & 0xff));
  out->push_back(static_cast<char>(v & 0xff));
}

bool ReadString(std::string_view key, size_t* pos, std::string* out) {
  if (key.size() - *pos < 2) return false;
  const size_t len = (static_cast<size_t>(static_cast<uint8_t>(key[*pos])) << 8) |
                     static_cast<uint8_t>(key[*pos + 1]);
  *pos += 2;
  if (key.size() - *pos < len) return false;
  out->assign(key.substr(*pos, len));
  *pos += len;
  return true;
}

}  // namespace

bool AppendLabel(std::string* key, std::string_view name, std::string_view value) {
  if (name.size() > kMaxLen || value.size() > kMaxLen) return false;
  AppendU16(key, name.size());
  key->append(name);
  AppendU16(key, value.size());
  key->append(value);
  return true;
}

bool PackSeriesKey(const std::vector<Label>& labels, std::string* key, std::string* error) {
  key->clear();
  for (const Label& l : labels) {
    if (!AppendLabel(key, l.name, l.value)) {
      *error = "label " + QuoteForMessage(l.name) + " has a name or value longer than 65535 bytes";
      return false;
    }
  }
  return true;
}

bool UnpackSeriesKey(std::string_view key, std::vector<Label>* labels, std::string* error) {
  labels->clear();
  size_t pos = 0;
  while (pos < key.size()) {
    const size_t start = pos;
    Label l;
    if (!ReadString(key, &pos, &l.name) || !ReadString(key, &pos, &l.value)) {
      *error = "truncated series key: label pair at offset " + std::to_string(start) +
               " runs past the end (" + std::to_string(key.size()) + " bytes)";
      return false;
    }
    if (l.name.empty()) l.name = kMetricNameLabel;
    labels->push_back(std::move(l));
  }
  return true;
}

}  // namespace vme::prom
