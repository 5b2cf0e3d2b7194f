// BackgroundScheduler: the background work of one Storage, as VictoriaMetrics runs it in
// goroutines (lib/storage/partition.go: rawRowsFlusher, inmemoryPartsFlusher, mergeWorkers
// and the final merges; table.go: the retention watcher; storage.go: the indexdb rotation of
// mustRotateIndexDB / nextRetentionDuration; lib/mergeset/table.go: the indexdb merge worker).
//
// One round ("tick") is: flush the index (always before data, so that nothing durable
// references a missing index entry), convert raw rows to in-memory parts, write in-memory parts
// to disk, drop partitions and parts past retention, rotate indexdb when its deadline passed;
// then merges of small and big parts in every partition and of the indexdb.
//   - With background work on, a timer loop (one arena task) runs ticks at the configured
//     intervals and schedules merge tasks with backoff; everything runs in the arena of
//     BackgroundWorkers.
//   - RunOnce() runs one full round in the calling thread as if every interval had elapsed,
//     then merges until the merge policy picks none: deterministic driving for tests and for
//     databases opened with background work off. It is safe while the timer runs.
//
// Every time decision (retention deadline, rotation deadline, final merges after
// final_merge_delay_ms without merges) reads the clock StorageOptions::now_ms (default: the
// wall clock of storage/time.h). Time arithmetic saturates; a retention of INT64_MAX (what
// bindings pass for "forever") keeps everything and never rotates indexdb.
//
// Errors: no background task can throw out or skip its bookkeeping. A failing or throwing task
// becomes a Status that is counted and kept, with its time, as the last background error
// (LastError(); Storage::Stats "background_errors", "background_last_error_time_ms"; C API
// vme_stats_get entry "background_last_error"). RunOnce() returns its error instead.
//
// Thread-safety: every method may be called concurrently. Lock order: tick_mu_, then the
// storage's locks (taken by SchedulerHost calls), then mu_; mu_ is never held across a call
// into the storage.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "storage/background_workers.h"
#include "storage/partition.h"
#include "util/status.h"

namespace vme::storage {

struct StorageOptions;

// What the scheduler needs from its storage. Calls fail with Status::Closed once the storage
// is closed.
class SchedulerHost {
 public:
  virtual ~SchedulerHost() = default;
  // Runs fn while the storage cannot close.
  virtual Status WhileOpen(const std::function<Status()>& fn) = 0;
  // Runs fn while the storage cannot close and indexdb cannot rotate.
  virtual Status WithIndexDB(const std::function<Status()>& fn) = 0;
  // Inside WhileOpen: the partitions; drop partitions whose month ends before deadline; the
  // deleted MetricIDs.
  virtual std::vector<std::shared_ptr<Partition>> Partitions() = 0;
  virtual Status DropPartitionsBefore(int64_t deadline, size_t* dropped) = 0;
  virtual std::unordered_set<uint64_t> DeletedMetricIDs() = 0;
  // Inside WithIndexDB: write buffered index items to disk; one merge of the current indexdb.
  virtual Status FlushIndexDB() = 0;
  virtual Status MergeIndexDBOnce(bool* merged) = 0;
  // Outside both: makes a new current indexdb generation and drops the oldest.
  virtual Status RotateIndexDB() = 0;
};

// The last error of background work.
struct BackgroundError {
  int64_t time_ms = 0;  // when it happened (StorageOptions::now_ms), 0 = never
  std::string message;
  uint64_t count = 0;  // errors since open
};

class BackgroundScheduler {
 public:
  // opts must outlive the scheduler. With opts.background (and not read_only) the arena is
  // created at once (writers hand conversions to it, see workers()); Start() starts the timer.
  BackgroundScheduler(const StorageOptions& opts, std::unique_ptr<SchedulerHost> host);
  ~BackgroundScheduler();

  // The arena, or null without background work.
  BackgroundWorkers* workers() const { return workers_.get(); }
  // Set once Stop() began: background merges give up (partitions read it).
  const std::atomic<bool>* stop_flag() const { return &stopping_; }

  // Starts the timer loop (background work on) and sets the first rotation deadline.
  void Start();
  // Stops the timer loop and waits for every background task. Idempotent.
  void Stop();
  // One full round in the calling thread (see the top of the file).
  Status RunOnce();

  BackgroundError LastError() const;
  // Blocks until at least `count` background errors were recorded since open; returns the
  // last one. For tests: a wait on a condition, not on time.
  BackgroundError WaitForErrors(uint64_t count) const;
  // Blocks until two more rounds that flush raw rows have completed (timer ticks or RunOnce;
  // rounds run one at a time, so the second one started after the call): every row added
  // before the call is then searchable, unless that round failed. For tests.
  void WaitForRawRowsFlushes() const;
  // Appends "background_errors", "background_last_error_time_ms", "merges",
  // "partitions_dropped" and "indexdb_rotations".
  void Stats(std::vector<std::pair<std::string, double>>* out) const;

  // The clock of every background decision.
  int64_t NowMs() const;
  // Records st as the last background error (e.g. a part moved to quarantine).
  void ReportError(const Status& st) { RecordError(st); }

 private:
  enum Kind { kSmall = 0, kBig = 1 };

  // Runs fn as the task `what`: the test fault hook first, exceptions caught.
  Status Task(const char* what, const std::function<Status()>& fn);
  void RecordError(const Status& st);
  void TimerLoop();
  // The flush/retention/rotation part of a round; holds tick_mu_. In-memory parts younger
  // than inmemory_min_age_ms stay in memory.
  Status Tick(bool raw_due, bool inmemory_due, int64_t inmemory_min_age_ms);
  Status ApplyRetention(int64_t now);
  int64_t NextRotationMs(int64_t now) const;
  bool FinalMergeDue() const;
  void NoteMerge();
  void ScheduleMerges();
  void RunMergeTask(Kind kind);
  void RunIndexDBMergeTask();
  // Merges in every partition and in indexdb until the policy picks none.
  Status MergeUntilNone(bool final);

  const StorageOptions& opts_;
  const std::unique_ptr<SchedulerHost> host_;
  const int64_t retention_ms_;  // 0 = keep everything (also for INT64_MAX)
  std::unique_ptr<BackgroundWorkers> workers_;
  std::atomic<bool> stopping_{false};

  std::mutex tick_mu_;                    // one tick at a time (timer or RunOnce)
  int64_t next_rotation_ms_ = INT64_MAX;  // under tick_mu_; INT64_MAX = never

  mutable std::mutex mu_;
  std::condition_variable cv_;
  mutable std::condition_variable events_cv_;  // a recorded error or a raw-rows round
  uint64_t raw_rows_rounds_ = 0;               // completed rounds that flushed raw rows
  bool stop_ = false;
  int merges_in_flight_[2] = {0, 0};
  int merge_workers_[2] = {1, 1};
  std::chrono::milliseconds merge_backoff_[2] = {std::chrono::milliseconds(10),
                                                 std::chrono::milliseconds(10)};
  std::chrono::steady_clock::time_point next_merge_try_[2];
  bool idb_merge_in_flight_ = false;
  int64_t last_merge_ms_ = 0;  // NowMs() of the last merge (or of Start)
  BackgroundError last_error_;

  std::atomic<uint64_t> merges_done_{0}, partitions_dropped_{0}, indexdb_rotations_{0};
};

}  // namespace vme::storage
