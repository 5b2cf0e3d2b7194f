// Sequential reader of all blocks of a mergeset part, used by merges. Checks the reader
// invariants of docs/format.md, "mergeset tables": blocks sorted and non-overlapping, item and
// block counts and FirstItem/LastItem matching metadata.json.
#pragma once

#include <memory>

#include "mergeset/part.h"

namespace vme::mergeset {

class BlockStreamReader {
 public:
  explicit BlockStreamReader(std::shared_ptr<const Part> part) : part_(std::move(part)) {}

  // Loads the next block; false at the end or on error (see status()).
  bool NextBlock();
  const InmemoryBlock& block() const { return *block_; }
  const Status& status() const { return status_; }
  const Part& part() const { return *part_; }

 private:
  bool Fail(Status st);

  std::shared_ptr<const Part> part_;
  std::shared_ptr<const IndexBlock> bhs_;
  std::shared_ptr<const InmemoryBlock> block_;
  size_t row_ = 0;
  size_t bh_ = 0;
  uint64_t items_ = 0;
  uint64_t blocks_ = 0;
  std::string prev_last_;
  bool done_ = false;
  Status status_;
};

}  // namespace vme::mergeset
