// Fuzz target `wal_record`: one write-ahead log segment decoded by
// DecodeWalRecords (src/storage/wal_record.h), in both recovery modes.
//
// Input: u8 mode (even: strict, odd: skip_corrupt), then the segment bytes.
// Properties: records are reported in order, inside the segment, ending at or
// before valid_end; every record re-encodes (AppendWalRecord) to bytes that
// decode to the same series keys and rows.
#include <cstring>
#include <string>
#include <vector>

#include "fuzz_input.h"
#include "fuzz_target.h"
#include "storage/wal_record.h"

namespace {

using namespace vme::storage;

struct Record {
  uint64_t offset, end;
  std::vector<WalSeriesDef> series;
  std::vector<std::string> keys;
  std::vector<WalRow> rows;
};

bool SameRows(const std::vector<WalRow>& a, const std::vector<WalRow>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (a[i].metric_id != b[i].metric_id || a[i].timestamp != b[i].timestamp ||
        std::memcmp(&a[i].value, &b[i].value, sizeof(double)) != 0) {
      return false;
    }
  }
  return true;
}

vme::Status Decode(std::string_view bytes, WalRecovery mode, std::vector<Record>* out,
                   WalDecodeResult* result) {
  return DecodeWalRecords(
      bytes, "fuzz-segment", mode,
      [&](uint64_t offset, uint64_t end, const WalBatch& b) {
        Record r{offset, end, b.series, {}, b.rows};
        for (const auto& s : b.series) r.keys.emplace_back(s.key);
        out->push_back(std::move(r));
        return vme::Status::OK();
      },
      result);
}

}  // namespace

VME_FUZZ_TARGET(wal_record) {
  vme::fuzz::Input in(data, size);
  const WalRecovery mode = in.U8() % 2 == 0 ? WalRecovery::kStrict : WalRecovery::kSkipCorrupt;
  const std::string_view segment = in.Rest();
  std::vector<Record> records;
  WalDecodeResult result;
  const vme::Status st = Decode(segment, mode, &records, &result);
  uint64_t prev_end = 0;
  for (const Record& r : records) {
    VME_FUZZ_CHECK(r.offset >= prev_end && r.offset < r.end && r.end <= segment.size(),
                   "record bounds");
    prev_end = r.end;
  }
  if (!st.ok()) return;
  VME_FUZZ_CHECK(result.records == records.size(), "record count");
  VME_FUZZ_CHECK(prev_end <= result.valid_end && result.valid_end <= segment.size(), "valid_end");
  for (const Record& r : records) {
    std::string defs, rows_part, re;
    for (size_t i = 0; i < r.series.size(); i++) {
      WalSeriesDef s = r.series[i];
      s.key = r.keys[i];
      AppendWalSeriesDef(&defs, s);
    }
    AppendWalRows(&rows_part, r.rows.data(), r.rows.size());
    AppendWalRecord(&re, r.series.size(), defs, rows_part);
    std::vector<Record> back;
    WalDecodeResult back_result;
    VME_FUZZ_CHECK(Decode(re, WalRecovery::kStrict, &back, &back_result).ok() && back.size() == 1 &&
                       !back_result.torn_tail,
                   "re-encoded record does not decode");
    VME_FUZZ_CHECK(back[0].keys == r.keys && SameRows(back[0].rows, r.rows),
                   "decode(encode(record)) differs");
  }
}
