#include "storage/storage_check.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <tuple>

#include "encoding/int.h"
#include "storage/index_db.h"
#include "storage/index_db_generations.h"
#include "storage/part_check.h"
#include "storage/part_header.h"
#include "storage/time.h"
#include "util/fs.h"
#include "util/quarantine.h"
#include "util/txn.h"

namespace vme::storage {
namespace {

bool IsIndexDBName(const std::string& n) {
  return n.size() == 16 && std::all_of(n.begin(), n.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
         });
}

// Whether a flock is held on path (by another process, or by this one through another open
// file: e.g. an open Storage) (Linux: /proc/locks lists
// "<n>: FLOCK ADVISORY WRITE <pid> <maj>:<min>:<inode> 0 EOF"). Reads only.
bool LockHeld(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  std::ifstream in("/proc/locks");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string idx, type, adv, mode, pid, dev;
    if (!(ls >> idx >> type)) continue;
    if (type == "->") ls >> type;  // a blocked waiter
    if (!(ls >> adv >> mode >> pid >> dev) || type != "FLOCK") continue;
    unsigned maj = 0, min = 0;
    unsigned long long ino = 0;
    if (std::sscanf(dev.c_str(), "%x:%x:%llu", &maj, &min, &ino) != 3) continue;
    if (ino == st.st_ino) return true;
  }
  return false;
}

struct SeriesKey {
  uint32_t account_id, project_id;
  uint64_t metric_id;
  auto operator<=>(const SeriesKey&) const = default;
};
struct DayKey {
  uint32_t account_id, project_id;
  uint64_t date, metric_id;
  auto operator<=>(const DayKey&) const = default;
};
template <typename K>
struct Located {
  K key;
  uint32_t part;  // index into report.parts
  bool operator<(const Located& o) const { return std::tie(key, part) < std::tie(o.key, o.part); }
};

// Keeps the first entry of each key (sorted by key, then part).
template <typename K>
void SortUnique(std::vector<Located<K>>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end(),
                       [](const Located<K>& a, const Located<K>& b) { return a.key == b.key; }),
           v->end());
}

class Walker {
 public:
  Walker(const std::string& path, const StorageCheckOptions& opts, bool self_locked,
         StorageCheckReport* r)
      : path_(path), opts_(opts), self_locked_(self_locked), r_(r) {}
  Status Run();

 private:
  std::string Rel(const std::string& p) const {
    return p.size() > path_.size() && p.compare(0, path_.size(), path_) == 0
               ? p.substr(path_.size() + 1)
               : p;
  }
  void Problem(const std::string& dir, const std::string& file, const std::string& msg) {
    r_->problems.push_back(CheckProblem{dir, file, -1, msg});
  }
  void Warning(const std::string& dir, const std::string& file, const std::string& msg) {
    r_->warnings.push_back(CheckProblem{dir, file, -1, msg});
  }
  // A problem, or a warning while a writer may have it in flight.
  void InFlight(const std::string& dir, const std::string& file, const std::string& msg) {
    if (r_->writer_active) {
      Warning(dir, file, msg + " (a writer is active: may be in flight)");
    } else {
      Problem(dir, file, msg);
    }
  }
  // Lists dir; on failure records a problem (a warning when an active writer removed dir)
  // and returns false.
  bool ListDirOrReport(const std::string& dir, std::vector<std::string>* names) {
    auto r = fs::ListDir(dir);
    if (r.ok()) {
      *names = std::move(r).value();
      return true;
    }
    if (r_->writer_active && !fs::Exists(dir)) {
      Warning(dir, "", "removed by the active writer during the check");
    } else {
      Problem(dir, "", r.status().message());
    }
    return false;
  }
  // tmp/, txn/ and empty part directories of a partition side or a mergeset table.
  Status CheckLeftovers(const std::string& dir, const std::vector<std::string>& roots);
  Status WalkData();
  Status WalkIndexDB();
  void CheckMetadata();
  void CheckConsistency();
  void AddPart(CheckedPart::Kind kind, const std::string& dir, PartCheckResult res);

  const std::string path_;
  const StorageCheckOptions& opts_;
  const bool self_locked_;  // RepairStorage holds flock.lock
  StorageCheckReport* r_;
  std::vector<Located<SeriesKey>> data_series_;
  std::vector<Located<DayKey>> data_days_;
  std::vector<Located<SeriesKey>> names_;
  std::vector<Located<DayKey>> per_day_;
  std::vector<uint64_t> deleted_;
};

