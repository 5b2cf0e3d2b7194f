// blockStreamReader (VictoriaMetrics blockStreamReader.readBlock,
// lib/storage/block_stream_reader.go): reads every block of a part sequentially, in part order,
// without decoding the payloads, and checks the invariants a writer must guarantee:
//   1. index blocks lie in index.bin in metaindex order, contiguous from offset 0;
//   2. metaindex rows and block headers lie inside the part's [min, max] timestamps;
//   3. each index block holds exactly BlockHeadersCount headers;
//   4. values payloads are contiguous from 0 in header order;
//   5. timestamps payloads likewise, except that a header may repeat the previous distinct
//      timestamps payload (same offset and size);
//   6. rows and blocks read never exceed (and at the end equal) the part header counts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/block.h"
#include "storage/part.h"
#include "util/status.h"

namespace vme::storage {

class BlockStreamReader {
 public:
  explicit BlockStreamReader(PartPtr part);
  BlockStreamReader(const BlockStreamReader&) = delete;
  BlockStreamReader& operator=(const BlockStreamReader&) = delete;

  // Advances to the next block; false at the end or on error (see status()).
  bool NextBlock();
  // The current block (encoded payloads). Callers may modify or swap it out before the next
  // NextBlock().
  DataBlock& block() { return block_; }
  const Status& status() const { return status_; }
  const PartPtr& part() const { return part_; }

 private:
  class ChunkReader {
   public:
    ChunkReader(const Part* part, Part::File f) : part_(part), file_(f) {}
    Status Read(uint64_t offset, size_t n, std::string* dst);

   private:
    const Part* part_;
    Part::File file_;
    std::string buf_;
    uint64_t buf_offset_ = 0;
  };

  bool Fail(Status st);
  Status ReadNext();

  PartPtr part_;
  Status status_;
  bool done_ = false;
  DataBlock block_;
  std::vector<BlockHeader> bhs_;
  size_t bh_idx_ = 0;
  size_t mr_idx_ = 0;
  uint64_t index_offset_ = 0;
  uint64_t values_offset_ = 0;
  uint64_t timestamps_offset_ = 0;
  uint64_t prev_timestamps_offset_ = 0;
  std::string prev_timestamps_data_;
  uint64_t rows_read_ = 0;
  uint64_t blocks_read_ = 0;
  ChunkReader timestamps_reader_;
  ChunkReader values_reader_;
};

}  // namespace vme::storage
