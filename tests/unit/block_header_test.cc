// Block header, metaindex row and block encoding: reference §5.3, §5.4, §5.6, §15.5.
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

static void TestRegularBlockExample(void**) {
  DataBlock b = MakeBlock({1000, 2000, 3000, 4000}, {1.5, 2.5, 3.5, 4.5});
  assert_int_equal(b.header.scale, -1);
  assert_true(b.values == (std::vector<int64_t>{15, 25, 35, 45}));
  b.Encode();
  assert_false(b.decoded);
  ASSERT_HEX("d00f", b.timestamps_data);
  ASSERT_HEX("14", b.values_data);
  assert_int_equal(b.header.timestamps_marshal_type, 2);
  assert_int_equal(b.header.values_marshal_type, 2);
  assert_int_equal(b.header.first_value, 15);
  std::string h;
  b.header.Marshal(&h);
  assert_int_equal(h.size(), 89);
  ASSERT_HEX(
      "0000000100000002000000000000000300000004000000050000000000000006"
      "00000000000007d0 0000000000001f40 000000000000001e"
      "0000000000000000 0000000000000000 00000002 00000001 00000004 0001 02 02 40",
      h);
  BlockHeader back;
  ASSERT_OK(BlockHeader::Unmarshal(h, &back));
  assert_true(back == b.header);

  // Decoding gives the samples back.
  std::vector<int64_t> ts, m;
  ASSERT_OK(vme::storage::DecodeBlockPayloads(b.header, b.timestamps_data, b.values_data, &ts, &m));
  assert_true(ts == (std::vector<int64_t>{1000, 2000, 3000, 4000}));
  assert_true(m == (std::vector<int64_t>{15, 25, 35, 45}));
}

static void TestIrregularBlockExample(void**) {
  const int64_t t0 = 1600000000000;
  DataBlock b =
      MakeBlock({t0, t0 + 15000, t0 + 30010, t0 + 44990, t0 + 60000}, {0.25, 0.5, 100, -3.75, 12});
  assert_int_equal(b.header.scale, -2);
  assert_true(b.values == (std::vector<int64_t>{25, 50, 10000, -375, 1200}));
  b.Encode();
  assert_int_equal(b.header.timestamps_marshal_type, 5);
  assert_int_equal(b.header.values_marshal_type, 6);
  ASSERT_HEX("b0ea01 14 3b 3c", b.timestamps_data);
  ASSERT_HEX("32 bc9b01 8da201 ce18", b.values_data);
  assert_int_equal(b.header.first_value, 25);
  assert_int_equal(b.header.min_timestamp, t0);
  assert_int_equal(b.header.max_timestamp, t0 + 60000);
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
  assert_string_equal(Hex(head).c_str(), Hex(h.substr(0, 56)).c_str());
}

static void TestBlockHeaderValidation(void**) {
  DataBlock b = MakeBlock({1000, 2000, 3000, 4000}, {1.5, 2.5, 3.5, 4.5});
  b.Encode();
  std::string good;
  b.header.Marshal(&good);
  BlockHeader out;
  assert_false(BlockHeader::Unmarshal(good.substr(0, 88), &out).ok());
  auto mutate = [&](size_t off, const std::string& bytes) {
    std::string s = good;
    s.replace(off, bytes.size(), bytes);
    return BlockHeader::Unmarshal(s, &out);
  };
  assert_true(mutate(80, Unhex("00000000")).code() == vme::Code::kCorruption);  // rows 0
  assert_false(mutate(80, Unhex("00004001")).ok());                             // rows 16385
  ASSERT_OK(mutate(80, Unhex("00004000")));                                     // rows 16384
  assert_false(mutate(86, Unhex("07")).ok());
  assert_false(mutate(87, Unhex("07")).ok());
  ASSERT_OK(mutate(86, Unhex("00")));  // type 0 passes the range check
  assert_false(mutate(88, Unhex("00")).ok());
  assert_false(mutate(88, Unhex("41")).ok());
  ASSERT_OK(mutate(88, Unhex("01")));
  assert_false(mutate(72, Unhex("00020001")).ok());
  ASSERT_OK(mutate(72, Unhex("00020000")));
  assert_false(mutate(76, Unhex("00020001")).ok());
  assert_false(mutate(32, Unhex("0000000000002000")).ok());  // min > max

  // Index block decoding: size must match the count and TSIDs must be sorted.
  std::vector<BlockHeader> bhs;
  std::string two = good + good;
  ASSERT_OK(vme::storage::UnmarshalBlockHeaders(two, 2, &bhs));
  assert_int_equal(bhs.size(), 2);
  assert_false(vme::storage::UnmarshalBlockHeaders(two, 1, &bhs).ok());
  assert_false(vme::storage::UnmarshalBlockHeaders(two, 3, &bhs).ok());
  BlockHeader bigger = b.header;
  bigger.tsid.metric_id = 7;
  std::string unsorted;
  bigger.Marshal(&unsorted);
  b.header.Marshal(&unsorted);
  assert_false(vme::storage::UnmarshalBlockHeaders(unsorted, 2, &bhs).ok());
}

