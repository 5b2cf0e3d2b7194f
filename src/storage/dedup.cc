#include "storage/dedup.h"

namespace vme::storage {
namespace {

int64_t WindowEnd(int64_t ts, int64_t d) { return ts - ts % d + d; }

template <typename V>
void Dedup(std::vector<int64_t>* ts, std::vector<V>* values, int64_t d) {
  if (!NeedsDedup(ts->data(), ts->size(), d)) return;
  int64_t* t = ts->data();
  V* v = values->data();
  const size_t n = ts->size();
  int64_t next = WindowEnd(t[0], d);
  size_t j = 1;
  for (size_t i = 1; i < n; i++) {
    if (t[i] < next) continue;
    t[j] = t[i];
    v[j] = v[i];
    j++;
    next += d;
    if (t[i] >= next) next = WindowEnd(t[i], d);
  }
  ts->resize(j);
  values->resize(j);
}

}  // namespace

bool NeedsDedup(const int64_t* ts, size_t n, int64_t d) {
  if (d <= 0 || n < 2) return false;
  int64_t next = WindowEnd(ts[0], d);
  for (size_t i = 1; i < n; i++) {
    if (ts[i] < next) return true;
    next += d;
    if (ts[i] >= next) next = WindowEnd(ts[i], d);
  }
  return false;
}

void DeduplicateSamples(std::vector<int64_t>* ts, std::vector<double>* values, int64_t d) {
  Dedup(ts, values, d);
}

void DeduplicateSamples(std::vector<int64_t>* ts, std::vector<int64_t>* values, int64_t d) {
  Dedup(ts, values, d);
}

}  // namespace vme::storage
