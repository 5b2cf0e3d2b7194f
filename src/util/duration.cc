#include "util/duration.h"

#include <cmath>
#include <cstdio>

#include "util/quote.h"

namespace vme {

std::string FormatGoDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  uint64_t u = static_cast<uint64_t>(ms);
  if (ms < 0) {
    out = "-";
    u = ~u + 1;
  }
  if (u < 1000) return out + std::to_string(u) + "ms";
  std::string frac;
  if (u % 1000 != 0) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "%03u", static_cast<unsigned>(u % 1000));
    frac = buf;
    while (frac.back() == '0') frac.pop_back();
    frac = "." + frac;
  }
  uint64_t secs = u / 1000;
  std::string tail = std::to_string(secs % 60) + frac + "s";
  secs /= 60;
  if (secs > 0) {
    tail = std::to_string(secs % 60) + "m" + tail;
    secs /= 60;
    if (secs > 0) tail = std::to_string(secs) + "h" + tail;
  }
  return out + tail;
}

Status ParseGoDuration(std::string_view s, int64_t* ms) {
  const std::string quoted = QuoteForMessage(s);  // e.g. a file's contents
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return Status::InvalidArgument("invalid duration " + quoted);
  long double total = 0;
  bool any = false;
  while (!s.empty()) {
    size_t i = 0;
    bool digits = false;
    long double v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      v = v * 10 + (s[i] - '0');
      i++;
      digits = true;
    }
    if (i < s.size() && s[i] == '.') {
      i++;
      long double scale = 0.1L;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        v += (s[i] - '0') * scale;
        scale /= 10;
        i++;
        digits = true;
      }
    }
    if (!digits) return Status::InvalidArgument("invalid duration " + quoted);
    s.remove_prefix(i);
    size_t u = 0;
    while (u < s.size() && !(s[u] >= '0' && s[u] <= '9') && s[u] != '.') u++;
    const std::string_view unit = s.substr(0, u);
    s.remove_prefix(u);
    long double mult;
    if (unit.empty()) {
      if (any || !s.empty()) return Status::InvalidArgument("missing unit in duration " + quoted);
      mult = 1000;
    } else if (unit == "ns") {
      mult = 1e-6L;
    } else if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs") {
      mult = 1e-3L;
    } else if (unit == "ms") {
      mult = 1;
    } else if (unit == "s") {
      mult = 1000;
    } else if (unit == "m") {
      mult = 60000;
    } else if (unit == "h") {
      mult = 3600000;
    } else if (unit == "d") {
      mult = 86400000;
    } else if (unit == "w") {
      mult = 7 * 86400000.0L;
    } else if (unit == "y") {
      mult = 365 * 86400000.0L;
    } else {
      return Status::InvalidArgument("unknown unit in duration " + quoted);
    }
    total += v * mult;
    any = true;
  }
  if (total > 9.2e18L) return Status::InvalidArgument("duration out of range " + quoted);
  const int64_t r = static_cast<int64_t>(std::llround(static_cast<double>(total)));
  *ms = neg ? -r : r;
  return Status::OK();
}

}  // namespace vme
