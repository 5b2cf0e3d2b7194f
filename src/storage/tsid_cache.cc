#include "storage/tsid_cache.h"

#include <xxhash.h>

#include <cstring>

namespace vme::storage {

TSIDCache::TSIDCache(uint64_t budget_bytes) : shard_budget_(budget_bytes / kShards) {}

bool TSIDCache::Find(const Gen& g, uint64_t h, std::string_view key, size_t* idx) {
  if (g.slots.empty()) return false;
  const size_t mask = g.slots.size() - 1;
  for (size_t i = (h >> 4) & mask;; i = (i + 1) & mask) {
    const Slot& slot = g.slots[i];
    if (slot.key_len == 0) {
      *idx = i;
      return false;
    }
    if (slot.hash == h && slot.key_len == key.size() &&
        std::memcmp(g.arena.data() + slot.key_off, key.data(), key.size()) == 0) {
      *idx = i;
      return true;
    }
  }
}

void TSIDCache::Grow(Gen* g) {
  std::vector<Slot> old;
  old.swap(g->slots);
  g->slots.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
  const size_t mask = g->slots.size() - 1;
  for (const Slot& slot : old) {
    if (slot.key_len == 0) continue;
    size_t i = (slot.hash >> 4) & mask;
    while (g->slots[i].key_len != 0) i = (i + 1) & mask;
    g->slots[i] = slot;
  }
}

void TSIDCache::Insert(Shard* s, uint64_t h, std::string_view key, const TSID& tsid) {
  Gen* g = &s->curr;
  size_t idx = 0;
  if (Find(*g, h, key, &idx)) {
    g->slots[idx].tsid = tsid;
    return;
  }
  // Full: the current generation becomes the previous one (its slots and arena are reused).
  const bool grows = (g->used + 1) * 4 > g->slots.size() * 3;
  const uint64_t next_bytes =
      g->bytes() + key.size() + (grows ? g->slots.size() * sizeof(Slot) : 0);
  if (next_bytes > shard_budget_ / 2 || g->arena.size() + key.size() > UINT32_MAX) {
    std::swap(s->curr, s->prev);
    g->Clear();
  }
  if ((g->used + 1) * 4 > g->slots.size() * 3) Grow(g);
  Find(*g, h, key, &idx);
  Slot& slot = g->slots[idx];
  slot.hash = h;
  slot.key_off = static_cast<uint32_t>(g->arena.size());
  slot.key_len = static_cast<uint32_t>(key.size());
  slot.tsid = tsid;
  g->arena.append(key);
  g->used++;
}

bool TSIDCache::Get(std::string_view key, TSID* out) {
  const uint64_t h = XXH3_64bits(key.data(), key.size());
  Shard& s = shards_[h % kShards];
  std::lock_guard<std::mutex> l(s.mu);
  size_t idx = 0;
  if (Find(s.curr, h, key, &idx)) {
    *out = s.curr.slots[idx].tsid;
    return true;
  }
  if (!Find(s.prev, h, key, &idx)) return false;
  *out = s.prev.slots[idx].tsid;
  // Still in use: keep it across the next rotation.
  Insert(&s, h, key, *out);
  return true;
}

void TSIDCache::Put(std::string_view key, const TSID& tsid) {
  if (key.empty() || key.size() > UINT32_MAX) return;
  const uint64_t h = XXH3_64bits(key.data(), key.size());
  Shard& s = shards_[h % kShards];
  std::lock_guard<std::mutex> l(s.mu);
  Insert(&s, h, key, tsid);
}

void TSIDCache::Clear() {
  for (Shard& s : shards_) {
    std::lock_guard<std::mutex> l(s.mu);
    s.curr.Clear();
    s.prev.Clear();
  }
}

uint64_t TSIDCache::size() const {
  uint64_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard<std::mutex> l(s.mu);
    n += s.curr.used + s.prev.used;
  }
  return n;
}

}  // namespace vme::storage
