#include "storage/partition.h"

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>

#include "storage/time.h"
#include "util/civil_time.h"
#include "util/free_memory.h"
#include "util/fs.h"
#include "util/parts_to_merge.h"
#include "util/quote.h"
#include "util/strings.h"
#include "util/txn.h"

namespace vme::storage {
namespace {

constexpr size_t kMaxPartsToMerge = 15;
constexpr size_t kFinalPartsToMerge = 3;
constexpr uint64_t kMaxBigPartBytes = 1'000'000'000'000ULL;

}  // namespace

Partition::Partition(std::string small_dir, std::string big_dir, std::string name, TimeRange range,
                     const PartitionOptions& opts)
    : small_dir_(std::move(small_dir)),
      big_dir_(std::move(big_dir)),
      name_(std::move(name)),
      range_(range),
      opts_(opts),
      merge_idx_(static_cast<uint64_t>(NowNs())),
      shards_(new RawShard[std::max<size_t>(1, opts.raw_shards)]),
      num_shards_(std::max<size_t>(1, opts.raw_shards)) {}

Partition::~Partition() {
  // Converts the hand-offs no worker took yet, then waits for those a worker is converting:
  // they reference this partition.
  ConvertQueuedHandoffs().IgnoreError();
  std::unique_lock<std::mutex> l(raw_mu_);
  raw_cv_.wait(l, [&] { return pending_conversions_ == 0; });
}

bool Partition::HasQueuedHandoffs() const {
  std::lock_guard<std::mutex> l(handoffs_->mu);
  return !handoffs_->bufs.empty();
}

bool Partition::Handoffs::Take(std::vector<RawRow>* out) {
  std::lock_guard<std::mutex> l(mu);
  if (bufs.empty()) return false;
  *out = std::move(bufs.front());
  bufs.pop_front();
  return true;
}

Status Partition::ConvertHandoff(std::vector<RawRow>* buf, bool record_error) {
  // Whatever happens, the bookkeeping below runs, or FlushRawRows would wait forever.
  Status st = CatchAll("raw rows conversion", [&] { return ConvertRawRows(buf); });
  std::lock_guard<std::mutex> l(raw_mu_);
  if (record_error && !st.ok() && conversion_error_.ok()) conversion_error_ = st;
  pending_conversions_--;
  raw_cv_.notify_all();
  return st;
}

Status Partition::ConvertQueuedHandoffs() {
  Status first;
  for (std::vector<RawRow> buf; handoffs_->Take(&buf);) {
    Status st = ConvertHandoff(&buf, /*record_error=*/false);
    if (first.ok()) first = st;
  }
  return first;
}

Result<std::shared_ptr<Partition>> Partition::Open(const std::string& small_root,
                                                   const std::string& big_root,
                                                   const std::string& name,
                                                   const PartitionOptions& opts) {
  TimeRange range;
  if (!ParsePartitionName(name, &range)) {
    return Status::InvalidArgument("invalid partition name " + QuoteForMessage(name));
  }
  // Absolute paths: they are written into txn files, which may be replayed from another
  // working directory.
  std::shared_ptr<Partition> p(new Partition(txn::NormalizePath(fs::Join(small_root, name)),
                                             txn::NormalizePath(fs::Join(big_root, name)), name,
                                             range, opts));
  if (!opts.read_only) {
    VME_RETURN_IF_ERROR(fs::MkdirAllSync(p->small_dir_));
    VME_RETURN_IF_ERROR(fs::MkdirAllSync(p->big_dir_));
  }
  // Both sides are recovered before any part is opened: a txn file in big/txn may list
  // sources in small/ (a merge of small parts whose output went to big/).
  VME_RETURN_IF_ERROR(p->RecoverSide(p->small_dir_));
  VME_RETURN_IF_ERROR(p->RecoverSide(p->big_dir_));
  VME_RETURN_IF_ERROR(p->OpenSide(p->small_dir_, false));
  VME_RETURN_IF_ERROR(p->OpenSide(p->big_dir_, true));
  return p;
}

Status Partition::RecoverSide(const std::string& dir) {
  if (opts_.read_only && !fs::Exists(dir)) return Status::OK();
  const std::string txn_dir = fs::Join(dir, "txn");
  VME_ASSIGN_OR_RETURN(auto pending, txn::PendingFiles(txn_dir));
  if (opts_.read_only) {
    if (!pending.empty()) {
      return Status::Busy("partition " + name_ + " has a pending transaction file " +
                          pending.front() +
                          ": open the data directory read-write once to recover it (or a "
                          "writer is active)");
    }
  } else {
    for (const auto& path : pending) {
      VME_RETURN_IF_ERROR(txn::Replay({small_dir_, big_dir_}, path));
    }
    if (fs::IsSymlink(dir)) {
      return Status::Corruption("partition directory " + dir +
                                " is a symbolic link; vmengine does not delete or rename "
                                "through it (replace it with the directory it points to, or "
                                "open read-only)");
    }
    VME_RETURN_IF_ERROR(fs::RemoveAllSync(fs::Join(dir, "tmp")));
    VME_RETURN_IF_ERROR(fs::RemoveAllSync(txn_dir));
    VME_RETURN_IF_ERROR(fs::MkdirAllSync(fs::Join(dir, "tmp")));
    VME_RETURN_IF_ERROR(fs::MkdirAllSync(txn_dir));
  }
  return Status::OK();
}

Status Partition::OpenSide(const std::string& dir, bool big) {
  if (opts_.read_only && !fs::Exists(dir)) return Status::OK();
  VME_ASSIGN_OR_RETURN(auto names, fs::ListDir(dir));
  for (const auto& n : names) {
    // As VictoriaMetrics' partition.openParts: these names and non-directories are not parts;
    // a symlink is opened as a part, so a dangling one is an error rather than lost data.
    if (n == "tmp" || n == "txn" || n == "snapshots") continue;
    const std::string path = fs::Join(dir, n);
    if (!fs::IsDir(path)) {
      if (fs::IsSymlink(path)) {
        return Status::Corruption("part " + path + " is a dangling symbolic link");
      }
      continue;
    }
    VME_ASSIGN_OR_RETURN(auto entries, fs::ListDir(path));
    if (entries.empty()) {
      // An empty part directory is a leftover of a crash on NFS (VictoriaMetrics removes it).
      if (!opts_.read_only) VME_RETURN_IF_ERROR(fs::RemoveAllSync(path));
      continue;
    }
    PartPtr part;
    Status st;
    if (auto opened = Part::OpenFile(path); opened.ok()) {
      part = std::move(opened).value();
    } else {
      st = opened.status();
    }
    if (part && (part->header().min_timestamp < range_.min_timestamp ||
                 part->header().max_timestamp > range_.max_timestamp)) {
      st = Status::Corruption("part " + path + " has rows outside partition " + name_);
      part.reset();
    }
    if (st.code() == Code::kCorruption && opts_.quarantine && !opts_.read_only) {
      Status q = opts_.quarantine(path, st);
      if (!q.ok()) return st.WithContext(q.message());
      continue;
    }
    VME_RETURN_IF_ERROR(st);
    (big ? big_ : small_).push_back(PartEntry{std::move(part), false, NowMs()});
  }
  return Status::OK();
}

Status Partition::CheckWritable(const char* what) const {
  if (!opts_.read_only) return Status::OK();
  return Status(Code::kMisuse, std::string(what) + " in partition " + name_ + " opened read-only");
}

Status Partition::ConvertRawRows(std::vector<RawRow>* rows) {
  VME_ASSIGN_OR_RETURN(PartPtr part, Part::CreateInmemory(rows, opts_.dedup_interval_ms));
  RecycleRawBuffer(rows);
  {
    std::lock_guard<std::mutex> l(mu_);
    inmemory_.push_back(PartEntry{std::move(part), false, NowMs()});
  }
  // The conversion freed its sort buffers (and maybe a raw-row buffer) in this thread's arena.
  ReturnFreeMemoryToOS();
  return Status::OK();
}

std::vector<RawRow> Partition::NewRawBuffer(size_t min_rows) {
  std::vector<RawRow> buf;
  {
    std::lock_guard<std::mutex> l(spare_mu_);
    if (!spare_.empty()) {
      buf.swap(spare_.back());
      spare_.pop_back();
    }
  }
  buf.reserve(std::max(min_rows, opts_.max_raw_rows));
  return buf;
}

void Partition::RecycleRawBuffer(std::vector<RawRow>* rows) {
  // Only buffers of the usual size are kept, one at a time: a spare buffer's pages are already
  // mapped, so the next full shard costs no page faults, and memory stays bounded.
  if (rows->capacity() < opts_.max_raw_rows || rows->capacity() > 2 * opts_.max_raw_rows) return;
  rows->clear();
  std::lock_guard<std::mutex> l(spare_mu_);
  if (spare_.size() < kMaxSpareRawBuffers) spare_.push_back(std::move(*rows));
}

Status Partition::AddRows(const RawRow* rows, size_t n,
                          const std::unordered_set<uint64_t>* /*deleted*/) {
  VME_RETURN_IF_ERROR(CheckWritable("cannot add rows"));
  {
    std::lock_guard<std::mutex> l(raw_mu_);
    if (!conversion_error_.ok()) {
      Status st = conversion_error_;
      conversion_error_ = Status::OK();
      return st.WithContext("background conversion in partition " + name_);
    }
  }
  // A shard's buffer holds at most max_raw_rows (unless one call brings more): a buffer that
  // cannot take the rows is handed off first, then the rows go into a fresh one, and a buffer
  // that is full after them is handed off too.
  std::vector<RawRow> full;
  {
    RawShard& shard = shards_[next_shard_.fetch_add(1) % num_shards_];
    std::lock_guard<std::mutex> l(shard.mu);
    if (!shard.rows.empty() && shard.rows.size() + n > opts_.max_raw_rows) full.swap(shard.rows);
    if (shard.rows.capacity() < std::min(n, opts_.max_raw_rows)) shard.rows = NewRawBuffer(n);
    shard.rows.insert(shard.rows.end(), rows, rows + n);
    if (full.empty() && shard.rows.size() >= opts_.max_raw_rows) full.swap(shard.rows);
  }
  if (full.empty()) return Status::OK();
  bool convert_here;
  {
    // Counted and queued in one step, so that a flush that sees it pending also finds it
    // queued (or being converted).
    std::lock_guard<std::mutex> l(raw_mu_);
    convert_here = opts_.workers == nullptr || pending_conversions_ >= opts_.workers->threads();
    if (!convert_here) {
      pending_conversions_++;
      std::lock_guard<std::mutex> q(handoffs_->mu);
      handoffs_->bufs.push_back(std::move(full));
    }
  }
  if (convert_here) {
    VME_RETURN_IF_ERROR(ConvertRawRows(&full));
  } else {
    // Hand the full buffer to the arena and keep accepting rows (no writer stall).
    raw_cv_.notify_all();  // a waiting flush converts it if no worker is free
    opts_.workers->Run([this, handoffs = handoffs_] {
      std::vector<RawRow> buf;
      if (!handoffs->Take(&buf)) return;  // a waiting thread converted it
      ConvertHandoff(&buf, /*record_error=*/true).IgnoreError();
    });
  }
  return Status::OK();
}

Status Partition::FlushRawRows() {
  // Counted as pending before the shards are emptied, so that a concurrent flush waits for
  // the rows taken here (a checkpoint relies on it, storage/storage.h).
  {
    std::lock_guard<std::mutex> l(raw_mu_);
    pending_conversions_++;
  }
  std::vector<RawRow> rows;
  for (size_t i = 0; i < num_shards_; i++) {
    std::lock_guard<std::mutex> l(shards_[i].mu);
    if (rows.empty()) {
      rows.swap(shards_[i].rows);
    } else {
      rows.insert(rows.end(), shards_[i].rows.begin(), shards_[i].rows.end());
      shards_[i].rows.clear();
    }
  }
  // Conversions by any thread (handoffs and concurrent flushes) count as pending, so that a
  // flush returns only when every row buffered before it is in an in-memory part.
  Status own = Status::OK();
  if (!rows.empty()) own = CatchAll("raw rows conversion", [&] { return ConvertRawRows(&rows); });
  {
    std::lock_guard<std::mutex> l(raw_mu_);
    pending_conversions_--;
    raw_cv_.notify_all();
  }
  // Hand-offs no worker has taken yet are converted here, not waited for: a worker may never
  // come when every worker of the process waits too (this may run on one).
  std::unique_lock<std::mutex> l(raw_mu_);
  for (;;) {
    raw_cv_.wait(l, [&] { return pending_conversions_ == 0 || HasQueuedHandoffs(); });
    if (pending_conversions_ == 0) break;
    l.unlock();
    Status queued = ConvertQueuedHandoffs();
    if (own.ok()) own = queued;
    l.lock();
  }
  if (!conversion_error_.ok()) {
    Status st = conversion_error_;
    conversion_error_ = Status::OK();
    return st.WithContext("background conversion in partition " + name_);
  }
  return own;
}

Status Partition::FlushInmemoryParts(int64_t min_age_ms) {
  std::vector<PartPtr> sources;
  const int64_t now = NowMs();
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto& e : inmemory_) {
      if (e.in_merge || (min_age_ms > 0 && SaturatingSub(now, e.created_ms) < min_age_ms)) {
        continue;
      }
      e.in_merge = true;
      sources.push_back(e.part);
    }
    if (!sources.empty()) merges_in_flight_++;
  }
  if (sources.empty()) return Status::OK();
  Status st = MergeInmemoryGroups(sources);
  sources.clear();  // the last references of the flushed in-memory parts, usually
  ReturnFreeMemoryToOS();
  std::lock_guard<std::mutex> l(mu_);
  merges_in_flight_--;
  merge_cv_.notify_all();
  return st;
}

