// LruCache: a sharded, size-bounded least-recently-used map from string keys to immutable
// shared values, the shape of VictoriaMetrics' search caches (lib/workingsetcache, the
// indexBlock cache of lib/storage/part.go). Each of the 16 shards holds its own list and map
// under its own mutex, and evicts its least recently used entries when its share of the
// capacity is exceeded. Values are handed out as shared_ptr<const V>: an evicted value stays
// valid for whoever still holds it.
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vme::storage {

template <typename V>
class LruCache {
 public:
  static constexpr size_t kShards = 16;
  // Bytes an entry costs besides its key and value (list node, map node, control block).
  static constexpr size_t kEntryOverhead = 128;

  explicit LruCache(uint64_t capacity_bytes) : capacity_(capacity_bytes) {}

  void SetCapacity(uint64_t bytes) { capacity_.store(bytes, std::memory_order_relaxed); }
  uint64_t capacity() const { return capacity_.load(std::memory_order_relaxed); }

  // The value of key (marking it most recently used), or nullptr.
  std::shared_ptr<const V> Get(std::string_view key) {
    Shard& s = ShardOf(key);
    std::lock_guard<std::mutex> l(s.mu);
    auto it = s.map.find(key);
    if (it == s.map.end()) return nullptr;
    s.lru.splice(s.lru.begin(), s.lru, it->second);
    return it->second->value;
  }

  // Inserts or replaces key; value_bytes is the value's memory. A value larger than a shard's
  // share of the capacity is not kept.
  void Put(std::string_view key, std::shared_ptr<const V> value, size_t value_bytes) {
    Shard& s = ShardOf(key);
    const size_t bytes = key.size() + value_bytes + kEntryOverhead;
    const uint64_t share = capacity() / kShards;
    std::lock_guard<std::mutex> l(s.mu);
    EraseLocked(s, key);
    if (bytes > share) return;
    s.lru.push_front(Entry{std::string(key), std::move(value), bytes});
    s.map.emplace(std::string_view(s.lru.front().key), s.lru.begin());
    s.bytes += bytes;
    while (s.bytes > share && !s.lru.empty()) {
      s.map.erase(std::string_view(s.lru.back().key));
      s.bytes -= s.lru.back().bytes;
      s.lru.pop_back();
    }
  }

  void Erase(std::string_view key) {
    Shard& s = ShardOf(key);
    std::lock_guard<std::mutex> l(s.mu);
    EraseLocked(s, key);
  }

  void Clear() {
    for (Shard& s : shards_) {
      std::lock_guard<std::mutex> l(s.mu);
      s.map.clear();
      s.lru.clear();
      s.bytes = 0;
    }
  }

  // Bytes and entries held now (sums over the shards; a snapshot under concurrent use).
  uint64_t bytes() const {
    uint64_t n = 0;
    for (const Shard& s : shards_) {
      std::lock_guard<std::mutex> l(s.mu);
      n += s.bytes;
    }
    return n;
  }
  size_t entries() const {
    size_t n = 0;
    for (const Shard& s : shards_) {
      std::lock_guard<std::mutex> l(s.mu);
      n += s.map.size();
    }
    return n;
  }

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const V> value;
    size_t bytes;
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // most recently used first
    std::unordered_map<std::string_view, typename std::list<Entry>::iterator> map;
    uint64_t bytes = 0;
  };

  Shard& ShardOf(std::string_view key) {
    return shards_[std::hash<std::string_view>()(key) % kShards];
  }
  static void EraseLocked(Shard& s, std::string_view key) {
    auto it = s.map.find(key);
    if (it == s.map.end()) return;
    auto node = it->second;
    s.map.erase(it);
    s.bytes -= node->bytes;
    s.lru.erase(node);
  }

  std::atomic<uint64_t> capacity_;
  Shard shards_[kShards];
};

}  // namespace vme::storage
