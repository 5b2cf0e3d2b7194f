// Merge-time compaction of indexdb tag rows (VictoriaMetrics lib/storage/index_db.go,
// mergeTagToMetricIDsRows): in every block written by an indexdb merge, consecutive ns 1 / ns 6
// rows with the same (ns, tenant, [date], key, value) prefix are folded into rows of at most 64
// accumulated MetricIDs (sorted, unique). The first and last item of the block stay unchanged so
// that block boundaries are stable; if the result would not be sorted, the block is kept as is.
#include <algorithm>

#include "encoding/int.h"
#include "storage/index_db.h"

namespace vme::storage {
namespace {

constexpr size_t kMaxMetricIDsPerRow = 64;

// Length of the (ns, tenant, [date], key, value) prefix of a tag row of namespace ns, or 0
// if the item is not a well-formed row of that namespace.
size_t TagRowPrefixLen(std::string_view item, uint8_t ns) {
  const size_t common = ns == kNsDateTagToMetricIDs ? 17 : 9;
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

void MergeNamespace(std::vector<std::string>* items, uint8_t ns) {
  const size_t n = items->size();
  if (n <= 2) return;
  if (static_cast<uint8_t>(items->front().empty() ? 0 : items->front()[0]) > ns) return;
  if (!items->back().empty() && static_cast<uint8_t>(items->back()[0]) < ns) return;

  std::vector<std::string> out;
  out.reserve(n);
  std::string pending_prefix;
  std::vector<uint64_t> pending_ids;
  auto flush = [&] {
    if (pending_ids.empty()) return;
    std::sort(pending_ids.begin(), pending_ids.end());
    pending_ids.erase(std::unique(pending_ids.begin(), pending_ids.end()), pending_ids.end());
    std::string row = pending_prefix;
    for (uint64_t id : pending_ids) enc::AppendU64(&row, id);
    out.push_back(std::move(row));
    pending_ids.clear();
  };
  for (size_t i = 0; i < n; i++) {
    const std::string& item = (*items)[i];
    const size_t plen = (i == 0 || i == n - 1) ? 0 : TagRowPrefixLen(item, ns);
    if (plen == 0) {
      flush();
      out.push_back(item);
      continue;
    }
    const std::string_view prefix(item.data(), plen);
    const size_t ids = (item.size() - plen) / 8;
    if (ids >= kMaxMetricIDsPerRow) {
      flush();
      out.push_back(item);
      continue;
    }
    if (!pending_ids.empty() && prefix != pending_prefix) flush();
    if (pending_ids.empty()) pending_prefix.assign(prefix);
    for (size_t k = 0; k < ids; k++)
      pending_ids.push_back(enc::LoadU64(item.data() + plen + 8 * k));
    if (pending_ids.size() >= kMaxMetricIDsPerRow) flush();
  }
  flush();
  if (!std::is_sorted(out.begin(), out.end())) return;
  *items = std::move(out);
}

}  // namespace

void MergeTagToMetricIDsRows(std::vector<std::string>* items) {
  MergeNamespace(items, kNsTagToMetricIDs);
  MergeNamespace(items, kNsDateTagToMetricIDs);
}

}  // namespace vme::storage