void Walker::AddPart(CheckedPart::Kind kind, const std::string& dir, PartCheckResult res) {
  // A part that vanished under an active writer (merged away) is skipped.
  if (!res.ok() && r_->writer_active && !fs::Exists(dir)) {
    Warning(dir, "", "the part vanished during the check (merged by the active writer)");
    return;
  }
  if (kind == CheckedPart::Kind::kData) {
    r_->data_rows += res.items;
    r_->data_blocks += res.blocks;
  } else {
    r_->indexdb_items += res.items;
  }
  r_->parts.push_back(CheckedPart{kind, Rel(dir), std::move(res)});
}

Status Walker::CheckLeftovers(const std::string& dir, const std::vector<std::string>& roots) {
  const std::string tmp = fs::Join(dir, "tmp");
  if (fs::IsDir(tmp)) {
    std::vector<std::string> names;
    if (!ListDirOrReport(tmp, &names)) return Status::OK();
    for (const auto& n : names) {
      Warning(tmp, n,
              r_->writer_active
                  ? "temporary part of the active writer (or a leftover of an interrupted one)"
                  : "leftover temporary part of an interrupted merge or flush (removed by a "
                    "read-write open or --repair)");
    }
  }
  auto pending = txn::PendingFiles(fs::Join(dir, "txn"));
  if (!pending.ok()) {
    Problem(fs::Join(dir, "txn"), "", pending.status().message());
    return Status::OK();
  }
  for (const auto& p : *pending) {
    const std::string name = p.substr(p.rfind('/') + 1);
    auto text = fs::ReadFile(p);
    if (!text.ok()) {
      if (!fs::Exists(p)) continue;  // completed meanwhile
      Problem(fs::Join(dir, "txn"), name, text.status().message());
      continue;
    }
    std::vector<std::string> norm;
    for (const auto& root : roots) norm.push_back(txn::NormalizePath(root));
    auto t = txn::Parse(*text, norm, p);
    if (!t.ok()) {
      Problem(fs::Join(dir, "txn"), name, t.status().message());
    } else if (r_->writer_active) {
      Warning(fs::Join(dir, "txn"), name, "pending transaction (a writer is active: in flight)");
    } else {
      Warning(fs::Join(dir, "txn"), name,
              "pending transaction of an interrupted merge (completed by a read-write open or "
              "--repair; a read-only open refuses it)");
    }
  }
  return Status::OK();
}

Status Walker::WalkData() {
  for (const char* side_name : {"small", "big"}) {
    const std::string side = fs::Join(fs::Join(path_, "data"), side_name);
    if (!fs::IsDir(side)) continue;
    VME_ASSIGN_OR_RETURN(auto partitions, fs::ListDir(side));
    for (const auto& pn : partitions) {
      if (pn == "snapshots") continue;
      const std::string pdir = fs::Join(side, pn);
      if (!fs::IsDir(pdir)) {
        if (fs::IsSymlink(pdir)) Problem(side, pn, "dangling symbolic link (an open refuses it)");
        continue;
      }
      TimeRange range;
      if (!ParsePartitionName(pn, &range)) {
        Problem(side, pn,
                "unexpected directory: not a partition name YYYY_MM (an open refuses it; "
                "VictoriaMetrics too)");
        r_->misplaced.push_back(Rel(pdir));
        continue;
      }
      VME_RETURN_IF_ERROR(
          CheckLeftovers(pdir, {fs::Join(fs::Join(fs::Join(path_, "data"), "small"), pn),
                                fs::Join(fs::Join(fs::Join(path_, "data"), "big"), pn)}));
      std::vector<std::string> parts;
      if (!ListDirOrReport(pdir, &parts)) continue;
      for (const auto& n : parts) {
        if (n == "tmp" || n == "txn" || n == "snapshots") continue;
        const std::string dir = fs::Join(pdir, n);
        if (!fs::IsDir(dir)) {
          if (fs::IsSymlink(dir)) Problem(pdir, n, "dangling symbolic link to a part");
          continue;
        }
        auto entries = fs::ListDir(dir);
        if (entries.ok() && entries->empty()) {
          Warning(dir, "", "empty part directory (removed by a read-write open or --repair)");
          continue;
        }
        const uint32_t part_idx = static_cast<uint32_t>(r_->parts.size());
        BlockVisitor visit;
        if (opts_.consistency) {
          visit = [&](const TSID& t, int64_t min_ts, int64_t max_ts) {
            if (!data_series_.empty() && data_series_.back().key.metric_id == t.metric_id &&
                data_series_.back().part == part_idx) {
              // consecutive blocks of one series: keep only new dates
            } else {
              data_series_.push_back({{t.account_id, t.project_id, t.metric_id}, part_idx});
            }
            for (int64_t ts : {min_ts, max_ts}) {
              if (ts < 0) continue;
              const uint64_t date = static_cast<uint64_t>(ts) / kMsecPerDay;
              const DayKey k{t.account_id, t.project_id, date, t.metric_id};
              if (data_days_.empty() || !(data_days_.back().key == k)) {
                data_days_.push_back({k, part_idx});
              }
            }
          };
        }
        PartCheckResult res = CheckDataPart(dir, opts_.part, visit);
        PartHeader ph;
        if (res.ok() && PartHeader::ParseFromDirName(n, &ph).ok() &&
            (ph.min_timestamp < range.min_timestamp || ph.max_timestamp > range.max_timestamp)) {
          res.problems.push_back(CheckProblem{
              dir, "", -1,
              "the part's time range lies outside partition " + pn + " (an open refuses it)"});
        }
        AddPart(CheckedPart::Kind::kData, dir, std::move(res));
      }
      // Keep the consistency vectors compact as the walk goes.
      if (data_series_.size() > (uint64_t{1} << 20)) SortUnique(&data_series_);
      if (data_days_.size() > (uint64_t{1} << 20)) SortUnique(&data_days_);
    }
  }
  return Status::OK();
}

