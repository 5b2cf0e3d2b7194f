#include "mergeset/table.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "mergeset/item_sort.h"
#include "util/free_memory.h"
#include "util/parts_to_merge.h"
#include "util/strings.h"
#include "util/txn.h"

namespace vme::mergeset {
namespace {

constexpr const char* kConvertedFlag = "converted-to-v1.28.0";

bool IsEmptyDir(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_empty(path, ec) && !ec;
}

// The keys expected in a merge of `sources`: their filters' keys (an item's key is in the
// filter of the part that holds it); a source without a filter counts a quarter of its items.
// 0 (unknown) for a flush.
uint64_t ExpectedFilterKeys(const std::vector<std::shared_ptr<const Part>>& sources) {
  uint64_t n = 0;
  for (const auto& p : sources) {
    const ItemFilter* f = p->item_filter();
    n += f != nullptr ? f->keys() : p->header().items_count / 4 + 1;
  }
  return n;
}

}  // namespace

Result<std::shared_ptr<Table>> Table::Open(const std::string& path, TableOptions opts) {
  std::shared_ptr<Table> t(new Table(txn::NormalizePath(path), std::move(opts)));
  VME_RETURN_IF_ERROR(t->Init());
  return t;
}

Status Table::Init() {
  const std::string txn_dir = fs::Join(path_, "txn");
  const std::string tmp_dir = fs::Join(path_, "tmp");
  if (opts_.read_only) {
    if (!fs::IsDir(path_)) return Status::NotFound("mergeset table " + path_ + " does not exist");
    VME_ASSIGN_OR_RETURN(auto pending, txn::PendingFiles(txn_dir));
    if (!pending.empty()) {
      return Status::Busy("mergeset table " + path_ + " has a pending transaction file " +
                          pending.front() +
                          ": open the directory read-write once to recover it (or a writer is "
                          "active)");
    }
  } else {
    if (fs::IsSymlink(path_)) {
      // Refused before anything (even flock.lock) is written through it; a pending txn file
      // is named first, as the symlink rule of util/txn.h words it.
      VME_ASSIGN_OR_RETURN(auto pending, txn::PendingFiles(txn_dir));
      for (const auto& p : pending) VME_RETURN_IF_ERROR(txn::CheckRoots({path_}, p));
      return Status::Corruption("mergeset table directory " + path_ +
                                " is a symbolic link; vmengine does not delete or rename "
                                "through it (replace it with the directory it points to, or "
                                "open read-only)");
    }
    VME_RETURN_IF_ERROR(fs::MkdirAllSync(path_));
    VME_ASSIGN_OR_RETURN(lock_, fs::FileLock::Acquire(fs::Join(path_, "flock.lock")));
    VME_ASSIGN_OR_RETURN(auto pending, txn::PendingFiles(txn_dir));
    for (const auto& p : pending) VME_RETURN_IF_ERROR(txn::Replay({path_}, p));
    VME_RETURN_IF_ERROR(fs::RemoveAllSync(txn_dir));
    VME_RETURN_IF_ERROR(fs::MkdirAllSync(txn_dir));
    VME_RETURN_IF_ERROR(fs::RemoveAllSync(tmp_dir));
    VME_RETURN_IF_ERROR(fs::MkdirAllSync(tmp_dir));
  }

  uint64_t max_idx = 0;
  VME_ASSIGN_OR_RETURN(auto names, fs::ListDir(path_));
  for (const auto& n : names) {
    // As VictoriaMetrics' mergeset openParts: these names and non-directories are not parts;
    // a symlink is opened as a part, so a dangling one is an error rather than lost data.
    if (n == "tmp" || n == "txn" || n == "snapshots" || n == "cache") continue;
    const std::string p = fs::Join(path_, n);
    if (!fs::IsDir(p)) {
      if (fs::IsSymlink(p)) {
        return Status::Corruption("mergeset part " + p + " is a dangling symbolic link");
      }
      continue;
    }
    if (IsEmptyDir(p)) {
      // A leftover of a crash on NFS (VictoriaMetrics removes it).
      if (!opts_.read_only) VME_RETURN_IF_ERROR(fs::RemoveAllSync(p));
      continue;
    }
    auto part = Part::Open(p);
    if (!part.ok() && part.status().code() == Code::kCorruption && opts_.quarantine &&
        !opts_.read_only) {
      Status q = opts_.quarantine(p, part.status());
      if (!q.ok()) {
        return part.status().WithContext("cannot open mergeset table " + path_ + " (" +
                                         q.message() + ")");
      }
      continue;
    }
    if (!part.ok()) return part.status().WithContext("cannot open mergeset table " + path_);
    max_idx = std::max(max_idx, (*part)->merge_idx());
    parts_.push_back(PartWrapper{std::move(part).value(), false});
  }
  const uint64_t now =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  merge_idx_.store(std::max(now, max_idx + 1));

  const std::string flag = fs::Join(path_, kConvertedFlag);
  if (!opts_.read_only && !fs::Exists(flag)) {
    VME_RETURN_IF_ERROR(fs::WriteFileAtomically(flag, "ok"));
  }
  return Status::OK();
}

Table::~Table() { Close().IgnoreError(); }

Status Table::AddItems(const std::vector<std::string>& items) {
  std::vector<std::string_view> v(items.begin(), items.end());
  return AddItems(v.data(), v.size());
}

Status Table::AddItems(const std::string_view* items, size_t n) {
  if (opts_.read_only) {
    return Status(Code::kMisuse,
                  "cannot add items to mergeset table " + path_ + " opened read-only");
  }
  for (size_t i = 0; i < n; i++) {
    if (items[i].size() > kMaxItemSize) {
      return Status::InvalidArgument("mergeset item of " + std::to_string(items[i].size()) +
                                     " bytes exceeds the limit of " + std::to_string(kMaxItemSize) +
                                     " bytes");
    }
  }
  std::vector<InmemoryBlock> to_flush;
  size_t to_flush_bytes = 0;
  {
    RawShard& shard = shards_[next_shard_.fetch_add(1) % num_shards_];
    std::lock_guard<std::mutex> l(shard.mu);
    // Checked under the shard lock: Close sets closed_ before it flushes the shards.
    if (closed_) return Status::Closed("mergeset table " + path_ + " is closed");
    for (size_t i = 0; i < n; i++) {
      if (shard.blocks.empty() || !shard.blocks.back().Fits(items[i].size())) {
        shard.blocks.emplace_back();
        shard.blocks.back().Reserve(kMaxInmemoryBlockSize, 0);
      }
      shard.blocks.back().Append(items[i]);
      shard.bytes += items[i].size() + sizeof(uint32_t);
    }
    if (shard.bytes >= kMaxBufferedBytes) {
      to_flush.swap(shard.blocks);
      to_flush_bytes = shard.bytes;
      shard.bytes = 0;
      // Counted under the shard lock, so that a Flush that empties this shard after us waits
      // for these blocks.
      in_transit_.fetch_add(1);
    }
  }
  if (to_flush.empty()) return Status::OK();
  HandOff(std::move(to_flush), to_flush_bytes);
  return Status::OK();
}

void Table::HandOff(std::vector<InmemoryBlock> blocks, size_t bytes) {
  std::unique_lock<std::mutex> l(flusher_mu_);
  flusher_cv_.wait(l, [&] { return queued_bytes_ < kMaxQueuedBytes || stop_flusher_; });
  if (stop_flusher_) {
    // Close is flushing: write these blocks in this thread.
    l.unlock();
    Status st = FlushBlocks(&blocks);
    l.lock();
    if (!st.ok() && flusher_error_.ok()) flusher_error_ = st;
    in_transit_.fetch_sub(1);
    flusher_cv_.notify_all();
    return;
  }
  queue_.push_back(std::move(blocks));
  queued_bytes_ += bytes;
  in_transit_.fetch_sub(1);
  if (!flusher_.joinable()) flusher_ = std::thread([this] { FlusherLoop(); });
  flusher_cv_.notify_all();
}

void Table::FlusherLoop() {
  std::unique_lock<std::mutex> l(flusher_mu_);
  for (;;) {
    flusher_cv_.wait(l, [&] { return !queue_.empty() || stop_flusher_; });
    if (queue_.empty()) return;  // stop requested and nothing left
    std::vector<InmemoryBlock> blocks = std::move(queue_.front());
    queue_.erase(queue_.begin());
    size_t bytes = 0;
    for (const auto& b : blocks) bytes += b.data_size() + 4 * b.size();
    writing_++;
    l.unlock();
    // A failed write puts the items back into a shard (WriteFlushedPart), to be retried.
    Status st = FlushBlocks(&blocks);
    // The written items leave this thread's arena: give their pages back.
    std::vector<InmemoryBlock>().swap(blocks);
    ReturnFreeMemoryToOS();
    if (st.ok()) st = AssistedMerges();
    l.lock();
    writing_--;
    queued_bytes_ -= std::min(queued_bytes_, bytes);
    if (!st.ok() && flusher_error_.ok()) flusher_error_ = st;
    flusher_cv_.notify_all();
  }
}

Status Table::WaitFlusher() {
  std::unique_lock<std::mutex> l(flusher_mu_);
  flusher_cv_.wait(l, [&] { return queue_.empty() && writing_ == 0 && in_transit_.load() == 0; });
  Status st = std::move(flusher_error_);
  flusher_error_ = Status::OK();
  return st;
}

void Table::StopFlusher() {
  {
    std::lock_guard<std::mutex> l(flusher_mu_);
    stop_flusher_ = true;
    flusher_cv_.notify_all();
  }
  if (flusher_.joinable()) flusher_.join();
}

Table::Table(std::string path, TableOptions opts)
    : path_(std::move(path)),
      opts_(std::move(opts)),
      shards_(new RawShard[std::max(1u, std::thread::hardware_concurrency())]),
      num_shards_(std::max(1u, std::thread::hardware_concurrency())) {}

Status Table::Flush() {
  std::vector<InmemoryBlock> blocks;
  for (size_t i = 0; i < num_shards_; i++) {
    std::lock_guard<std::mutex> l(shards_[i].mu);
    for (auto& b : shards_[i].blocks) blocks.push_back(std::move(b));
    shards_[i].blocks.clear();
    shards_[i].bytes = 0;
  }
  const bool any = !blocks.empty();
  Status st = FlushBlocks(&blocks);
  if (any) {
    std::vector<InmemoryBlock>().swap(blocks);
    ReturnFreeMemoryToOS();
  }
  // Then the shards handed off before (or while) the shards were collected. The items of a
  // failed background write are back in a shard: the error is returned and a later flush
  // writes them.
  Status bg = WaitFlusher();
  return st.ok() ? bg : st;
}

Status Table::FlushBlocks(std::vector<InmemoryBlock>* blocks) {
  size_t n = 0;
  for (const auto& b : *blocks) n += b.size();
  if (n == 0) return Status::OK();
  {
    std::lock_guard<std::mutex> l(mu_);
    active_ops_++;
  }
  Status st = WriteFlushedPart(blocks, n);
  std::lock_guard<std::mutex> l(mu_);
  active_ops_--;
  cv_.notify_all();
  return st;
}

Status Table::WriteFlushedPart(std::vector<InmemoryBlock>* blocks, size_t n) {
  std::vector<std::string_view> items;
  items.reserve(n);
  for (const auto& b : *blocks) {
    for (size_t i = 0; i < b.size(); i++) items.push_back(b.item(i));
  }
  SortItems(items.data(), items.size());
  bool write_failed = false;
  Status st = WritePartAndCommit(
      {}, n,
      [&](BlockStreamWriter* w) -> Status {
        BlockBuilder builder(w, &opts_.prepare_block);
        for (auto it : items) VME_RETURN_IF_ERROR(builder.Add(it));
        return builder.Finish();
      },
      &write_failed);
  if (write_failed) {
    // Keep the items buffered so that a later flush can retry.
    std::lock_guard<std::mutex> l(shards_[0].mu);
    for (auto& b : *blocks) {
      shards_[0].bytes += b.data_size();
      shards_[0].blocks.push_back(std::move(b));
    }
    return st.WithContext("cannot flush mergeset table " + path_);
  }
  return st;
}

Status Table::WritePartAndCommit(const std::vector<std::shared_ptr<const Part>>& sources,
                                 uint64_t items_count,
                                 const std::function<Status(BlockStreamWriter*)>& fill,
                                 bool* write_failed) {
  *write_failed = false;
  const uint64_t idx = NextMergeIdx();
  const std::string tmp = fs::Join(fs::Join(path_, "tmp"), Hex16(idx));
  PartHeader ph;
  std::unique_ptr<ItemFilterBuilder> filter;
  if (opts_.item_filter_keys != nullptr) {
    filter = std::make_unique<ItemFilterBuilder>(opts_.item_filter_keys.get(),
                                                 ExpectedFilterKeys(sources));
  }
  Status st = [&]() -> Status {
    VME_RETURN_IF_ERROR(fs::MkdirAllSync(tmp));
    VME_ASSIGN_OR_RETURN(auto w,
                         BlockStreamWriter::Create(tmp, CompressLevelForPartItems(items_count)));
    w->set_item_filter_builder(filter.get());
    VME_RETURN_IF_ERROR(fill(w.get()));
    VME_RETURN_IF_ERROR(w->Close());
    ph = w->header();
    return Status::OK();
  }();
  if (!st.ok()) {
    fs::RemoveAllSync(tmp).IgnoreError();
    *write_failed = true;
    return st;
  }
  txn::Transaction t;
  for (const auto& s : sources) t.sources.push_back(s->path());
  t.tmp = tmp;
  t.dst = fs::Join(path_, PartName(ph.items_count, ph.blocks_count, idx));
  const std::string txn_path = fs::Join(fs::Join(path_, "txn"), Hex16(idx));

  std::shared_lock<std::shared_mutex> snap(snapshot_mu_);
  // Until the new part is open, a failure is undone (txn::RollBack): the sources, or the
  // flushed items, stay as they were and a later flush or merge retries.
  Status st2 = fs::WriteFileAtomically(txn_path, txn::Format(t));
  if (st2.ok()) st2 = txn::Commit(t, {path_});
  auto part = st2.ok() ? Part::Open(t.dst) : decltype(Part::Open(t.dst))(st2);
  if (st2.ok()) st2 = part.status();
  if (!st2.ok()) {
    Status rb = txn::RollBack(t, txn_path);
    if (!rb.ok()) return st2.WithContext("cannot undo the commit (" + rb.message() + ")");
    *write_failed = true;
    return st2;
  }
  if (filter != nullptr) (*part)->SetItemFilter(filter->Finish());
  {
    std::lock_guard<std::mutex> l(mu_);
    parts_.erase(std::remove_if(parts_.begin(), parts_.end(),
                                [&](const PartWrapper& pw) {
                                  return std::find(sources.begin(), sources.end(), pw.part) !=
                                         sources.end();
                                }),
                 parts_.end());
    parts_.push_back(PartWrapper{*part, false});
  }
  // mergeset tables remove merge sources at once: searches still holding a source keep
  // reading it through its open file descriptors. The txn file goes only once every source is
  // gone; else the next open replays it.
  for (const auto& s : t.sources) VME_RETURN_IF_ERROR(txn::RemoveSource(s));
  return fs::RemoveAllSync(txn_path);
}

Status Table::MergeSelected(const std::vector<std::shared_ptr<const Part>>& sources) {
  uint64_t items = 0;
  for (const auto& p : sources) items += p->header().items_count;
  bool write_failed = false;
  Status st = WritePartAndCommit(
      sources, items,
      [&](BlockStreamWriter* w) { return MergeParts(sources, w, &opts_.prepare_block); },
      &write_failed);
  if (write_failed) return st.WithContext("cannot merge parts of mergeset table " + path_);
  return st;
}

void Table::FinishMerge(const std::vector<std::shared_ptr<const Part>>& sources) {
  std::lock_guard<std::mutex> l(mu_);
  for (auto& pw : parts_) {
    if (std::find(sources.begin(), sources.end(), pw.part) != sources.end()) pw.in_merge = false;
  }
  active_ops_--;
  cv_.notify_all();
}

Status Table::MergeOnce(bool final, bool* merged) {
  *merged = false;
  if (opts_.read_only) return Status::OK();
  uint64_t max_out = kMaxPartSize;
  auto free = fs::FreeSpace(path_);
  if (free.ok()) {
    const uint64_t cpus = std::max(1u, std::thread::hardware_concurrency());
    max_out = std::min(max_out, *free / cpus);
  }
  std::vector<std::shared_ptr<const Part>> sources;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (closed_) return Status::Closed("mergeset table " + path_ + " is closed");
    std::vector<size_t> avail;
    std::vector<MergeCandidate> cands;
    for (size_t i = 0; i < parts_.size(); i++) {
      if (parts_[i].in_merge) continue;
      avail.push_back(i);
      cands.push_back(MergeCandidate{parts_[i].part->size_bytes(), 0});
    }
    std::vector<size_t> sel = AppendPartsToMerge(cands, kDefaultPartsToMerge, max_out, false);
    for (size_t m = kDefaultPartsToMerge - 1; final && sel.empty() && m >= kFinalPartsToMerge;
         m--) {
      sel = AppendPartsToMerge(cands, m, max_out, false);
    }
    if (sel.empty()) return Status::OK();
    for (size_t k : sel) {
      parts_[avail[k]].in_merge = true;
      sources.push_back(parts_[avail[k]].part);
    }
    active_ops_++;
  }
  Status st = MergeSelected(sources);
  FinishMerge(sources);
  sources.clear();
  if (st.code() == Code::kCorruption) QuarantineCorruptParts(st).IgnoreError();
  if (st.ok()) *merged = true;
  return st;
}

