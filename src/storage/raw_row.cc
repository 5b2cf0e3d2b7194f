#include "storage/raw_row.h"

#include <algorithm>
#include <cstddef>
#include <numeric>

namespace vme::storage {

// Ranks the distinct TSIDs (open addressing on MetricID: a MetricID names one series, so rows
// with equal MetricIDs have equal TSIDs), then a counting sort of row indexes by rank (stable),
// then a stable sort by timestamp of the indexes of every series whose samples are out of
// order. Equivalent to a stable sort by (TSID, timestamp).
void SortedRawRowsOrder(const std::vector<RawRow>& rows, std::vector<uint32_t>* order) {
  const size_t n = rows.size();
  const RawRow* r = rows.data();
  order->resize(n);
  if (std::is_sorted(rows.begin(), rows.end(), RawRowLess)) {
    std::iota(order->begin(), order->end(), 0u);
    return;
  }
  size_t cap = 64;
  while (cap < 2 * n) cap <<= 1;
  const int shift = 64 - __builtin_ctzll(cap);
  std::vector<uint32_t> table(cap, UINT32_MAX);
  std::vector<uint32_t> uniq;  // index of the first row of each distinct series
  std::vector<uint32_t> series(n);
  uint64_t last_id = 0;
  uint32_t last_slot = UINT32_MAX;
  for (size_t i = 0; i < n; i++) {
    const uint64_t id = r[i].tsid.metric_id;
    if (last_slot != UINT32_MAX && id == last_id) {
      series[i] = last_slot;
      continue;
    }
    size_t h = static_cast<size_t>((id * 0x9E3779B97F4A7C15ULL) >> shift);
    for (;;) {
      uint32_t& slot = table[h];
      if (slot == UINT32_MAX) {
        slot = static_cast<uint32_t>(uniq.size());
        uniq.push_back(static_cast<uint32_t>(i));
        break;
      }
      if (r[uniq[slot]].tsid.metric_id == id) break;
      h = (h + 1) & (cap - 1);
    }
    series[i] = last_slot = table[h];
    last_id = id;
  }
  table = std::vector<uint32_t>();
  const size_t m = uniq.size();
  std::vector<uint32_t> by_tsid(m);
  std::iota(by_tsid.begin(), by_tsid.end(), 0u);
  std::sort(by_tsid.begin(), by_tsid.end(),
            [&](uint32_t a, uint32_t b) { return r[uniq[a]].tsid < r[uniq[b]].tsid; });
  std::vector<uint32_t> rank(m);
  for (size_t k = 0; k < m; k++) rank[by_tsid[k]] = static_cast<uint32_t>(k);
  std::vector<uint32_t> start(m + 1, 0);
  for (size_t i = 0; i < n; i++) start[rank[series[i]] + 1]++;
  for (size_t k = 1; k <= m; k++) start[k] += start[k - 1];
  {
    std::vector<uint32_t> pos(start.begin(), start.end() - 1);
    uint32_t* out = order->data();
    for (size_t i = 0; i < n; i++) out[pos[rank[series[i]]]++] = static_cast<uint32_t>(i);
  }
  const auto by_ts = [r](uint32_t a, uint32_t b) { return r[a].timestamp < r[b].timestamp; };
  for (size_t k = 0; k < m; k++) {
    auto b = order->begin() + start[k];
    auto e = order->begin() + start[k + 1];
    if (!std::is_sorted(b, e, by_ts)) std::stable_sort(b, e, by_ts);
  }
}

void SortRawRows(std::vector<RawRow>* rows) {
  if (std::is_sorted(rows->begin(), rows->end(), RawRowLess)) return;
  std::vector<uint32_t> order;
  SortedRawRowsOrder(*rows, &order);
  std::vector<RawRow> out(rows->size());
  for (size_t k = 0; k < order.size(); k++) out[k] = (*rows)[order[k]];
  rows->swap(out);
}

}  // namespace vme::storage