// Writes in-memory parts to disk as up to `threads` file parts merged in parallel (groups of
// consecutive parts of about equal size): on W1 the flush at close merges dozens of in-memory
// parts, and one merge would use one core. The calling thread takes groups too, and waits only
// for groups another thread has started, so the flush never waits for a busy arena.
Status Partition::MergeInmemoryGroups(const std::vector<PartPtr>& sources) {
  const size_t threads = opts_.workers ? static_cast<size_t>(opts_.workers->threads()) : 1;
  const size_t groups_n = std::min(threads, sources.size() / kMinPartsPerFlushGroup);
  if (groups_n <= 1) {
    Status st = MergeParts(sources, false, nullptr, nullptr);
    if (!st.ok()) ClearInMerge(sources);
    return st;
  }
  uint64_t total = 0;
  for (const auto& p : sources) total += p->size_bytes();
  std::vector<std::vector<PartPtr>> groups(1);
  uint64_t acc = 0;
  for (const auto& p : sources) {
    if (groups.size() < groups_n && !groups.back().empty() &&
        acc >= total / groups_n * groups.size()) {
      groups.emplace_back();
    }
    groups.back().push_back(p);
    acc += p->size_bytes();
  }
  struct Shared {
    std::atomic<size_t> next{0};
    std::mutex mu;
    std::condition_variable cv;
    size_t done = 0;
    std::vector<Status> st;
    std::vector<std::vector<PartPtr>> groups;
  };
  auto sh = std::make_shared<Shared>();
  sh->st.resize(groups.size());
  sh->groups = groups;
  auto take = [this, sh] {
    for (;;) {
      const size_t g = sh->next.fetch_add(1);
      if (g >= sh->groups.size()) return;
      Status st = CatchAll("in-memory parts flush",
                           [&] { return MergeParts(sh->groups[g], false, nullptr, nullptr); });
      std::lock_guard<std::mutex> l(sh->mu);
      sh->st[g] = std::move(st);
      sh->done++;
      sh->cv.notify_all();
    }
  };
  // Helpers may start after every group was taken (then they return at once, touching only
  // the shared state); a helper that took a group is waited for below.
  for (size_t k = 1; k < groups.size(); k++) opts_.workers->Run(take);
  take();
  {
    std::unique_lock<std::mutex> l(sh->mu);
    sh->cv.wait(l, [&] { return sh->done == groups.size(); });
  }
  Status first;
  for (size_t g = 0; g < groups.size(); g++) {
    if (sh->st[g].ok()) continue;
    ClearInMerge(groups[g]);
    if (first.ok()) first = sh->st[g];
  }
  return first;
}

