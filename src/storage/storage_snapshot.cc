// Snapshots (VictoriaMetrics Table.CreateSnapshotAt in lib/mergeset/table.go,
// fs.WriteFileAtomically in lib/fs/fs.go; docs/format.md, "Snapshots"), the layout of
// VictoriaMetrics 1.72:
//   <path>/snapshots/<name>/data/small -> ../../../data/small/snapshots/<name>   (symlink)
//   <path>/snapshots/<name>/data/big   -> ../../../data/big/snapshots/<name>     (symlink)
//   <path>/snapshots/<name>/indexdb    -> ../../indexdb/snapshots/<name>         (symlink)
//   <path>/snapshots/<name>/metadata/  a copy of <path>/metadata/
//   <path>/data/{small,big}/snapshots/<name>/YYYY_MM/<part>/   hard links of the part files
//   <path>/indexdb/snapshots/<name>/<16 hex>/                  Table::CreateSnapshotAt
//                                                              (VictoriaMetrics
//                                                              lib/mergeset/table.go)
// <name> = UTC `YYYYMMDDhhmmss` + '-' + `%016X` of a process-wide counter seeded with the wall
// clock in ns; valid names match ^[0-9]{14}-[0-9A-Fa-f]+$.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "storage/storage.h"
#include "storage/time.h"
#include "util/quote.h"

