#include "storage/search_caches.h"

namespace vme::storage {
namespace {

constexpr uint64_t kDefaultCacheBytes = uint64_t{256} << 20;
constexpr uint64_t kBudgetShare = 32;

}  // namespace

bool TagFiltersCacheEntry::SameParts(
    const std::vector<std::shared_ptr<const mergeset::Part>>& current) const {
  if (parts.size() != current.size()) return false;
  for (size_t i = 0; i < parts.size(); i++) {
    // Owner identity: an expired weak_ptr still names its control block, which cannot be
    // reused while the weak_ptr exists, so a new part never compares equal to an old one.
    if (parts[i].owner_before(current[i]) || current[i].owner_before(parts[i])) return false;
  }
  return true;
}

LruCache<std::vector<BlockHeader>>& IndexBlockCache() {
  static auto* cache = new LruCache<std::vector<BlockHeader>>(kDefaultCacheBytes / kBudgetShare);
  return *cache;
}

LruCache<TagFiltersCacheEntry>& TagFiltersCache() {
  static auto* cache = new LruCache<TagFiltersCacheEntry>(kDefaultCacheBytes / kBudgetShare);
  return *cache;
}

void ConfigureSearchCaches(uint64_t cache_bytes) {
  IndexBlockCache().SetCapacity(cache_bytes / kBudgetShare);
  TagFiltersCache().SetCapacity(cache_bytes / kBudgetShare);
}

}  // namespace vme::storage