Status Partition::FlushToDisk() {
  VME_RETURN_IF_ERROR(FlushRawRows());
  // Every in-memory part that exists now must reach disk before this returns, including
  // parts a concurrent background flush is writing at this moment.
  std::vector<PartPtr> must;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& e : inmemory_) must.push_back(e.part);
  }
  while (!must.empty()) {
    VME_RETURN_IF_ERROR(FlushInmemoryParts());
    std::unique_lock<std::mutex> l(mu_);
    merge_cv_.wait(l, [&] {
      must.erase(std::remove_if(must.begin(), must.end(),
                                [&](const PartPtr& p) {
                                  return std::none_of(
                                      inmemory_.begin(), inmemory_.end(),
                                      [&](const PartEntry& e) { return e.part == p; });
                                }),
                 must.end());
      // Done, or some part is free to be flushed by this thread.
      return must.empty() ||
             std::any_of(inmemory_.begin(), inmemory_.end(), [&](const PartEntry& e) {
               return !e.in_merge && std::find(must.begin(), must.end(), e.part) != must.end();
             });
    });
  }
  return Status::OK();
}

void Partition::ClearInMerge(const std::vector<PartPtr>& parts) {
  std::lock_guard<std::mutex> l(mu_);
  for (auto* list : {&inmemory_, &small_, &big_}) {
    for (auto& e : *list) {
      if (std::find(parts.begin(), parts.end(), e.part) != parts.end()) e.in_merge = false;
    }
  }
  merge_cv_.notify_all();
}

