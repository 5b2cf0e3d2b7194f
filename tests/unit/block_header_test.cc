// Block header, metaindex row and block encoding: VictoriaMetrics 1.72 tests in
// lib/storage/*_test.go; docs/format.md, "blockHeader (89 bytes)", "metaindexRow (64 bytes)".
#include <cstring>
#include <string>
#include <vector>

#include "encoding/decimal.h"
#include "encoding/int.h"
#include "storage/block.h"
#include "storage/block_header.h"
#include "storage/metaindex_row.h"
#include "storage/tsid.h"
#include "test_util.h"

using vme::storage::Block;
using vme::storage::BlockHeader;
using vme::storage::DataBlock;
using vme::storage::MetaindexRow;
using vme::storage::TimeRange;
using vme::storage::TSID;
using vme::test::Hex;
using vme::test::Unhex;

namespace {

DataBlock MakeBlock(const std::vector<int64_t>& ts, const std::vector<double>& values,
                    uint8_t pb = 64) {
  std::vector<int64_t> m;
  const int16_t scale = vme::dec::AppendFloatToDecimal(&m, values.data(), values.size());
  DataBlock b;
  b.InitDecoded(TSID{1, 2, 3, 4, 5, 6}, ts.data(), m.data(), m.size(), scale, pb);
  return b;
}

}  // namespace

static void TestRegularBlockExample() {
  DataBlock b = MakeBlock({1000, 2000, 3000, 4000}, {1.5, 2.5, 3.5, 4.5});
  REQUIRE_EQ(b.header.scale, -1);
  REQUIRE(b.values == (std::vector<int64_t>{15, 25, 35, 45}));
  b.Encode();
  REQUIRE(!b.decoded);
  ASSERT_HEX("d00f", b.timestamps_data);
  ASSERT_HEX("14", b.values_data);
  REQUIRE_EQ(b.header.timestamps_marshal_type, 2);
  REQUIRE_EQ(b.header.values_marshal_type, 2);
  REQUIRE_EQ(b.header.first_value, 15);
  std::string h;
  b.header.Marshal(&h);
  REQUIRE_EQ(h.size(), 89);
  ASSERT_HEX(
      "0000000100000002000000000000000300000004000000050000000000000006"
      "00000000000007d0 0000000000001f40 000000000000001e"
      "0000000000000000 0000000000000000 00000002 00000001 00000004 0001 02 02 40",
      h);
  BlockHeader back;
  REQUIRE_OK(BlockHeader::Unmarshal(h, &back));
  REQUIRE(back == b.header);

  // Decoding gives the samples back.
  std::vector<int64_t> ts, m;
  REQUIRE_OK(
      vme::storage::DecodeBlockPayloads(b.header, b.timestamps_data, b.values_data, &ts, &m));
  REQUIRE(ts == (std::vector<int64_t>{1000, 2000, 3000, 4000}));
  REQUIRE(m == (std::vector<int64_t>{15, 25, 35, 45}));
}

static void TestIrregularBlockExample() {
  const int64_t t0 = 1600000000000;
  DataBlock b =
      MakeBlock({t0, t0 + 15000, t0 + 30010, t0 + 44990, t0 + 60000}, {0.25, 0.5, 100, -3.75, 12});
  REQUIRE_EQ(b.header.scale, -2);
  REQUIRE(b.values == (std::vector<int64_t>{25, 50, 10000, -375, 1200}));
  b.Encode();
  REQUIRE_EQ(b.header.timestamps_marshal_type, 5);
  REQUIRE_EQ(b.header.values_marshal_type, 6);
  ASSERT_HEX("b0ea01 14 3b 3c", b.timestamps_data);
  ASSERT_HEX("32 bc9b01 8da201 ce18", b.values_data);
  REQUIRE_EQ(b.header.first_value, 25);
  REQUIRE_EQ(b.header.min_timestamp, t0);
  REQUIRE_EQ(b.header.max_timestamp, t0 + 60000);
  b.header.timestamps_block_offset = 100;
  b.header.values_block_offset = 200;
  std::string h;
  b.header.Marshal(&h);
  ASSERT_HEX("0000000000000064 00000000000000c8 00000006 00000009 00000005 0003 05 06 40",
             h.substr(56));
  std::string head;
  TSID{1, 2, 3, 4, 5, 6}.Marshal(&head);
  vme::enc::AppendI64zz(&head, t0);
  vme::enc::AppendI64zz(&head, t0 + 60000);
  vme::enc::AppendI64zz(&head, 25);
  REQUIRE_EQ(Hex(head).c_str(), Hex(h.substr(0, 56)).c_str());
}

