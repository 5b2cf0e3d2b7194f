#include "storage/wal_writer.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace vme::storage {
namespace {

constexpr size_t kMaxRowsPerRecord = 65536;

}  // namespace

Result<std::unique_ptr<WalWriter>> WalWriter::Open(const std::string& dir, uint64_t first_seq,
                                                   const WalWriterOptions& opts) {
  VME_RETURN_IF_ERROR(fs::MkdirAllSync(dir));
  std::unique_ptr<WalWriter> w(new WalWriter(dir, opts));
  {
    std::lock_guard<std::mutex> l(w->mu_);
    VME_RETURN_IF_ERROR(w->OpenSegmentLocked(first_seq));
  }
  if (opts.sync_interval_ms > 0) w->syncer_ = std::thread([p = w.get()] { p->SyncerLoop(); });
  return w;
}

WalWriter::~WalWriter() { Abandon(); }

Status WalWriter::OpenSegmentLocked(uint64_t seq) {
  const std::string path = fs::Join(dir_, WalSegmentName(seq));
  VME_ASSIGN_OR_RETURN(auto f, fs::AppendOnlyFile::Create(path));
  VME_RETURN_IF_ERROR(fs::FsyncDir(dir_));
  file_ = std::move(f);
  seq_ = seq;
  seg_start_lsn_ = written_lsn_;
  defined_.clear();
  return Status::OK();
}

Status WalWriter::RotateLocked() {
  if (file_) {
    if (!sync_failed_) {
      Status st = Fault("sync");
      if (st.ok()) st = file_->Sync();
      syncs_++;
      if (!st.ok()) {
        st = Status::IoError("WAL segment " + file_->path() + ": sync failed: " + st.message());
        rotate_next_ = true;
        sync_failed_ = true;
        std::lock_guard<std::mutex> l(sync_mu_);
        poison_lo_ = seg_start_lsn_;
        poison_hi_ = UINT64_MAX;
        poison_ = st;
        return st;
      }
    }
    closed_.emplace_back(seq_, file_->size());
  }
  {
    std::lock_guard<std::mutex> l(sync_mu_);
    if (sync_failed_) {
      poison_hi_ = written_lsn_;  // the poisoned segment ends here
    } else {
      synced_lsn_ = std::max(synced_lsn_, written_lsn_);
    }
  }
  sync_cv_.notify_all();
  rotate_next_ = false;
  sync_failed_ = false;
  file_.reset();
  return OpenSegmentLocked(seq_ + 1);
}

Status WalWriter::Append(const RawRow* rows, size_t n, const SeriesOf& series_of, uint64_t* lsn) {
  std::vector<WalRow> wrows;
  std::string rows_part, defs;
  for (size_t first = 0; first < n; first += kMaxRowsPerRecord) {
    const size_t m = std::min(kMaxRowsPerRecord, n - first);
    wrows.resize(m);
    for (size_t k = 0; k < m; k++) {
      const RawRow& r = rows[first + k];
      wrows[k] = WalRow{r.tsid.metric_id, r.timestamp, r.value};
    }
    rows_part.clear();
    AppendWalRows(&rows_part, wrows.data(), m);

    std::lock_guard<std::mutex> l(mu_);
    if (rotate_next_ || !file_ || file_->size() >= opts_.segment_bytes) {
      VME_RETURN_IF_ERROR(RotateLocked());
    }
    // Series this segment has not defined yet.
    defs.clear();
    std::vector<uint64_t> added;
    uint64_t prev = 0;
    bool have_prev = false;
    WalSeriesDef def;
    for (size_t k = 0; k < m; k++) {
      const uint64_t id = wrows[k].metric_id;
      if (have_prev && id == prev) continue;
      prev = id;
      have_prev = true;
      if (!defined_.insert(id).second) continue;
      added.push_back(id);
      def = WalSeriesDef{};
      series_of(first + k, &def);
      def.metric_id = id;
      AppendWalSeriesDef(&defs, def);
    }
    buf_.clear();
    AppendWalRecord(&buf_, added.size(), defs, rows_part);
    const uint64_t before = file_->size();
    Status st = Fault("write");
    if (st.ok()) st = file_->Append(buf_);
    if (!st.ok()) {
      for (uint64_t id : added) defined_.erase(id);
      // Cut what was written, or continue in a new segment if that fails too.
      if (file_->size() != before && !file_->Truncate(before).ok()) rotate_next_ = true;
      return Status::IoError("WAL segment " + file_->path() + ": append failed: " + st.message());
    }
    written_lsn_ += buf_.size();
    appends_++;
    *lsn = written_lsn_;
  }
  return Status::OK();
}

