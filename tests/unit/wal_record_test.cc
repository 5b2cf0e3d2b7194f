// The write-ahead log's record codec and checkpoint file (storage/wal_record.h,
// storage/wal_state.h): round trip; a torn tail (a record cut anywhere, or zeros after the
// last record) is cut at the end of the last valid record; a corrupt record followed by a
// valid one is Corruption naming the segment and offset, or skipped with kSkipCorrupt; a
// damaged checkpoint file is Corruption naming it.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "storage/wal_record.h"
#include "storage/wal_state.h"
#include "test_util.h"
#include "util/fs.h"

namespace {

using vme::Code;
using vme::Status;
using namespace vme::storage;  // NOLINT

// One record: series ids first..first+n-1 each defined once, one row each.
std::string Record(uint64_t first, size_t n, int64_t ts) {
  std::string defs;
  std::vector<WalRow> rows;
  for (size_t i = 0; i < n; i++) {
    WalSeriesDef d;
    d.metric_id = first + i;
    d.account_id = 7;
    d.project_id = 9;
    const std::string key = "key" + std::to_string(first + i);
    d.key = key;
    AppendWalSeriesDef(&defs, d);
    rows.push_back(WalRow{first + i, ts + static_cast<int64_t>(i) * 1000, 0.5 * (first + i)});
  }
  std::string rows_part;
  AppendWalRows(&rows_part, rows.data(), rows.size());
  std::string out;
  AppendWalRecord(&out, n, defs, rows_part);
  return out;
}

struct Decoded {
  std::vector<uint64_t> offsets;
  std::vector<WalBatch> batches;  // keys copied below
  std::vector<std::string> keys;
};

Status Decode(std::string_view bytes, WalRecovery rec, Decoded* d, WalDecodeResult* res) {
  return DecodeWalRecords(
      bytes, "wal/0000000000000001", rec,
      [&](uint64_t off, uint64_t, const WalBatch& b) {
        d->offsets.push_back(off);
        d->batches.push_back(b);
        for (const auto& s : b.series) d->keys.emplace_back(s.key);
        return Status::OK();
      },
      res);
}

void TestRoundTrip() {
  std::string seg = Record(100, 3, 1767225600000) + Record(5, 1, -5) + Record(1ull << 60, 2, 0);
  // Rows with negative deltas, special values and repeated series.
  std::vector<WalRow> rows = {{9, 100, -0.0}, {3, 50, INFINITY}, {9, 40, 1e300}, {3, 40, NAN}};
  std::string rows_part;
  AppendWalRows(&rows_part, rows.data(), rows.size());
  AppendWalRecord(&seg, 0, "", rows_part);
  Decoded d;
  WalDecodeResult res;
  REQUIRE_OK(Decode(seg, WalRecovery::kStrict, &d, &res));
  REQUIRE_EQ(d.batches.size(), size_t{4});
  REQUIRE(!res.torn_tail, "no tail: %s", res.tail_reason.c_str());
  REQUIRE_EQ(res.valid_end, uint64_t{seg.size()});
  REQUIRE_EQ(d.offsets[0], uint64_t{0});
  REQUIRE_EQ(d.batches[0].rows.size(), size_t{3});
  REQUIRE_EQ(d.batches[0].rows[2].metric_id, uint64_t{102});
  REQUIRE_EQ(d.batches[0].rows[2].timestamp, int64_t{1767225602000});
  REQUIRE_EQ(d.batches[0].rows[2].value, 51.0);
  REQUIRE_EQ(d.batches[0].series[1].account_id, uint32_t{7});
  REQUIRE_EQ(d.batches[0].series[1].project_id, uint32_t{9});
  REQUIRE_EQ(d.keys[1], std::string("key101"));
  REQUIRE_EQ(d.batches[1].rows[0].timestamp, int64_t{-5});
  REQUIRE_EQ(d.batches[2].rows[1].metric_id, (1ull << 60) + 1);
  const auto& r = d.batches[3].rows;
  REQUIRE_EQ(r.size(), size_t{4});
  REQUIRE(r[0].metric_id == 9 && r[0].timestamp == 100 && std::signbit(r[0].value), "row 0");
  REQUIRE(r[1].metric_id == 3 && r[1].timestamp == 50 && std::isinf(r[1].value), "row 1");
  REQUIRE(r[2].metric_id == 9 && r[2].timestamp == 40 && r[2].value == 1e300, "row 2");
  REQUIRE(r[3].metric_id == 3 && std::isnan(r[3].value), "row 3");
}

// Every cut of the last record, and zeros or garbage after it, is a torn tail cut at the end
// of the previous record.
void TestTornTail() {
  const std::string a = Record(1, 2, 1000), b = Record(3, 2, 2000);
  for (size_t cut = 0; cut < b.size(); cut++) {
    const std::string seg = a + b.substr(0, cut);
    Decoded d;
    WalDecodeResult res;
    REQUIRE_OK(Decode(seg, WalRecovery::kStrict, &d, &res));
    REQUIRE_EQ(d.batches.size(), size_t{1});
    REQUIRE_EQ(res.valid_end, uint64_t{a.size()});
    REQUIRE_EQ(res.torn_tail, cut > 0);
  }
  for (const std::string& tail : {std::string(4096, '\0'), std::string("vMWA\xff\xff\xff\xff", 8),
                                  b.substr(0, 20) + std::string(100, '\0')}) {
    Decoded d;
    WalDecodeResult res;
    REQUIRE_OK(Decode(a + tail, WalRecovery::kStrict, &d, &res));
    REQUIRE_EQ(d.batches.size(), size_t{1});
    REQUIRE(res.torn_tail, "tail of %zu bytes", tail.size());
    REQUIRE_EQ(res.valid_end, uint64_t{a.size()});
  }
  // A flipped byte in the last record is a torn tail too (nothing valid follows).
  std::string seg = a + b;
  seg[a.size() + 20] ^= 0x40;
  Decoded d;
  WalDecodeResult res;
  REQUIRE_OK(Decode(seg, WalRecovery::kStrict, &d, &res));
  REQUIRE(res.torn_tail && res.tail_reason == "checksum mismatch", "%s", res.tail_reason.c_str());
}

// A corrupt record followed by a valid one: Corruption naming segment and offset; with
// kSkipCorrupt the valid records around it are decoded and the skip counted.
void TestMiddleCorruption() {
  const std::string a = Record(1, 2, 1000), b = Record(3, 2, 2000), c = Record(5, 1, 3000);
  for (size_t pos : {size_t{0}, size_t{5}, size_t{10}, size_t{16}, b.size() - 1}) {
    std::string seg = a + b + c;
    seg[a.size() + pos] ^= 0x01;
    Decoded d;
    WalDecodeResult res;
    Status st = Decode(seg, WalRecovery::kStrict, &d, &res);
    REQUIRE_EQ(st.code(), Code::kCorruption);
    REQUIRE(st.message().find("wal/0000000000000001") != std::string::npos, "%s",
            st.message().c_str());
    REQUIRE(st.message().find("offset " + std::to_string(a.size())) != std::string::npos, "%s",
            st.message().c_str());
    Decoded d2;
    REQUIRE_OK(Decode(seg, WalRecovery::kSkipCorrupt, &d2, &res));
    REQUIRE_EQ(d2.batches.size(), size_t{2});
    REQUIRE_EQ(d2.offsets[1], uint64_t{a.size() + b.size()});
    REQUIRE_EQ(res.skipped_records, uint64_t{1});
    REQUIRE(!res.torn_tail, "pos %zu", pos);
  }
}

void TestStateFile() {
  vme::test::TempDir dir;
  WalState st;
  REQUIRE_OK(ReadWalState(dir.path(), &st));  // missing: zero state
  REQUIRE(st.durable == WalPosition{} && st.check_until == WalPosition{}, "zero state");
  const WalState want{{5, 123}, WalPosition::Max()};
  REQUIRE_OK(WriteWalState(dir.path(), want));
  REQUIRE_OK(ReadWalState(dir.path(), &st));
  REQUIRE(st.durable == want.durable && st.check_until == want.check_until, "round trip");
  auto b = vme::fs::ReadFile(dir.path() + "/checkpoint");
  REQUIRE_OK(b.status());
  std::string bytes = *b;
  bytes[12] ^= 1;
  REQUIRE_OK(vme::fs::WriteFileAtomically(dir.path() + "/checkpoint", bytes, true));
  Status s = ReadWalState(dir.path(), &st);
  REQUIRE_EQ(s.code(), Code::kCorruption);
  REQUIRE(s.message().find("checkpoint") != std::string::npos, "%s", s.message().c_str());
  uint64_t seq = 0;
  REQUIRE(ParseWalSegmentName(WalSegmentName(0xABCDEF), &seq) && seq == 0xABCDEF, "name");
  REQUIRE(!ParseWalSegmentName("checkpoint", &seq), "not a segment");
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests({VME_TEST(TestRoundTrip), VME_TEST(TestTornTail),
                              VME_TEST(TestMiddleCorruption), VME_TEST(TestStateFile)},
                             argc, argv);
}