static void TestBlockHeaderValidation() {
  DataBlock b = MakeBlock({1000, 2000, 3000, 4000}, {1.5, 2.5, 3.5, 4.5});
  b.Encode();
  std::string good;
  b.header.Marshal(&good);
  BlockHeader out;
  REQUIRE(!BlockHeader::Unmarshal(good.substr(0, 88), &out).ok());
  auto mutate = [&](size_t off, const std::string& bytes) {
    std::string s = good;
    s.replace(off, bytes.size(), bytes);
    return BlockHeader::Unmarshal(s, &out);
  };
  REQUIRE(mutate(80, Unhex("00000000")).code() == vme::Code::kCorruption);  // rows 0
  REQUIRE(!mutate(80, Unhex("00004001")).ok());                             // rows 16385
  REQUIRE_OK(mutate(80, Unhex("00004000")));                                // rows 16384
  REQUIRE(!mutate(86, Unhex("07")).ok());
  REQUIRE(!mutate(87, Unhex("07")).ok());
  REQUIRE_OK(mutate(86, Unhex("00")));  // type 0 passes the range check
  REQUIRE(!mutate(88, Unhex("00")).ok());
  REQUIRE(!mutate(88, Unhex("41")).ok());
  REQUIRE_OK(mutate(88, Unhex("01")));
  REQUIRE(!mutate(72, Unhex("00020001")).ok());
  REQUIRE_OK(mutate(72, Unhex("00020000")));
  REQUIRE(!mutate(76, Unhex("00020001")).ok());
  REQUIRE(!mutate(32, Unhex("0000000000002000")).ok());  // min > max

  // Index block decoding: size must match the count and TSIDs must be sorted.
  std::vector<BlockHeader> bhs;
  std::string two = good + good;
  REQUIRE_OK(vme::storage::UnmarshalBlockHeaders(two, 2, &bhs));
  REQUIRE_EQ(bhs.size(), 2);
  REQUIRE(!vme::storage::UnmarshalBlockHeaders(two, 1, &bhs).ok());
  REQUIRE(!vme::storage::UnmarshalBlockHeaders(two, 3, &bhs).ok());
  BlockHeader bigger = b.header;
  bigger.tsid.metric_id = 7;
  std::string unsorted;
  bigger.Marshal(&unsorted);
  b.header.Marshal(&unsorted);
  REQUIRE(!vme::storage::UnmarshalBlockHeaders(unsorted, 2, &bhs).ok());
}

static void TestBlockHeaderLess() {
  BlockHeader a, b;
  a.tsid = TSID{1, 2, 3, 4, 5, 6};
  b.tsid = TSID{1, 2, 3, 4, 5, 6};
  a.min_timestamp = 10;
  b.min_timestamp = 5;
  REQUIRE(vme::storage::BlockHeaderLess(b, a));
  REQUIRE(!vme::storage::BlockHeaderLess(a, b));
  b.tsid.metric_group_id = 4;
  b.tsid.metric_id = 7;
  REQUIRE(vme::storage::BlockHeaderLess(a, b));
}

static void TestMetaindexRow() {
  MetaindexRow mr;
  mr.tsid = TSID{1, 2, 3, 4, 5, 6};
  mr.block_headers_count = 2;
  mr.min_timestamp = 1000;
  mr.max_timestamp = 2000;
  mr.index_block_offset = 0x1234;
  mr.index_block_size = 99;
  std::string s;
  mr.Marshal(&s);
  REQUIRE_EQ(s.size(), 64);
  ASSERT_HEX(
      "0000000100000002000000000000000300000004000000050000000000000006"
      "00000002 00000000000007d0 0000000000000fa0 0000000000001234 00000063",
      s);
  MetaindexRow back;
  REQUIRE_OK(MetaindexRow::Unmarshal(s, &back));
  REQUIRE(back == mr);
  std::vector<MetaindexRow> rows;
  REQUIRE_OK(vme::storage::UnmarshalMetaindexRows(s + s, &rows));
  REQUIRE_EQ(rows.size(), 2);
  REQUIRE(!vme::storage::UnmarshalMetaindexRows("", &rows).ok());
  REQUIRE(!vme::storage::UnmarshalMetaindexRows(s.substr(1), &rows).ok());
  std::string bad = s;
  bad.replace(32, 4, Unhex("00000000"));
  REQUIRE(!vme::storage::UnmarshalMetaindexRows(bad, &rows).ok());
  bad = s;
  bad.replace(60, 4, Unhex("00020001"));
  REQUIRE(!vme::storage::UnmarshalMetaindexRows(bad, &rows).ok());
  MetaindexRow smaller = mr;
  smaller.tsid.metric_id = 1;
  std::string unsorted = s;
  smaller.Marshal(&unsorted);
  REQUIRE(!vme::storage::UnmarshalMetaindexRows(unsorted, &rows).ok());
}

static void TestTimeRangeFilter() {
  std::vector<int64_t> ts = {10, 20, 30, 40, 50};
  std::vector<int64_t> m = {1, 2, 3, 4, 5};
  std::vector<int64_t> out_ts;
  std::vector<double> out_v;
  vme::storage::AppendRowsWithTimeRangeFilter(ts, m, 1, TimeRange{20, 40}, &out_ts, &out_v);
  REQUIRE(out_ts == (std::vector<int64_t>{20, 30, 40}));
  REQUIRE(out_v == (std::vector<double>{20, 30, 40}));
  out_ts.clear();
  out_v.clear();
  vme::storage::AppendRowsWithTimeRangeFilter(ts, m, 0, TimeRange{51, 60}, &out_ts, &out_v);
  REQUIRE(out_ts.empty() && out_v.empty());
}

static void TestLossyTimestampsRepaired() {
  std::vector<int64_t> ts;
  std::vector<double> vals;
  for (int i = 0; i < 1000; i++) {
    ts.push_back(1600000000000 + i * 10000 + (i * 7919) % 1000);
    vals.push_back(i * 1.25);
  }
  DataBlock b = MakeBlock(ts, vals, 3);
  b.Encode();
  std::vector<int64_t> got, m;
  REQUIRE_OK(
      vme::storage::DecodeBlockPayloads(b.header, b.timestamps_data, b.values_data, &got, &m));
  REQUIRE_EQ(got.size(), 1000);
  REQUIRE_EQ(got.front(), ts.front());
  REQUIRE_EQ(got.back(), ts.back());
  for (size_t i = 1; i < got.size(); i++) REQUIRE(got[i] >= got[i - 1]);
}

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestRegularBlockExample),
      VME_TEST(TestIrregularBlockExample),
      VME_TEST(TestBlockHeaderValidation),
      VME_TEST(TestBlockHeaderLess),
      VME_TEST(TestMetaindexRow),
      VME_TEST(TestTimeRangeFilter),
      VME_TEST(TestLossyTimestampsRepaired),
  };
  return vme::test::RunTests(tests, argc, argv);
}
