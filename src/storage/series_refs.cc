#include "storage/series_refs.h"

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <mutex>

namespace vme::storage {
namespace {

// Tags of the tables of this process: consecutive, never 0, so that the references of two
// handles open in the same process differ until 65535 more handles were opened.
uint16_t NextTag() {
  static std::atomic<uint32_t> next{0};
  for (;;) {
    const uint16_t t = static_cast<uint16_t>(next.fetch_add(1) + 1);
    if (t != 0) return t;
  }
}

Status BadRef(size_t i, uint64_t ref, const char* why) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "refs[%zu] = 0x%016" PRIx64 " is not a series ref of this db (%s)",
                i, ref, why);
  return Status::InvalidArgument(buf);
}

}  // namespace

SeriesRefs::SeriesRefs() : tag_(NextTag()) {}

uint64_t SeriesRefs::Acquire(std::string_view cache_key) {
  std::unique_lock<std::shared_mutex> l(mu_);
  auto [it, inserted] = by_key_.try_emplace(std::string(cache_key), 0);
  if (!inserted) {
    counts_[it->second]++;
    return Encode(it->second);
  }
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
    keys_.push_back(nullptr);
    counts_.push_back(0);
  }
  it->second = slot;
  Slot& s = slots_[slot];
  const uint32_t gen = s.gen;
  s = Slot{};
  s.gen = gen;
  s.live = true;
  keys_[slot] = &it->first;
  counts_[slot] = 1;
  return Encode(slot);
}

Status SeriesRefs::Slots(const uint64_t* refs, size_t n, uint32_t* slots) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  for (size_t i = 0; i < n; i++) {
    const uint64_t r = refs[i];
    if (static_cast<uint16_t>(r >> 48) != tag_) {
      return BadRef(i, r, r == 0 ? "zero" : "of another db handle, or not a ref");
    }
    const uint32_t slot = static_cast<uint32_t>(r);
    if (slot >= slots_.size()) return BadRef(i, r, "no such slot");
    const Slot& s = slots_[slot];
    if (!s.live || (s.gen & 0xffff) != ((r >> 32) & 0xffff)) {
      return BadRef(i, r, "released");
    }
    slots[i] = slot;
  }
  return Status::OK();
}

Status SeriesRefs::Release(const uint64_t* refs, size_t n) {
  std::vector<uint32_t> slots(n);
  std::unique_lock<std::shared_mutex> l(mu_);
  for (size_t i = 0; i < n; i++) {
    const uint64_t r = refs[i];
    if (r == 0) {
      slots[i] = UINT32_MAX;
      continue;
    }
    const uint32_t slot = static_cast<uint32_t>(r);
    if (static_cast<uint16_t>(r >> 48) != tag_) {
      return BadRef(i, r, "of another db handle, or not a ref");
    }
    if (slot >= slots_.size()) return BadRef(i, r, "no such slot");
    if (!slots_[slot].live || (slots_[slot].gen & 0xffff) != ((r >> 32) & 0xffff)) {
      return BadRef(i, r, "released");
    }
    slots[i] = slot;
  }
  // Counts are checked before anything is released: a ref released more often than it was
  // resolved in this call is refused as a whole.
  std::unordered_map<uint32_t, uint32_t> drops;
  for (size_t i = 0; i < n; i++) {
    if (slots[i] == UINT32_MAX) continue;
    if (++drops[slots[i]] > counts_[slots[i]]) return BadRef(i, refs[i], "released too often");
  }
  for (const auto& [slot, k] : drops) {
    counts_[slot] -= k;
    if (counts_[slot] != 0) continue;
    Slot& s = slots_[slot];
    by_key_.erase(*keys_[slot]);
    keys_[slot] = nullptr;
    const uint32_t gen = s.gen + 1;
    s = Slot{};
    s.gen = gen;
    free_.push_back(slot);
  }
  return Status::OK();
}

void SeriesRefs::UpdateResolved(const std::vector<Resolution>& rs) {
  if (rs.empty()) return;
  std::unique_lock<std::shared_mutex> l(mu_);
  for (const Resolution& r : rs) {
    Slot& s = slots_[r.slot];
    if (!s.live || s.gen != r.gen || s.epoch > r.epoch) continue;
    if (s.epoch != r.epoch || s.state != r.state || s.tsid != r.tsid) s.date = INT64_MIN;
    s.tsid = r.tsid;
    s.epoch = r.epoch;
    s.state = r.state;
  }
}

void SeriesRefs::UpdateDates(const std::vector<DateUpdate>& ds) {
  if (ds.empty()) return;
  std::unique_lock<std::shared_mutex> l(mu_);
  for (const DateUpdate& d : ds) {
    Slot& s = slots_[d.r.slot];
    if (!s.live || s.gen != d.r.gen || s.epoch != d.r.epoch || s.tsid != d.r.tsid) continue;
    s.date = std::max(s.date, d.date);
  }
}

size_t SeriesRefs::live() const {
  std::shared_lock<std::shared_mutex> l(mu_);
  return by_key_.size();
}

}  // namespace vme::storage