Status Walker::WalkIndexDB() {
  const std::string idb = fs::Join(path_, "indexdb");
  if (!fs::IsDir(idb)) {
    Problem(path_, "indexdb", "no indexdb directory (the series index is missing)");
    return Status::OK();
  }
  VME_ASSIGN_OR_RETURN(auto gens, fs::ListDir(idb));
  for (const auto& g : gens) {
    const std::string gdir = fs::Join(idb, g);
    if (!IsIndexDBName(g) || !fs::IsDir(gdir)) continue;
    VME_RETURN_IF_ERROR(CheckLeftovers(gdir, {gdir}));
    std::vector<std::string> parts;
    if (!ListDirOrReport(gdir, &parts)) continue;
    for (const auto& n : parts) {
      if (n == "tmp" || n == "txn" || n == "snapshots" || n == "cache") continue;
      const std::string dir = fs::Join(gdir, n);
      if (!fs::IsDir(dir)) continue;
      auto entries = fs::ListDir(dir);
      if (entries.ok() && entries->empty()) {
        Warning(dir, "", "empty part directory (removed by a read-write open or --repair)");
        continue;
      }
      const uint32_t part_idx = static_cast<uint32_t>(r_->parts.size());
      std::function<void(std::string_view)> on_item;
      if (opts_.consistency) {
        on_item = [&](std::string_view it) {
          if (it.empty()) return;
          const uint8_t ns = static_cast<uint8_t>(it[0]);
          if (ns == kNsMetricIDToMetricName && it.size() >= 17) {
            names_.push_back({{enc::LoadU32(it.data() + 1), enc::LoadU32(it.data() + 5),
                               enc::LoadU64(it.data() + 9)},
                              part_idx});
          } else if (ns == kNsDateToMetricID && it.size() == 25) {
            per_day_.push_back({{enc::LoadU32(it.data() + 1), enc::LoadU32(it.data() + 5),
                                 enc::LoadU64(it.data() + 9), enc::LoadU64(it.data() + 17)},
                                part_idx});
          } else if (ns == kNsDeletedMetricID && it.size() == 9) {
            deleted_.push_back(enc::LoadU64(it.data() + 1));
          }
        };
      }
      AddPart(CheckedPart::Kind::kIndexDB, dir, mergeset::CheckPart(dir, opts_.part, on_item));
    }
  }
  return Status::OK();
}

