// mergeset::SortItems against std::sort on string_view (bytewise, a proper prefix first): random
// items, items with long shared prefixes (indexdb-like), prefixes of each other, zero and 0xff
// bytes, duplicates, already sorted and reversed inputs, every size around the insertion-sort
// cut-off.
#include <algorithm>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "mergeset/item_sort.h"

#include "check.h"

using vme::mergeset::SortItems;

namespace {

void CheckSorts(const std::vector<std::string>& items, const char* what) {
  std::vector<std::string_view> got(items.begin(), items.end());
  std::vector<std::string_view> want = got;
  SortItems(got.data(), got.size());
  std::sort(want.begin(), want.end());
  REQUIRE_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); i++) {
    if (got[i] != want[i]) FAIL("%s: item %zu of %zu differs", what, i, got.size());
  }
}

std::string RandomBytes(std::mt19937_64& rng, size_t n, int alphabet) {
  std::string s(n, '\0');
  for (auto& c : s) {
    const int v = static_cast<int>(rng() % static_cast<uint64_t>(alphabet));
    // Alphabet 3 uses the extreme bytes 0x00, 0x01, 0xff (padding and escaping edge cases).
    c = alphabet == 3 ? "\x00\x01\xff"[v] : static_cast<char>(v);
  }
  return s;
}

void TestRandom() {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; round++) {
    const size_t n = rng() % 300;
    const int alphabet = round % 3 == 0 ? 3 : (round % 3 == 1 ? 4 : 256);
    std::vector<std::string> items;
    for (size_t i = 0; i < n; i++) items.push_back(RandomBytes(rng, rng() % 40, alphabet));
    CheckSorts(items, "random");
  }
  // Large ranges (radix-sorted) of short items over 0x00, 0x01, 0xff: equal zero-padded digits
  // that differ only in length.
  for (int round = 0; round < 20; round++) {
    std::vector<std::string> items;
    for (size_t i = 0; i < 5000; i++) items.push_back(RandomBytes(rng, rng() % 12, 3));
    CheckSorts(items, "short, large");
  }
}

void TestSharedPrefixes() {
  std::mt19937_64 rng(11);
  std::vector<std::string> items;
  // indexdb-like: namespace, tenant, date, tag key and value, MetricID.
  for (int i = 0; i < 20000; i++) {
    std::string s;
    s.push_back(static_cast<char>(rng() % 7));
    s.append(8, '\0');
    if (s[0] == 5 || s[0] == 6) s.append("\0\0\0\0\0\0\x51\x3b", 8);
    s.append("\x01churn_metric_");
    s.push_back(static_cast<char>('0' + rng() % 10));
    s.append("\x01pod\x01pod-");
    s.append(std::to_string(100000 + rng() % 5000));
    s.push_back('\x01');
    const uint64_t id = 0x187e0000000000ull + rng() % 100000;
    for (int b = 7; b >= 0; b--) s.push_back(static_cast<char>(id >> (8 * b)));
    items.push_back(std::move(s));
  }
  CheckSorts(items, "shared prefixes");
  // Every proper prefix of a long item, plus the item with zero bytes appended.
  items.clear();
  const std::string base = RandomBytes(rng, 100, 256);
  for (size_t k = 0; k <= base.size(); k++) {
    items.push_back(base.substr(0, k));
    items.push_back(base.substr(0, k) + std::string(k % 9, '\0'));
  }
  CheckSorts(items, "prefixes");
}

void TestOrderedAndDuplicates() {
  std::mt19937_64 rng(3);
  std::vector<std::string> items;
  for (int i = 0; i < 5000; i++) items.push_back(RandomBytes(rng, 8 + rng() % 30, 4));
  std::sort(items.begin(), items.end());
  CheckSorts(items, "sorted");
  std::reverse(items.begin(), items.end());
  CheckSorts(items, "reversed");
  std::vector<std::string> dup(3000, std::string(50, 'x'));
  dup.push_back(std::string(50, 'x') + "y");
  dup.push_back(std::string(49, 'x'));
  dup.push_back("");
  dup.push_back("");
  CheckSorts(dup, "duplicates");
  for (size_t n = 0; n < 70; n++) {
    std::vector<std::string> small;
    for (size_t i = 0; i < n; i++) small.push_back(RandomBytes(rng, rng() % 20, 3));
    CheckSorts(small, "small");
  }
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestRandom), VME_TEST(TestSharedPrefixes), VME_TEST(TestOrderedAndDuplicates)},
      argc, argv);
}
