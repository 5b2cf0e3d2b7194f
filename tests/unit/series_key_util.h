// Dependency-free helpers shared by the C API unit tests (capi_test_util.h) and the fault-loop
// programs (tests/fault/): printf-style formatting, and packing and unpacking the C API's
// series key (include/vmengine.h: per label, u16be name length, name, u16be value length,
// value). Nothing here checks or throws.
#pragma once

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vme::test {

inline std::string Format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
inline std::string Format(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char buf[4096];
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}

// Label pairs in the order given; the metric name is the pair ("__name__", name).
using Labels = std::vector<std::pair<std::string, std::string>>;

// Appends one `u16be len | name | u16be len | value` pair of the C API's series key.
inline void AppendLabel(std::string* key, std::string_view name, std::string_view value) {
  for (std::string_view p : {name, value}) {
    key->push_back(static_cast<char>((p.size() >> 8) & 0xff));
    key->push_back(static_cast<char>(p.size() & 0xff));
    key->append(p);
  }
}

// One label pair in series-key form.
inline std::string Label(std::string_view name, std::string_view value) {
  std::string key;
  AppendLabel(&key, name, value);
  return key;
}

inline std::string PackKey(const Labels& labels) {
  std::string key;
  for (const auto& [n, v] : labels) AppendLabel(&key, n, v);
  return key;
}

// Inverse of PackKey; false on a truncated key.
inline bool UnpackKey(const uint8_t* p, size_t n, Labels* labels) {
  labels->clear();
  size_t i = 0;
  while (i < n) {
    std::string kv[2];
    for (auto& s : kv) {
      if (i + 2 > n) return false;
      const size_t len = (static_cast<size_t>(p[i]) << 8) | p[i + 1];
      i += 2;
      if (i + len > n) return false;
      s.assign(reinterpret_cast<const char*>(p + i), len);
      i += len;
    }
    labels->emplace_back(std::move(kv[0]), std::move(kv[1]));
  }
  return true;
}

}  // namespace vme::test
