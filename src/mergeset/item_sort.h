// Sorting mergeset items (byte strings) in their order: bytewise, a proper prefix first (the
// order of std::string_view::compare and of VictoriaMetrics' sort of inmemoryBlock items in
// lib/mergeset/encoding.go).
//
// Index items share long prefixes (namespace, tenant, date, tag key), so a comparison sort
// spends its time in memcmp over the same bytes again and again. SortItems is an MSD radix sort
// on 8-byte digits instead: at depth d each item's bytes [d, d+8) are loaded once into a
// big-endian integer (zero-padded, with the count of real bytes as a tie-break), the range is
// ordered by that integer, and each run of items equal in all 8 bytes is sorted again at depth
// d+8. A range whose items all agree on the digit moves to the next depth without sorting, and
// a range already in order is not reordered. Small ranges fall back to an insertion sort.
#pragma once

#include <cstddef>
#include <string_view>

namespace vme::mergeset {

// Sorts items[0..n) bytewise. Duplicates are kept. Not stable (equal items are identical).
void SortItems(std::string_view* items, size_t n);

}  // namespace vme::mergeset
