#include "storage/partition.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "storage/time.h"
#include "util/fs.h"
#include "util/parts_to_merge.h"

namespace vme::storage {
namespace {

constexpr size_t kMaxPartsToMerge = 15;
constexpr uint64_t kMaxBigPartBytes = 1'000'000'000'000ULL;

std::string Hex16(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016" PRIX64, v);
  return buf;
}

bool IsUnder(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() + 1 && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

}  // namespace

Partition::Partition(std::string small_dir, std::string big_dir, std::string name, TimeRange range,
                     const PartitionOptions& opts)
    : small_dir_(std::move(small_dir)),
      big_dir_(std::move(big_dir)),
      name_(std::move(name)),
      range_(range),
      opts_(opts),
      merge_idx_(static_cast<uint64_t>(NowNs())) {}

Result<std::shared_ptr<Partition>> Partition::Open(const std::string& small_root,
                                                   const std::string& big_root,
                                                   const std::string& name,
                                                   const PartitionOptions& opts) {
  TimeRange range;
  if (!ParsePartitionName(name, &range)) {
    return Status::InvalidArgument("invalid partition name " + name);
  }
  std::shared_ptr<Partition> p(
      new Partition(fs::Join(small_root, name), fs::Join(big_root, name), name, range, opts));
  VME_RETURN_IF_ERROR(p->OpenSide(p->small_dir_, false));
  VME_RETURN_IF_ERROR(p->OpenSide(p->big_dir_, true));
  return p;
}

Status Partition::OpenSide(const std::string& dir, bool big) {
  VME_RETURN_IF_ERROR(fs::MkdirAllSync(dir));
  const std::string txn_dir = fs::Join(dir, "txn");
  if (fs::IsDir(txn_dir)) {
    VME_ASSIGN_OR_RETURN(auto names, fs::ListDir(txn_dir));
    for (const auto& n : names) {
      if (n.find(".tmp.") != std::string::npos) continue;
      const std::string txn_path = fs::Join(txn_dir, n);
      VME_ASSIGN_OR_RETURN(std::string text, fs::ReadFile(txn_path));
      VME_RETURN_IF_ERROR(RunTransaction(txn_path, text));
    }
  }
  VME_RETURN_IF_ERROR(fs::RemoveAllSync(fs::Join(dir, "tmp")));
  VME_RETURN_IF_ERROR(fs::RemoveAllSync(txn_dir));
  VME_RETURN_IF_ERROR(fs::MkdirAllSync(fs::Join(dir, "tmp")));
  VME_RETURN_IF_ERROR(fs::MkdirAllSync(txn_dir));
  VME_ASSIGN_OR_RETURN(auto names, fs::ListDir(dir));
  for (const auto& n : names) {
    if (n == "tmp" || n == "txn" || n == "snapshots") continue;
    const std::string path = fs::Join(dir, n);
    if (!fs::IsDir(path)) continue;
    VME_ASSIGN_OR_RETURN(auto entries, fs::ListDir(path));
    if (entries.empty()) {
      VME_RETURN_IF_ERROR(fs::RemoveAllSync(path));
      continue;
    }
    VME_ASSIGN_OR_RETURN(PartPtr part, Part::OpenFile(path));
    const TimeRange& r = range_;
    if (part->header().min_timestamp < r.min_timestamp ||
        part->header().max_timestamp > r.max_timestamp) {
      return Status::Corruption("part " + path + " has rows outside partition " + name_);
    }
    (big ? big_ : small_).push_back(PartEntry{std::move(part), false, big});
  }
  return Status::OK();
}

Status Partition::RunTransaction(const std::string& txn_path, const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  if (lines.empty()) return Status::Corruption("empty transaction file " + txn_path);
  const std::string& last = lines.back();
  const size_t arrow = last.find(" -> ");
  if (arrow == std::string::npos) {
    return Status::Corruption("transaction file " + txn_path + ": last line lacks ' -> '");
  }
  auto check = [&](const std::string& p) -> Status {
    if (IsUnder(p, small_dir_) || IsUnder(p, big_dir_)) return Status::OK();
    return Status::Corruption("transaction file " + txn_path + ": path " + p +
                              " is outside partition " + name_);
  };
  for (size_t i = 0; i + 1 < lines.size(); i++) {
    if (lines[i].empty()) continue;
    VME_RETURN_IF_ERROR(check(lines[i]));
    VME_RETURN_IF_ERROR(fs::RemoveAllSync(lines[i]));
  }
  const std::string tmp = last.substr(0, arrow);
  const std::string dst = last.substr(arrow + 4);
  VME_RETURN_IF_ERROR(check(tmp));
  if (!dst.empty()) {
    VME_RETURN_IF_ERROR(check(dst));
    if (fs::Exists(tmp)) {
      if (std::rename(tmp.c_str(), dst.c_str()) != 0) {
        return Status::IoError("cannot rename " + tmp + " to " + dst);
      }
    }
  } else {
    VME_RETURN_IF_ERROR(fs::RemoveAllSync(tmp));
  }
  VME_RETURN_IF_ERROR(fs::FsyncDir(small_dir_));
  VME_RETURN_IF_ERROR(fs::FsyncDir(big_dir_));
  return fs::RemoveAllSync(txn_path);
}

Status Partition::AddRows(const RawRow* rows, size_t n) {
  std::vector<RawRow> full;
  {
    std::lock_guard<std::mutex> l(raw_mu_);
    raw_rows_.insert(raw_rows_.end(), rows, rows + n);
    if (raw_rows_.size() < opts_.max_raw_rows) return Status::OK();
    full.swap(raw_rows_);
  }
  VME_ASSIGN_OR_RETURN(PartPtr part, Part::CreateInmemory(&full, opts_.dedup_interval_ms));
  std::lock_guard<std::mutex> l(mu_);
  inmemory_.push_back(PartEntry{std::move(part), false, false});
  return Status::OK();
}

Status Partition::FlushRawRows() {
  std::vector<RawRow> rows;
  {
    std::lock_guard<std::mutex> l(raw_mu_);
    rows.swap(raw_rows_);
  }
  if (rows.empty()) return Status::OK();
  VME_ASSIGN_OR_RETURN(PartPtr part, Part::CreateInmemory(&rows, opts_.dedup_interval_ms));
  std::lock_guard<std::mutex> l(mu_);
  inmemory_.push_back(PartEntry{std::move(part), false, false});
  return Status::OK();
}

Status Partition::FlushInmemoryParts() {
  std::lock_guard<std::mutex> ml(merge_mu_);
  std::vector<PartPtr> sources;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto& e : inmemory_) {
      if (e.in_merge) continue;
      e.in_merge = true;
      sources.push_back(e.part);
    }
  }
  if (sources.empty()) return Status::OK();
  Status st = MergeParts(sources, false, nullptr, nullptr);
  if (!st.ok()) ClearInMerge(sources);
  return st;
}