Status Table::QuarantineCorruptParts(const Status& why) {
  if (!opts_.quarantine || opts_.read_only) return Status::OK();
  std::vector<std::string> paths;
  // As a merge commit: no snapshot links the table's parts meanwhile.
  std::shared_lock<std::shared_mutex> snap(snapshot_mu_);
  {
    std::lock_guard<std::mutex> l(mu_);
    DetachCorruptParts(&parts_, &paths);
  }
  return QuarantineParts(opts_.quarantine, paths, why);
}

Status Table::MergeAll() {
  std::vector<std::shared_ptr<const Part>> sources;
  {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] {
      return closed_ || std::none_of(parts_.begin(), parts_.end(),
                                     [](const PartWrapper& pw) { return pw.in_merge; });
    });
    if (closed_) return Status::Closed("mergeset table " + path_ + " is closed");
    if (parts_.size() <= 1 || opts_.read_only) return Status::OK();
    for (auto& pw : parts_) {
      pw.in_merge = true;
      sources.push_back(pw.part);
    }
    active_ops_++;
  }
  Status st = MergeSelected(sources);
  FinishMerge(sources);
  sources.clear();
  if (st.code() == Code::kCorruption) QuarantineCorruptParts(st).IgnoreError();
  return st;
}

size_t Table::PartsCount() const {
  std::lock_guard<std::mutex> l(mu_);
  return parts_.size();
}

