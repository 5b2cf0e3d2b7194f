// TSIDCache: series key (tenant + packed labels, the raw ingestion form) -> TSID, the
// tsidCache of VictoriaMetrics lib/storage/storage.go. Sharded open-addressing tables keyed by
// xxh3-64 of the key, with the key bytes kept in a per-shard arena, so a lookup costs one hash and
// usually one probe. Each shard holds two generations (as VictoriaMetrics' workingsetcache): new
// entries go to the current one; when it reaches half of the shard's share of the memory budget
// it becomes the previous one and the old previous one is dropped; a hit in the previous
// generation is copied into the current one. So series that keep receiving samples stay cached
// under a churn of new series, and memory stays within the budget. Dropped entries are
// re-resolved from indexdb on the next miss; the cache is never trusted over the index for
// anything but speed.
//
// Thread-safety: all methods may be called concurrently (one mutex per shard).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "storage/tsid.h"

namespace vme::storage {

class TSIDCache {
 public:
  explicit TSIDCache(uint64_t budget_bytes);
  bool Get(std::string_view key, TSID* out);
  void Put(std::string_view key, const TSID& tsid);
  uint64_t size() const;
  void Clear();

 private:
  static constexpr size_t kShards = 16;
  struct Slot {
    uint64_t hash = 0;
    uint32_t key_off = 0;
    uint32_t key_len = 0;  // 0 = empty slot (keys are never empty: they carry the tenant)
    TSID tsid;
  };
  struct Gen {
    std::vector<Slot> slots;
    std::string arena;
    size_t used = 0;
    uint64_t bytes() const { return arena.size() + slots.size() * sizeof(Slot); }
    void Clear() {
      slots.clear();
      arena.clear();
      used = 0;
    }
  };
  struct Shard {
    mutable std::mutex mu;
    Gen curr, prev;
  };
  static bool Find(const Gen& g, uint64_t h, std::string_view key, size_t* idx);
  static void Grow(Gen* g);
  // Inserts or updates key in s->curr, rotating the generations first when it is full.
  void Insert(Shard* s, uint64_t h, std::string_view key, const TSID& tsid);

  const uint64_t shard_budget_;
  Shard shards_[kShards];
};

}  // namespace vme::storage
