// Table: the set of monthly partitions under <storage>/data (VictoriaMetrics table.AddRows,
// lib/storage/ table.go). data/ holds flock.lock, small/ and big/ (each with snapshots/), and one
// YYYY_MM directory per partition on both sides; the partition set is the union of the names
// found under small/ and big/. Any other directory there (a name that is not YYYY_MM with a
// month 01..12, a dangling symlink) fails the open with VME_ERR_CORRUPTION. With
// PartitionOptions::read_only nothing is created or locked and missing directories are empty.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "storage/partition.h"
#include "util/fs.h"

namespace vme::storage {

class Table {
 public:
  static Result<std::unique_ptr<Table>> Open(const std::string& data_dir,
                                             const PartitionOptions& opts);

  // Routes rows to their monthly partitions, creating partitions as needed.
  Status AddRows(std::vector<RawRow>* rows, const std::unordered_set<uint64_t>* deleted);
  // Detaches partitions whose whole month is older than deadline and removes their
  // directories (VictoriaMetrics table.retentionWatcher in lib/storage/table.go). Parts still
  // pinned stay readable through their open files. *dropped gets the number of partitions dropped.
  Status DropPartitionsBefore(int64_t deadline, size_t* dropped);

  // Partitions whose month intersects tr (all if tr is null), in name order.
  std::vector<std::shared_ptr<Partition>> Partitions(const TimeRange* tr = nullptr) const;

  const std::string& small_dir() const { return small_dir_; }
  const std::string& big_dir() const { return big_dir_; }

 private:
  Table(std::string small_dir, std::string big_dir, const PartitionOptions& opts,
        std::unique_ptr<fs::FileLock> lock)
      : small_dir_(std::move(small_dir)),
        big_dir_(std::move(big_dir)),
        opts_(opts),
        lock_(std::move(lock)) {}

  Result<std::shared_ptr<Partition>> GetOrCreatePartition(int64_t ts);

  const std::string small_dir_;
  const std::string big_dir_;
  const PartitionOptions opts_;
  std::unique_ptr<fs::FileLock> lock_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<Partition>> partitions_;
};

}  // namespace vme::storage
