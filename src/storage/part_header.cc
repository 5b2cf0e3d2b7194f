#include "storage/part_header.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "util/civil_time.h"
#include "util/duration.h"
#include "util/fs.h"
#include "util/quote.h"
#include "util/strings.h"

namespace vme::storage {
namespace {

bool ParseDigits(std::string_view s, size_t pos, size_t n, unsigned* v) {
  unsigned x = 0;
  for (size_t i = pos; i < pos + n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    x = x * 10 + static_cast<unsigned>(s[i] - '0');
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
  return std::to_string(rows_count) + "_" + std::to_string(blocks_count) + "_" +
         FormatPartTimestamp(min_timestamp) + "_" + FormatPartTimestamp(max_timestamp) + "_" +
         Hex16(merge_idx);
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

}  // namespace vme::storage