size_t Partition::SmallPartsCount() const {
  std::lock_guard<std::mutex> l(mu_);
  return small_.size() + inmemory_.size();
}

Status Partition::MergeOnce(MergeKind kind, bool final, const std::unordered_set<uint64_t>* deleted,
                            bool* merged) {
  *merged = false;
  if (opts_.read_only) return Status::OK();
  uint64_t max_out = kMaxBigPartBytes;
  if (auto fr = fs::FreeSpace(kind == MergeKind::kBig ? big_dir_ : small_dir_); fr.ok()) {
    max_out = std::min(max_out, *fr / 2);
  }
  std::vector<PartPtr> sources;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto& list = kind == MergeKind::kBig ? big_ : small_;
    std::vector<MergeCandidate> cands;
    std::vector<size_t> idx;
    for (size_t i = 0; i < list.size(); i++) {
      if (list[i].in_merge) continue;
      cands.push_back({list[i].part->size_bytes(), list[i].part->header().min_timestamp});
      idx.push_back(i);
    }
    std::vector<size_t> chosen = AppendPartsToMerge(cands, kMaxPartsToMerge, max_out, true);
    for (size_t m = kMaxPartsToMerge - 1; final && chosen.empty() && m >= kFinalPartsToMerge; m--) {
      chosen = AppendPartsToMerge(cands, m, max_out, true);
    }
    for (size_t c : chosen) {
      list[idx[c]].in_merge = true;
      sources.push_back(list[idx[c]].part);
    }
    if (!sources.empty()) merges_in_flight_++;
  }
  if (sources.empty()) return Status::OK();
  Status st = MergeParts(sources, kind == MergeKind::kBig, deleted, nullptr, true);
  if (!st.ok()) ClearInMerge(sources);
  sources.clear();
  if (st.code() == Code::kCorruption) QuarantineCorruptParts(st).IgnoreError();
  std::lock_guard<std::mutex> l(mu_);
  merges_in_flight_--;
  merge_cv_.notify_all();
  *merged = st.ok();
  return st;
}