namespace vme::storage {

namespace {

uint64_t NextSnapshotIdx() {
  static std::atomic<uint64_t> idx{static_cast<uint64_t>(NowNs())};
  return idx.fetch_add(1) + 1;
}

std::string NewSnapshotName() {
  const int64_t ms = NowMs();
  const time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d%02d%02d%02d%02d%02d-%016" PRIX64, tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, NextSnapshotIdx());
  return buf;
}

bool IsSnapshotName(const std::string& s) {
  if (s.size() < 16 || s[14] != '-') return false;
  for (size_t i = 0; i < 14; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  for (size_t i = 15; i < s.size(); i++) {
    const char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

std::string BaseName(const std::string& p) {
  const size_t slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string Parent(const std::string& p) {
  const size_t slash = p.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return p.substr(0, slash);
}

bool HasPrefixDir(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() + 1 && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

// Creates one new directory (its parent must exist) and fsyncs the parent.
Status MkdirSync(const std::string& dir) {
  if (fs::Exists(dir)) return Status::IoError("cannot create directory " + dir + ": it exists");
  return fs::MkdirAllSync(dir);
}

Status SymlinkSync(const std::string& target, const std::string& link) {
  VME_RETURN_IF_ERROR(fs::Symlink(target, link));
  return fs::FsyncDir(Parent(link));
}

Status CopyDirFiles(const std::string& src, const std::string& dst) {
  VME_RETURN_IF_ERROR(MkdirSync(dst));
  VME_ASSIGN_OR_RETURN(auto names, fs::ListDir(src));
  for (const auto& n : names) {
    const std::string from = fs::Join(src, n);
    if (fs::IsDir(from)) {
      VME_RETURN_IF_ERROR(CopyDirFiles(from, fs::Join(dst, n)));
      continue;
    }
    VME_ASSIGN_OR_RETURN(std::string data, fs::ReadFile(from));
    VME_RETURN_IF_ERROR(fs::WriteFileAtomically(fs::Join(dst, n), data));
  }
  return fs::FsyncDir(dst);
}

// A file part directory must have its four data files (files are immutable, so each hard link
// is a complete file).
bool LinkedPartComplete(const std::string& dir) {
  for (const char* f : {"timestamps.bin", "values.bin", "index.bin", "metaindex.bin"}) {
    if (!fs::Exists(fs::Join(dir, f))) return false;
  }
  return true;
}

bool IsCurrentPart(const Partition& p, const PartPtr& part) {
  const auto parts = p.Parts();
  return std::find(parts.begin(), parts.end(), part) != parts.end();
}

}  // namespace

Status Storage::CreateSnapshot(std::string* name_out) {
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  if (opts_.read_only) return Misuse("create snapshot");
  std::shared_lock<std::shared_mutex> il(idb_rw_);  // no indexdb rotation meanwhile
  std::lock_guard<std::mutex> l(snapshot_mu_);
  VME_RETURN_IF_ERROR(FlushLocked());

  const std::string snapshots_dir = fs::Join(path_, "snapshots");
  const std::string idb_snapshots_dir = fs::Join(fs::Join(path_, "indexdb"), "snapshots");
  std::string name;
  std::string small_snap, big_snap, idb_snap, snap;
  for (;;) {
    name = NewSnapshotName();
    small_snap = fs::Join(fs::Join(table_->small_dir(), "snapshots"), name);
    big_snap = fs::Join(fs::Join(table_->big_dir(), "snapshots"), name);
    idb_snap = fs::Join(idb_snapshots_dir, name);
    snap = fs::Join(snapshots_dir, name);
    if (!fs::Exists(small_snap) && !fs::Exists(big_snap) && !fs::Exists(idb_snap) &&
        !fs::Exists(snap)) {
      break;
    }
  }

  auto build = [&]() -> Status {
    VME_RETURN_IF_ERROR(fs::MkdirAllSync(snapshots_dir));
    VME_RETURN_IF_ERROR(MkdirSync(snap));
    const std::string snap_data = fs::Join(snap, "data");
    VME_RETURN_IF_ERROR(MkdirSync(snap_data));

    // Data table: hard links of every file part, pinned by the PartPtrs while linking.
    VME_RETURN_IF_ERROR(fs::MkdirAllSync(Parent(small_snap)));
    VME_RETURN_IF_ERROR(fs::MkdirAllSync(Parent(big_snap)));
    VME_RETURN_IF_ERROR(MkdirSync(small_snap));
    VME_RETURN_IF_ERROR(MkdirSync(big_snap));
    for (const auto& p : table_->Partitions()) {
      const std::string small_p = fs::Join(small_snap, p->name());
      const std::string big_p = fs::Join(big_snap, p->name());
      VME_RETURN_IF_ERROR(MkdirSync(small_p));
      VME_RETURN_IF_ERROR(MkdirSync(big_p));
      // A part replaced by a concurrent merge may vanish while it is linked (unless merges
      // keep pinned parts on disk); then the partition is linked again from its new parts.
      constexpr int kMaxAttempts = 100;
      for (int attempt = 0;; attempt++) {
        const std::vector<PartPtr> parts = p->Parts();
        std::vector<std::string> linked;
        bool retry = false;
        for (const auto& part : parts) {
          if (part->is_inmemory()) continue;
          const std::string& src = part->path();
          std::string dst_root;
          if (HasPrefixDir(src, table_->small_dir())) {
            dst_root = small_p;
          } else if (HasPrefixDir(src, table_->big_dir())) {
            dst_root = big_p;
          } else {
            return Status::Internal("part " + src + " lies outside " + table_->small_dir() +
                                    " and " + table_->big_dir());
          }
          const std::string dst = fs::Join(dst_root, BaseName(src));
          linked.push_back(dst);
          Status st = fs::HardLinkFiles(src, dst);
          if (st.ok() && !LinkedPartComplete(dst)) {
            st = Status::IoError("part " + src + " lost files while being linked into " + dst);
          }
          if (st.ok()) continue;
          if (attempt + 1 < kMaxAttempts &&
              (!LinkedPartComplete(src) || !IsCurrentPart(*p, part))) {
            retry = true;
            break;
          }
          return st;
        }
        if (!retry) break;
        for (const auto& d : linked) VME_RETURN_IF_ERROR(fs::RemoveAllSync(d));
      }
      VME_RETURN_IF_ERROR(fs::FsyncDir(small_p));
      VME_RETURN_IF_ERROR(fs::FsyncDir(big_p));
    }
    VME_RETURN_IF_ERROR(fs::FsyncDir(small_snap));
    VME_RETURN_IF_ERROR(fs::FsyncDir(big_snap));
    VME_RETURN_IF_ERROR(
        SymlinkSync("../../../data/small/snapshots/" + name, fs::Join(snap_data, "small")));
    VME_RETURN_IF_ERROR(
        SymlinkSync("../../../data/big/snapshots/" + name, fs::Join(snap_data, "big")));

    // indexdb: both generations.
    VME_RETURN_IF_ERROR(fs::MkdirAllSync(idb_snapshots_dir));
    VME_RETURN_IF_ERROR(MkdirSync(idb_snap));
    for (IndexDB* idb : {&index_->curr(), &index_->prev()}) {
      VME_RETURN_IF_ERROR(idb->table().CreateSnapshotAt(fs::Join(idb_snap, idb->name())));
    }
    VME_RETURN_IF_ERROR(fs::FsyncDir(idb_snap));
    VME_RETURN_IF_ERROR(SymlinkSync("../../indexdb/snapshots/" + name, fs::Join(snap, "indexdb")));

    // metadata/ is copied, not linked.
    const std::string meta = fs::Join(path_, "metadata");
    if (fs::IsDir(meta)) VME_RETURN_IF_ERROR(CopyDirFiles(meta, fs::Join(snap, "metadata")));

    VME_RETURN_IF_ERROR(fs::FsyncDir(snap_data));
    VME_RETURN_IF_ERROR(fs::FsyncDir(snap));
    return fs::FsyncDir(snapshots_dir);
  };

  Status st = build();
  if (!st.ok()) {
    for (const auto* d : {&small_snap, &big_snap, &idb_snap, &snap}) {
      fs::RemoveAllSync(*d).IgnoreError();
    }
    return st.WithContext("cannot create snapshot " + name + " of " + path_);
  }
  *name_out = name;
  return Status::OK();
}

Status Storage::ListSnapshots(std::vector<std::string>* names) {
  names->clear();
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  const std::string dir = fs::Join(path_, "snapshots");
  if (!fs::IsDir(dir)) return Status::OK();
  VME_ASSIGN_OR_RETURN(auto entries, fs::ListDir(dir));
  for (auto& n : entries) {
    if (IsSnapshotName(n) && fs::IsDir(fs::Join(dir, n))) names->push_back(std::move(n));
  }
  std::sort(names->begin(), names->end());
  return Status::OK();
}

Status Storage::DeleteSnapshot(const std::string& name) {
  if (!IsSnapshotName(name)) {
    return Status::InvalidArgument("invalid snapshot name " + QuoteForMessage(name) +
                                   ": expected YYYYMMDDhhmmss-<hex>");
  }
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  if (opts_.read_only) return Misuse("delete snapshot");
  std::lock_guard<std::mutex> l(snapshot_mu_);
  const std::string dirs[] = {
      fs::Join(fs::Join(table_->small_dir(), "snapshots"), name),
      fs::Join(fs::Join(table_->big_dir(), "snapshots"), name),
      fs::Join(fs::Join(fs::Join(path_, "indexdb"), "snapshots"), name),
      fs::Join(fs::Join(path_, "snapshots"), name),
  };
  bool any = false;
  for (const auto& d : dirs) any = any || fs::Exists(d);
  if (!any) return Status::NotFound("snapshot " + name + " does not exist in " + path_);
  for (const auto& d : dirs) VME_RETURN_IF_ERROR(fs::RemoveAllSync(d));
  return Status::OK();
}

}  // namespace vme::storage