static void TestBlockHeaderLess(void**) {
  BlockHeader a, b;
  a.tsid = TSID{1, 2, 3, 4, 5, 6};
  b.tsid = TSID{1, 2, 3, 4, 5, 6};
  a.min_timestamp = 10;
  b.min_timestamp = 5;
  assert_true(vme::storage::BlockHeaderLess(b, a));
  assert_false(vme::storage::BlockHeaderLess(a, b));
  b.tsid.metric_group_id = 4;
  b.tsid.metric_id = 7;
  assert_true(vme::storage::BlockHeaderLess(a, b));
}

static void TestMetaindexRow(void**) {
  MetaindexRow mr;
  mr.tsid = TSID{1, 2, 3, 4, 5, 6};
  mr.block_headers_count = 2;
  mr.min_timestamp = 1000;
  mr.max_timestamp = 2000;
  mr.index_block_offset = 0x1234;
  mr.index_block_size = 99;
  std::string s;
  mr.Marshal(&s);
  assert_int_equal(s.size(), 64);
  ASSERT_HEX(
      "0000000100000002000000000000000300000004000000050000000000000006"
      "00000002 00000000000007d0 0000000000000fa0 0000000000001234 00000063",
      s);
  MetaindexRow back;
  ASSERT_OK(MetaindexRow::Unmarshal(s, &back));
  assert_true(back == mr);
  std::vector<MetaindexRow> rows;
  ASSERT_OK(vme::storage::UnmarshalMetaindexRows(s + s, &rows));
  assert_int_equal(rows.size(), 2);
  assert_false(vme::storage::UnmarshalMetaindexRows("", &rows).ok());
  assert_false(vme::storage::UnmarshalMetaindexRows(s.substr(1), &rows).ok());
  std::string bad = s;
  bad.replace(32, 4, Unhex("00000000"));
  assert_false(vme::storage::UnmarshalMetaindexRows(bad, &rows).ok());
  bad = s;
  bad.replace(60, 4, Unhex("00020001"));
  assert_false(vme::storage::UnmarshalMetaindexRows(bad, &rows).ok());
  MetaindexRow smaller = mr;
  smaller.tsid.metric_id = 1;
  std::string unsorted = s;
  smaller.Marshal(&unsorted);
  assert_false(vme::storage::UnmarshalMetaindexRows(unsorted, &rows).ok());
}

static void TestTimeRangeFilter(void**) {
  std::vector<int64_t> ts = {10, 20, 30, 40, 50};
  std::vector<int64_t> m = {1, 2, 3, 4, 5};
  std::vector<int64_t> out_ts;
  std::vector<double> out_v;
  vme::storage::AppendRowsWithTimeRangeFilter(ts, m, 1, TimeRange{20, 40}, &out_ts, &out_v);
  assert_true(out_ts == (std::vector<int64_t>{20, 30, 40}));
  assert_true(out_v == (std::vector<double>{20, 30, 40}));
  out_ts.clear();
  out_v.clear();
  vme::storage::AppendRowsWithTimeRangeFilter(ts, m, 0, TimeRange{51, 60}, &out_ts, &out_v);
  assert_true(out_ts.empty() && out_v.empty());
}

static void TestLossyTimestampsRepaired(void**) {
  std::vector<int64_t> ts;
  std::vector<double> vals;
  for (int i = 0; i < 1000; i++) {
    ts.push_back(1600000000000 + i * 10000 + (i * 7919) % 1000);
    vals.push_back(i * 1.25);
  }
  DataBlock b = MakeBlock(ts, vals, 3);
  b.Encode();
  std::vector<int64_t> got, m;
  ASSERT_OK(
      vme::storage::DecodeBlockPayloads(b.header, b.timestamps_data, b.values_data, &got, &m));
  assert_int_equal(got.size(), 1000);
  assert_int_equal(got.front(), ts.front());
  assert_int_equal(got.back(), ts.back());
  for (size_t i = 1; i < got.size(); i++) assert_true(got[i] >= got[i - 1]);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(TestRegularBlockExample),
      cmocka_unit_test(TestIrregularBlockExample),
      cmocka_unit_test(TestBlockHeaderValidation),
      cmocka_unit_test(TestBlockHeaderLess),
      cmocka_unit_test(TestMetaindexRow),
      cmocka_unit_test(TestTimeRangeFilter),
      cmocka_unit_test(TestLossyTimestampsRepaired),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
