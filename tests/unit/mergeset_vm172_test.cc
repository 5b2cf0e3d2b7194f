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

#include "test_util.h"  // last: cmocka macros clash with std headers

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
  ASSERT_OK(ts.status());
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
    ASSERT_OK(t.status());
    std::vector<std::string> items = ReadAll(**t);
    assert_true(std::is_sorted(items.begin(), items.end()));
    auto parts = (*t)->Parts();
    if (parts.empty()) {
      assert_int_equal(items.size(), 0);
    } else {
      assert_int_equal(parts.size(), 1);
      const auto& ph = parts[0]->header();
      assert_int_equal(items.size(), ph.items_count);
      assert_true(items.front() == ph.first_item);
      assert_true(items.back() == ph.last_item);
      // Every item is found again by Seek, and FirstItemWithPrefix works on whole items.
      TableSearch ts(**t);
      for (size_t i = 0; i < items.size(); i += 7) {
        ts.Seek(items[i]);
        assert_true(ts.NextItem());
        assert_true(ts.Item() == items[i]);
        std::string got;
        ASSERT_OK(ts.FirstItemWithPrefix(items[i], &got));
        assert_true(got == items[i]);
      }
      ts.Seek(ph.last_item + "\xff");
      assert_false(ts.NextItem());
      ASSERT_OK(ts.status());
    }
    total += items.size();

    // Merge the VM part with a vmengine part, then reopen: everything is still there.
    ASSERT_OK((*t)->AddItems(
        std::vector<std::string>{"\x07new item", std::string(items.empty() ? "x" : items[0])}));
    ASSERT_OK((*t)->Flush());
    ASSERT_OK((*t)->MergeAll());
    assert_int_equal((*t)->Stats().parts, 1);
    std::vector<std::string> merged = ReadAll(**t);
    assert_int_equal(merged.size(), items.size() + 2);
    assert_true(std::is_sorted(merged.begin(), merged.end()));
    ASSERT_OK((*t)->Close());
    auto t2 = Table::Open(dir, {});
    ASSERT_OK(t2.status());
    assert_true(ReadAll(**t2) == merged);
    assert_true(vme::fs::Exists(dir + "/converted-to-v1.28.0"));
    assert_true(vme::fs::IsDir(dir + "/tmp") && vme::fs::IsDir(dir + "/txn"));
  }
  assert_int_equal(tables, 2);
  assert_int_equal(total, want_items);
}

void TestSmall(void**) { CheckDataSet("small", 181); }
void TestSpecial(void**) { CheckDataSet("special", 404); }

void TestPartOpenSmall(void**) {
  vme::test::TempDir tmp;
  const std::string dir = CopyTable(tmp, kData + "/small/storage/indexdb/18E9F660777BD558", "t");
  auto p = vme::mergeset::Part::Open(dir + "/181_1_18E9F6607867E51D");
  ASSERT_OK(p.status());
  assert_int_equal((*p)->header().items_count, 181);
  assert_int_equal((*p)->header().blocks_count, 1);
  assert_int_equal((*p)->merge_idx(), 0x18E9F6607867E51Dull);
  assert_int_equal((*p)->size_bytes(), 91 + 1344 + 217 + 82);
  // The serialised header equals VM's metadata.json byte for byte.
  auto meta = vme::fs::ReadFile(dir + "/181_1_18E9F6607867E51D/metadata.json");
  ASSERT_OK(meta.status());
  assert_string_equal((*p)->header().ToJson().c_str(), meta->c_str());
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(TestSmall),
      cmocka_unit_test(TestSpecial),
      cmocka_unit_test(TestPartOpenSmall),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
