#include "storage/part_header.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "util/fs.h"
#include "util/quote.h"

namespace vme::storage {
namespace {

constexpr int64_t kMsPerDay = 86400000;

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

bool ParseDigits(std::string_view s, size_t pos, size_t n, unsigned* v) {
  unsigned x = 0;
  for (size_t i = pos; i < pos + n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    x = x * 10 + static_cast<unsigned>(s[i] - '0');
  }
  *v = x;
  return true;
}

bool ParseUint64(std::string_view s, uint64_t* v) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t x = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (x > (UINT64_MAX - d) / 10) return false;
    x = x * 10 + d;
  }
  *v = x;
  return true;
}

}  // namespace

std::string FormatPartTimestamp(int64_t ms) {
  int64_t days = ms / kMsPerDay;
  int64_t rem = ms % kMsPerDay;
  if (rem < 0) {
    rem += kMsPerDay;
    days--;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  const int64_t secs = rem / 1000;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04" PRId64 "%02u%02u%02d%02d%02d.%03d", y, m, d,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60), static_cast<int>(rem % 1000));
  return buf;
}

bool ParsePartTimestamp(std::string_view s, int64_t* ms) {
  if (s.size() != 18 || s[14] != '.') return false;
  unsigned y, mo, d, h, mi, sec, msec;
  if (!ParseDigits(s, 0, 4, &y) || !ParseDigits(s, 4, 2, &mo) || !ParseDigits(s, 6, 2, &d) ||
      !ParseDigits(s, 8, 2, &h) || !ParseDigits(s, 10, 2, &mi) || !ParseDigits(s, 12, 2, &sec) ||
      !ParseDigits(s, 15, 3, &msec)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59) {
    return false;
  }
  *ms = DaysFromCivil(y, mo, d) * kMsPerDay + (int64_t{h} * 3600 + mi * 60 + sec) * 1000 + msec;
  return true;
}

std::string PartHeader::DirName(uint64_t merge_idx) const {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%016" PRIX64, merge_idx);
  return std::to_string(rows_count) + "_" + std::to_string(blocks_count) + "_" +
         FormatPartTimestamp(min_timestamp) + "_" + FormatPartTimestamp(max_timestamp) + "_" + buf;
}

Status PartHeader::ParseFromDirName(std::string_view name, PartHeader* out) {
  const std::string quoted = QuoteForMessage(name, 4096);  // a path: bytes from disk
  while (!name.empty() && name.back() == '/') name.remove_suffix(1);
  const size_t slash = name.rfind('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string_view fields[5];
  size_t n = 0;
  size_t start = 0;
  for (;;) {
    const size_t pos = name.find('_', start);
    if (n == 5) return Status::Corruption("unexpected number of fields in part name " + quoted);
    fields[n++] = name.substr(start, pos == std::string_view::npos ? pos : pos - start);
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  if (n != 5) {
    return Status::Corruption("unexpected number of fields in part name " + quoted + ": got " +
                              std::to_string(n) + "; want 5");
  }
  PartHeader ph;
  if (!ParseUint64(fields[0], &ph.rows_count)) {
    return Status::Corruption("cannot parse rowsCount in part name " + quoted);
  }
  if (!ParseUint64(fields[1], &ph.blocks_count)) {
    return Status::Corruption("cannot parse blocksCount in part name " + quoted);
  }
  if (!ParsePartTimestamp(fields[2], &ph.min_timestamp)) {
    return Status::Corruption("cannot parse minTimestamp in part name " + quoted);
  }
  if (!ParsePartTimestamp(fields[3], &ph.max_timestamp)) {
    return Status::Corruption("cannot parse maxTimestamp in part name " + quoted);
  }
  if (ph.min_timestamp > ph.max_timestamp) {
    return Status::Corruption("minTimestamp cannot exceed maxTimestamp in part name " + quoted);
  }
  if (ph.rows_count == 0) return Status::Corruption("rowsCount must be positive in " + quoted);
  if (ph.blocks_count == 0) return Status::Corruption("blocksCount must be positive in " + quoted);
  if (ph.blocks_count > ph.rows_count) {
    return Status::Corruption("blocksCount cannot exceed rowsCount in part name " + quoted);
  }
  *out = ph;
  return Status::OK();
}

Status PartHeader::ReadMinDedupInterval(const std::string& dir) {
  const std::string path = fs::Join(dir, kMinDedupIntervalFileName);
  min_dedup_interval_ms = 0;
  if (!fs::Exists(path)) return Status::OK();
  VME_ASSIGN_OR_RETURN(std::string data, fs::ReadFile(path));
  const Status st = ParseGoDuration(data, &min_dedup_interval_ms);
  if (!st.ok()) return Status::Corruption("cannot parse " + path + ": " + st.message());
  if (min_dedup_interval_ms < 0) return Status::Corruption("negative duration in " + path);
  return Status::OK();
}

Status PartHeader::WriteMinDedupInterval(const std::string& dir) const {
  return fs::WriteFileAtomically(fs::Join(dir, kMinDedupIntervalFileName),
                                 FormatGoDuration(min_dedup_interval_ms), true);
}

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

}  // namespace vme::storage
