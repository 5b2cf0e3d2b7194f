// A mergeset table (VictoriaMetrics mergeset.Table, lib/mergeset/table.go): a sorted multiset of
// byte strings stored as file parts in one directory:
//   <table>/flock.lock            exclusive flock while open
//   <table>/converted-to-v1.28.0  flag file, content "ok"
//   <table>/tmp/<mergeIdx %016X>/ parts being written
//   <table>/txn/<mergeIdx %016X>  transaction: one line per removed source part path, then
//                                 "<tmp part path> -> <final part path>", each ending in '\n'
//   <table>/<items>_<blocks>_<mergeIdx %016X>/  file parts (part.h)
//
// Thread-safety: every method may be called concurrently. Parts are reference-counted: a merge
// removes the directories of its sources at once (transaction), while searches that still hold
// a source keep reading it through its open file descriptors.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "mergeset/merge.h"
#include "mergeset/part.h"
#include "util/fs.h"
#include "util/quarantine.h"
#include "util/status.h"

namespace vme::mergeset {

struct TableOptions {
  PrepareBlockFn prepare_block;
  // Open without recovery and write nothing: no flock.lock, no txn replay (a pending txn file
  // is Status::Busy), no tmp/ or txn/ cleanup, no converted-to-v1.28.0, empty part
  // directories skipped; a missing table directory is Status::NotFound. AddItems returns
  // VME_ERR_MISUSE; merges do nothing.
  bool read_only = false;
  // The keys of the in-memory filter built for every part written by this table (nullptr: no
  // filter). Parts opened from disk get theirs from Part::BuildItemFilter.
  std::shared_ptr<const ItemFilterKeys> item_filter_keys;
  // Moves corrupt parts away (util/quarantine.h; set by Storage with StorageOptions::quarantine):
  // a part that fails to open with Corruption, and a part a search or merge found corrupt
  // (QuarantineCorruptParts). Empty: the error surfaces instead.
  QuarantineFn quarantine;
};

struct TableStats {
  uint64_t parts = 0, items = 0, blocks = 0, size_bytes = 0;
};

constexpr size_t kMaxItemSize = 64 * 1024;
constexpr size_t kDefaultPartsToMerge = 15;
constexpr size_t kFinalPartsToMerge = 2;
constexpr uint64_t kMaxPartSize = 400'000'000'000ull;
// Buffered item bytes of one raw-items shard that hand it to the background flusher. With one
// shard per CPU, one batch queued and one being written, the raw items of a table take about
// (CPUs + 2) x this at most (VictoriaMetrics bounds its raw-items shards by blocks per shard,
// lib/mergeset/table.go).
constexpr size_t kMaxBufferedBytes = 32u << 20;
// Bytes handed to the background flusher and not yet written above which AddItems waits
// (back-pressure: memory stays bounded when the flusher falls behind).
constexpr size_t kMaxQueuedBytes = 32u << 20;
// Parts count above which a flush performs assisted merges.
constexpr size_t kMaxParts = 512;

class Table : public std::enable_shared_from_this<Table> {
 public:
  // Opens or creates the table directory: mkdir, flock.lock (Status::Locked if held), replay
  // txn/ files in name order (skip *.tmp.N; util/txn.h has the rules), recreate tmp/ and txn/,
  // drop empty dirs, open every part dir (a dangling symlink is VME_ERR_CORRUPTION), create
  // `converted-to-v1.28.0` (content "ok") if missing. A table directory that is a symlink is
  // refused read-write (VME_ERR_CORRUPTION). See TableOptions::read_only for read-only opens.
  static Result<std::shared_ptr<Table>> Open(const std::string& path, TableOptions opts);
  ~Table();
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  // Buffers items (copied). An item longer than 64 KiB -> InvalidArgument. A shard that holds
  // kMaxBufferedBytes is handed to the table's flusher thread, which writes it as a part; the
  // call waits only while more than kMaxQueuedBytes are queued.
  Status AddItems(const std::vector<std::string>& items);
  Status AddItems(const std::string_view* items, size_t n);
  // Writes all buffered items as one new durable file part and waits until every shard handed
  // to the flusher before the call is written. No-op when nothing is buffered. An error of a
  // background write is returned here when its items could not be written by this call either.
  Status Flush();
  // Runs at most one merge chosen by the VictoriaMetrics appendPartsToMerge (lib/mergeset/table.go)
  // policy; *merged tells whether one ran.
  Status MergeOnce(bool final, bool* merged);
  // Merges all current parts into one (no-op for <= 1 part).
  Status MergeAll();
  // Flushes, waits for in-flight merges, releases the lock. Idempotent.
  Status Close();
  // Hard-links every part into dst (must not exist; not inside the table dir) plus
  // converted-to-v1.28.0 (VictoriaMetrics Table.CreateSnapshotAt in lib/mergeset/table.go).
  Status CreateSnapshotAt(const std::string& dst);
  TableStats Stats() const;
  const std::string& path() const { return path_; }
  const ItemFilterKeys* item_filter_keys() const { return opts_.item_filter_keys.get(); }