Status Partition::QuarantineCorruptParts(const Status& why) {
  if (!opts_.quarantine || opts_.read_only) return Status::OK();
  std::vector<std::string> paths;
  {
    std::lock_guard<std::mutex> l(mu_);
    DetachCorruptParts(&small_, &paths);
    DetachCorruptParts(&big_, &paths);
  }
  // Searches that still hold a detached part read it through its open files; the rename does
  // not disturb them.
  return QuarantineParts(opts_.quarantine, paths, why);
}

Status Partition::ForceMerge(const std::unordered_set<uint64_t>* deleted) {
  VME_RETURN_IF_ERROR(CheckWritable("cannot force a merge"));
  if (!opts_.wal) VME_RETURN_IF_ERROR(FlushToDisk());
  std::vector<PartPtr> round;
  {
    std::unique_lock<std::mutex> l(mu_);
    merge_cv_.wait(l, [&] { return merges_in_flight_ == 0; });
    for (auto* list : {&big_, &small_}) {
      for (auto& e : *list) {
        if (e.in_merge) continue;
        e.in_merge = true;
        round.push_back(e.part);
      }
    }
    merges_in_flight_++;
  }
  // Groups of 15 (a single part is merged too, applying deletions, retention and dedup),
  // repeated until one part remains.
  Status st = Status::OK();
  bool first = true;
  while (st.ok() && !round.empty() && (first || round.size() > 1)) {
    first = false;
    std::vector<PartPtr> outputs;
    for (size_t i = 0; i < round.size() && st.ok(); i += kMaxPartsToMerge) {
      std::vector<PartPtr> group(round.begin() + i,
                                 round.begin() + std::min(round.size(), i + kMaxPartsToMerge));
      PartPtr out;
      st = MergeParts(group, false, deleted, &out);
      if (st.ok() && out) {
        std::lock_guard<std::mutex> l(mu_);
        for (auto* list : {&small_, &big_}) {
          for (auto& e : *list) {
            if (e.part == out) e.in_merge = true;
          }
        }
        outputs.push_back(std::move(out));
      }
    }
    if (!st.ok()) {
      ClearInMerge(round);
      ClearInMerge(outputs);
      break;
    }
    round = std::move(outputs);
  }
  if (st.ok()) ClearInMerge(round);
  if (st.code() == Code::kCorruption) QuarantineCorruptParts(st).IgnoreError();
  std::lock_guard<std::mutex> l(mu_);
  merges_in_flight_--;
  merge_cv_.notify_all();
  return st;
}

