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

// Per-thread scratch buffers reused across blocks.
std::vector<uint64_t>& ScratchIDs() {
  thread_local std::vector<uint64_t> ids;
  return ids;
}
std::string& ScratchRow() {
  thread_local std::string row;
  return row;
}

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

// Folds the tag rows of namespace ns of `in` into out (cleared first). False when nothing
// changed or the result would not be sorted: then out is to be ignored.
bool MergeNamespace(const mergeset::InmemoryBlock& in, mergeset::InmemoryBlock* out, uint8_t ns) {
  const size_t n = in.size();
  out->Clear();
  if (n <= 2) return false;
  const std::string_view first = in.first(), last = in.last();
  if (static_cast<uint8_t>(first.empty() ? 0 : first[0]) > ns) return false;
  if (!last.empty() && static_cast<uint8_t>(last[0]) < ns) return false;

  out->Reserve(in.data_size(), n);
  bool changed = false;
  bool sorted = true;
  std::string_view pending_prefix;
  std::string_view pending_item;  // the first input row of the pending ones
  size_t pending_rows = 0;
  std::vector<uint64_t>& pending_ids = ScratchIDs();
  pending_ids.clear();
  std::string& row = ScratchRow();
  auto emit = [&](std::string_view item) {
    if (out->size() > 0 && item < out->last()) sorted = false;
    out->Append(item);
  };
  auto flush = [&] {
    if (pending_ids.empty()) return;
    std::sort(pending_ids.begin(), pending_ids.end());
    pending_ids.erase(std::unique(pending_ids.begin(), pending_ids.end()), pending_ids.end());
    row.assign(pending_prefix);
    for (uint64_t id : pending_ids) enc::AppendU64(&row, id);
    if (pending_rows > 1 || row != pending_item) changed = true;
    emit(row);
    pending_ids.clear();
    pending_rows = 0;
  };
  for (size_t i = 0; i < n; i++) {
    const std::string_view item = in.item(i);
    const size_t plen = (i == 0 || i == n - 1) ? 0 : TagRowPrefixLen(item, ns);
    if (plen == 0) {
      flush();
      emit(item);
      continue;
    }
    const std::string_view prefix = item.substr(0, plen);
    const size_t ids = (item.size() - plen) / 8;
    if (ids >= kMaxMetricIDsPerRow) {
      flush();
      emit(item);
      continue;
    }
    if (!pending_ids.empty() && prefix != pending_prefix) flush();
    if (pending_ids.empty()) {
      pending_prefix = prefix;
      pending_item = item;
    }
    for (size_t k = 0; k < ids; k++) {
      pending_ids.push_back(enc::LoadU64(item.data() + plen + 8 * k));
    }
    pending_rows++;
    if (pending_ids.size() >= kMaxMetricIDsPerRow) flush();
  }
  flush();
  return sorted && changed;
}

}  // namespace

void MergeTagToMetricIDsRows(const mergeset::InmemoryBlock& in, mergeset::InmemoryBlock* out) {
  out->Clear();
  if (in.size() <= 2) return;
  const auto ns_of = [](std::string_view item) {
    return static_cast<uint8_t>(item.empty() ? 0 : item[0]);
  };
  const uint8_t lo = ns_of(in.first()), hi = ns_of(in.last());
  const bool tag = lo <= kNsTagToMetricIDs && hi >= kNsTagToMetricIDs;
  const bool date_tag = lo <= kNsDateTagToMetricIDs && hi >= kNsDateTagToMetricIDs;
  if (tag && date_tag) {
    // Both namespaces in one block (rare): one pass each, as two merges would.
    mergeset::InmemoryBlock first_pass;
    const mergeset::InmemoryBlock* cur = &in;
    if (MergeNamespace(in, &first_pass, kNsTagToMetricIDs)) cur = &first_pass;
    if (!MergeNamespace(*cur, out, kNsDateTagToMetricIDs)) {
      out->Clear();
      if (cur == &first_pass) *out = std::move(first_pass);
    }
    return;
  }
  if (!tag && !date_tag) return;
  if (!MergeNamespace(in, out, tag ? kNsTagToMetricIDs : kNsDateTagToMetricIDs)) out->Clear();
}

}  // namespace vme::storage
