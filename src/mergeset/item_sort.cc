#include "mergeset/item_sort.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace vme::mergeset {
namespace {

// Ranges up to this size are insertion-sorted on their remaining bytes.
constexpr size_t kInsertionSortMax = 16;
// Ranges of at least this size are ordered by their digits with an LSD radix sort (one
// counting pass, then one scatter pass per byte position that is not the same in every item).
constexpr size_t kRadixSortMin = 1024;

struct Entry {
  uint64_t digit;  // bytes [depth, depth+8) big-endian, zero-padded
  const char* p;
  uint32_t len;
  uint32_t real;  // bytes of the digit present in the item (0..8)
};

inline void LoadDigit(Entry* e, size_t depth) {
  const size_t rem = e->len > depth ? e->len - depth : 0;
  if (rem >= 8) {
    uint64_t v;
    std::memcpy(&v, e->p + depth, 8);
    e->digit = __builtin_bswap64(v);
    e->real = 8;
    return;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < rem; i++) {
    v |= static_cast<uint64_t>(static_cast<uint8_t>(e->p[depth + i])) << (56 - 8 * i);
  }
  e->digit = v;
  e->real = static_cast<uint32_t>(rem);
}

inline bool DigitLess(const Entry& a, const Entry& b) {
  return a.digit < b.digit || (a.digit == b.digit && a.real < b.real);
}

inline bool DigitEqual(const Entry& a, const Entry& b) {
  return a.digit == b.digit && a.real == b.real;
}

// Every item of the range is at least `depth` bytes long and equal in its first depth bytes.
void InsertionSort(Entry* b, Entry* e, size_t depth) {
  for (Entry* i = b + 1; i < e; i++) {
    const Entry x = *i;
    const std::string_view xs(x.p + depth, x.len - depth);
    Entry* j = i;
    while (j > b && xs < std::string_view(j[-1].p + depth, j[-1].len - depth)) {
      *j = j[-1];
      j--;
    }
    *j = x;
  }
}

// Orders [b, e) by (digit, real) with a stable LSD radix sort through tmp.
void RadixSortDigits(Entry* b, Entry* e, std::vector<Entry>* tmp) {
  const size_t n = static_cast<size_t>(e - b);
  std::vector<uint32_t> counts(9 * 256, 0);  // [0]: real (0..8); [1 + k]: digit byte k
  for (const Entry* it = b; it != e; ++it) {
    counts[it->real]++;
    uint64_t d = it->digit;
    for (size_t k = 0; k < 8; k++, d >>= 8) counts[256 * (1 + k) + (d & 0xff)]++;
  }
  tmp->resize(std::max(tmp->size(), n));
  Entry* src = b;
  Entry* dst = tmp->data();
  auto pass = [&](uint32_t* count, auto bucket_of) {
    size_t sum = 0;
    for (size_t v = 0; v < 256; v++) {
      if (count[v] == n) return;  // one bucket: this pass would not move anything
      const size_t c = count[v];
      count[v] = static_cast<uint32_t>(sum);
      sum += c;
    }
    for (Entry* it = src; it != src + n; ++it) dst[count[bucket_of(*it)]++] = *it;
    std::swap(src, dst);
  };
  // Least significant first: the length tie-break, then the digit's bytes from the last one.
  pass(counts.data(), [](const Entry& x) { return x.real; });
  for (size_t k = 0; k < 8; k++) {
    pass(counts.data() + 256 * (1 + k),
         [k](const Entry& x) { return static_cast<size_t>((x.digit >> (8 * k)) & 0xff); });
  }
  if (src != b) std::copy(src, src + n, b);
}

struct Range {
  Entry* b;
  Entry* e;
  size_t depth;
};

void SortEntries(Entry* begin, Entry* end) {
  std::vector<Range> todo;
  std::vector<Entry> tmp;
  todo.push_back(Range{begin, end, 0});
  while (!todo.empty()) {
    Range r = todo.back();
    todo.pop_back();
    for (;;) {
      const size_t n = static_cast<size_t>(r.e - r.b);
      if (n < 2) break;
      if (n <= kInsertionSortMax) {
        InsertionSort(r.b, r.e, r.depth);
        break;
      }
      bool sorted = true, same = true;
      LoadDigit(r.b, r.depth);
      for (Entry* it = r.b + 1; it != r.e; ++it) {
        LoadDigit(it, r.depth);
        sorted &= !DigitLess(*it, it[-1]);
        same &= DigitEqual(*it, *r.b);
      }
      if (same) {
        if (r.b->real < 8) break;  // all items are identical
        r.depth += 8;
        continue;
      }
      if (!sorted) {
        if (n >= kRadixSortMin) {
          RadixSortDigits(r.b, r.e, &tmp);
        } else {
          std::sort(r.b, r.e, DigitLess);
        }
      }
      Entry* run = r.b;
      for (Entry* it = r.b + 1;; ++it) {
        if (it == r.e || !DigitEqual(*it, *run)) {
          // Items shorter than depth + 8 are identical within their run.
          if (run->real == 8 && it - run > 1) todo.push_back(Range{run, it, r.depth + 8});
          if (it == r.e) break;
          run = it;
        }
      }
      break;
    }
  }
}

}  // namespace

void SortItems(std::string_view* items, size_t n) {
  if (n < 2) return;
  std::vector<Entry> entries(n);
  for (size_t i = 0; i < n; i++) {
    entries[i].p = items[i].data();
    entries[i].len = static_cast<uint32_t>(items[i].size());
  }
  SortEntries(entries.data(), entries.data() + n);
  for (size_t i = 0; i < n; i++) items[i] = std::string_view(entries[i].p, entries[i].len);
}

}  // namespace vme::mergeset