void Walker::CheckMetadata() {
  const std::string meta = fs::Join(path_, "metadata");
  const std::string f = fs::Join(meta, "minTimestampForCompositeIndex");
  if (fs::Exists(f)) {
    auto size = fs::FileSize(f);
    if (!size.ok()) {
      Problem(meta, "minTimestampForCompositeIndex", size.status().message());
    } else if (*size != 8) {
      Problem(meta, "minTimestampForCompositeIndex",
              "holds " + std::to_string(*size) + " bytes; want 8 (an open refuses it)");
    }
  }
  if (fs::Exists(fs::Join(path_, "restore-in-progress"))) {
    Problem(path_, "restore-in-progress", "an interrupted restore (an open refuses the directory)");
  }
}

void Walker::CheckConsistency() {
  SortUnique(&data_series_);
  SortUnique(&data_days_);
  SortUnique(&names_);
  SortUnique(&per_day_);
  std::sort(deleted_.begin(), deleted_.end());
  r_->series = data_series_.size();
  auto is_deleted = [&](uint64_t id) {
    return std::binary_search(deleted_.begin(), deleted_.end(), id);
  };
  auto has_name = [&](uint32_t acc, uint32_t proj, uint64_t id) {
    const Located<SeriesKey> probe{{acc, proj, id}, 0};
    auto it = std::lower_bound(names_.begin(), names_.end(), probe);
    return it != names_.end() && it->key == probe.key;
  };
  auto part_path = [&](uint32_t i) { return i < r_->parts.size() ? r_->parts[i].result.path : ""; };
  auto tenant = [](uint32_t acc, uint32_t proj) {
    return acc == 0 && proj == 0
               ? std::string()
               : " (tenant " + std::to_string(acc) + ":" + std::to_string(proj) + ")";
  };
  for (const auto& s : data_series_) {
    if (is_deleted(s.key.metric_id) ||
        has_name(s.key.account_id, s.key.project_id, s.key.metric_id)) {
      continue;
    }
    InFlight(part_path(s.part), "index.bin",
             "series MetricID " + std::to_string(s.key.metric_id) +
                 tenant(s.key.account_id, s.key.project_id) +
                 " has data but no MetricID -> MetricName entry in any indexdb generation "
                 "(its samples cannot be found by any search)");
  }
  for (const auto& d : per_day_) {
    if (has_name(d.key.account_id, d.key.project_id, d.key.metric_id)) continue;
    InFlight(part_path(d.part), "items.bin",
             "per-day index entry (date " + std::to_string(d.key.date) + ", MetricID " +
                 std::to_string(d.key.metric_id) + ")" +
                 tenant(d.key.account_id, d.key.project_id) +
                 " does not resolve: no MetricID -> MetricName entry in any indexdb generation");
  }
  for (const auto& d : data_days_) {
    if (is_deleted(d.key.metric_id)) continue;
    const Located<DayKey> probe{d.key, 0};
    auto it = std::lower_bound(per_day_.begin(), per_day_.end(), probe);
    if (it != per_day_.end() && it->key == d.key) continue;
    if (!r_->writer_active) {
      r_->missing_per_day.push_back(
          DaySeries{d.key.account_id, d.key.project_id, d.key.date, d.key.metric_id});
    }
    InFlight(part_path(d.part), "index.bin",
             "series MetricID " + std::to_string(d.key.metric_id) +
                 tenant(d.key.account_id, d.key.project_id) + " has data on date " +
                 std::to_string(d.key.date) +
                 " but no per-day index entry for it (VictoriaMetrics' per-day search of that day "
                 "misses "
                 "it)");
  }
}

Status Walker::Run() {
  if (!fs::IsDir(path_)) return Status::NotFound("no directory " + path_);
  if (!fs::IsDir(fs::Join(path_, "data")) && !fs::IsDir(fs::Join(path_, "indexdb"))) {
    return Status::NotFound(path_ + " is not a data directory: it has neither data/ nor indexdb/");
  }
  r_->writer_active = !self_locked_ && LockHeld(fs::Join(path_, "flock.lock"));
  CheckMetadata();
  VME_RETURN_IF_ERROR(WalkData());
  VME_RETURN_IF_ERROR(WalkIndexDB());
  if (opts_.consistency) CheckConsistency();
  return Status::OK();
}

}  // namespace

uint64_t StorageCheckReport::ProblemCount() const {
  uint64_t n = problems.size();
  for (const auto& p : parts) n += p.result.problems.size();
  return n;
}

