// A process-wide LRU cache of decoded mergeset blocks with a byte budget, keyed by
// (part id, file offset). Part ids are unique for the process lifetime, so entries of closed
// parts are never hit again and simply age out.
//
// The two caches of mergeset parts (decoded items blocks and index blocks, part.cc) take their
// budgets from the cache budget of the storage opened last (ConfigureBlockCaches), as
// VictoriaMetrics sizes its indexdb block caches from the memory allowed to the process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace vme::mergeset {

template <typename V>
class BlockCache {
 public:
  explicit BlockCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  // Changes the budget; entries beyond it are evicted at once.
  void SetCapacity(size_t max_bytes) {
    std::lock_guard<std::mutex> l(mu_);
    max_bytes_ = max_bytes;
    EvictLocked();
  }

  std::shared_ptr<const V> Get(uint64_t part_id, uint64_t offset) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = map_.find(Key{part_id, offset});
    if (it == map_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->value;
  }

  void Put(uint64_t part_id, uint64_t offset, std::shared_ptr<const V> v, size_t bytes) {
    std::lock_guard<std::mutex> l(mu_);
    if (bytes > max_bytes_ / 8) return;
    const Key k{part_id, offset};
    if (map_.count(k) != 0) return;
    lru_.push_front(Entry{k, std::move(v), bytes});
    map_[k] = lru_.begin();
    bytes_ += bytes;
    EvictLocked();
  }

 private:
  struct Key {
    uint64_t part_id;
    uint64_t offset;
    bool operator==(const Key& o) const { return part_id == o.part_id && offset == o.offset; }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<uint64_t>()(k.part_id * 0x9E3779B97F4A7C15ull ^ k.offset);
    }
  };
  struct Entry {
    Key key;
    std::shared_ptr<const V> value;
    size_t bytes;
  };

  void EvictLocked() {
    while (bytes_ > max_bytes_ && !lru_.empty()) {
      bytes_ -= lru_.back().bytes;
      map_.erase(lru_.back().key);
      lru_.pop_back();
    }
  }

  std::mutex mu_;
  std::list<Entry> lru_;
  std::unordered_map<Key, typename std::list<Entry>::iterator, KeyHash> map_;
  size_t bytes_ = 0;
  size_t max_bytes_;
};

// Sizes the process-wide caches of decoded mergeset blocks from a storage's cache budget
// (StorageOptions::cache_bytes, vme_options_set_cache_bytes): items blocks get cache_bytes / 16,
// index blocks cache_bytes / 32 (16 and 8 MiB with the default 256 MiB). Until a storage calls
// it, they use the shares of the default budget. Thread-safe.
void ConfigureBlockCaches(uint64_t cache_bytes);

}  // namespace vme::mergeset
