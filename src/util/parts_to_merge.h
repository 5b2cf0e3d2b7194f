// Choosing parts to merge (VictoriaMetrics appendPartsToMerge of lib/storage/partition.go and
// lib/mergeset/table.go): the exhaustive search over contiguous windows of the size-sorted
// candidates that maximises output size / largest input size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vme {

struct MergeCandidate {
  uint64_t size_bytes;
  int64_t min_timestamp;  // only used for the tie-break
};

// Returns indices into `parts` of the chosen parts (empty = nothing), per VictoriaMetrics
// appendPartsToMerge (lib/storage/partition.go), without the isFinal retry. With
// use_timestamp_tiebreak, equal sizes sort newer (larger min_timestamp) first. If need_free_space
// is not null it is set as described in VictoriaMetrics appendPartsToMerge
// (lib/storage/partition.go).
std::vector<size_t> AppendPartsToMerge(const std::vector<MergeCandidate>& parts,
                                       size_t max_parts_to_merge, uint64_t max_out_bytes,
                                       bool use_timestamp_tiebreak,
                                       bool* need_free_space = nullptr);

}  // namespace vme
