// The rows of the kill -9 loop (docs/fault-loops.md, "kill -9 loop"), shared by the child that
// writes them (fault_kill_child.cc) and the checker that looks for them (fault_kill_check.cc).
//
// Iteration I of a chain (the runs that share one data directory) with W writers: writer w's
// batch b is one vme_add_rows call of Rows(I, w, b) rows, one per series of the contiguous
// (modulo kSeries) range that starts at Start(I, w, b), all with the timestamp Ts(I, W, w, b)
// and with values that encode (I, slot, series). (slot = b * W + w.) So every (series,
// timestamp) is written once, and a row found on disk names its batch.
#pragma once

#include <cstdint>
#include <string>

#include "fault_util.h"

namespace fault::kill {

constexpr int kSeries = 400;
// 2026-09-30T23:00:00Z: the first hour of iteration 0 is in one monthly partition, the rest in
// the next one.
constexpr int64_t kBaseTs = 1790812800000 - 3600 * 1000;
constexpr int64_t kStepMs = 1000;
constexpr int64_t kMaxSlots = 250000;
constexpr int64_t kIterSpanMs = kMaxSlots * kStepMs;
constexpr const char* kMetric = "fault_rows";
constexpr const char* kVictimMetric = "fault_victim";

inline int64_t MaxBatches(int writers) { return kMaxSlots / writers; }
inline int Rows(int64_t it, int w, int64_t b) {
  return 20 + static_cast<int>(Hash(it, w, b, 1) % 181);
}
inline int Start(int64_t it, int w, int64_t b) {
  return static_cast<int>(Hash(it, w, b, 2) % kSeries);
}
inline int64_t Slot(int writers, int w, int64_t b) { return b * writers + w; }
inline int64_t Ts(int64_t it, int writers, int w, int64_t b) {
  return kBaseTs + it * kIterSpanMs + Slot(writers, w, b) * kStepMs;
}
inline double Value(int64_t it, int64_t slot, int s) {
  return static_cast<double>((it * kMaxSlots + slot) * 1000 + s);
}
inline bool InBatch(int64_t it, int w, int64_t b, int s) {
  const int off = ((s - Start(it, w, b)) % kSeries + kSeries) % kSeries;
  return off < Rows(it, w, b);
}
inline std::string SeriesId(int s) { return Format("%03d", s); }

}  // namespace fault::kill