Status WalWriter::Sync(uint64_t lsn) {
  std::unique_lock<std::mutex> sl(sync_mu_);
  for (;;) {
    if (lsn > poison_lo_ && lsn <= poison_hi_) return poison_;
    if (synced_lsn_ >= lsn) return Status::OK();
    if (!syncing_) break;
    sync_cv_.wait(sl);
  }
  // The leader: syncs everything appended so far.
  syncing_ = true;
  sl.unlock();
  std::shared_ptr<fs::AppendOnlyFile> f;
  uint64_t target = 0, seg_start = 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    f = file_;
    target = written_lsn_;
    seg_start = seg_start_lsn_;
  }
  Status st = Fault("sync");
  if (st.ok() && f) st = f->Sync();
  syncs_++;
  if (!st.ok()) {
    std::lock_guard<std::mutex> l(mu_);
    std::lock_guard<std::mutex> l2(sync_mu_);
    if (f == file_) {
      rotate_next_ = true;
      sync_failed_ = true;
      poison_lo_ = seg_start;
      poison_hi_ = UINT64_MAX;
      poison_ = Status::IoError("WAL segment " + f->path() + ": sync failed: " + st.message());
    }
  }
  sl.lock();
  if (st.ok()) synced_lsn_ = std::max(synced_lsn_, target);
  syncing_ = false;
  sync_cv_.notify_all();
  if (lsn > poison_lo_ && lsn <= poison_hi_) return poison_;
  if (!st.ok()) {
    return Status::IoError("WAL segment " + (f ? f->path() : dir_) +
                           ": sync failed: " + st.message());
  }
  return Status::OK();
}

Result<WalPosition> WalWriter::Rotate() {
  std::lock_guard<std::mutex> l(mu_);
  if (file_ && file_->size() > 0) VME_RETURN_IF_ERROR(RotateLocked());
  return WalPosition{seq_, 0};
}

WalPosition WalWriter::Position() const {
  std::lock_guard<std::mutex> l(mu_);
  return WalPosition{seq_, file_ ? file_->size() : 0};
}

Status WalWriter::RemoveSegmentsBefore(uint64_t seq) {
  std::vector<uint64_t> gone;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto it = closed_.begin(); it != closed_.end();) {
      if (it->first < seq) {
        gone.push_back(it->first);
        it = closed_.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (gone.empty()) return Status::OK();
  for (uint64_t s : gone) {
    const std::string path = fs::Join(dir_, WalSegmentName(s));
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Status::IoError("cannot remove WAL segment " + path + ": " + std::strerror(errno));
    }
  }
  return fs::FsyncDir(dir_);
}

uint64_t WalWriter::TotalBytes() const {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t b = file_ ? file_->size() : 0;
  for (const auto& c : closed_) b += c.second;
  return b;
}

WalWriterStats WalWriter::Stats() const {
  WalWriterStats s;
  s.bytes = TotalBytes();
  {
    std::lock_guard<std::mutex> l(mu_);
    s.segments = closed_.size() + (file_ ? 1 : 0);
  }
  s.syncs = syncs_.load();
  s.appends = appends_.load();
  return s;
}

void WalWriter::SyncerLoop() {
  std::unique_lock<std::mutex> l(stop_mu_);
  while (!stop_) {
    stop_cv_.wait_for(l, std::chrono::milliseconds(opts_.sync_interval_ms));
    if (stop_) break;
    l.unlock();
    uint64_t lsn;
    {
      std::lock_guard<std::mutex> ml(mu_);
      lsn = written_lsn_;
    }
    Sync(lsn).IgnoreError();  // a failure poisons the segment; writers see it
    l.lock();
  }
}

void WalWriter::Abandon() {
  {
    std::lock_guard<std::mutex> l(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (syncer_.joinable()) syncer_.join();
  std::lock_guard<std::mutex> l(mu_);
  file_.reset();
}

Status WalWriter::Close() {
  {
    std::lock_guard<std::mutex> l(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (syncer_.joinable()) syncer_.join();
  std::lock_guard<std::mutex> l(mu_);
  if (!file_) return Status::OK();
  Status st;
  if (file_->size() == 0) {
    const std::string path = file_->path();
    file_.reset();
    if (::unlink(path.c_str()) != 0) {
      st = Status::IoError("cannot remove WAL segment " + path + ": " + std::strerror(errno));
    }
    if (st.ok()) st = fs::FsyncDir(dir_);
    return st;
  }
  if (!sync_failed_) st = file_->Sync();
  file_.reset();
  return st;
}

}  // namespace vme::storage