Status Partition::FlushToDisk() {
  VME_RETURN_IF_ERROR(FlushRawRows());
  return FlushInmemoryParts();
}

void Partition::ClearInMerge(const std::vector<PartPtr>& parts) {
  std::lock_guard<std::mutex> l(mu_);
  for (auto* list : {&inmemory_, &small_, &big_}) {
    for (auto& e : *list) {
      if (std::find(parts.begin(), parts.end(), e.part) != parts.end()) e.in_merge = false;
    }
  }
}

Status Partition::MergeOnce(bool* merged, const std::unordered_set<uint64_t>* deleted) {
  *merged = false;
  std::lock_guard<std::mutex> ml(merge_mu_);
  uint64_t free_bytes = kMaxBigPartBytes;
  if (auto fr = fs::FreeSpace(small_dir_); fr.ok()) free_bytes = std::min(free_bytes, *fr);
  for (bool big : {false, true}) {
    std::vector<PartPtr> sources;
    {
      std::lock_guard<std::mutex> l(mu_);
      auto& list = big ? big_ : small_;
      std::vector<MergeCandidate> cands;
      std::vector<size_t> idx;
      for (size_t i = 0; i < list.size(); i++) {
        if (list[i].in_merge) continue;
        cands.push_back({list[i].part->size_bytes(), list[i].part->header().min_timestamp});
        idx.push_back(i);
      }
      const auto chosen = AppendPartsToMerge(cands, kMaxPartsToMerge, free_bytes, true);
      for (size_t c : chosen) {
        list[idx[c]].in_merge = true;
        sources.push_back(list[idx[c]].part);
      }
    }
    if (sources.empty()) continue;
    Status st = MergeParts(sources, big, deleted, nullptr);
    if (!st.ok()) {
      ClearInMerge(sources);
      return st;
    }
    *merged = true;
    return Status::OK();
  }
  return Status::OK();
}

