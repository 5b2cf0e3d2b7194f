#include "time_parse.h"

#include <charconv>

#include "util/civil_time.h"
#include "util/quote.h"

namespace vme::cli {

namespace {

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly n digits at *pos.
bool Digits(std::string_view s, size_t* pos, size_t n, int* out) {
  if (s.size() - *pos < n) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* pos, std::string_view chars) {
  if (*pos >= s.size() || chars.find(s[*pos]) == std::string_view::npos) return false;
  ++*pos;
  return true;
}

bool ParseInteger(std::string_view s, int64_t* ms) {
  if (s.empty()) return false;
  const char* first = s.data();
  const char* last = s.data() + s.size();
  if (*first == '+') ++first;
  auto res = std::from_chars(first, last, *ms);
  return res.ec == std::errc() && res.ptr == last;
}

bool ParseRfc3339(std::string_view s, int64_t* ms) {
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(s, &pos, 4, &year) || !Expect(s, &pos, "-") || !Digits(s, &pos, 2, &month) ||
      !Expect(s, &pos, "-") || !Digits(s, &pos, 2, &day) || !Expect(s, &pos, "Tt ") ||
      !Digits(s, &pos, 2, &hour) || !Expect(s, &pos, ":") || !Digits(s, &pos, 2, &minute) ||
      !Expect(s, &pos, ":") || !Digits(s, &pos, 2, &second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) > DaysInMonth(year, static_cast<unsigned>(month)) || hour > 23 ||
      minute > 59 || second > 59) {
    return false;
  }
  int64_t frac_ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 3) frac_ms = frac_ms * 10 + (s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return false;
    for (size_t i = n; i < 3; ++i) frac_ms *= 10;
  }
  int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!Digits(s, &pos, 2, &oh) || !Expect(s, &pos, ":") || !Digits(s, &pos, 2, &om) || oh > 23 ||
        om > 59) {
      return false;
    }
    offset_s = sign * (oh * 3600 + om * 60);
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  const int64_t days =
      vme::DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  *ms = secs * 1000 + frac_ms;
  return true;
}

}  // namespace

bool ParseTimestampMs(std::string_view s, int64_t* ms, std::string* error) {
  if (ParseInteger(s, ms)) return true;
  if (ParseRfc3339(s, ms)) return true;
  *error = "invalid time " + QuoteForMessage(s) +
           ": want RFC 3339 (e.g. 2026-01-01T00:00:00Z) or integer milliseconds";
  return false;
}

}  // namespace vme::cli
