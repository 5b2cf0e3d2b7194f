// Partition: one month of data (VictoriaMetrics partition.AddRows, lib/storage/partition.go).
//
// Directories: <data>/small/YYYY_MM and <data>/big/YYYY_MM, each with tmp/ and txn/ and one
// directory per file part. Rows flow raw rows -> in-memory parts -> small file parts ->
// merged small or big file parts:
//   - AddRows buffers rows; a full buffer is handed to the background arena, which converts
//     it to an in-memory part while the writer goes on (at most `threads` conversions are
//     pending; beyond that the writer converts itself);
//   - FlushRawRows converts the buffer; FlushInmemoryParts writes in-memory parts to disk;
//   - MergeOnce runs one merge chosen by the VictoriaMetrics appendPartsToMerge
//   (lib/storage/partition.go) policy.
// Every file part comes from the transaction flow (docs/format.md, "Transaction files";
// `partition.mergeParts`): the merge writes tmp/<idx>, a txn
// file txn/<idx> lists the source part directories and `tmp -> dst`; tmp is renamed to dst
// and both sides are fsync'ed. Source directories are removed only when the last reference
// to their part is released (searches and snapshots pin parts); then the txn file is deleted.
// Opening replays leftover txn files (removing listed sources at once; util/txn.h has the
// path and symlink rules), then recreates tmp/ and txn/. A read-write open refuses a small or
// big partition directory that is a symbolic link (VME_ERR_CORRUPTION): recovery and merges
// would delete inside its target. A read-only open (PartitionOptions::read_only) does no
// recovery and writes nothing.
//
// Retention arithmetic saturates: retention_ms = INT64_MAX ("forever") keeps everything.
//
// Thread-safety: all public methods may be called concurrently; merges of disjoint part sets
// run in parallel (parts being merged are flagged in_merge).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "storage/background_workers.h"
#include "storage/inmemory_part.h"
#include "storage/merge.h"
#include "storage/part.h"
#include "storage/raw_row.h"
#include "util/quarantine.h"
#include "util/status.h"

namespace vme::storage {

struct PartitionOptions {
  int64_t dedup_interval_ms = 0;
  int64_t retention_ms = 0;  // 0 = keep everything; else merges drop older rows
  // (CPUs + 7) / 8, as VictoriaMetrics partition.AddRows; AddRows picks one round-robin.
  size_t raw_shards = 1;
  size_t max_raw_rows = 500'000;  // rows per shard before a handoff to the arena
  uint64_t max_small_part_bytes = 10'000'000;
  size_t max_small_parts = 256;             // above it a writer helps merge (partition.addRowsPart)
  BackgroundWorkers* workers = nullptr;     // null: conversions run in the writer
  const std::atomic<bool>* stop = nullptr;  // set at close: background merges give up
  // The clock of retention decisions in merges (StorageOptions::now_ms); empty = NowMs().
  std::function<int64_t()> now_ms;
  // Open without recovery and write nothing: no txn replay (a pending txn file is
  // Status::Busy), no tmp/ or txn/ cleanup, no directory creation, empty part directories
  // are skipped; a side that does not exist is empty. Writes return VME_ERR_MISUSE.
  bool read_only = false;
  // The storage has a write-ahead log: rows reach disk only through its checkpoints
  // (Storage::WalCheckpoint), so ForceMerge does not flush them itself.
  bool wal = false;
  // Set (by Storage, with StorageOptions::quarantine) to move corrupt file parts away
  // (util/quarantine.h): a part that fails to open with Corruption, and a part found corrupt
  // by a search or a merge (QuarantineCorruptParts). Empty: the error surfaces instead.
  QuarantineFn quarantine;
};

struct PartitionStats {
  uint64_t inmemory_parts = 0, small_parts = 0, big_parts = 0;
  uint64_t rows = 0, blocks = 0, size_bytes = 0, raw_rows = 0, pending_conversions = 0;
  uint64_t obsolete_parts = 0;
};

enum class MergeKind { kSmall, kBig };

class Partition {
 public:
  static Result<std::shared_ptr<Partition>> Open(const std::string& small_root,
                                                 const std::string& big_root,
                                                 const std::string& name,
                                                 const PartitionOptions& opts);
  ~Partition();

  const std::string& name() const { return name_; }
  const TimeRange& range() const { return range_; }
  const std::string& small_dir() const { return small_dir_; }
  const std::string& big_dir() const { return big_dir_; }

  Status AddRows(const RawRow* rows, size_t n, const std::unordered_set<uint64_t>* deleted);
  // Converts the raw-row buffer and waits for handed-off conversions.
  Status FlushRawRows();
  // Writes in-memory parts to disk. With min_age_ms > 0 only parts at least that old.
  Status FlushInmemoryParts(int64_t min_age_ms = 0);
  Status FlushToDisk();
  // One merge of `kind` parts chosen by VictoriaMetrics appendPartsToMerge
  // (lib/storage/partition.go) (final: fan-in down to 3); *merged says if it ran.
  Status MergeOnce(MergeKind kind, bool final, const std::unordered_set<uint64_t>* deleted,
                   bool* merged);
  // Merges every file part into one (VictoriaMetrics partition.ForceMergeAllParts in
  // lib/storage/partition.go), after in-flight merges finish.
  Status ForceMerge(const std::unordered_set<uint64_t>* deleted);
  // Drops parts whose rows are all older than deadline (the stale parts remover, VictoriaMetrics
  // partition.stalePartsRemover in lib/storage/partition.go).
  Status DropStaleParts(int64_t deadline);
  // Removes directories of merged-away parts nobody references any more.
  Status RemoveObsoleteParts();
  // With PartitionOptions::quarantine: detaches the file parts that a read found corrupt
  // (Part::corrupt()) and are not being merged, and hands them to the quarantine function with
  // `why`. Searches holding such a part keep reading it through its open files; a merge of it
  // fails on the same bytes and calls this again. Without the option: nothing.
  Status QuarantineCorruptParts(const Status& why);

