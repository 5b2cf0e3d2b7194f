// MergeTagToMetricIDsRows (VictoriaMetrics mergeTagToMetricIDsRows, lib/storage/index_db.go)
// on InmemoryBlocks against a reference written on string vectors, the form it had before it
// worked on blocks: random blocks of ns 1 and ns 6 tag rows (shared and distinct prefixes,
// duplicate and unsorted ids, rows of 64+ ids, malformed rows, other namespaces around them).
// The indexdb bytes of a merge depend on it, so the output must be the same byte for byte.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "encoding/int.h"
#include "mergeset/encoding.h"
#include "storage/index_db.h"

#include "check.h"

namespace {

using vme::mergeset::InmemoryBlock;
namespace st = vme::storage;

size_t RefPrefixLen(std::string_view item, uint8_t ns) {
  const size_t common = ns == st::kNsDateTagToMetricIDs ? 17 : 9;
  if (item.size() <= common || static_cast<uint8_t>(item[0]) != ns) return 0;
  size_t pos = common;
  for (int part = 0; part < 2; part++) {
    const size_t end = item.find('\x01', pos);
    if (end == std::string_view::npos) return 0;
    pos = end + 1;
  }
  const size_t tail = item.size() - pos;
  if (tail == 0 || tail % 8 != 0) return 0;
  return pos;
}

void RefMergeNamespace(std::vector<std::string>* items, uint8_t ns) {
  const size_t n = items->size();
  if (n <= 2) return;
  if (static_cast<uint8_t>(items->front().empty() ? 0 : items->front()[0]) > ns) return;
  if (!items->back().empty() && static_cast<uint8_t>(items->back()[0]) < ns) return;
  std::vector<std::string> out;
  std::string pending_prefix;
  std::vector<uint64_t> pending_ids;
  auto flush = [&] {
    if (pending_ids.empty()) return;
    std::sort(pending_ids.begin(), pending_ids.end());
    pending_ids.erase(std::unique(pending_ids.begin(), pending_ids.end()), pending_ids.end());
    std::string row = pending_prefix;
    for (uint64_t id : pending_ids) vme::enc::AppendU64(&row, id);
    out.push_back(std::move(row));
    pending_ids.clear();
  };
  for (size_t i = 0; i < n; i++) {
    const std::string& item = (*items)[i];
    const size_t plen = (i == 0 || i == n - 1) ? 0 : RefPrefixLen(item, ns);
    if (plen == 0) {
      flush();
      out.push_back(item);
      continue;
    }
    const std::string_view prefix(item.data(), plen);
    const size_t ids = (item.size() - plen) / 8;
    if (ids >= 64) {
      flush();
      out.push_back(item);
      continue;
    }
    if (!pending_ids.empty() && prefix != pending_prefix) flush();
    if (pending_ids.empty()) pending_prefix.assign(prefix);
    for (size_t k = 0; k < ids; k++) {
      pending_ids.push_back(vme::enc::LoadU64(item.data() + plen + 8 * k));
    }
    if (pending_ids.size() >= 64) flush();
  }
  flush();
  if (!std::is_sorted(out.begin(), out.end())) return;
  *items = std::move(out);
}

std::string RandomRow(std::mt19937_64& rng) {
  const int kind = static_cast<int>(rng() % 10);
  std::string s;
  const uint8_t ns = kind < 4 ? 1 : (kind < 8 ? 6 : static_cast<uint8_t>(rng() % 8));
  s.push_back(static_cast<char>(ns));
  s.append(8, '\0');
  if (ns == 6) s.append(std::string("\0\0\0\0\0\0\x51", 7) + static_cast<char>(rng() % 2));
  if (rng() % 20 == 0) return s + "broken";  // no separators
  s += "key" + std::to_string(rng() % 3) + '\x01';
  s += "v" + std::to_string(rng() % 4) + '\x01';
  size_t ids = 1 + rng() % 4;
  if (rng() % 15 == 0) ids = 60 + rng() % 10;
  if (rng() % 25 == 0) {
    s.append("xyz");  // tail not a multiple of 8
    return s;
  }
  for (size_t k = 0; k < ids; k++) vme::enc::AppendU64(&s, rng() % 40);
  return s;
}

void TestAgainstReference() {
  std::mt19937_64 rng(5);
  size_t changed = 0;
  for (int round = 0; round < 3000; round++) {
    std::vector<std::string> items;
    const size_t n = rng() % 200;
    for (size_t i = 0; i < n; i++) items.push_back(RandomRow(rng));
    std::sort(items.begin(), items.end());
    InmemoryBlock in;
    for (const auto& it : items) in.Append(it);
    std::vector<std::string> want = items;
    RefMergeNamespace(&want, st::kNsTagToMetricIDs);
    RefMergeNamespace(&want, st::kNsDateTagToMetricIDs);
    InmemoryBlock out;
    st::MergeTagToMetricIDsRows(in, &out);
    const InmemoryBlock& got = out.empty() ? in : out;
    if (!out.empty()) changed++;
    REQUIRE_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); i++) REQUIRE(got.item(i) == want[i]);
  }
  REQUIRE(changed > 1000);
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests({VME_TEST(TestAgainstReference)}, argc, argv);
}
