#include "storage/scheduler.h"

#include <algorithm>
#include <cstdint>
#include <exception>

#include "storage/index_db.h"
#include "storage/storage.h"
#include "storage/time.h"

namespace vme::storage {
namespace {

constexpr int64_t kRotationOffsetMs = 4 * 3'600'000;  // storage.go: deadline + 4 hours
constexpr int64_t kNever = INT64_MAX;                 // a deadline that never passes

int64_t SatSub(int64_t a, int64_t b) {
  int64_t r;
  if (!__builtin_sub_overflow(a, b, &r)) return r;
  return b > 0 ? INT64_MIN : INT64_MAX;
}

// Closed, and a merge abandoned because the storage is closing, are not errors.
bool IsShutdown(const Status& st, bool stopping) {
  return st.code() == Code::kClosed || (st.code() == Code::kBusy && stopping);
}

}  // namespace

BackgroundScheduler::BackgroundScheduler(const StorageOptions& opts,
                                         std::unique_ptr<SchedulerHost> host)
    : opts_(opts),
      host_(std::move(host)),
      retention_ms_(opts.retention_ms <= 0 || opts.retention_ms == INT64_MAX ? 0
                                                                             : opts.retention_ms) {
  const int cpus = DefaultBackgroundThreads();
  merge_workers_[kSmall] = opts.small_merge_workers > 0 ? opts.small_merge_workers : (cpus + 1) / 2;
  merge_workers_[kBig] = opts.big_merge_workers > 0 ? opts.big_merge_workers : (cpus + 1) / 2;
  if (opts.background && !opts.read_only) {
    const int threads = opts.background_threads > 0 ? opts.background_threads : cpus;
    workers_ =
        std::make_unique<BackgroundWorkers>(threads, [this](const Status& st) { RecordError(st); });
  }
}

BackgroundScheduler::~BackgroundScheduler() { Stop(); }

int64_t BackgroundScheduler::NowMs() const {
  return opts_.now_ms ? opts_.now_ms() : storage::NowMs();
}

void BackgroundScheduler::Start() {
  const int64_t now = NowMs();
  {
    std::lock_guard<std::mutex> tl(tick_mu_);
    next_rotation_ms_ = NextRotationMs(now);
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    last_merge_ms_ = now;
    next_merge_try_[kSmall] = next_merge_try_[kBig] = std::chrono::steady_clock::now();
    if (!workers_ || stop_) return;
  }
  workers_->Run([this] { TimerLoop(); });
}

void BackgroundScheduler::Stop() {
  stopping_ = true;  // running merges are abandoned; their sources stay intact
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (workers_) workers_->Wait();  // the timer loop and every task have ended
}

Status BackgroundScheduler::Task(const char* what, const std::function<Status()>& fn) {
  return CatchAll(what, [&]() -> Status {
    if (opts_.background_fault_for_testing) {
      VME_RETURN_IF_ERROR(opts_.background_fault_for_testing(what));
    }
    return fn();
  });
}

void BackgroundScheduler::RecordError(const Status& st) {
  if (st.ok() || IsShutdown(st, stopping_.load())) return;
  int64_t now = 0;
  try {
    now = NowMs();
  } catch (...) {
    now = storage::NowMs();
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    last_error_.count++;
    last_error_.time_ms = now;
    last_error_.message = st.ToString();
  }
  events_cv_.notify_all();
}

BackgroundError BackgroundScheduler::LastError() const {
  std::lock_guard<std::mutex> l(mu_);
  return last_error_;
}

BackgroundError BackgroundScheduler::WaitForErrors(uint64_t count) const {
  std::unique_lock<std::mutex> l(mu_);
  events_cv_.wait(l, [&] { return last_error_.count >= count; });
  return last_error_;
}

void BackgroundScheduler::WaitForRawRowsFlushes() const {
  std::unique_lock<std::mutex> l(mu_);
  const uint64_t want = raw_rows_rounds_ + 2;
  events_cv_.wait(l, [&] { return raw_rows_rounds_ >= want; });
}

void BackgroundScheduler::Stats(std::vector<std::pair<std::string, double>>* out) const {
  const BackgroundError e = LastError();
  out->emplace_back("background_errors", static_cast<double>(e.count));
  out->emplace_back("background_last_error_time_ms", static_cast<double>(e.time_ms));
  out->emplace_back("merges", static_cast<double>(merges_done_.load()));
  out->emplace_back("partitions_dropped", static_cast<double>(partitions_dropped_.load()));
  out->emplace_back("indexdb_rotations", static_cast<double>(indexdb_rotations_.load()));
}

// The rotation deadline of storage.go nextRetentionDuration: the retention rounded up to whole
// days R, then the next multiple of R after now, plus 4 hours. Never without retention or
// when the deadline is not representable.
int64_t BackgroundScheduler::NextRotationMs(int64_t now) const {
  if (retention_ms_ <= 0) return kNever;
  const int64_t days = retention_ms_ / kMsecPerDay + (retention_ms_ % kMsecPerDay != 0 ? 1 : 0);
  int64_t r = 0, next = 0, deadline = 0;
  if (__builtin_mul_overflow(days, kMsecPerDay, &r)) return kNever;
  if (__builtin_mul_overflow(now / r + 1, r, &next)) return kNever;
  if (__builtin_add_overflow(next, kRotationOffsetMs, &deadline)) return kNever;
  return deadline;
}

Status BackgroundScheduler::ApplyRetention(int64_t now) {
  if (retention_ms_ <= 0) return Status::OK();
  const int64_t deadline = SatSub(now, retention_ms_);
  size_t dropped = 0;
  VME_RETURN_IF_ERROR(host_->DropPartitionsBefore(deadline, &dropped));
  partitions_dropped_ += dropped;
  for (const auto& p : host_->Partitions()) VME_RETURN_IF_ERROR(p->DropStaleParts(deadline));
  return Status::OK();
}

Status BackgroundScheduler::Tick(bool raw_due, bool inmemory_due, int64_t inmemory_min_age_ms) {
  std::lock_guard<std::mutex> tl(tick_mu_);
  // However the round ends, a round that flushed raw rows is counted (WaitForRawRowsFlushes).
  struct CountRound {
    BackgroundScheduler* s;
    bool raw_due;
    ~CountRound() {
      if (!raw_due) return;
      {
        std::lock_guard<std::mutex> l(s->mu_);
        s->raw_rows_rounds_++;
      }
      s->events_cv_.notify_all();
    }
  } count_round{this, raw_due};
  const int64_t now = NowMs();
  VME_RETURN_IF_ERROR(host_->WithIndexDB([&]() -> Status {
    const auto parts = host_->Partitions();
    // The index goes first, so that durable data never references missing index entries.
    // When it cannot be written (disk full), raw rows still become searchable: in-memory
    // parts need no I/O.
    Status idx = host_->FlushIndexDB();
    if (!idx.ok()) {
      for (const auto& p : parts) {
        if (raw_due) p->FlushRawRows().IgnoreError();
      }
      return idx;
    }
    if (raw_due) {
      for (const auto& p : parts) VME_RETURN_IF_ERROR(p->FlushRawRows());
      for (const auto& p : parts) VME_RETURN_IF_ERROR(p->RemoveObsoleteParts());
    }
    if (inmemory_due) {
      for (const auto& p : parts) VME_RETURN_IF_ERROR(p->FlushInmemoryParts(inmemory_min_age_ms));
    }
    if (raw_due) VME_RETURN_IF_ERROR(ApplyRetention(now));
    return Status::OK();
  }));
  if (next_rotation_ms_ != kNever && now >= next_rotation_ms_) {
    VME_RETURN_IF_ERROR(host_->RotateIndexDB());
    indexdb_rotations_.fetch_add(1);
    next_rotation_ms_ = NextRotationMs(NowMs());
  }
  return Status::OK();
}

bool BackgroundScheduler::FinalMergeDue() const {
  if (opts_.final_merge_delay_ms <= 0) return false;
  const int64_t now = NowMs();
  std::lock_guard<std::mutex> l(mu_);
  return SatSub(now, last_merge_ms_) >= opts_.final_merge_delay_ms;
}

void BackgroundScheduler::NoteMerge() {
  merges_done_.fetch_add(1);
  const int64_t now = NowMs();
  std::lock_guard<std::mutex> l(mu_);
  last_merge_ms_ = now;
}

Status BackgroundScheduler::MergeUntilNone(bool final) {
  VME_RETURN_IF_ERROR(host_->WhileOpen([&]() -> Status {
    const auto deleted = host_->DeletedMetricIDs();
    for (const auto& p : host_->Partitions()) {
      for (MergeKind kind : {MergeKind::kSmall, MergeKind::kBig}) {
        for (bool merged = true; merged;) {
          VME_RETURN_IF_ERROR(p->MergeOnce(kind, final, &deleted, &merged));
          if (merged) NoteMerge();
        }
      }
    }
    return Status::OK();
  }));
  return host_->WithIndexDB([&]() -> Status {
    for (bool merged = true; merged;) VME_RETURN_IF_ERROR(host_->MergeIndexDBOnce(&merged));
    return Status::OK();
  });
}

Status BackgroundScheduler::RunOnce() {
  if (opts_.read_only) {
    return Status(Code::kMisuse, "background work: the storage was opened read-only");
  }
  Status st = Task("tick", [&] { return Tick(true, true, 0); });
  if (st.ok()) st = Task("merge", [&] { return MergeUntilNone(false); });
  if (st.ok() && FinalMergeDue()) st = Task("final merge", [&] { return MergeUntilNone(true); });
  if (IsShutdown(st, stopping_.load())) return Status::Closed("background work: " + st.message());
  return st;
}

void BackgroundScheduler::TimerLoop() {
  using clock = std::chrono::steady_clock;
  const auto raw_every =
      std::chrono::milliseconds(std::max<int64_t>(1, opts_.raw_rows_flush_interval_ms));
  const auto inmem_every =
      std::chrono::milliseconds(std::max<int64_t>(1, opts_.inmemory_parts_flush_interval_ms));
  auto next_raw = clock::now() + raw_every;
  auto next_inmem = clock::now() + inmem_every;
  std::unique_lock<std::mutex> l(mu_);
  while (!stop_) {
    auto wake = std::min(next_raw, next_inmem);
    for (int k : {kSmall, kBig}) {
      if (merges_in_flight_[k] < merge_workers_[k]) wake = std::min(wake, next_merge_try_[k]);
    }
    cv_.wait_until(l, wake);
    if (stop_) break;
    const auto now = clock::now();
    const bool raw_due = now >= next_raw;
    const bool inmem_due = now >= next_inmem;
    if (raw_due) next_raw = now + raw_every;
    if (inmem_due) next_inmem = now + inmem_every;
    if (raw_due || inmem_due) {
      l.unlock();
      RecordError(Task("tick", [&] {
        return Tick(raw_due, inmem_due, opts_.inmemory_parts_flush_interval_ms);
      }));
      l.lock();
      // New parts may be mergeable now.
      next_merge_try_[kSmall] = next_merge_try_[kBig] = clock::now();
      merge_backoff_[kSmall] = merge_backoff_[kBig] = std::chrono::milliseconds(10);
    }
    l.unlock();
    ScheduleMerges();
    l.lock();
  }
}

void BackgroundScheduler::ScheduleMerges() {
  const auto now = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> l(mu_);
  if (stop_) return;
  for (Kind k : {kSmall, kBig}) {
    while (merges_in_flight_[k] < merge_workers_[k] && now >= next_merge_try_[k]) {
      merges_in_flight_[k]++;
      l.unlock();
      try {
        workers_->Run([this, k] { RunMergeTask(k); });
        l.lock();
      } catch (const std::exception& e) {
        l.lock();
        merges_in_flight_[k]--;
        l.unlock();
        RecordError(Status::Internal(std::string("cannot schedule a merge: ") + e.what()));
        return;
      }
    }
  }
  if (!idb_merge_in_flight_) {
    idb_merge_in_flight_ = true;
    l.unlock();
    try {
      workers_->Run([this] { RunIndexDBMergeTask(); });
    } catch (const std::exception& e) {
      l.lock();
      idb_merge_in_flight_ = false;
      l.unlock();
      RecordError(Status::Internal(std::string("cannot schedule an indexdb merge: ") + e.what()));
    }
  }
}

void BackgroundScheduler::RunMergeTask(Kind k) {
  const MergeKind kind = k == kSmall ? MergeKind::kSmall : MergeKind::kBig;
  bool merged = false;
  Status st = Task("merge", [&]() -> Status {
    const bool final = FinalMergeDue();
    return host_->WhileOpen([&]() -> Status {
      const auto deleted = host_->DeletedMetricIDs();
      for (const auto& p : host_->Partitions()) {
        VME_RETURN_IF_ERROR(p->MergeOnce(kind, final, &deleted, &merged));
        if (merged) break;
      }
      return Status::OK();
    });
  });
  if (merged) NoteMerge();
  {
    std::lock_guard<std::mutex> l(mu_);
    merges_in_flight_[k]--;
    const auto now = std::chrono::steady_clock::now();
    if (merged) {
      merge_backoff_[k] = std::chrono::milliseconds(10);
      next_merge_try_[k] = now;
    } else {
      merge_backoff_[k] = std::min(merge_backoff_[k] * 2, std::chrono::milliseconds(10'000));
      next_merge_try_[k] = now + merge_backoff_[k];
    }
  }
  cv_.notify_all();
  RecordError(st);
}

void BackgroundScheduler::RunIndexDBMergeTask() {
  Status st = Task("indexdb merge", [&]() -> Status {
    return host_->WithIndexDB([&]() -> Status {
      bool merged = false;
      return host_->MergeIndexDBOnce(&merged);
    });
  });
  {
    std::lock_guard<std::mutex> l(mu_);
    idb_merge_in_flight_ = false;
  }
  RecordError(st);
}

}  // namespace vme::storage
