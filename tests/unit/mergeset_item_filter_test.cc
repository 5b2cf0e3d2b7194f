// The in-memory membership filter of mergeset parts (mergeset/item_filter.h): no false negatives
// for any key added, a low false-positive rate, and a filter on every part of a table that holds
// every key of the part's items: parts written by flushes, by merges (including merges of parts
// whose filter was never built), and parts opened from disk (built on first use).
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "mergeset/item_filter.h"
#include "mergeset/part.h"
#include "mergeset/part_search.h"
#include "mergeset/table.h"

#include "test_util.h"

using vme::mergeset::ItemFilter;
using vme::mergeset::ItemFilterBuilder;
using vme::mergeset::ItemFilterKeys;
using vme::mergeset::Part;
using vme::mergeset::PartSearch;
using vme::mergeset::Table;
using vme::mergeset::TableOptions;

namespace {

// Items "k<key>|<4 bytes>" have the key "k<key>|"; items "z<...>" have the whole item as key;
// other items have none.
bool TestKeyOf(std::string_view item, std::string_view* key) {
  if (item.size() > 4 && item[0] == 'k') {
    *key = item.substr(0, item.size() - 4);
    return true;
  }
  if (!item.empty() && item[0] == 'z') {
    *key = item;
    return true;
  }
  return false;
}

std::shared_ptr<const ItemFilterKeys> TestKeys() {
  auto k = std::make_shared<ItemFilterKeys>();
  k->key_of = TestKeyOf;
  k->prefixes = {"k", "z"};
  return k;
}

std::string KeyedItem(uint64_t i) { return "k" + std::to_string(i * 7919) + "|tail"; }
std::string KeyOf(uint64_t i) { return "k" + std::to_string(i * 7919) + "|"; }
std::string WholeKeyItem(uint64_t i) { return "z" + std::to_string(i); }
std::string PlainItem(uint64_t i) { return "a" + std::to_string(i) + std::string(20, 'x'); }

std::shared_ptr<Table> MustOpen(const std::string& dir) {
  TableOptions opts;
  opts.item_filter_keys = TestKeys();
  auto t = Table::Open(dir, std::move(opts));
  REQUIRE_OK(t.status());
  return *t;
}

void AddRange(Table* t, uint64_t from, uint64_t to) {
  std::vector<std::string> items;
  for (uint64_t i = from; i < to; i++) {
    items.push_back(KeyedItem(i));
    items.push_back(WholeKeyItem(i));
    items.push_back(PlainItem(i));
  }
  REQUIRE_OK(t->AddItems(items));
}

// Every keyed item of every part is maybe-present in that part's filter (built when missing);
// returns the number of keys checked.
size_t CheckPartFilters(const Table& t, bool expect_built) {
  const ItemFilterKeys* keys = t.item_filter_keys();
  REQUIRE(keys != nullptr);
  size_t checked = 0;
  for (const auto& p : t.Parts()) {
    const ItemFilter* f = p->item_filter();
    if (expect_built) REQUIRE(f != nullptr);
    if (f == nullptr) {
      auto built = p->BuildItemFilter(*keys);
      REQUIRE_OK(built.status());
      f = *built;
      REQUIRE(f != nullptr);
      REQUIRE(p->item_filter() == f);
    }
    PartSearch ps(p);
    for (bool ok = ps.Seek(""); ok; ok = ps.Next()) {
      std::string_view key;
      if (!TestKeyOf(ps.Item(), &key)) continue;
      if (!f->MayContain(ItemFilter::Hash(key))) {
        FAIL("part %s: the filter misses the key of item %s", p->name().c_str(),
             std::string(ps.Item()).c_str());
      }
      checked++;
    }
    REQUIRE_OK(ps.status());
  }
  return checked;
}

void TestNoFalseNegatives() {
  ItemFilterKeys keys;
  keys.key_of = TestKeyOf;
  for (uint64_t expected : {uint64_t{0}, uint64_t{10}, uint64_t{100000}}) {
    ItemFilterBuilder b(&keys, expected);
    for (uint64_t i = 0; i < 100000; i++) b.AddItem(KeyedItem(i));
    auto f = b.Finish();
    REQUIRE_EQ(f->keys(), uint64_t{100000});
    for (uint64_t i = 0; i < 100000; i++) REQUIRE(f->MayContain(ItemFilter::Hash(KeyOf(i))));
  }
}

void TestFalsePositiveRate() {
  ItemFilterKeys keys;
  keys.key_of = TestKeyOf;
  ItemFilterBuilder b(&keys, 0);
  for (uint64_t i = 0; i < 200000; i++) b.AddItem(KeyedItem(i));
  auto f = b.Finish();
  size_t fp = 0;
  const size_t probes = 200000;
  for (uint64_t i = 200000; i < 200000 + probes; i++) {
    if (f->MayContain(ItemFilter::Hash(KeyOf(i)))) fp++;
  }
  // About 0.1 % expected at 16 bits per key; 0.5 % leaves room for any hash.
  if (fp * 200 > probes) FAIL("%zu false positives of %zu probes", fp, probes);
  // An empty filter holds nothing.
  auto empty = ItemFilterBuilder(&keys, 0).Finish();
  REQUIRE(!empty->MayContain(ItemFilter::Hash(KeyOf(1))));
}

void TestFlushedAndMergedPartsHaveFilters() {
  vme::test::TempDir dir;
  auto t = MustOpen(dir.path());
  for (uint64_t k = 0; k < 6; k++) {
    AddRange(t.get(), k * 3000, (k + 1) * 3000);
    REQUIRE_OK(t->Flush());
  }
  REQUIRE_EQ(t->Stats().parts, uint64_t{6});
  REQUIRE_EQ(CheckPartFilters(*t, true), size_t{6 * 3000 * 2});
  bool merged = false;
  REQUIRE_OK(t->MergeOnce(true, &merged));
  REQUIRE(merged);
  REQUIRE_EQ(CheckPartFilters(*t, true), size_t{6 * 3000 * 2});
  REQUIRE_OK(t->MergeAll());
  REQUIRE_EQ(t->Stats().parts, uint64_t{1});
  REQUIRE_EQ(CheckPartFilters(*t, true), size_t{6 * 3000 * 2});
}

void TestReopenedPartsBuildFilters() {
  vme::test::TempDir dir;
  {
    auto t = MustOpen(dir.path());
    for (uint64_t k = 0; k < 3; k++) {
      AddRange(t.get(), k * 5000, (k + 1) * 5000);
      REQUIRE_OK(t->Flush());
    }
    REQUIRE_OK(t->Close());
  }
  auto t = MustOpen(dir.path());
  for (const auto& p : t->Parts()) REQUIRE(p->item_filter() == nullptr);
  // A merge of parts whose filter was never built still gets a complete filter.
  {
    AddRange(t.get(), 15000, 16000);
    REQUIRE_OK(t->Flush());
    REQUIRE_OK(t->MergeAll());
    REQUIRE_EQ(CheckPartFilters(*t, true), size_t{16000 * 2});
  }
  REQUIRE_OK(t->Close());
  t.reset();
  // Reopened again: every part (one now) builds its filter from disk on first use.
  auto t2 = MustOpen(dir.path());
  REQUIRE_EQ(CheckPartFilters(*t2, false), size_t{16000 * 2});
}

void TestConcurrentBuild() {
  vme::test::TempDir dir;
  {
    auto t = MustOpen(dir.path());
    AddRange(t.get(), 0, 20000);
    REQUIRE_OK(t->Close());
  }
  auto t = MustOpen(dir.path());
  const auto parts = t->Parts();
  REQUIRE_EQ(parts.size(), size_t{1});
  const auto p = parts[0];
  std::vector<std::thread> threads;
  std::vector<std::string> errors(4);
  for (size_t k = 0; k < errors.size(); k++) {
    threads.emplace_back([&, k] {
      errors[k] = vme::test::Collect([&]() -> std::string {
        for (;;) {
          auto f = p->BuildItemFilter(*t->item_filter_keys());
          REQUIRE_OK(f.status());
          if (*f == nullptr) {  // another thread builds it
            std::this_thread::yield();
            continue;
          }
          for (uint64_t i = 0; i < 20000; i++) {
            REQUIRE((*f)->MayContain(ItemFilter::Hash(KeyOf(i))));
          }
          return "";
        }
      });
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& e : errors) REQUIRE_EQ(e, std::string());
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestNoFalseNegatives), VME_TEST(TestFalsePositiveRate),
       VME_TEST(TestFlushedAndMergedPartsHaveFilters), VME_TEST(TestReopenedPartsBuildFilters),
       VME_TEST(TestConcurrentBuild)},
      argc, argv);
}