Status Partition::ForceMerge(const std::unordered_set<uint64_t>* deleted) {
  VME_RETURN_IF_ERROR(FlushToDisk());
  std::lock_guard<std::mutex> ml(merge_mu_);
  std::vector<PartPtr> round;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto* list : {&big_, &small_}) {
      for (auto& e : *list) {
        e.in_merge = true;
        round.push_back(e.part);
      }
    }
  }
  // Groups of 15 (a single part is merged too, applying deletions and dedup), repeated until
  // one part remains.
  bool first = true;
  while (first || round.size() > 1) {
    first = false;
    std::vector<PartPtr> outputs;
    for (size_t i = 0; i < round.size(); i += kMaxPartsToMerge) {
      std::vector<PartPtr> group(round.begin() + i,
                                 round.begin() + std::min(round.size(), i + kMaxPartsToMerge));
      PartPtr out;
      Status st = MergeParts(group, false, deleted, &out);
      if (!st.ok()) {
        ClearInMerge(round);
        ClearInMerge(outputs);
        return st;
      }
      if (out) outputs.push_back(std::move(out));
    }
    round = std::move(outputs);
  }
  ClearInMerge(round);
  return Status::OK();
}

Status Partition::MergeParts(const std::vector<PartPtr>& sources, bool force_big,
                             const std::unordered_set<uint64_t>* deleted, PartPtr* result) {
  uint64_t total = 0;
  for (const auto& p : sources) total += p->size_bytes();
  const bool big = force_big || total > opts_.max_small_part_bytes;
  const std::string& dir = big ? big_dir_ : small_dir_;
  const uint64_t idx = merge_idx_.fetch_add(1) + 1;
  const std::string tmp = fs::Join(fs::Join(dir, "tmp"), Hex16(idx));
  MergeOptions mo;
  mo.deleted_metric_ids = deleted;
  mo.dedup_interval_ms = opts_.dedup_interval_ms;
  if (opts_.retention_ms > 0) mo.retention_deadline = NowMs() - opts_.retention_ms;
  auto hr = MergePartsToDir(sources, tmp, mo);
  if (!hr.ok()) {
    fs::RemoveAllSync(tmp).IgnoreError();
    return hr.status().WithContext("merge in partition " + name_);
  }
  const PartHeader& h = *hr;
  const std::string dst = h.rows_count > 0 ? fs::Join(dir, h.DirName(idx)) : std::string();
  std::string txn;
  for (const auto& p : sources) {
    if (!p->is_inmemory()) txn += p->path() + "\n";
  }
  txn += tmp + " -> " + dst + "\n";
  const std::string txn_path = fs::Join(fs::Join(dir, "txn"), Hex16(idx));
  VME_RETURN_IF_ERROR(fs::WriteFileAtomically(txn_path, txn));
  VME_RETURN_IF_ERROR(RunTransaction(txn_path, txn));
  PartPtr out;
  if (!dst.empty()) {
    VME_ASSIGN_OR_RETURN(out, Part::OpenFile(dst));
  }
  std::lock_guard<std::mutex> l(mu_);
  for (auto* list : {&inmemory_, &small_, &big_}) {
    list->erase(std::remove_if(list->begin(), list->end(),
                               [&](const PartEntry& e) {
                                 return std::find(sources.begin(), sources.end(), e.part) !=
                                        sources.end();
                               }),
                list->end());
  }
  if (result != nullptr) *result = out;
  if (out) (big ? big_ : small_).push_back(PartEntry{std::move(out), false, big});
  return Status::OK();
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
  {
    std::lock_guard<std::mutex> l(raw_mu_);
    s.raw_rows = raw_rows_.size();
  }
  std::lock_guard<std::mutex> l(mu_);
  s.inmemory_parts = inmemory_.size();
  s.small_parts = small_.size();
  s.big_parts = big_.size();
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
