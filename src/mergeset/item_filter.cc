#include "mergeset/item_filter.h"

#include <xxhash.h>

#include <algorithm>

namespace vme::mergeset {

uint64_t ItemFilter::Hash(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

ItemFilter::ItemFilter(size_t expected_keys) {
  const uint64_t bits = std::max<uint64_t>(expected_keys, 1) * kItemFilterBitsPerKey;
  blocks_.assign(static_cast<size_t>((bits + 255) / 256), Block{});
}

ItemFilterBuilder::ItemFilterBuilder(const ItemFilterKeys* keys, uint64_t expected_keys)
    : keys_(keys) {
  if (expected_keys > 0) filter_.reset(new ItemFilter(expected_keys));
}

void ItemFilterBuilder::AddHash(uint64_t h) {
  if (filter_ != nullptr) {
    filter_->Add(h);
  } else {
    hashes_.push_back(h);
  }
}

std::unique_ptr<const ItemFilter> ItemFilterBuilder::Finish() {
  if (filter_ == nullptr) {
    filter_.reset(new ItemFilter(hashes_.size()));
    for (uint64_t h : hashes_) filter_->Add(h);
    hashes_.clear();
    hashes_.shrink_to_fit();
  }
  return std::move(filter_);
}

}  // namespace vme::mergeset
