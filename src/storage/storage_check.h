// Verification and repair of a whole data directory, for `vmengine check` (the layout of
// docs/format.md, "Directory layout"; VictoriaMetrics lib/storage/storage.go, table.go,
// partition.go, lib/mergeset/table.go).
//
// CheckStorage walks, without writing anything and without taking flock.lock:
//   - data/{small,big}/<YYYY_MM>/<part>: every data part (storage/part_check.h), and that its
//     time range lies inside its partition's month; entries a read-write open refuses (a
//     directory that is no partition name, a dangling symlink);
//   - indexdb/<16 hex>/<part>: every mergeset part of every generation (mergeset/part_check.h);
//   - leftovers of an interrupted writer: non-empty tmp/ directories, empty part directories
//     (warnings: a read-write open or --repair removes them) and pending txn/ files (a warning
//     when well-formed: a read-write open completes them; a problem when malformed);
//   - metadata/minTimestampForCompositeIndex (8 bytes when present), restore-in-progress;
//   - index <-> data consistency: every series (tenant, MetricID) of a data block has a
//     MetricID -> MetricName entry (ns 3) in some generation, every MetricID of a per-day entry
//     (ns 5) has one too, and every (date, series) of the first and last timestamp of a data
//     block has its per-day entry (else the per-day search of VictoriaMetrics
//     lib/storage/index_db.go, used for ranges of up to 40 days, misses the series). Deleted
//     MetricIDs (ns 4) are exempt from the data-side checks.
// Memory: parts are streamed (one index block and one block at a time); the consistency check
// keeps 16 bytes per series and 24 per (date, series) of data, and as much for the indexdb.
//
// A directory whose flock.lock another process holds is checked all the same (reads only), but
// the report says so (writer_active): parts may vanish under the walk (skipped, as a warning),
// and leftovers or index <-> data gaps may be in flight, so those are warnings then.
//
// RepairStorage takes flock.lock (Locked if a writer holds it) and then, in order:
//   1. completes pending transactions (util/txn.h Replay, as a read-write open does), moving a
//      malformed txn file to quarantine/; removes tmp/ contents and empty part directories;
//   2. moves every part with a problem, and every directory of data/{small,big} that is no
//      partition, to <dir>/quarantine/<its path relative to dir> (rename, then fsync both
//      parents), except a part whose only problem is its min_dedup_interval
//      file: that file is removed (missing means 0, as in VictoriaMetrics);
//   3. rewrites a malformed metadata/minTimestampForCompositeIndex with the value an open of an
//      existing directory derives (two days after today, UTC midnight);
//   4. adds the missing per-day entries (ns 5 and 6) of data series whose MetricName and TSID
//      are known, to the newest indexdb generation;
// and reports what it did. It cannot invent a missing MetricID -> MetricName entry, nor drop an
// unresolvable per-day entry from an immutable part: those stay problems.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mergeset/part_check.h"
#include "util/status.h"

namespace vme::storage {

struct StorageCheckOptions {
  PartCheckOptions part;
  bool consistency = true;  // the index <-> data checks
};

struct CheckedPart {
  enum class Kind { kData, kIndexDB };
  Kind kind = Kind::kData;
  std::string rel_path;  // relative to the data directory
  PartCheckResult result;
};

// A (date, series) of data without its per-day index entry.
struct DaySeries {
  uint32_t account_id = 0;
  uint32_t project_id = 0;
  uint64_t date = 0;  // days since the epoch (UTC)
  uint64_t metric_id = 0;
};

struct StorageCheckReport {
  std::string path;
  bool writer_active = false;  // flock.lock is held by another process
  std::vector<CheckedPart> parts;
  std::vector<CheckProblem> problems;  // outside parts: layout, leftovers, index <-> data
  std::vector<CheckProblem> warnings;
  std::vector<DaySeries> missing_per_day;
  // Directories under data/{small,big} that are no partition (an open refuses them), relative to
  // the data directory; repair step 2 moves them to quarantine/ too.
  std::vector<std::string> misplaced;  // also among problems; what repair step 4 adds
  std::vector<std::string> repairs;    // what RepairStorage did, one line each
  uint64_t data_rows = 0;
  uint64_t data_blocks = 0;
  uint64_t indexdb_items = 0;
  uint64_t series = 0;  // distinct (tenant, MetricID) in data
  uint64_t elapsed_ms = 0;

  // Problems of every kind (parts and directory-level).
  uint64_t ProblemCount() const;
};

// NotFound when path is not a data directory (no data/ and no indexdb/); IoError when it
// cannot be listed. Problems found are in the report, not in the status.
Result<StorageCheckReport> CheckStorage(const std::string& path, const StorageCheckOptions& opts);

// Repairs what `report` (a CheckStorage of path) found, as the header says, then checks again:
// the returned report is the final state, with `repairs` listing every action.
Result<StorageCheckReport> RepairStorage(const std::string& path, const StorageCheckReport& report,
                                         const StorageCheckOptions& opts);

}  // namespace vme::storage