namespace {

Result<StorageCheckReport> Check(const std::string& path_in, const StorageCheckOptions& opts,
                                 bool self_locked) {
  const auto t0 = std::chrono::steady_clock::now();
  std::string path = path_in;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  StorageCheckReport r;
  r.path = path;
  VME_RETURN_IF_ERROR(Walker(path, opts, self_locked, &r).Run());
  r.elapsed_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count());
  return r;
}

}  // namespace

Result<StorageCheckReport> CheckStorage(const std::string& path, const StorageCheckOptions& opts) {
  return Check(path, opts, /*self_locked=*/false);
}

namespace {

// Step 1 of RepairStorage for one partition side or mergeset table.
Status RecoverDir(const std::string& root, const std::string& dir,
                  const std::vector<std::string>& roots, std::vector<std::string>* log) {
  const std::string rel = dir.substr(root.size() + 1);
  VME_ASSIGN_OR_RETURN(auto pending, txn::PendingFiles(fs::Join(dir, "txn")));
  std::vector<std::string> norm;
  for (const auto& r : roots) norm.push_back(txn::NormalizePath(r));
  for (const auto& p : pending) {
    const Status st = txn::Replay(norm, p);
    if (st.ok()) {
      log->push_back("completed pending transaction " + p);
      continue;
    }
    std::string dst;
    VME_RETURN_IF_ERROR(MovePartToQuarantine(root, p, &dst));
    log->push_back("moved transaction file " + p + " that cannot be completed (" + st.message() +
                   ") to " + dst);
  }
  const std::string tmp = fs::Join(dir, "tmp");
  if (fs::IsDir(tmp)) {
    VME_ASSIGN_OR_RETURN(auto names, fs::ListDir(tmp));
    for (const auto& n : names) {
      VME_RETURN_IF_ERROR(fs::RemoveAllSync(fs::Join(tmp, n)));
      log->push_back("removed temporary part " + fs::Join(tmp, n));
    }
  }
  VME_ASSIGN_OR_RETURN(auto names, fs::ListDir(dir));
  for (const auto& n : names) {
    if (n == "tmp" || n == "txn" || n == "snapshots") continue;
    const std::string p = fs::Join(dir, n);
    if (!fs::IsDir(p) || fs::IsSymlink(p)) continue;
    VME_ASSIGN_OR_RETURN(auto entries, fs::ListDir(p));
    if (!entries.empty()) continue;
    VME_RETURN_IF_ERROR(fs::RemoveAllSync(p));
    log->push_back("removed empty part directory " + p);
  }
  (void)rel;
  return Status::OK();
}

// Step 4: the per-day entries of the data (dates, series) that lack them.
Status AddMissingPerDay(const std::string& root, const StorageCheckReport& report,
                        std::vector<std::string>* log) {
  const auto& missing = report.missing_per_day;
  if (missing.empty()) return Status::OK();
  VME_ASSIGN_OR_RETURN(auto gens, IndexDBGenerations::Open(fs::Join(root, "indexdb"), false));
  IndexItems items;
  uint64_t added = 0, unknown = 0;
  Status st;
  for (const DaySeries& m : missing) {
    MetricName mn;
    TSID tsid;
    if (!gens->GetMetricName(m.account_id, m.project_id, m.metric_id, &mn).ok() ||
        !gens->GetTSID(m.account_id, m.project_id, m.metric_id, &tsid).ok()) {
      unknown++;
      continue;
    }
    AppendPerDayIndexItems(m.date, tsid, mn, &items);
    added++;
    if (items.data.size() > (size_t{1} << 20)) {
      st = gens->curr().AddItems(items);
      items.Clear();
      if (!st.ok()) break;
    }
  }
  if (st.ok() && items.size() > 0) st = gens->curr().AddItems(items);
  const Status cst = gens->Close();
  VME_RETURN_IF_ERROR(st);
  VME_RETURN_IF_ERROR(cst);
  if (added > 0) {
    log->push_back("added the per-day index entries of " + std::to_string(added) +
                   " (date, series) pairs to indexdb generation " + gens->curr().name());
  }
  if (unknown > 0) {
    log->push_back("could not add " + std::to_string(unknown) +
                   " per-day index entries: the series' MetricName or TSID is unknown");
  }
  return Status::OK();
}

}  // namespace

