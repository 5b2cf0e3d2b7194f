// partSearch (VictoriaMetrics Search.NextMetricBlock in lib/storage/search.go, Block.UnmarshalData
// in lib/storage/block.go, lib/storage/part_search.go): finds the blocks of a sorted list of TSIDs
// inside a time range in one part, walking the resident metaindex and reading only the index blocks
// that may hold them.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "storage/block.h"
#include "storage/block_header.h"
#include "storage/part.h"
#include "storage/raw_row.h"
#include "storage/tsid.h"
#include "util/status.h"

namespace vme::storage {

class PartSearch {
 public:
  // tsids must be sorted and outlive the search.
  void Init(PartPtr part, const std::vector<TSID>* tsids, TimeRange tr);
  // Advances to the next matching block in (TSID, MinTimestamp) order; false at the end or on
  // error (see status()).
  bool NextBlock();
  const BlockHeader& block_header() const { return (*bhs_)[bh_idx_ - 1]; }
  const PartPtr& part() const { return part_; }
  // Decodes the current block, keeping only rows inside the time range.
  Status ReadBlock(Block* dst) const;
  const Status& status() const { return status_; }

 private:
  bool NextIndexBlock();

  PartPtr part_;
  const std::vector<TSID>* tsids_ = nullptr;
  TimeRange tr_;
  size_t tsid_idx_ = 0;
  size_t mr_idx_ = 0;
  // The current index block (shared with the IndexBlockCache).
  std::shared_ptr<const std::vector<BlockHeader>> bhs_;
  size_t bh_idx_ = 0;
  Status status_;
  mutable std::vector<int64_t> tmp_ts_;
  mutable std::vector<int64_t> tmp_values_;
};

}  // namespace vme::storage