Status Partition::MergeParts(const std::vector<PartPtr>& sources, bool force_big,
                             const std::unordered_set<uint64_t>* deleted, PartPtr* result,
                             bool stoppable) {
  uint64_t total = 0;
  for (const auto& p : sources) total += p->size_bytes();
  const bool big = force_big || total > opts_.max_small_part_bytes;
  const std::string& dir = big ? big_dir_ : small_dir_;
  const uint64_t idx = merge_idx_.fetch_add(1) + 1;
  const std::string tmp = fs::Join(fs::Join(dir, "tmp"), Hex16(idx));
  MergeOptions mo;
  mo.deleted_metric_ids = deleted;
  mo.dedup_interval_ms = opts_.dedup_interval_ms;
  if (stoppable) mo.stop = opts_.stop;
  // Saturating: with retention_ms = INT64_MAX the deadline is far below 0 (keep everything).
  if (opts_.retention_ms > 0) {
    const int64_t now = opts_.now_ms ? opts_.now_ms() : NowMs();
    mo.retention_deadline = SaturatingSub(now, opts_.retention_ms);
  }
  auto hr = MergePartsToDir(sources, tmp, mo);
  if (!hr.ok()) {
    fs::RemoveAllSync(tmp).IgnoreError();
    return hr.status().WithContext("merge in partition " + name_);
  }
  const PartHeader& h = *hr;
  txn::Transaction txn;
  txn.tmp = tmp;
  txn.dst = h.rows_count > 0 ? fs::Join(dir, h.DirName(idx)) : std::string();
  for (const auto& p : sources) {
    if (!p->is_inmemory()) txn.sources.push_back(p->path());
  }
  auto txn_path = std::make_shared<std::string>(fs::Join(fs::Join(dir, "txn"), Hex16(idx)));
  // Until the new part is open, a failure is undone (txn::RollBack): the sources stay in
  // place (in-memory ones in memory) and a later flush or merge retries. The sources are
  // removed later, when no search or snapshot references them (RemoveObsoleteParts).
  Status st = fs::WriteFileAtomically(*txn_path, txn::Format(txn));
  if (st.ok()) st = txn::Commit(txn, {small_dir_, big_dir_});
  PartPtr out;
  if (st.ok() && !txn.dst.empty()) {
    auto opened = Part::OpenFile(txn.dst);
    if (opened.ok()) out = std::move(opened).value();
    st = opened.status();
  }
  if (!st.ok()) {
    Status rb = txn::RollBack(txn, *txn_path);
    if (!rb.ok()) st = st.WithContext("cannot undo the commit (" + rb.message() + ")");
    return st.WithContext("merge in partition " + name_);
  }
  bool file_sources = false;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto* list : {&inmemory_, &small_, &big_}) {
      list->erase(std::remove_if(list->begin(), list->end(),
                                 [&](const PartEntry& e) {
                                   return std::find(sources.begin(), sources.end(), e.part) !=
                                          sources.end();
                                 }),
                  list->end());
    }
    // Source directories go when the last search or snapshot releases them.
    for (const auto& p : sources) {
      if (p->is_inmemory()) continue;
      obsolete_.push_back(Obsolete{p, txn_path});
      file_sources = true;
    }
    if (result != nullptr) *result = out;
    if (out) (big ? big_ : small_).push_back(PartEntry{std::move(out), false, NowMs()});
  }
  if (!file_sources) return fs::RemoveAllSync(*txn_path);
  return RemoveObsoleteParts();
}