Result<StorageCheckReport> RepairStorage(const std::string& path_in,
                                         const StorageCheckReport& report,
                                         const StorageCheckOptions& opts) {
  std::string root = path_in;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  VME_ASSIGN_OR_RETURN(auto lock, fs::FileLock::Acquire(fs::Join(root, "flock.lock")));
  std::vector<std::string> log;
  // 1. Transactions, tmp/ and empty part directories.
  for (const char* side : {"small", "big"}) {
    const std::string sdir = fs::Join(fs::Join(root, "data"), side);
    if (!fs::IsDir(sdir)) continue;
    VME_ASSIGN_OR_RETURN(auto partitions, fs::ListDir(sdir));
    for (const auto& pn : partitions) {
      TimeRange range;
      const std::string pdir = fs::Join(sdir, pn);
      if (!ParsePartitionName(pn, &range) || !fs::IsDir(pdir) || fs::IsSymlink(pdir)) continue;
      VME_RETURN_IF_ERROR(RecoverDir(root, pdir,
                                     {fs::Join(fs::Join(fs::Join(root, "data"), "small"), pn),
                                      fs::Join(fs::Join(fs::Join(root, "data"), "big"), pn)},
                                     &log));
    }
  }
  const std::string idb = fs::Join(root, "indexdb");
  if (fs::IsDir(idb)) {
    VME_ASSIGN_OR_RETURN(auto gens, fs::ListDir(idb));
    for (const auto& g : gens) {
      const std::string gdir = fs::Join(idb, g);
      if (!IsIndexDBName(g) || !fs::IsDir(gdir) || fs::IsSymlink(gdir)) continue;
      VME_RETURN_IF_ERROR(RecoverDir(root, gdir, {gdir}, &log));
    }
  }
  // Completed transactions change the part set: look again.
  StorageCheckReport current;
  const StorageCheckReport* r = &report;
  if (!log.empty()) {
    VME_ASSIGN_OR_RETURN(current, Check(root, opts, true));
    r = &current;
  }
  // 2. Bad parts.
  bool moved_parts = false;
  for (const auto& p : r->parts) {
    if (p.result.ok()) continue;
    const bool dedup_only =
        std::all_of(p.result.problems.begin(), p.result.problems.end(),
                    [](const CheckProblem& pr) { return pr.file == kMinDedupIntervalFileName; });
    if (dedup_only) {
      const std::string f = fs::Join(p.result.path, kMinDedupIntervalFileName);
      if (::unlink(f.c_str()) != 0) {
        return Status::IoError("cannot remove " + f + ": " + std::strerror(errno));
      }
      VME_RETURN_IF_ERROR(fs::FsyncDir(p.result.path));
      log.push_back("removed the malformed " + f + " (missing means 0)");
      continue;
    }
    std::string dst;
    VME_RETURN_IF_ERROR(MovePartToQuarantine(root, fs::Join(root, p.rel_path), &dst));
    log.push_back("moved part " + p.result.path + " to " + dst + " (" +
                  p.result.problems.front().message + ")");
    moved_parts = true;
  }
  for (const auto& rel : r->misplaced) {
    std::string dst;
    VME_RETURN_IF_ERROR(MovePartToQuarantine(root, fs::Join(root, rel), &dst));
    log.push_back("moved " + fs::Join(root, rel) + ", which is no partition, to " + dst);
  }
  // 3. Metadata.
  for (const auto& pr : r->problems) {
    if (pr.file != "minTimestampForCompositeIndex") continue;
    const int64_t v = (NowMs() / kMsecPerDay + 2) * kMsecPerDay;
    std::string b;
    enc::AppendI64zz(&b, v);
    const std::string f = fs::Join(pr.path, pr.file);
    VME_RETURN_IF_ERROR(fs::WriteFileAtomically(f, b, /*overwrite=*/true));
    log.push_back("rewrote " + f + " (" + std::to_string(v) + ")");
  }
  // 4. Per-day entries (after the parts moved: from the remaining data).
  if (opts.consistency) {
    if (moved_parts) {
      VME_ASSIGN_OR_RETURN(current, Check(root, opts, true));
      r = &current;
    }
    VME_RETURN_IF_ERROR(AddMissingPerDay(root, *r, &log));
  }
  VME_ASSIGN_OR_RETURN(StorageCheckReport out, Check(root, opts, true));
  lock.reset();
  out.repairs = std::move(log);
  return out;
}

}  // namespace vme::storage
