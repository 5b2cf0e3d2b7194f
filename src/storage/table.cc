#include "storage/table.h"

#include <mutex>
#include <set>

#include "storage/time.h"

namespace vme::storage {

namespace {

// Adds the partition names found in side (small/ or big/). As VictoriaMetrics'
// table.populatePartitionNamesFromDir: `snapshots` and entries that are neither directories
// nor symlinks are skipped; every other name must be a partition name, and a symlink must
// lead to a directory, else the directory is refused (its data would silently vanish).
Status AddPartitionNames(const std::string& side, std::set<std::string>* names) {
  if (!fs::IsDir(side)) return Status::OK();  // read-only open of a tree without this side
  VME_ASSIGN_OR_RETURN(auto entries, fs::ListDir(side));
  for (const auto& n : entries) {
    if (n == "snapshots") continue;
    const std::string path = fs::Join(side, n);
    if (!fs::IsDir(path)) {
      if (fs::IsSymlink(path)) {
        return Status::Corruption("partition directory " + path + " is a dangling symbolic link");
      }
      continue;
    }
    TimeRange r;
    if (!ParsePartitionName(n, &r)) {
      return Status::Corruption("unexpected directory " + path +
                                ": not a partition name YYYY_MM with a month 01..12");
    }
    names->insert(n);
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<Table>> Table::Open(const std::string& data_dir,
                                           const PartitionOptions& opts) {
  const std::string small = fs::Join(data_dir, "small");
  const std::string big = fs::Join(data_dir, "big");
  std::unique_ptr<fs::FileLock> lock;
  if (!opts.read_only) {
    VME_RETURN_IF_ERROR(fs::MkdirAllSync(data_dir));
    VME_ASSIGN_OR_RETURN(lock, fs::FileLock::Acquire(fs::Join(data_dir, "flock.lock")));
    for (const auto& d : {small, big}) {
      VME_RETURN_IF_ERROR(fs::MkdirAllSync(d));
      VME_RETURN_IF_ERROR(fs::MkdirAllSync(fs::Join(d, "snapshots")));
    }
  }
  std::unique_ptr<Table> t(new Table(small, big, opts, std::move(lock)));
  std::set<std::string> names;
  for (const auto& d : {small, big}) VME_RETURN_IF_ERROR(AddPartitionNames(d, &names));
  for (const auto& n : names) {
    VME_ASSIGN_OR_RETURN(auto p, Partition::Open(small, big, n, opts));
    t->partitions_.emplace(n, std::move(p));
  }
  return t;
}

Result<std::shared_ptr<Partition>> Table::GetOrCreatePartition(int64_t ts) {
  const std::string name = PartitionName(ts);
  {
    std::shared_lock<std::shared_mutex> l(mu_);
    auto it = partitions_.find(name);
    if (it != partitions_.end()) return it->second;
  }
  std::unique_lock<std::shared_mutex> l(mu_);
  auto it = partitions_.find(name);
  if (it != partitions_.end()) return it->second;
  if (opts_.read_only) {
    return Status(Code::kMisuse, "cannot create partition " + name + " in a read-only table");
  }
  VME_ASSIGN_OR_RETURN(auto p, Partition::Open(small_dir_, big_dir_, name, opts_));
  partitions_.emplace(name, p);
  return p;
}

Status Table::AddRows(std::vector<RawRow>* rows, const std::unordered_set<uint64_t>* deleted) {
  if (rows->empty()) return Status::OK();
  // Fast path: every row in the partition of the first row.
  VME_ASSIGN_OR_RETURN(auto first, GetOrCreatePartition(rows->front().timestamp));
  const TimeRange& r = first->range();
  bool all_in = true;
  for (const RawRow& row : *rows) {
    if (row.timestamp < r.min_timestamp || row.timestamp > r.max_timestamp) {
      all_in = false;
      break;
    }
  }
  if (all_in) return first->AddRows(rows->data(), rows->size(), deleted);
  std::map<std::string, std::vector<RawRow>> buckets;
  for (const RawRow& row : *rows) buckets[PartitionName(row.timestamp)].push_back(row);
  for (auto& [name, bucket] : buckets) {
    VME_ASSIGN_OR_RETURN(auto p, GetOrCreatePartition(bucket.front().timestamp));
    VME_RETURN_IF_ERROR(p->AddRows(bucket.data(), bucket.size(), deleted));
  }
  return Status::OK();
}

Status Table::DropPartitionsBefore(int64_t deadline, size_t* dropped) {
  *dropped = 0;
  if (opts_.read_only) return Status::OK();
  std::vector<std::shared_ptr<Partition>> gone;
  {
    std::unique_lock<std::shared_mutex> l(mu_);
    for (auto it = partitions_.begin(); it != partitions_.end();) {
      if (it->second->range().max_timestamp < deadline) {
        gone.push_back(it->second);
        it = partitions_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& p : gone) {
    VME_RETURN_IF_ERROR(fs::RemoveAllSync(p->small_dir()));
    VME_RETURN_IF_ERROR(fs::RemoveAllSync(p->big_dir()));
    (*dropped)++;
  }
  return Status::OK();
}

std::vector<std::shared_ptr<Partition>> Table::Partitions(const TimeRange* tr) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  std::vector<std::shared_ptr<Partition>> out;
  for (const auto& [name, p] : partitions_) {
    if (tr != nullptr && (p->range().max_timestamp < tr->min_timestamp ||
                          p->range().min_timestamp > tr->max_timestamp)) {
      continue;
    }
    out.push_back(p);
  }
  return out;
}

}  // namespace vme::storage
