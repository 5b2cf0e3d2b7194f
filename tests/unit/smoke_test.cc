// Primitive encodings of VictoriaMetrics MarshalUint64 / MarshalVarInt64 (lib/encoding/int.go),
// tests in lib/encoding/int_test.go and the zstd wrapper.
#include <cstring>
#include <string>

#include "encoding/int.h"
#include "encoding/zstd.h"
#include "storage/tsid.h"
#include "test_util.h"

using vme::test::Hex;

static void TestVarint() {
  const struct {
    int64_t v;
    const char* hex;
  } cases[] = {{0, "00"},    {1, "02"},     {-1, "01"},     {63, "7e"},       {-64, "7f"},
               {64, "8001"}, {-65, "8101"}, {1000, "d00f"}, {15000, "b0ea01"}};
  for (const auto& c : cases) {
    std::string b;
    vme::enc::AppendVarInt64(&b, c.v);
    REQUIRE_EQ(Hex(b).c_str(), c.hex);
    std::string_view sv(b);
    int64_t got;
    REQUIRE(vme::enc::ReadVarInt64(&sv, &got));
    REQUIRE_EQ(got, c.v);
    REQUIRE(sv.empty());
  }
  for (int64_t v : {INT64_MAX, INT64_MIN, int64_t{0}, int64_t{-1}}) {
    std::string b;
    vme::enc::AppendVarInt64(&b, v);
    std::string_view sv(b);
    int64_t got;
    REQUIRE(vme::enc::ReadVarInt64(&sv, &got));
    REQUIRE(got == v);
  }
  std::string eleven(11, '\x80');
  std::string_view sv(eleven);
  uint64_t u;
  REQUIRE(!vme::enc::ReadVarUint64(&sv, &u));
  std::string_view trunc("\x80", 1);
  REQUIRE(!vme::enc::ReadVarUint64(&trunc, &u));
}

static void TestTsid() {
  vme::storage::TSID t{1, 2, 3, 4, 5, 6};
  std::string b;
  t.Marshal(&b);
  REQUIRE_EQ(Hex(b).c_str(), "0000000100000002000000000000000300000004000000050000000000000006");
  REQUIRE(vme::storage::TSID::Load(b.data()) == t);
}

static void TestZigZagFixed() {
  std::string b;
  vme::enc::AppendI16zz(&b, -1);
  vme::enc::AppendI64zz(&b, 1000);
  REQUIRE_EQ(Hex(b).c_str(), "000100000000000007d0");
  REQUIRE_EQ(vme::enc::LoadI16zz(b.data()), -1);
  REQUIRE_EQ(vme::enc::LoadI64zz(b.data() + 2), 1000);
  for (int16_t v : {int16_t{0}, int16_t{-32768}, int16_t{32767}, int16_t{-1024}}) {
    REQUIRE_EQ(vme::enc::UnZigZag16(vme::enc::ZigZag16(v)), v);
  }
}

static void TestZstd() {
  std::string src;
  for (int i = 0; i < 1000; i++) src += "abc" + std::to_string(i);
  for (int level : {-5, -1, 1, 3, 5}) {
    std::string c;
    vme::enc::CompressZstd(&c, src, level);
    std::string d = "prefix";
    REQUIRE_OK(vme::enc::DecompressZstd(&d, c));
    REQUIRE(d == "prefix" + src);
  }
  std::string garbage = "not a zstd frame at all";
  std::string d;
  REQUIRE(!vme::enc::DecompressZstd(&d, garbage).ok());
  std::string c;
  vme::enc::CompressZstd(&c, src, 1);
  c.resize(c.size() / 2);
  REQUIRE(!vme::enc::DecompressZstd(&d, c).ok());
}

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestVarint),
      VME_TEST(TestTsid),
      VME_TEST(TestZigZagFixed),
      VME_TEST(TestZstd),
  };
  return vme::test::RunTests(tests, argc, argv);
}
