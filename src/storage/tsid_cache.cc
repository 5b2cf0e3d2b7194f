#include "storage/tsid_cache.h"

#include <xxhash.h>

#include <cstring>

namespace vme::storage {

TSIDCache::TSIDCache(uint64_t budget_bytes) : shard_budget_(budget_bytes / kShards) {}

bool TSIDCache::Find(const Shard& s, uint64_t h, std::string_view key, size_t* idx) {
  if (s.slots.empty()) return false;
  const size_t mask = s.slots.size() - 1;
  for (size_t i = (h >> 4) & mask;; i = (i + 1) & mask) {
    const Slot& slot = s.slots[i];
    if (slot.key_len == 0) {
      *idx = i;
      return false;
    }
    if (slot.hash == h && slot.key_len == key.size() &&
        std::memcmp(s.arena.data() + slot.key_off, key.data(), key.size()) == 0) {
      *idx = i;
      return true;
    }
  }
}

void TSIDCache::Grow(Shard* s) {
  std::vector<Slot> old;
  old.swap(s->slots);
  s->slots.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
  const size_t mask = s->slots.size() - 1;
  for (const Slot& slot : old) {
    if (slot.key_len == 0) continue;
    size_t i = (slot.hash >> 4) & mask;
    while (s->slots[i].key_len != 0) i = (i + 1) & mask;
    s->slots[i] = slot;
  }
}

bool TSIDCache::Get(std::string_view key, TSID* out) {
  const uint64_t h = XXH3_64bits(key.data(), key.size());
  Shard& s = shards_[h % kShards];
  std::lock_guard<std::mutex> l(s.mu);
  size_t idx;
  if (!Find(s, h, key, &idx)) return false;
  *out = s.slots[idx].tsid;
  return true;
}

void TSIDCache::Put(std::string_view key, const TSID& tsid) {
  if (key.empty() || key.size() > UINT32_MAX) return;
  const uint64_t h = XXH3_64bits(key.data(), key.size());
  Shard& s = shards_[h % kShards];
  std::lock_guard<std::mutex> l(s.mu);
  const uint64_t bytes = s.arena.size() + s.slots.size() * sizeof(Slot);
  if (bytes + key.size() > shard_budget_ || s.arena.size() + key.size() > UINT32_MAX) {
    s.slots.clear();
    s.arena.clear();
    s.used = 0;
  }
  if ((s.used + 1) * 4 > s.slots.size() * 3) Grow(&s);
  size_t idx = 0;
  if (Find(s, h, key, &idx)) {
    s.slots[idx].tsid = tsid;
    return;
  }
  Slot& slot = s.slots[idx];
  slot.hash = h;
  slot.key_off = static_cast<uint32_t>(s.arena.size());
  slot.key_len = static_cast<uint32_t>(key.size());
  slot.tsid = tsid;
  s.arena.append(key);
  s.used++;
}

void TSIDCache::Clear() {
  for (Shard& s : shards_) {
    std::lock_guard<std::mutex> l(s.mu);
    s.slots.clear();
    s.arena.clear();
    s.used = 0;
  }
}

uint64_t TSIDCache::size() const {
  uint64_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard<std::mutex> l(s.mu);
    n += s.used;
  }
  return n;
}

}  // namespace vme::storage