Status Table::AssistedMerges() {
  while (PartsCount() > kMaxParts) {
    bool merged = false;
    VME_RETURN_IF_ERROR(MergeOnce(false, &merged));
    if (!merged) break;
  }
  return Status::OK();
}

Status Table::Close() {
  {
    std::lock_guard<std::mutex> l(close_mu_);
    if (closed_) return Status::OK();
    closed_ = true;
  }
  // The flusher finishes its queue before it stops; shards filled meanwhile are written by
  // their writers (HandOff after stop).
  StopFlusher();
  Status st = Flush();
  {
    std::unique_lock<std::mutex> l(mu_);
    cv_.notify_all();
    cv_.wait(l, [&] { return active_ops_ == 0; });
  }
  lock_.reset();
  return st;
}

Status Table::CreateSnapshotAt(const std::string& dst_in) {
  const std::string dst = txn::NormalizePath(dst_in);
  if (dst == path_ || (dst.size() > path_.size() && dst.compare(0, path_.size(), path_) == 0 &&
                       dst[path_.size()] == '/')) {
    return Status::InvalidArgument("snapshot destination " + dst +
                                   " must not be inside the table directory " + path_);
  }
  if (fs::Exists(dst)) {
    return Status::InvalidArgument("snapshot destination " + dst + " already exists");
  }
  VME_RETURN_IF_ERROR(Flush());
  std::unique_lock<std::shared_mutex> snap(snapshot_mu_);
  VME_RETURN_IF_ERROR(fs::MkdirAllSync(dst));
  for (const auto& p : Parts()) {
    VME_RETURN_IF_ERROR(fs::HardLinkFiles(p->path(), fs::Join(dst, p->name())));
  }
  const std::string flag = fs::Join(path_, kConvertedFlag);
  if (fs::Exists(flag)) {
    VME_RETURN_IF_ERROR(fs::HardLink(flag, fs::Join(dst, kConvertedFlag)));
  }
  VME_RETURN_IF_ERROR(fs::FsyncDir(dst));
  return fs::FsyncDir(std::filesystem::path(dst).parent_path().string());
}

TableStats Table::Stats() const {
  TableStats s;
  std::lock_guard<std::mutex> l(mu_);
  s.parts = parts_.size();
  for (const auto& pw : parts_) {
    s.items += pw.part->header().items_count;
    s.blocks += pw.part->header().blocks_count;
    s.size_bytes += pw.part->size_bytes();
  }
  return s;
}

std::vector<std::shared_ptr<const Part>> Table::Parts() const {
  std::vector<std::shared_ptr<const Part>> out;
  std::lock_guard<std::mutex> l(mu_);
  out.reserve(parts_.size());
  for (const auto& pw : parts_) out.push_back(pw.part);
  return out;
}

}  // namespace vme::mergeset
