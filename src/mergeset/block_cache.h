// A process-wide LRU cache of decoded mergeset blocks with a byte budget, keyed by
// (part id, file offset). Part ids are unique for the process lifetime, so entries of closed
// parts are never hit again and simply age out.
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

  std::shared_ptr<const V> Get(uint64_t part_id, uint64_t offset) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = map_.find(Key{part_id, offset});
    if (it == map_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->value;
  }

  void Put(uint64_t part_id, uint64_t offset, std::shared_ptr<const V> v, size_t bytes) {
    if (bytes > max_bytes_ / 8) return;
    std::lock_guard<std::mutex> l(mu_);
    const Key k{part_id, offset};
    if (map_.count(k) != 0) return;
    lru_.push_front(Entry{k, std::move(v), bytes});
    map_[k] = lru_.begin();
    bytes_ += bytes;
    while (bytes_ > max_bytes_ && !lru_.empty()) {
      bytes_ -= lru_.back().bytes;
      map_.erase(lru_.back().key);
      lru_.pop_back();
    }
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

  std::mutex mu_;
  std::list<Entry> lru_;
  std::unordered_map<Key, typename std::list<Entry>::iterator, KeyHash> map_;
  size_t bytes_ = 0;
  const size_t max_bytes_;
};

}  // namespace vme::mergeset
