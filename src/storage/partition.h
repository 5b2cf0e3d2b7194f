// Partition: one month of data (reference §3.6, §6, lib/storage/partition.go).
//
// Directories: <data>/small/YYYY_MM and <data>/big/YYYY_MM, each with tmp/ and txn/ and one
// directory per file part. Rows flow raw rows -> in-memory parts (FlushRawRows) -> small file
// parts (FlushInmemoryParts) -> merged small or big file parts (MergeOnce). Every file part is
// produced by the transaction flow of §6.6: the merge writes into tmp/<idx>, a txn file
// txn/<idx> lists the source part directories to delete and `tmp -> dst`, the txn is run
// (sources removed, tmp renamed, both partition directories fsync'ed), then the txn file is
// deleted. Opening replays leftover txn files, then recreates tmp/ and txn/.
//
// Thread-safety: all public methods may be called concurrently. Parts are reference counted
// (PartPtr); a part replaced by a merge stays readable by searches that still hold it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "storage/inmemory_part.h"
#include "storage/merge.h"
#include "storage/part.h"
#include "storage/raw_row.h"
#include "util/status.h"

namespace vme::storage {

struct PartitionOptions {
  int64_t dedup_interval_ms = 0;
  int64_t retention_ms = 0;       // 0 = keep everything; else merges drop older rows
  size_t max_raw_rows = 500'000;  // raw rows per partition before a synchronous flush
  uint64_t max_small_part_bytes = 10'000'000;
};

struct PartitionStats {
  uint64_t inmemory_parts = 0, small_parts = 0, big_parts = 0;
  uint64_t rows = 0, blocks = 0, size_bytes = 0, raw_rows = 0;
};

class Partition {
 public:
  // Opens (creating directories as needed) the partition `name` (YYYY_MM) under small_root and
  // big_root, replaying txn files and opening every part.
  static Result<std::shared_ptr<Partition>> Open(const std::string& small_root,
                                                 const std::string& big_root,
                                                 const std::string& name,
                                                 const PartitionOptions& opts);

  const std::string& name() const { return name_; }
  const TimeRange& range() const { return range_; }

  // Buffers rows (all inside range()). Converts the buffer to an in-memory part when full.
  Status AddRows(const RawRow* rows, size_t n);
  // Raw rows -> one in-memory part.
  Status FlushRawRows();
  // All in-memory parts -> one small (or big) file part.
  Status FlushInmemoryParts();
  // Raw rows and in-memory parts -> file parts.
  Status FlushToDisk();
  // One merge of file parts chosen by the §6.5 policy; *merged tells whether one ran.
  Status MergeOnce(bool* merged, const std::unordered_set<uint64_t>* deleted);
  // Merges every part into one (§6.10).
  Status ForceMerge(const std::unordered_set<uint64_t>* deleted);

  // All current parts (in-memory, small, big), pinned by the returned references.
  std::vector<PartPtr> Parts() const;
  PartitionStats Stats() const;

 private:
  struct PartEntry {
    PartPtr part;
    bool in_merge = false;
    bool big = false;
  };

  Partition(std::string small_dir, std::string big_dir, std::string name, TimeRange range,
            const PartitionOptions& opts);

  Status OpenSide(const std::string& dir, bool big);
  // Merges `sources` (flagged in_merge by the caller) into one file part (§6.6).
  Status MergeParts(const std::vector<PartPtr>& sources, bool force_big,
                    const std::unordered_set<uint64_t>* deleted, PartPtr* result);
  Status RunTransaction(const std::string& txn_path, const std::string& text);
  void ClearInMerge(const std::vector<PartPtr>& parts);

  const std::string small_dir_;
  const std::string big_dir_;
  const std::string name_;
  const TimeRange range_;
  const PartitionOptions opts_;
  std::atomic<uint64_t> merge_idx_;

  mutable std::mutex raw_mu_;
  std::vector<RawRow> raw_rows_;

  mutable std::mutex mu_;
  std::vector<PartEntry> inmemory_;
  std::vector<PartEntry> small_;
  std::vector<PartEntry> big_;
  std::mutex merge_mu_;  // serializes merges and flushes to disk in this partition
};

}  // namespace vme::storage
