// mergeset formats of VictoriaMetrics 1.72 tests in lib/mergeset/*_test.go; docs/format.md,
// "mergeset tables": block encoding, blockHeader, metaindexRow, metadata.json, part names,
// compression levels.
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "encoding/zstd.h"
#include "mergeset/block_header.h"
#include "mergeset/encoding.h"
#include "mergeset/metaindex_row.h"
#include "mergeset/part_header.h"

#include "test_util.h"

using vme::mergeset::BlockHeader;
using vme::mergeset::InmemoryBlock;
using vme::test::Hex;
using vme::test::Unhex;

namespace {

InmemoryBlock MakeBlock(const std::vector<std::string>& items) {
  InmemoryBlock b;
  for (const auto& s : items) b.Append(s);
  b.Sort();
  return b;
}

void RoundTrip(const InmemoryBlock& b, const BlockHeader& bh, const std::string& items_data,
               const std::string& lens_data) {
  InmemoryBlock got;
  REQUIRE_OK(got.UnmarshalData(bh, items_data, lens_data));
  REQUIRE_EQ(got.size(), b.size());
  for (size_t i = 0; i < b.size(); i++) REQUIRE(got.item(i) == b.item(i));
}

void TestPlainExample() {
  InmemoryBlock b = MakeBlock({"foo3", "foo1", "foo2"});
  BlockHeader bh;
  std::string items, lens;
  b.MarshalSortedData(0, &bh, &items, &lens);
  REQUIRE_EQ(bh.common_prefix.c_str(), "foo");
  REQUIRE_EQ(bh.first_item.c_str(), "foo1");
  REQUIRE_EQ(bh.items_count, 3);
  REQUIRE_EQ(bh.marshal_type, vme::mergeset::kMarshalTypePlain);
  ASSERT_HEX("3233", items);
  ASSERT_HEX("0000000000000001 0000000000000001", lens);
  RoundTrip(b, bh, items, lens);
}

void TestZstdExample() {
  std::vector<std::string> v;
  for (int i = 0; i <= 273; i += 7) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "metric_%03d_suffix_abcdefgh", i);
    v.push_back(buf);
  }
  REQUIRE_EQ(v.size(), 40);
  InmemoryBlock b = MakeBlock(v);
  BlockHeader bh;
  std::string items, lens;
  b.MarshalSortedData(0, &bh, &items, &lens);
  REQUIRE_EQ(bh.common_prefix.c_str(), "metric_");
  REQUIRE_EQ(bh.first_item.c_str(), "metric_000_suffix_abcdefgh");
  REQUIRE_EQ(bh.items_count, 40);
  REQUIRE_EQ(bh.marshal_type, vme::mergeset::kMarshalTypeZstd);
  std::string raw_items, raw_lens;
  REQUIRE_OK(vme::enc::DecompressZstd(&raw_items, items));
  REQUIRE_OK(vme::enc::DecompressZstd(&raw_lens, lens));
  REQUIRE(raw_items.rfind("7_suffix_abcdefgh14_suffix_abcdefgh21_", 0) == 0);
  REQUIRE_EQ(raw_lens.size(), 78);
  ASSERT_HEX(
      "02 03 00 03 03 00 03 03 00 00 03 03 00 03 02 01 03 03 00 00 03 03 00 03 03 00 03 03 01 01 "
      "03 03 00 03 03 00 03 03 00" +
          std::string(39 * 2, '0'),
      raw_lens);
  RoundTrip(b, bh, items, lens);
}

