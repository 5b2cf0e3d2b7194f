#include "storage/raw_row.h"

#include <algorithm>
#include <cstddef>
#include <numeric>

namespace vme::storage {

// Ranks the distinct TSIDs (open addressing on MetricID); equivalent to a stable sort by
// (TSID, timestamp).
void SortRawRows(std::vector<RawRow>* rows) {
  if (std::is_sorted(rows->begin(), rows->end(), RawRowLess)) return;
  const size_t n = rows->size();
  const RawRow* r = rows->data();
  size_t cap = 64;
  while (cap < 2 * n) cap <<= 1;
  const int shift = 64 - __builtin_ctzll(cap);
  std::vector<uint32_t> table(cap, UINT32_MAX);
  std::vector<TSID> uniq;
  std::vector<uint32_t> series(n);
  for (size_t i = 0; i < n; i++) {
    const TSID& t = r[i].tsid;
    size_t h = static_cast<size_t>((t.metric_id * 0x9E3779B97F4A7C15ULL) >> shift);
    for (;;) {
      uint32_t& slot = table[h];
      if (slot == UINT32_MAX) {
        slot = static_cast<uint32_t>(uniq.size());
        uniq.push_back(t);
        series[i] = slot;
        break;
      }
      if (uniq[slot] == t) {
        series[i] = slot;
        break;
      }
      h = (h + 1) & (cap - 1);
    }
  }
  std::vector<uint32_t> order(uniq.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return uniq[a] < uniq[b]; });
  std::vector<uint32_t> rank(uniq.size());
  for (size_t k = 0; k < order.size(); k++) rank[order[k]] = static_cast<uint32_t>(k);
  // Counting sort by series rank (stable), then a stable sort by timestamp of every series
  // whose samples are out of order.
  std::vector<size_t> start(uniq.size() + 1, 0);
  for (size_t i = 0; i < n; i++) start[rank[series[i]] + 1]++;
  for (size_t k = 1; k <= uniq.size(); k++) start[k] += start[k - 1];
  std::vector<RawRow> out(n);
  {
    std::vector<size_t> pos(start.begin(), start.end() - 1);
    for (size_t i = 0; i < n; i++) out[pos[rank[series[i]]]++] = r[i];
  }
  const auto by_ts = [](const RawRow& a, const RawRow& b) { return a.timestamp < b.timestamp; };
  for (size_t k = 0; k < uniq.size(); k++) {
    auto b = out.begin() + static_cast<std::ptrdiff_t>(start[k]);
    auto e = out.begin() + static_cast<std::ptrdiff_t>(start[k + 1]);
    if (!std::is_sorted(b, e, by_ts)) std::stable_sort(b, e, by_ts);
  }
  rows->swap(out);
}

}  // namespace vme::storage
