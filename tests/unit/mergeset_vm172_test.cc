// Reading mergeset tables written by VictoriaMetrics 1.72 (tests/data/vm172/*/storage/indexdb),
// and merging them with parts written by vmengine. The golden data is copied to a TempDir first.
#include <filesystem>
#include <string>
#include <vector>

#include "mergeset/part.h"
#include "mergeset/part_header.h"
#include "mergeset/table.h"
#include "mergeset/table_search.h"
#include "util/fs.h"

#include "test_util.h"

namespace stdfs = std::filesystem;
using vme::mergeset::Table;
using vme::mergeset::TableSearch;

namespace {

const std::string kData = VME_TESTDATA_DIR "/vm172";

std::string CopyTable(const vme::test::TempDir& tmp, const std::string& src,
                      const std::string& name) {
  const std::string dst = tmp.path() + "/" + name;
  stdfs::copy(src, dst, stdfs::copy_options::recursive);
  return dst;
}

std::vector<std::string> ReadAll(const Table& t) {
  TableSearch ts(t);
  ts.Seek("");
  std::vector<std::string> out;
  while (ts.NextItem()) out.emplace_back(ts.Item());
  REQUIRE_OK(ts.status());
  return out;
}

// Opens every indexdb table of a data set; checks the items of non-empty ones against
// metadata.json.
void CheckDataSet(const std::string& set, uint64_t want_items) {
  vme::test::TempDir tmp;
  const std::string indexdb = kData + "/" + set + "/storage/indexdb";
  uint64_t total = 0;
  int tables = 0;
  for (const auto& e : stdfs::directory_iterator(indexdb)) {
    const std::string name = e.path().filename().string();
    if (name == "snapshots") continue;
    tables++;
    const std::string dir = CopyTable(tmp, e.path().string(), name);
    auto t = Table::Open(dir, {});
    REQUIRE_OK(t.status());
    std::vector<std::string> items = ReadAll(**t);
    REQUIRE(std::is_sorted(items.begin(), items.end()));
    auto parts = (*t)->Parts();
    if (parts.empty()) {
      REQUIRE_EQ(items.size(), 0);
    } else {
      REQUIRE_EQ(parts.size(), 1);
      const auto& ph = parts[0]->header();
      REQUIRE_EQ(items.size(), ph.items_count);
      REQUIRE(items.front() == ph.first_item);
      REQUIRE(items.back() == ph.last_item);
      // Every item is found again by Seek, and FirstItemWithPrefix works on whole items.
      TableSearch ts(**t);
      for (size_t i = 0; i < items.size(); i += 7) {
        ts.Seek(items[i]);
        REQUIRE(ts.NextItem());
        REQUIRE(ts.Item() == items[i]);
        std::string got;
        REQUIRE_OK(ts.FirstItemWithPrefix(items[i], &got));
        REQUIRE(got == items[i]);
      }
      ts.Seek(ph.last_item + "\xff");
      REQUIRE(!ts.NextItem());
      REQUIRE_OK(ts.status());
    }
    total += items.size();

    // Merge the VM part with a vmengine part, then reopen: everything is still there.
    REQUIRE_OK((*t)->AddItems(
        std::vector<std::string>{"\x07new item", std::string(items.empty() ? "x" : items[0])}));
    REQUIRE_OK((*t)->Flush());
    REQUIRE_OK((*t)->MergeAll());
    REQUIRE_EQ((*t)->Stats().parts, 1);
    std::vector<std::string> merged = ReadAll(**t);
    REQUIRE_EQ(merged.size(), items.size() + 2);
    REQUIRE(std::is_sorted(merged.begin(), merged.end()));
    REQUIRE_OK((*t)->Close());
    auto t2 = Table::Open(dir, {});
    REQUIRE_OK(t2.status());
    REQUIRE(ReadAll(**t2) == merged);
    REQUIRE(vme::fs::Exists(dir + "/converted-to-v1.28.0"));
    REQUIRE(vme::fs::IsDir(dir + "/tmp") && vme::fs::IsDir(dir + "/txn"));
  }
  REQUIRE_EQ(tables, 2);
  REQUIRE_EQ(total, want_items);
}

void TestSmall() { CheckDataSet("small", 181); }
void TestSpecial() { CheckDataSet("special", 404); }

void TestPartOpenSmall() {
  vme::test::TempDir tmp;
  const std::string dir = CopyTable(tmp, kData + "/small/storage/indexdb/18E9F660777BD558", "t");
  auto p = vme::mergeset::Part::Open(dir + "/181_1_18E9F6607867E51D");
  REQUIRE_OK(p.status());
  REQUIRE_EQ((*p)->header().items_count, 181);
  REQUIRE_EQ((*p)->header().blocks_count, 1);
  REQUIRE_EQ((*p)->merge_idx(), 0x18E9F6607867E51Dull);
  REQUIRE_EQ((*p)->size_bytes(), 91 + 1344 + 217 + 82);
  // The serialised header equals VM's metadata.json byte for byte.
  auto meta = vme::fs::ReadFile(dir + "/181_1_18E9F6607867E51D/metadata.json");
  REQUIRE_OK(meta.status());
  REQUIRE_EQ((*p)->header().ToJson().c_str(), meta->c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestSmall),
      VME_TEST(TestSpecial),
      VME_TEST(TestPartOpenSmall),
  };
  return vme::test::RunTests(tests, argc, argv);
}
