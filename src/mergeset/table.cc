#include "mergeset/table.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "util/parts_to_merge.h"

namespace vme::mergeset {
namespace {

constexpr const char* kConvertedFlag = "converted-to-v1.28.0";

std::string IdxName(uint64_t idx) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%016" PRIX64, idx);
  return buf;
}

std::string AbsPath(const std::string& p) {
  std::error_code ec;
  std::string out = std::filesystem::absolute(p, ec).lexically_normal().string();
  if (ec) out = p;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// True for names written by fs::WriteFileAtomically before the rename: `<name>.tmp.<digits>`.
bool IsTemporaryFileName(const std::string& name) {
  const size_t p = name.rfind(".tmp.");
  if (p == std::string::npos || p + 5 == name.size()) return false;
  for (size_t i = p + 5; i < name.size(); i++) {
    if (name[i] < '0' || name[i] > '9') return false;
  }
  return true;
}

Result<std::string> ValidateTxnPath(const std::string& table_path, const std::string& p) {
  const std::string abs = AbsPath(p);
  if (abs.size() <= table_path.size() + 1 || abs.compare(0, table_path.size(), table_path) != 0 ||
      abs[table_path.size()] != '/') {
    return Status::Corruption("path " + p + " is outside the table directory " + table_path);
  }
  return abs;
}

bool IsEmptyDir(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_empty(path, ec) && !ec;
}

}  // namespace

Status RunTransaction(const std::string& table_path_in, const std::string& txn_path) {
  const std::string table_path = AbsPath(table_path_in);
  VME_ASSIGN_OR_RETURN(std::string data, fs::ReadFile(txn_path));
  if (!data.empty() && data.back() == '\n') data.pop_back();
  std::vector<std::string> lines;
  size_t start = 0;
  for (;;) {
    const size_t nl = data.find('\n', start);
    lines.push_back(data.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  const std::string& last = lines.back();
  const size_t arrow = last.find(" -> ");
  if (arrow == std::string::npos || last.find(" -> ", arrow + 4) != std::string::npos) {
    return Status::Corruption("invalid last line in transaction file " + txn_path +
                              ": want `srcPath -> dstPath`, got `" + last + "`");
  }
  std::vector<std::string> rm_paths;
  for (size_t i = 0; i + 1 < lines.size(); i++) {
    auto r = ValidateTxnPath(table_path, lines[i]);
    if (!r.ok()) return r.status().WithContext("transaction file " + txn_path);
    rm_paths.push_back(std::move(r).value());
  }
  auto src = ValidateTxnPath(table_path, last.substr(0, arrow));
  if (!src.ok()) return src.status().WithContext("transaction file " + txn_path);
  auto dst = ValidateTxnPath(table_path, last.substr(arrow + 4));
  if (!dst.ok()) return dst.status().WithContext("transaction file " + txn_path);

  for (const auto& p : rm_paths) VME_RETURN_IF_ERROR(fs::RemoveAllSync(p));
  if (fs::Exists(*src)) {
    if (fs::Exists(*dst)) {
      return Status::IoError("cannot rename " + *src + " to " + *dst + ": destination exists");
    }
    if (std::rename(src->c_str(), dst->c_str()) != 0) {
      return Status::IoError("cannot rename " + *src + " to " + *dst);
    }
  }
  return fs::FsyncDir(table_path);
}

Result<std::shared_ptr<Table>> Table::Open(const std::string& path, TableOptions opts) {
  std::shared_ptr<Table> t(new Table(AbsPath(path), std::move(opts)));
  VME_RETURN_IF_ERROR(t->Init());
  return t;
}

Status Table::Init() {
  VME_RETURN_IF_ERROR(fs::MkdirAllSync(path_));
  VME_ASSIGN_OR_RETURN(lock_, fs::FileLock::Acquire(fs::Join(path_, "flock.lock")));

  const std::string txn_dir = fs::Join(path_, "txn");
  const std::string tmp_dir = fs::Join(path_, "tmp");
  if (fs::IsDir(txn_dir)) {
    VME_ASSIGN_OR_RETURN(auto names, fs::ListDir(txn_dir));
    for (const auto& n : names) {
      if (IsTemporaryFileName(n)) continue;
      VME_RETURN_IF_ERROR(RunTransaction(path_, fs::Join(txn_dir, n)));
    }
  }
  VME_RETURN_IF_ERROR(fs::RemoveAllSync(txn_dir));
  VME_RETURN_IF_ERROR(fs::MkdirAllSync(txn_dir));
  VME_RETURN_IF_ERROR(fs::RemoveAllSync(tmp_dir));
  VME_RETURN_IF_ERROR(fs::MkdirAllSync(tmp_dir));

  uint64_t max_idx = 0;
  VME_ASSIGN_OR_RETURN(auto names, fs::ListDir(path_));
  for (const auto& n : names) {
    if (n == "tmp" || n == "txn" || n == "snapshots" || n == "cache") continue;
    const std::string p = fs::Join(path_, n);
    if (!fs::IsDir(p)) continue;
    if (IsEmptyDir(p)) {
      VME_RETURN_IF_ERROR(fs::RemoveAllSync(p));
      continue;
    }
    auto part = Part::Open(p);
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
  if (!fs::Exists(flag)) VME_RETURN_IF_ERROR(fs::WriteFileAtomically(flag, "ok"));
  return Status::OK();
}

Table::~Table() { Close().IgnoreError(); }

Status Table::AddItems(const std::vector<std::string>& items) {
  std::vector<std::string_view> v(items.begin(), items.end());
  return AddItems(v.data(), v.size());
}

Status Table::AddItems(const std::string_view* items, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (items[i].size() > kMaxItemSize) {
      return Status::InvalidArgument("mergeset item of " + std::to_string(items[i].size()) +
                                     " bytes exceeds the limit of " + std::to_string(kMaxItemSize) +
                                     " bytes");
    }
  }
  std::vector<InmemoryBlock> to_flush;
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
      shard.bytes = 0;
    }
  }
  if (to_flush.empty()) return Status::OK();
  VME_RETURN_IF_ERROR(FlushBlocks(&to_flush));
  return AssistedMerges();
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
  return FlushBlocks(&blocks);
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
  std::sort(items.begin(), items.end());
  const uint64_t idx = NextMergeIdx();
  const std::string tmp = fs::Join(fs::Join(path_, "tmp"), IdxName(idx));
  PartHeader ph;
  Status st = [&]() -> Status {
    VME_RETURN_IF_ERROR(fs::MkdirAllSync(tmp));
    VME_ASSIGN_OR_RETURN(auto w, BlockStreamWriter::Create(tmp, CompressLevelForPartItems(n)));
    BlockBuilder builder(w.get(), &opts_.prepare_block);
    for (auto it : items) VME_RETURN_IF_ERROR(builder.Add(it));
    VME_RETURN_IF_ERROR(builder.Finish());
    VME_RETURN_IF_ERROR(w->Close());
    ph = w->header();
    return Status::OK();
  }();
  if (!st.ok()) {
    fs::RemoveAllSync(tmp).IgnoreError();
    // Keep the items buffered so that a later flush can retry.
    std::lock_guard<std::mutex> l(shards_[0].mu);
    for (auto& b : *blocks) {
      shards_[0].bytes += b.data_size();
      shards_[0].blocks.push_back(std::move(b));
    }
    return st.WithContext("cannot flush mergeset table " + path_);
  }
  const std::string dst = fs::Join(path_, PartName(ph.items_count, ph.blocks_count, idx));
  return Commit({}, tmp, dst, idx);
}

Status Table::Commit(const std::vector<std::shared_ptr<const Part>>& sources,
                     const std::string& tmp_path, const std::string& dst_path, uint64_t idx) {
  std::string txn;
  for (const auto& s : sources) txn += s->path() + "\n";
  txn += tmp_path + " -> " + dst_path + "\n";
  const std::string txn_path = fs::Join(fs::Join(path_, "txn"), IdxName(idx));
  VME_RETURN_IF_ERROR(fs::WriteFileAtomically(txn_path, txn));

  std::shared_lock<std::shared_mutex> snap(snapshot_mu_);
  VME_RETURN_IF_ERROR(RunTransaction(path_, txn_path));
  auto part = Part::Open(dst_path);
  {
    std::lock_guard<std::mutex> l(mu_);
    parts_.erase(std::remove_if(parts_.begin(), parts_.end(),
                                [&](const PartWrapper& pw) {
                                  return std::find(sources.begin(), sources.end(), pw.part) !=
                                         sources.end();
                                }),
                 parts_.end());
    if (part.ok()) parts_.push_back(PartWrapper{*part, false});
  }
  Status rm = fs::RemoveAllSync(txn_path);
  if (!part.ok()) return part.status();
  return rm;
}

Status Table::MergeSelected(const std::vector<std::shared_ptr<const Part>>& sources) {
  uint64_t items = 0;
  for (const auto& p : sources) items += p->header().items_count;
  const uint64_t idx = NextMergeIdx();
  const std::string tmp = fs::Join(fs::Join(path_, "tmp"), IdxName(idx));
  PartHeader ph;
  Status st = [&]() -> Status {
    VME_RETURN_IF_ERROR(fs::MkdirAllSync(tmp));
    VME_ASSIGN_OR_RETURN(auto w, BlockStreamWriter::Create(tmp, CompressLevelForPartItems(items)));
    VME_RETURN_IF_ERROR(MergeParts(sources, w.get(), &opts_.prepare_block));
    VME_RETURN_IF_ERROR(w->Close());
    ph = w->header();
    return Status::OK();
  }();
  if (!st.ok()) {
    fs::RemoveAllSync(tmp).IgnoreError();
    return st.WithContext("cannot merge parts of mergeset table " + path_);
  }
  const std::string dst = fs::Join(path_, PartName(ph.items_count, ph.blocks_count, idx));
  return Commit(sources, tmp, dst, idx);
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
  if (st.ok()) *merged = true;
  return st;
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
    if (parts_.size() <= 1) return Status::OK();
    for (auto& pw : parts_) {
      pw.in_merge = true;
      sources.push_back(pw.part);
    }
    active_ops_++;
  }
  Status st = MergeSelected(sources);
  FinishMerge(sources);
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
  const std::string dst = AbsPath(dst_in);
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
    std::error_code ec;
    std::filesystem::create_hard_link(flag, fs::Join(dst, kConvertedFlag), ec);
    if (ec) return Status::IoError("cannot link " + flag + ": " + ec.message());
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