void TestSingleItemAndIncompressible() {
  InmemoryBlock one = MakeBlock({"only"});
  BlockHeader bh;
  std::string items, lens;
  one.MarshalSortedData(0, &bh, &items, &lens);
  REQUIRE_EQ(bh.marshal_type, 0);
  REQUIRE(items.empty() && lens.empty());
  REQUIRE_EQ(bh.common_prefix.c_str(), "only");
  RoundTrip(one, bh, items, lens);

  std::mt19937_64 rng(7);
  std::vector<std::string> v;
  for (int i = 0; i < 50; i++) {
    std::string s(20, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    v.push_back(s);
  }
  InmemoryBlock rnd = MakeBlock(v);
  rnd.MarshalSortedData(3, &bh, &items, &lens);
  REQUIRE_EQ(bh.marshal_type, 0);  // the 0.9 rule
  RoundTrip(rnd, bh, items, lens);

  InmemoryBlock dups = MakeBlock({"a", "a", "a", "ab", "ab", "", ""});
  dups.MarshalSortedData(0, &bh, &items, &lens);
  RoundTrip(dups, bh, items, lens);
}

void TestRandomRoundTripAndCorruption() {
  std::mt19937_64 rng(42);
  for (int iter = 0; iter < 200; iter++) {
    std::vector<std::string> v;
    const int n = 1 + static_cast<int>(rng() % 300);
    for (int i = 0; i < n; i++) {
      std::string s = "prefix_" + std::to_string(rng() % 1000);
      s.append(rng() % 40, static_cast<char>('a' + rng() % 3));
      v.push_back(s);
    }
    InmemoryBlock b = MakeBlock(v);
    BlockHeader bh;
    std::string items, lens;
    b.MarshalSortedData(static_cast<int>(rng() % 8) - 5, &bh, &items, &lens);
    RoundTrip(b, bh, items, lens);
    // Random corruption must give an error or a sorted block, never a crash.
    for (int k = 0; k < 10; k++) {
      std::string ci = items, cl = lens;
      std::string& t = (rng() % 2 == 0 || ci.empty()) ? cl : ci;
      if (t.empty()) continue;
      switch (rng() % 3) {
        case 0:
          t[rng() % t.size()] ^= static_cast<char>(1 + rng() % 255);
          break;
        case 1:
          t.resize(rng() % t.size());
          break;
        default:
          t.push_back('x');
      }
      InmemoryBlock got;
      if (got.UnmarshalData(bh, ci, cl).ok()) REQUIRE(got.IsSorted());
    }
  }
}

void TestBlockHeader() {
  BlockHeader bh;
  bh.common_prefix = "foo";
  bh.first_item = "foo1";
  bh.marshal_type = 0;
  bh.items_count = 3;
  bh.items_block_offset = 10;
  bh.lens_block_offset = 20;
  bh.items_block_size = 2;
  bh.lens_block_size = 16;
  std::string b;
  bh.Marshal(&b);
  ASSERT_HEX(
      "03 666f6f 04 666f6f31 00 00000003 000000000000000a 0000000000000014 00000002 00000010", b);
  std::string_view src(b);
  BlockHeader got;
  REQUIRE_OK(got.Unmarshal(&src));
  REQUIRE(src.empty());
  REQUIRE(got.first_item == "foo1" && got.common_prefix == "foo" && got.items_count == 3 &&
          got.items_block_offset == 10 && got.lens_block_offset == 20 &&
          got.items_block_size == 2 && got.lens_block_size == 16);
  for (size_t n = 0; n < b.size(); n++) {
    std::string_view t(b.data(), n);
    REQUIRE(!got.Unmarshal(&t).ok());
  }
  BlockHeader bad = bh;
  bad.items_count = 0;
  std::string x;
  bad.Marshal(&x);
  src = x;
  REQUIRE_EQ(static_cast<int>(got.Unmarshal(&src).code()),
             static_cast<int>(vme::Code::kCorruption));
  bad = bh;
  bad.items_block_size = 128 * 1024 + 1;
  x.clear();
  bad.Marshal(&x);
  src = x;
  REQUIRE(!got.Unmarshal(&src).ok());
  bad = bh;
  bad.lens_block_size = 1024 * 1024 + 1;
  x.clear();
  bad.Marshal(&x);
  src = x;
  REQUIRE(!got.Unmarshal(&src).ok());
  bad = bh;
  bad.marshal_type = 2;
  x.clear();
  bad.Marshal(&x);
  src = x;
  REQUIRE(!got.Unmarshal(&src).ok());
}

void TestMetaindexRow() {
  vme::mergeset::MetaindexRow r;
  r.first_item = "foo1";
  r.block_headers_count = 1;
  r.index_block_offset = 0;
  r.index_block_size = 40;
  std::string b;
  r.Marshal(&b);
  ASSERT_HEX("04 666f6f31 00000001 0000000000000000 00000028", b);
  std::string packed;
  vme::enc::CompressZstd(&packed, b + b, 1);
  std::vector<vme::mergeset::MetaindexRow> rows;
  REQUIRE_OK(vme::mergeset::UnmarshalMetaindexRows(packed, &rows));
  REQUIRE_EQ(rows.size(), 2);
  REQUIRE_EQ(rows[1].index_block_size, 40);

  vme::mergeset::MetaindexRow r2 = r;
  r2.first_item = "a";
  std::string unsorted = b;
  r2.Marshal(&unsorted);
  packed.clear();
  vme::enc::CompressZstd(&packed, unsorted, 1);
  REQUIRE(!vme::mergeset::UnmarshalMetaindexRows(packed, &rows).ok());
  REQUIRE(!vme::mergeset::UnmarshalMetaindexRows("garbage", &rows).ok());
  packed.clear();
  vme::enc::CompressZstd(&packed, b.substr(0, b.size() - 1), 1);
  REQUIRE(!vme::mergeset::UnmarshalMetaindexRows(packed, &rows).ok());
  r2 = r;
  r2.index_block_size = 128 * 1024 + 1;
  std::string big;
  r2.Marshal(&big);
  packed.clear();
  vme::enc::CompressZstd(&packed, big, 1);
  REQUIRE(!vme::mergeset::UnmarshalMetaindexRows(packed, &rows).ok());
}

void TestPartHeader() {
  vme::mergeset::PartHeader ph;
  ph.items_count = 3;
  ph.blocks_count = 1;
  ph.first_item = "foo1";
  ph.last_item = "foo3";
  const std::string want =
      "{\n\t\"ItemsCount\": 3,\n\t\"BlocksCount\": 1,\n\t\"FirstItem\": \"666f6f31\",\n\t"
      "\"LastItem\": \"666f6f33\"\n}";
  REQUIRE_EQ(ph.ToJson().c_str(), want.c_str());
  auto got = vme::mergeset::PartHeader::FromJson(want, "metadata.json");
  REQUIRE_OK(got.status());
  REQUIRE(got->items_count == 3 && got->blocks_count == 1 && got->first_item == "foo1" &&
          got->last_item == "foo3");
  auto compact = vme::mergeset::PartHeader::FromJson(
      R"({"itemscount":3,"BlocksCount":1,"FirstItem":"666F6F31","LastItem":"666f6f33","X":1})",
      "m");
  REQUIRE_OK(compact.status());
  for (const char* bad :
       {"", "{", "{\"ItemsCount\": 0, \"BlocksCount\": 1}",
        "{\"ItemsCount\": 1, \"BlocksCount\": 2}",
        "{\"ItemsCount\": 3, \"BlocksCount\": 1, \"FirstItem\": \"6\"}",
        "{\"ItemsCount\": \"3\", \"BlocksCount\": 1}", "{\"ItemsCount\": 3, \"BlocksCount\": 1} x",
        "{\"ItemsCount\": 3, \"BlocksCount\": 1, \"FirstItem\": \"62\", \"LastItem\": \"61\"}"}) {
    REQUIRE(!vme::mergeset::PartHeader::FromJson(bad, "m").ok());
  }

  REQUIRE_EQ(vme::mergeset::PartName(3, 1, 0x16B2F2E0A1B2C3D5ull).c_str(), "3_1_16B2F2E0A1B2C3D5");
  uint64_t items, blocks, idx;
  REQUIRE(vme::mergeset::ParsePartName("3_1_16B2F2E0A1B2C3D5", &items, &blocks, &idx));
  REQUIRE(items == 3 && blocks == 1 && idx == 0x16B2F2E0A1B2C3D5ull);
  for (const char* bad : {"3_1", "3_1_x_y", "0_0_1", "1_2_1", "a_1_1", "_1_1", "tmp"}) {
    REQUIRE(!vme::mergeset::ParsePartName(bad, &items, &blocks, &idx));
  }
}

void TestCompressLevels() {
  using vme::mergeset::CompressLevelForPartItems;
  REQUIRE_EQ(CompressLevelForPartItems(65536), -5);
  REQUIRE_EQ(CompressLevelForPartItems(65537), -4);
  REQUIRE_EQ(CompressLevelForPartItems(1u << 21), 1);
  REQUIRE_EQ(CompressLevelForPartItems(1u << 30), 4);
  REQUIRE_EQ(CompressLevelForPartItems(1), -5);
  REQUIRE_EQ(CompressLevelForPartItems(1u << 20), -1);
  REQUIRE_EQ(CompressLevelForPartItems((1u << 28) + 1), 4);
  REQUIRE_EQ(CompressLevelForPartItems(1u << 25), 2);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestPlainExample),
      VME_TEST(TestZstdExample),
      VME_TEST(TestSingleItemAndIncompressible),
      VME_TEST(TestRandomRoundTripAndCorruption),
      VME_TEST(TestBlockHeader),
      VME_TEST(TestMetaindexRow),
      VME_TEST(TestPartHeader),
      VME_TEST(TestCompressLevels),
  };
  return vme::test::RunTests(tests, argc, argv);
}
