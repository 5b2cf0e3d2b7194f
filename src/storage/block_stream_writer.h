// blockStreamWriter (VictoriaMetrics blockStreamWriter.WriteExternalBlock; docs/format.md,
// "metaindexRow (64 bytes)"; lib/storage/block_stream_writer.go): appends blocks in (TSID,
// MinTimestamp) order to the four streams of a part, in memory or in a directory.
//
// Per block: optional dedup (VictoriaMetrics DeduplicateSamples in lib/storage/dedup.go),
// re-encoding of decoded blocks, timestamps-block sharing (a timestamps payload byte-identical to
// the previous one is not written again; the header points at the previous offset), the 89-byte
// header appended to the current index block and registered in the current metaindex row. An index
// block is flushed as one zstd frame once it reaches >= 65536 uncompressed bytes; Close() flushes
// the last one and writes metaindex.bin as one zstd frame of all metaindex rows.
//
// A directory writer also collects the checksums of the part's checksum sidecar
// (util/part_checksums.h): the xxh3-64 of each of its four files, one per index block and one
// per block; the caller adds min_dedup_interval and writes the sidecar (MergePartsToDir).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "storage/block.h"
#include "storage/inmemory_part.h"
#include "storage/metaindex_row.h"
#include "storage/part_header.h"
#include "util/fs.h"
#include "util/part_checksums.h"
#include "util/status.h"

namespace vme::storage {

// zstd level of index/metaindex blocks of file parts from the average rows per block
// (VictoriaMetrics getCompressLevelForRowsCount in lib/storage/partition.go).
int CompressLevelForRowsCount(uint64_t rows_count, uint64_t blocks_count);

class BlockStreamWriter {
 public:
  // Writes into dst's four buffers (cleared now); dst->ph is set by Close().
  static std::unique_ptr<BlockStreamWriter> ForInmemoryPart(
      InmemoryPart* dst, int compress_level = kInmemoryPartCompressLevel);
  // Creates the directory `dir`, which must not exist, and its four .bin files.
  static Result<std::unique_ptr<BlockStreamWriter>> ForDir(const std::string& dir,
                                                           int compress_level);
  ~BlockStreamWriter();
  BlockStreamWriter(const BlockStreamWriter&) = delete;
  BlockStreamWriter& operator=(const BlockStreamWriter&) = delete;

  // Samples of written blocks are deduplicated with this interval (0 = off).
  void set_dedup_interval(int64_t ms) { dedup_interval_ms_ = ms; }

  // WriteExternalBlock: writes *b (which it may decode, deduplicate and re-encode). Blocks
  // must come in (TSID, MinTimestamp) order and hold at least one row.
  Status WriteBlock(DataBlock* b);

  // Flushes the index, writes metaindex.bin; for directories closes (fsyncs) every file and
  // fsyncs the directory. The header then holds rows, blocks and min/max timestamps.
  Status Close();

  const PartHeader& header() const { return ph_; }
  // The sidecar checksums collected so far (directory writers; complete after Close()).
  const PartChecksums& checksums() const { return sums_; }

 private:
  class Stream;
  BlockStreamWriter(int compress_level);
  Status FlushIndexBlock();

  int compress_level_;
  int64_t dedup_interval_ms_ = 0;
  InmemoryPart* mem_ = nullptr;
  std::string dir_;
  std::unique_ptr<Stream> timestamps_, values_, index_, metaindex_;
  PartHeader ph_;
  std::string index_block_;
  std::string metaindex_data_;
  std::string compressed_;
  std::string header_buf_;
  MetaindexRow mr_;
  std::string prev_timestamps_data_;
  uint64_t prev_timestamps_offset_ = 0;
  bool closed_ = false;
  PartChecksums sums_;
};

}  // namespace vme::storage
