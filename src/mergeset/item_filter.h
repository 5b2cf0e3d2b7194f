// ItemFilter: an in-memory membership filter over the lookup keys of one mergeset part's items,
// so that an exact lookup skips the parts that cannot hold its key. It is never written to disk
// (the part format does not change): it is built while a part is written (flush or merge) and
// rebuilt from the items of a part opened from disk.
//
// Which items have a key, and what the key is, is the table's choice (ItemFilterKeys); an
// indexdb uses the MetricName -> TSID and Date -> MetricID items (storage/index_db.cc).
//
// Layout: a split-block Bloom filter (as Apache Parquet's) of 32-byte blocks of eight 32-bit
// words. A key's xxh3-64 hash picks one block with its upper 32 bits and sets one bit in each
// word of that block from its lower 32 bits multiplied by eight odd salts. About
// kItemFilterBitsPerKey bits per key give a false-positive rate near 0.1 %; there are no false
// negatives: every key added is reported as maybe present.
//
// Thread-safety: an ItemFilter is immutable once built and may be read concurrently; an
// ItemFilterBuilder is used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mergeset/encoding.h"

namespace vme::mergeset {

inline constexpr size_t kItemFilterBitsPerKey = 16;

// The keys of a table's items.
struct ItemFilterKeys {
  // Sets *key to the lookup key of `item` (a prefix of it, or all of it) and returns true, or
  // returns false when the item has no key. Must be cheap: it is called on every written item.
  bool (*key_of)(std::string_view item, std::string_view* key) = nullptr;
  // Every item with a key starts with one of these prefixes (used to read only those items
  // when a filter is built from a part on disk).
  std::vector<std::string> prefixes;
};

class ItemFilter {
 public:
  // The hash that Add and MayContain take.
  static uint64_t Hash(std::string_view key);

  // False only if no key with hash h was added.
  bool MayContain(uint64_t h) const {
    const Block& b = blocks_[BlockIndex(h)];
    const uint32_t x = static_cast<uint32_t>(h);
    for (int i = 0; i < 8; i++) {
      if ((b.words[i] & Bit(x, i)) == 0) return false;
    }
    return true;
  }
  // Starts loading the memory that MayContain(h) reads (checking many filters for one key
  // then waits for their cache misses at once rather than one after the other).
  void Prefetch(uint64_t h) const { __builtin_prefetch(&blocks_[BlockIndex(h)]); }
  // Keys added (duplicates counted).
  uint64_t keys() const { return keys_; }
  size_t size_bytes() const { return blocks_.size() * sizeof(Block); }

 private:
  friend class ItemFilterBuilder;
  struct alignas(32) Block {
    uint32_t words[8];
  };
  explicit ItemFilter(size_t expected_keys);
  size_t BlockIndex(uint64_t h) const {
    return static_cast<size_t>(((h >> 32) * static_cast<uint64_t>(blocks_.size())) >> 32);
  }
  static uint32_t Bit(uint32_t x, int i) {
    static constexpr uint32_t kSalt[8] = {0x47b6137bU, 0x44974d91U, 0x8824ad5bU, 0xa2b7289dU,
                                          0x705495c7U, 0x2df1424bU, 0x9efc4947U, 0x5c6bfb31U};
    return 1u << ((x * kSalt[i]) >> 27);
  }
  void Add(uint64_t h) {
    Block& b = blocks_[BlockIndex(h)];
    const uint32_t x = static_cast<uint32_t>(h);
    for (int i = 0; i < 8; i++) b.words[i] |= Bit(x, i);
    keys_++;
  }

  std::vector<Block> blocks_;
  uint64_t keys_ = 0;
};

// Collects the keys of the items of one part, in any order.
class ItemFilterBuilder {
 public:
  // expected_keys: an estimate of the keys to come (0 = unknown: hashes are kept until Finish,
  // which sizes the filter exactly). A low estimate only raises the false-positive rate.
  ItemFilterBuilder(const ItemFilterKeys* keys, uint64_t expected_keys);

  void AddItem(std::string_view item) {
    std::string_view key;
    if (keys_->key_of(item, &key)) AddHash(ItemFilter::Hash(key));
  }
  void AddBlock(const InmemoryBlock& b) {
    for (size_t i = 0; i < b.size(); i++) AddItem(b.item(i));
  }
  void AddHash(uint64_t h);
  std::unique_ptr<const ItemFilter> Finish();

 private:
  const ItemFilterKeys* keys_;
  std::unique_ptr<ItemFilter> filter_;  // sized up front when the estimate is known
  std::vector<uint64_t> hashes_;        // otherwise
};

}  // namespace vme::mergeset