  // All current parts (in-memory, small, big), pinned by the returned references.
  std::vector<PartPtr> Parts() const;
  PartitionStats Stats() const;
  size_t SmallPartsCount() const;

 private:
  struct PartEntry {
    PartPtr part;
    bool in_merge = false;
    int64_t created_ms = 0;
  };
  struct Obsolete {
    PartPtr part;
    std::shared_ptr<std::string> txn_path;  // deleted once no Obsolete shares it
  };

  Partition(std::string small_dir, std::string big_dir, std::string name, TimeRange range,
            const PartitionOptions& opts);

  // Replays the txn files of one side and recreates its tmp/ and txn/ (read-only: only
  // checks that no txn file is pending).
  Status RecoverSide(const std::string& dir);
  // Opens the parts of one side.
  Status OpenSide(const std::string& dir, bool big);
  Status CheckWritable(const char* what) const;
  Status ConvertRawRows(std::vector<RawRow>* rows);
  // A raw-row buffer with room for max(min_rows, max_raw_rows) rows: a spare one when there is
  // one. RecycleRawBuffer keeps a converted buffer as the spare.
  std::vector<RawRow> NewRawBuffer(size_t min_rows);
  void RecycleRawBuffer(std::vector<RawRow>* rows);
  // stoppable: a background merge, abandoned (Status::Busy, sources intact) once opts_.stop
  // is set; flushes and force merges always finish.
  Status MergeParts(const std::vector<PartPtr>& sources, bool force_big,
                    const std::unordered_set<uint64_t>* deleted, PartPtr* result,
                    bool stoppable = false);
  void ClearInMerge(const std::vector<PartPtr>& parts);
  // Merges in-memory parts (flagged in_merge) into file parts, in parallel groups.
  static constexpr size_t kMinPartsPerFlushGroup = 4;
  Status MergeInmemoryGroups(const std::vector<PartPtr>& sources);

  const std::string small_dir_;
  const std::string big_dir_;
  const std::string name_;
  const TimeRange range_;
  const PartitionOptions opts_;
  std::atomic<uint64_t> merge_idx_;

  // Raw-row shards (VictoriaMetrics partition.AddRows in lib/storage/partition.go): each a buffer
  // under its own lock.
  struct RawShard {
    std::mutex mu;
    std::vector<RawRow> rows;
  };
  std::unique_ptr<RawShard[]> shards_;
  size_t num_shards_;
  std::atomic<size_t> next_shard_{0};
  // Conversions handed to the arena, and the first error one of them hit.
  mutable std::mutex raw_mu_;
  std::condition_variable raw_cv_;
  int pending_conversions_ = 0;
  Status conversion_error_;
  // Full raw-row buffers handed off and not taken yet. The arena task of a hand-off takes one,
  // and so does any thread that must wait for the conversions (FlushRawRows, the destructor):
  // it converts what is still queued itself instead of waiting for a free worker, which
  // oneTBB does not promise (several storages share its workers). The queue outlives the
  // partition: an arena task that finds it empty returns without touching the partition.
  struct Handoffs {
    std::mutex mu;
    std::deque<std::vector<RawRow>> bufs;
    // Moves the oldest queued buffer into *out; false when none is queued.
    bool Take(std::vector<RawRow>* out);
  };
  const std::shared_ptr<Handoffs> handoffs_ = std::make_shared<Handoffs>();
  // Converts a taken hand-off and counts it finished. With record_error a failure is also
  // kept for the next FlushRawRows (an arena job has no caller to return it to).
  Status ConvertHandoff(std::vector<RawRow>* buf, bool record_error);
  // Converts every queued hand-off in the calling thread; returns the first error. Lock
  // order: raw_mu_, then Handoffs::mu.
  Status ConvertQueuedHandoffs();
  bool HasQueuedHandoffs() const;
  // Converted raw-row buffers kept for reuse (leaf lock).
  static constexpr size_t kMaxSpareRawBuffers = 1;
  std::mutex spare_mu_;
  std::vector<std::vector<RawRow>> spare_;

  mutable std::mutex mu_;
  std::condition_variable merge_cv_;
  std::vector<PartEntry> inmemory_;
  std::vector<PartEntry> small_;
  std::vector<PartEntry> big_;
  std::vector<Obsolete> obsolete_;
  std::vector<std::shared_ptr<std::string>> kept_txn_files_;  // see RemoveObsoleteParts
  int merges_in_flight_ = 0;
};

}  // namespace vme::storage
