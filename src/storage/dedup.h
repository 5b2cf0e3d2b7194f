// Deduplication of samples (VictoriaMetrics DeduplicateSamples, lib/storage/dedup.go):
// VictoriaMetrics 1.72 keeps the FIRST sample of every d-aligned window:
//
//   next = ts[0] - ts[0] % d + d; keep sample 0
//   for i >= 1: ts[i] < next -> drop; else keep, next += d,
//               and if ts[i] >= next: next = ts[i] - ts[i] % d + d
//
// Timestamps must be sorted. d <= 0 disables deduplication.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vme::storage {

// True if deduplication with interval d would drop at least one sample.
bool NeedsDedup(const int64_t* ts, size_t n, int64_t d);

// In-place deduplication of parallel arrays (values may be floats or decimal mantissas).
void DeduplicateSamples(std::vector<int64_t>* ts, std::vector<double>* values, int64_t d);
void DeduplicateSamples(std::vector<int64_t>* ts, std::vector<int64_t>* values, int64_t d);

}  // namespace vme::storage