  // The current parts (each reference keeps the part readable).
  std::vector<std::shared_ptr<const Part>> Parts() const;
  // With TableOptions::quarantine: detaches the parts a read found corrupt (Part::corrupt())
  // and not being merged, and hands them to the quarantine function with `why`. Searches
  // holding one keep reading it through its open files. Without the option: nothing.
  Status QuarantineCorruptParts(const Status& why);

 private:
  struct PartWrapper {
    std::shared_ptr<const Part> part;
    bool in_merge = false;
  };

  Table(std::string path, TableOptions opts);
  Status Init();
  uint64_t NextMergeIdx() { return merge_idx_.fetch_add(1); }
  Status FlushBlocks(std::vector<InmemoryBlock>* blocks);
  Status WriteFlushedPart(std::vector<InmemoryBlock>* blocks, size_t n);
  Status MergeSelected(const std::vector<std::shared_ptr<const Part>>& sources);
  // Writes a new part into tmp/<idx> with `fill`, then commits it: writes the txn file, puts
  // the part in place, opens it and swaps it for the sources, removes the sources, deletes the
  // txn file (kept when a source could not be removed: the next open replays it). An error
  // before the swap is undone (txn::RollBack); *write_failed then tells that nothing changed,
  // on disk or in memory.
  Status WritePartAndCommit(const std::vector<std::shared_ptr<const Part>>& sources,
                            uint64_t items_count,
                            const std::function<Status(BlockStreamWriter*)>& fill,
                            bool* write_failed);
  void FinishMerge(const std::vector<std::shared_ptr<const Part>>& sources);
  Status AssistedMerges();
  size_t PartsCount() const;
  // Queues blocks for the flusher thread (started on first use); waits while the queue is full.
  void HandOff(std::vector<InmemoryBlock> blocks, size_t bytes);
  void FlusherLoop();
  // Waits until the flusher has written everything queued; returns (and clears) its error.
  Status WaitFlusher();
  void StopFlusher();

  const std::string path_;
  const TableOptions opts_;
  std::unique_ptr<fs::FileLock> lock_;
  std::atomic<uint64_t> merge_idx_{1};
  std::atomic<bool> closed_{false};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<PartWrapper> parts_;
  int active_ops_ = 0;

  // Raw items shards (VictoriaMetrics Table.AddItems in lib/mergeset/table.go): AddItems picks one
  // round-robin; each buffers inmemoryBlocks under its own lock and is flushed on its own when it
  // holds kMaxBufferedBytes.
  struct RawShard {
    std::mutex mu;
    std::vector<InmemoryBlock> blocks;
    size_t bytes = 0;
  };
  std::unique_ptr<RawShard[]> shards_;
  size_t num_shards_ = 1;
  std::atomic<size_t> next_shard_{0};
  std::mutex close_mu_;

  // The flusher thread and its queue of full shards (VictoriaMetrics flushes raw items in
  // background workers too, lib/mergeset/table.go).
  std::mutex flusher_mu_;
  std::condition_variable flusher_cv_;  // queue changed, or stop requested
  std::vector<std::vector<InmemoryBlock>> queue_;
  size_t queued_bytes_ = 0;            // queued or being written
  size_t writing_ = 0;                 // batches taken by the flusher and not finished
  std::atomic<size_t> in_transit_{0};  // taken from a shard, not yet queued (or written)
  bool stop_flusher_ = false;
  Status flusher_error_;
  std::thread flusher_;

  std::shared_mutex snapshot_mu_;
};

}  // namespace vme::mergeset
