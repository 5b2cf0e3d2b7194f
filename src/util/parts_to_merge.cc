#include "util/parts_to_merge.h"

#include <algorithm>
#include <numeric>

namespace vme {
namespace {

constexpr double kMinMergeMultiplier = 1.7;

}  // namespace

std::vector<size_t> AppendPartsToMerge(const std::vector<MergeCandidate>& parts,
                                       size_t max_parts_to_merge, uint64_t max_out_bytes,
                                       bool use_timestamp_tiebreak, bool* need_free_space) {
  if (need_free_space != nullptr) *need_free_space = false;
  if (parts.size() < 2 || max_parts_to_merge < 2) return {};

  const double max_in_bytes = static_cast<double>(max_out_bytes) / kMinMergeMultiplier;
  std::vector<size_t> src;
  size_t dropped = 0;
  for (size_t i = 0; i < parts.size(); i++) {
    if (static_cast<double>(parts[i].size_bytes) > max_in_bytes) {
      dropped++;
      continue;
    }
    src.push_back(i);
  }
  bool need_space = dropped > 1;

  std::stable_sort(src.begin(), src.end(), [&](size_t a, size_t b) {
    if (parts[a].size_bytes != parts[b].size_bytes) {
      return parts[a].size_bytes < parts[b].size_bytes;
    }
    if (use_timestamp_tiebreak) return parts[a].min_timestamp > parts[b].min_timestamp;
    return false;
  });

  const size_t max_src = std::min(max_parts_to_merge, src.size());
  const size_t min_src = std::max<size_t>(2, (max_src + 1) / 2);
  double best = 0;
  size_t best_start = 0, best_len = 0;
  for (size_t i = min_src; i <= max_src; i++) {
    for (size_t j = 0; j + i <= src.size(); j++) {
      uint64_t out = 0;
      for (size_t k = j; k < j + i; k++) out += parts[src[k]].size_bytes;
      if (out > max_out_bytes) need_space = true;
      const uint64_t smallest = parts[src[j]].size_bytes;
      const uint64_t largest = parts[src[j + i - 1]].size_bytes;
      if (smallest * i < largest) continue;
      if (out > max_out_bytes) break;
      const double m =
          static_cast<double>(out) / static_cast<double>(std::max<uint64_t>(largest, 1));
      if (m < best) continue;
      best = m;
      best_start = j;
      best_len = i;
    }
  }
  if (need_free_space != nullptr) *need_free_space = need_space;
  const double min_m = std::max(kMinMergeMultiplier, static_cast<double>(max_parts_to_merge) / 2);
  if (best_len == 0 || best < min_m) return {};
  return std::vector<size_t>(src.begin() + best_start, src.begin() + best_start + best_len);
}

}  // namespace vme