Status Partition::RemoveObsoleteParts() {
  std::vector<Obsolete> ready;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = std::partition(obsolete_.begin(), obsolete_.end(),
                             [](const Obsolete& o) { return o.part.use_count() > 1; });
    ready.assign(std::make_move_iterator(it), std::make_move_iterator(obsolete_.end()));
    obsolete_.erase(it, obsolete_.end());
  }
  Status st = Status::OK();
  for (auto& o : ready) {
    const std::string path = o.part->path();
    o.part.reset();
    Status s = txn::RemoveSource(path);
    if (st.ok()) st = s;
    // The last Obsolete of a transaction deletes its txn file. A source that could not be
    // removed keeps it until the next open, which replays it (removing the source).
    std::shared_ptr<std::string> txn = std::move(o.txn_path);
    if (txn && !s.ok()) {
      std::lock_guard<std::mutex> l(mu_);
      kept_txn_files_.push_back(std::move(txn));
    }
    if (txn && txn.use_count() == 1) {
      Status s2 = fs::RemoveAllSync(*txn);
      if (st.ok()) st = s2;
    }
  }
  return st;
}

Status Partition::DropStaleParts(int64_t deadline) {
  if (opts_.read_only) return Status::OK();
  std::vector<PartPtr> stale;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto* list : {&inmemory_, &small_, &big_}) {
      for (auto it = list->begin(); it != list->end();) {
        if (!it->in_merge && it->part->header().max_timestamp < deadline) {
          stale.push_back(it->part);
          it = list->erase(it);
        } else {
          ++it;
        }
      }
    }
    for (const auto& p : stale) {
      if (!p->is_inmemory()) obsolete_.push_back(Obsolete{p, nullptr});
    }
  }
  if (stale.empty()) return Status::OK();
  stale.clear();
  return RemoveObsoleteParts();
}

std::vector<PartPtr> Partition::Parts() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<PartPtr> out;
  out.reserve(inmemory_.size() + small_.size() + big_.size());
  for (const auto* list : {&big_, &small_, &inmemory_}) {
    for (const auto& e : *list) out.push_back(e.part);
  }
  return out;
}

PartitionStats Partition::Stats() const {
  PartitionStats s;
  for (size_t i = 0; i < num_shards_; i++) {
    std::lock_guard<std::mutex> l(shards_[i].mu);
    s.raw_rows += shards_[i].rows.size();
  }
  {
    std::lock_guard<std::mutex> l(raw_mu_);
    s.pending_conversions = static_cast<uint64_t>(pending_conversions_);
  }
  std::lock_guard<std::mutex> l(mu_);
  s.inmemory_parts = inmemory_.size();
  s.small_parts = small_.size();
  s.big_parts = big_.size();
  s.obsolete_parts = obsolete_.size();
  for (const auto* list : {&inmemory_, &small_, &big_}) {
    for (const auto& e : *list) {
      s.rows += e.part->header().rows_count;
      s.blocks += e.part->header().blocks_count;
      if (!e.part->is_inmemory()) s.size_bytes += e.part->size_bytes();
    }
  }
  return s;
}

}  // namespace vme::storage
