// Quarantine of corrupt parts (the `quarantine` option, StorageOptions::quarantine): a part that
// fails verification (util/part_checksums.h, or the structural checks of its reader) is moved
// out of the data it belongs to, to
//
//   <data dir>/quarantine/<its path relative to the data dir>
//
// e.g. quarantine/data/small/2026_12/<part> or quarantine/indexdb/<16 hex>/<part>. The
// quarantine directory sits at the top of the data directory, never inside data/small,
// data/big or a partition or table directory: VictoriaMetrics 1.72 refuses a partition
// directory that holds an unknown directory, and vmengine's own open refuses names other than
// YYYY_MM there. Storage::Open ignores quarantine/; VictoriaMetrics does too.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "util/status.h"

namespace vme {

inline constexpr char kQuarantineDirName[] = "quarantine";

// Moves a corrupt part directory away; `why` is the error that condemned it. Returns OK once
// the part is gone from its directory. Set by Storage when the option is on; empty = off.
using QuarantineFn = std::function<Status(const std::string& part_dir, const Status& why)>;

// Renames part_dir (inside data_dir; both absolute and lexically normal) to
// <data_dir>/quarantine/<relative path> (".1", ".2", ... appended if that exists), creating
// the parents, then fsyncs the old and the new parent directory. *dst gets the new path.
// Errors name both paths.
Status MovePartToQuarantine(const std::string& data_dir, const std::string& part_dir,
                            std::string* dst);

// Erases from `list` every entry not in a merge whose part is flagged corrupt, appending its
// path to *paths (for Partition and mergeset::Table: entries have `in_merge` and `part`). The
// caller holds the lock of the list; searches holding a detached part keep reading it.
template <class List>
void DetachCorruptParts(List* list, std::vector<std::string>* paths) {
  for (auto it = list->begin(); it != list->end();) {
    if (!it->in_merge && it->part->corrupt()) {
      paths->push_back(it->part->path());
      it = list->erase(it);
    } else {
      ++it;
    }
  }
}

// Calls quarantine(path, why) for every path (outside any lock); returns the first error.
Status QuarantineParts(const QuarantineFn& quarantine, const std::vector<std::string>& paths,
                       const Status& why);

}  // namespace vme
