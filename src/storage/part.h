// A data part (docs/format.md, "Data parts"; lib/storage/part.go): an immutable sorted run of
// blocks, either in memory (the four byte streams of an InmemoryPart) or a directory
//
//   <rows>_<blocks>_<minTs>_<maxTs>_<16 hex>/
//     timestamps.bin  values.bin  index.bin  metaindex.bin  [min_dedup_interval]
//
// (formats: part_header.h, block_header.h, metaindex_row.h). Opening loads and validates the
// metaindex (it stays resident); index blocks and payloads are read on demand with pread.
// Decoded index blocks are kept in the process-wide IndexBlockCache (search_caches.h) under the
// part's id, a number no other part of the process ever has; the destructor drops them.
//
// A file part with a checksum sidecar (util/part_checksums.h; docs/format.md, "Checksums") is
// verified as it is read: file sizes, metaindex.bin and min_dedup_interval when opened, an
// index block when read from index.bin (before the cache), a block's payloads when read
// (CheckBlockPayloads). A mismatch is Corruption naming the part directory, the file and the
// offset, and marks the part corrupt() (Partition quarantines such parts when asked to).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "encoding/zstd.h"
#include "storage/block.h"
#include "storage/block_header.h"
#include "storage/inmemory_part.h"
#include "storage/metaindex_row.h"
#include "storage/part_header.h"
#include "storage/raw_row.h"
#include "util/fs.h"
#include "util/part_checksums.h"
#include "util/status.h"

namespace vme::storage {

class Part;
using PartPtr = std::shared_ptr<const Part>;

class Part {
 public:
  enum class File { kTimestamps = 0, kValues = 1, kIndex = 2 };

  // Opens a file part: parses the dir name, reads min_dedup_interval (missing = 0), loads and
  // validates metaindex.bin, opens timestamps.bin / values.bin / index.bin for pread.
  static Result<PartPtr> OpenFile(const std::string& dir);
  // Builds an in-memory part from raw rows (VictoriaMetrics lib/storage/inmemory_part.go,
  // InmemoryPart::InitFromRows).
  static Result<PartPtr> CreateInmemory(std::vector<RawRow>* rows, int64_t dedup_interval_ms);
  // Wraps an in-memory part (validates its metaindex).
  static Result<PartPtr> FromInmemory(std::shared_ptr<const InmemoryPart> mp);

  ~Part();
  Part(const Part&) = delete;
  Part& operator=(const Part&) = delete;

  const PartHeader& header() const { return ph_; }
  uint64_t size_bytes() const { return size_bytes_; }
  const std::string& path() const { return path_; }
  bool is_inmemory() const { return mem_ != nullptr; }
  // The in-memory streams (nullptr for file parts).
  const InmemoryPart* inmemory() const { return mem_.get(); }
  const std::vector<MetaindexRow>& metaindex() const { return metaindex_; }

  uint64_t FileSize(File f) const;
  // "<dir>/timestamps.bin" or "in-memory timestamps.bin".
  std::string FileName(File f) const;
  // Appends n bytes at offset to dst; Corruption naming the file and offset if out of bounds.
  Status ReadAt(File f, uint64_t offset, size_t n, std::string* dst) const;

  // Reads, decompresses and decodes the index block of metaindex row i, and checks it
  // against the row (first TSID, time range; Corruption naming part, file and offset).
  Status ReadIndexBlock(size_t i, std::vector<BlockHeader>* dst) const;
  // ReadIndexBlock through the IndexBlockCache: the shared, immutable headers of row i.
  Result<std::shared_ptr<const std::vector<BlockHeader>>> IndexBlock(size_t i) const;
  // Unique in the process (never reused).
  uint64_t id() const { return id_; }
  // Reads the two payloads of a block (replacing *ts and *values).
  Status ReadBlockData(const BlockHeader& bh, std::string* ts, std::string* values) const;
  // The two payloads of a block: views into the in-memory streams, or read (one pread each)
  // into *ts_buf and *values_buf. Views are valid while the part and the buffers are.
  Status BlockPayloads(const BlockHeader& bh, enc::ScratchBuffer* ts_buf,
                       enc::ScratchBuffer* values_buf, std::string_view* ts,
                       std::string_view* values) const;
  // Reads and decodes a block into timestamps and mantissas.
  Status ReadDecodedBlock(const BlockHeader& bh, std::vector<int64_t>* ts,
                          std::vector<int64_t>* mantissas) const;
  // The Corruption of a block whose payloads do not decode (cause): names the MetricID and
  // the offsets in timestamps.bin and values.bin.
  Status BlockDecodeError(const BlockHeader& bh, const Status& cause) const;
  // Calls fn for every block header in part order; stops at the first error.
  Status ForEachBlockHeader(const std::function<Status(const BlockHeader&)>& fn) const;
  // Checks the payloads of a block against bh.checksum (set from the sidecar by
  // ReadIndexBlock; OK when absent): Corruption naming the part, both files and offsets.
  Status CheckBlockPayloads(const BlockHeader& bh, std::string_view ts,
                            std::string_view values) const;
  // Whether the part has a checksum sidecar.
  bool has_checksums() const { return has_sums_; }
  // Set once a read of this part found corrupt bytes (a checksum mismatch or an undecodable
  // block or index block). Thread-safe.
  bool corrupt() const { return corrupt_.load(std::memory_order_relaxed); }

 private:
  Part();
  std::string IndexBlockCacheKey(size_t i) const;
  Status LoadMetaindex(std::string_view compressed, const std::string& name);
  Status CheckMetaindexRow(size_t i, const std::vector<BlockHeader>& bhs) const;
  std::string MetaindexName() const;
  // Loads and checks the sidecar (file sizes, metaindex.bin, min_dedup_interval) of a file part.
  Status LoadChecksums(std::string_view metaindex);
  Status MarkCorrupt(Status st) const;

  const uint64_t id_;
  PartHeader ph_;
  std::string path_;
  uint64_t size_bytes_ = 0;
  std::shared_ptr<const InmemoryPart> mem_;
  std::unique_ptr<fs::RandomAccessFile> files_[3];
  std::vector<MetaindexRow> metaindex_;
  bool has_sums_ = false;
  PartChecksums sums_;
  std::vector<uint64_t> block_base_;  // index in sums_.blocks of each row's first block
  mutable std::atomic<bool> corrupt_{false};
};

}  // namespace vme::storage
