// The process-wide caches of the read path (VictoriaMetrics keeps the same two: the
// indexBlock cache of lib/storage/part.go, keyed by part and index block, and the
// tagFiltersCache of lib/storage/index_db.go):
//
//   IndexBlockCache()   part id + metaindex row -> the decoded block headers of that index
//                       block. Parts are immutable, so an entry never goes stale; a part
//                       drops its entries when it is destroyed (merged away, retention).
//   TagFiltersCache()   indexdb id + tenant + tag filters -> sorted MetricIDs, stored with
//                       the exact list of mergeset parts they were computed from. An entry
//                       is used only while the indexdb table still has that list, so any
//                       change of what a search could see (new series flushed, deleted
//                       MetricID entries, merges) makes it a miss.
//
// Memory bound: each cache holds at most 1/32 of the cache budget (StorageOptions::cache_bytes,
// vme_options_set_cache_bytes) of the storage that configured it last; until then, 1/32 of
// the default budget of 256 MiB.
//
// Thread-safety: every function may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "storage/block_header.h"
#include "storage/lru_cache.h"

namespace vme::mergeset {
class Part;
}

namespace vme::storage {

struct TagFiltersCacheEntry {
  // The indexdb table's parts the MetricIDs were computed from (owner identity only: they do
  // not keep the parts alive).
  std::vector<std::weak_ptr<const mergeset::Part>> parts;
  std::vector<uint64_t> metric_ids;

  // True if parts is exactly `current`, element by element.
  bool SameParts(const std::vector<std::shared_ptr<const mergeset::Part>>& current) const;
};

LruCache<std::vector<BlockHeader>>& IndexBlockCache();
LruCache<TagFiltersCacheEntry>& TagFiltersCache();

// Sizes both caches from a storage's cache budget.
void ConfigureSearchCaches(uint64_t cache_bytes);

}  // namespace vme::storage
