// Search within one mergeset part (VictoriaMetrics TableSearch.Seek in
// lib/mergeset/table_search.go, lib/mergeset/part_search.go): Seek(k) positions at the first item
// >= k via a binary search over the metaindex rows, then over the block headers of one index block,
// then over the items of one block.
#pragma once

#include <memory>
#include <string_view>

#include "mergeset/part.h"

namespace vme::mergeset {

class PartSearch {
 public:
  explicit PartSearch(std::shared_ptr<const Part> part) : part_(std::move(part)) {}

  // Positions at the first item >= key. Returns false at EOF or on error (see status()).
  bool Seek(std::string_view key);
  // Advances to the next item. Returns false at EOF or on error.
  bool Next();
  // The current item; valid while the search stays in the same block.
  std::string_view Item() const { return block_->item(pos_); }
  bool valid() const { return valid_; }
  const Status& status() const { return status_; }
  const Part& part() const { return *part_; }

 private:
  bool Fail(Status st);
  bool LoadIndexBlock(size_t row);
  bool LoadBlock(size_t bh);
  // Moves to the first item of the next block; false at EOF/error.
  bool NextBlock();

  std::shared_ptr<const Part> part_;
  std::shared_ptr<const IndexBlock> bhs_;
  std::shared_ptr<const InmemoryBlock> block_;
  size_t row_ = 0;
  size_t bh_ = 0;
  size_t pos_ = 0;
  bool valid_ = false;
  Status status_;
};

}  // namespace vme::mergeset
