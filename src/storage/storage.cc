#include "storage/storage.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <unordered_map>

#include "encoding/decimal.h"
#include "encoding/int.h"
#include "mergeset/block_cache.h"
#include "storage/search.h"
#include "storage/time.h"
#include "util/quarantine.h"
#include "util/txn.h"

namespace vme::storage {
namespace {

constexpr int64_t kMaxFutureMs = 2 * kMsecPerDay;

uint64_t SystemMemory() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return 4ull << 30;
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page);
}

void AppendTenant(std::string* dst, uint32_t account_id, uint32_t project_id) {
  enc::AppendU32(dst, account_id);
  enc::AppendU32(dst, project_id);
}

// The oldest timestamp kept by the retention at `now`: 0 (keep everything) for no retention
// and for a retention reaching before the epoch, e.g. INT64_MAX ("forever").
int64_t RetentionDeadline(int64_t now, int64_t retention_ms) {
  int64_t deadline = 0;
  if (retention_ms <= 0 || __builtin_sub_overflow(now, retention_ms, &deadline)) return 0;
  return std::max<int64_t>(0, deadline);
}

// Rows per raw-row shard from the raw-row memory budget (StorageOptions::raw_rows_memory_bytes):
// the buffers alive at once are one per shard, one per conversion in the background arena
// (`threads`) and one spare (Partition::RecycleRawBuffer), RawRow bytes per row each.
size_t MaxRawRowsPerShard(const StorageOptions& opts, size_t shards, size_t threads) {
  const uint64_t budget =
      opts.raw_rows_memory_bytes > 0 ? opts.raw_rows_memory_bytes : opts.cache_bytes / 8;
  return std::clamp<uint64_t>(budget / sizeof(RawRow) / (shards + threads + 1), 10'000, 500'000);
}

// key_offsets of n keys: non-decreasing, the last within keys_len.
Status CheckKeyOffsets(const uint32_t* offsets, size_t n, size_t keys_len) {
  for (size_t i = 0; i < n; i++) {
    if (offsets[i] > offsets[i + 1]) {
      return Status::InvalidArgument(
          "key_offsets[" + std::to_string(i + 1) + "] = " + std::to_string(offsets[i + 1]) +
          " is less than key_offsets[" + std::to_string(i) + "] = " + std::to_string(offsets[i]));
    }
  }
  if (offsets[n] > keys_len) {
    return Status::InvalidArgument("key_offsets[" + std::to_string(n) +
                                   "] = " + std::to_string(offsets[n]) + " exceeds keys_len " +
                                   std::to_string(keys_len));
  }
  return Status::OK();
}

}  // namespace

Result<std::shared_ptr<Storage>> Storage::Open(const std::string& path_in,
                                               const StorageOptions& opts) {
  if (path_in.empty()) return Status::InvalidArgument("empty data directory path");
  std::error_code ec;
  const std::string path = std::filesystem::absolute(path_in, ec).lexically_normal().string();
  if (ec) return Status::InvalidArgument("invalid data directory path " + path_in);
  std::shared_ptr<Storage> s(new Storage(path, opts));
  // The process-wide caches of decoded indexdb blocks take their share of this budget.
  mergeset::ConfigureBlockCaches(opts.cache_bytes);
  bool had_indexdb = false;
  VME_RETURN_IF_ERROR(s->OpenDirectory(&had_indexdb));
  VME_RETURN_IF_ERROR(s->OpenMetadata(had_indexdb));
  QuarantineFn quarantine;
  if (opts.quarantine && !opts.read_only) {
    Storage* raw = s.get();  // the tables and partitions calling it are owned by *raw
    quarantine = [raw](const std::string& dir, const Status& why) {
      return raw->QuarantinePart(dir, why);
    };
  }
  VME_ASSIGN_OR_RETURN(
      s->index_, IndexDBGenerations::Open(fs::Join(path, "indexdb"), opts.read_only, quarantine));
  s->series_ = std::make_unique<SeriesRegistry>(s->index_.get(), opts.cache_bytes,
                                                static_cast<uint64_t>(NowNs()));

  const uint64_t mem = SystemMemory();
  const uint64_t allowed = mem / 10 * 6;
  s->scheduler_ =
      std::make_unique<BackgroundScheduler>(s->opts_, std::make_unique<SchedulerLink>(s.get()));
  {
    std::lock_guard<std::mutex> l(s->quarantine_mu_);
    for (const Status& st : s->early_quarantine_reports_) s->scheduler_->ReportError(st);
    s->early_quarantine_reports_.clear();
  }
  PartitionOptions popts;
  popts.raw_shards = (static_cast<size_t>(DefaultBackgroundThreads()) + 7) / 8;
  popts.dedup_interval_ms = opts.dedup_interval_ms;
  popts.retention_ms = opts.retention_ms;
  // Without background work (workers() is null) writers convert full shards themselves.
  const size_t conversion_threads =
      s->scheduler_->workers() ? static_cast<size_t>(s->scheduler_->workers()->threads()) : 0;
  popts.max_raw_rows = opts.max_raw_rows_per_shard > 0
                           ? opts.max_raw_rows_per_shard
                           : MaxRawRowsPerShard(opts, popts.raw_shards, conversion_threads);
  popts.max_small_part_bytes = std::max<uint64_t>(10'000'000, (mem - allowed) / 15);
  popts.workers = s->scheduler_->workers();
  popts.stop = s->scheduler_->stop_flag();
  popts.read_only = opts.read_only;
  popts.now_ms = opts.now_ms;
  popts.quarantine = quarantine;
  VME_ASSIGN_OR_RETURN(s->table_, Table::Open(fs::Join(path, "data"), popts));

  s->scheduler_->Start();
  return s;
}

// The data directory itself: created, locked and cleaned up (cache/, snapshots/) when opened
// read-write; only checked when opened read-only.
Status Storage::OpenDirectory(bool* had_indexdb) {
  if (opts_.read_only) {
    if (!fs::IsDir(path_)) {
      return Status::NotFound("no data directory at " + path_ +
                              " (a read-only open never creates one)");
    }
  } else {
    VME_RETURN_IF_ERROR(fs::MkdirAllSync(path_));
    const std::string cache_dir = fs::Join(path_, "cache");
    if (fs::Exists(fs::Join(cache_dir, "reset_cache_on_startup"))) {
      VME_RETURN_IF_ERROR(fs::RemoveAllSync(cache_dir));
    }
    VME_ASSIGN_OR_RETURN(lock_, fs::FileLock::Acquire(fs::Join(path_, "flock.lock")));
  }
  if (fs::Exists(fs::Join(path_, "restore-in-progress"))) {
    return Status::InvalidArgument("cannot open " + path_ +
                                   ": restore-in-progress exists (an interrupted restore)");
  }
  *had_indexdb = fs::IsDir(fs::Join(path_, "indexdb"));
  if (opts_.read_only && !*had_indexdb) {
    return Status::NotFound("no data directory at " + path_ + ": it has no indexdb directory");
  }
  if (!opts_.read_only) VME_RETURN_IF_ERROR(fs::MkdirAllSync(fs::Join(path_, "snapshots")));
  return Status::OK();
}

// metadata/minTimestampForCompositeIndex (lib/storage/storage.go
// `mustGetMinTimestampForCompositeIndex`): written once, when missing, unless read-only.
Status Storage::OpenMetadata(bool had_indexdb) {
  const std::string meta_dir = fs::Join(path_, "metadata");
  const std::string min_ts_path = fs::Join(meta_dir, "minTimestampForCompositeIndex");
  if (fs::Exists(min_ts_path)) {
    VME_ASSIGN_OR_RETURN(std::string b, fs::ReadFile(min_ts_path));
    if (b.size() != 8) {
      return Status::Corruption(min_ts_path + ": expected 8 bytes, found " +
                                std::to_string(b.size()));
    }
    min_timestamp_for_composite_index_ = enc::LoadI64zz(b.data());
    return Status::OK();
  }
  int64_t v = 0;
  if (had_indexdb) v = (NowMs() / kMsecPerDay + 2) * kMsecPerDay;
  min_timestamp_for_composite_index_ = v;
  if (opts_.read_only) return Status::OK();
  VME_RETURN_IF_ERROR(fs::MkdirAllSync(meta_dir));
  std::string b;
  enc::AppendI64zz(&b, v);
  return fs::WriteFileAtomically(min_ts_path, b);
}

Storage::~Storage() { Close().IgnoreError(); }

Status Storage::QuarantinePart(const std::string& part_dir, const Status& why) {
  std::string dst;
  const Status st = MovePartToQuarantine(path_, txn::NormalizePath(part_dir), &dst);
  if (st.ok()) quarantined_parts_.fetch_add(1);
  // A part that could not be moved is no longer served either (its partition or table
  // dropped it); the next open meets it again.
  const Status report = st.ok()
                            ? Status::Corruption("part " + part_dir + " moved to quarantine as " +
                                                 dst + ": " + why.message())
                            : st.WithContext("cannot move corrupt part " + part_dir +
                                             " to quarantine (" + why.message() + ")");
  std::lock_guard<std::mutex> l(quarantine_mu_);
  if (scheduler_ != nullptr) {
    scheduler_->ReportError(report);
  } else {
    early_quarantine_reports_.push_back(report);
  }
  return st;
}

void Storage::QuarantineCorruptParts(const Status& why) {
  if (!opts_.quarantine || opts_.read_only) return;
  auto guard = Enter();
  if (!guard.ok()) return;
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  QuarantineCorruptPartsLocked(why);
}

void Storage::QuarantineCorruptPartsLocked(const Status& why) {
  if (!opts_.quarantine || opts_.read_only) return;
  // QuarantinePart reports every move, and every failed move, as a background error.
  index_->QuarantineCorruptParts(why).IgnoreError();
  for (const auto& p : table_->Partitions()) p->QuarantineCorruptParts(why).IgnoreError();
}

Result<std::shared_lock<std::shared_mutex>> Storage::Enter() const {
  std::shared_lock<std::shared_mutex> l(close_mu_);
  if (closed_.load()) return Status::Closed("the storage at " + path_ + " is closed");
  return l;
}

Status Storage::Misuse(const char* what) const {
  return Status(Code::kMisuse,
                std::string(what) + ": the storage at " + path_ + " was opened read-only");
}

Status Storage::AddRows(const uint8_t* keys, size_t keys_len, const uint32_t* offsets,
                        const int64_t* ts, const double* values, size_t n, uint32_t account_id,
                        uint32_t project_id, AddRowsResult* result, uint8_t* row_status) {
  if (result != nullptr) *result = AddRowsResult{};
  if (row_status != nullptr && n > 0) std::memset(row_status, kRowFailed, n);
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  if (opts_.read_only) return Misuse("add rows");
  if (n == 0) return Status::OK();
  if (offsets != nullptr) VME_RETURN_IF_ERROR(CheckKeyOffsets(offsets, n, keys_len));
  // Row i's series key; without offsets every row has the whole of keys (columnar form).
  auto key_of = [&](size_t i) {
    if (offsets == nullptr) return std::string_view(reinterpret_cast<const char*>(keys), keys_len);
    return std::string_view(reinterpret_cast<const char*>(keys) + offsets[i],
                            offsets[i + 1] - offsets[i]);
  };
  AddRowsResult r;
  auto reject = [&](size_t i, uint64_t* counter, RowStatus why) {
    (*counter)++;
    if (row_status != nullptr) row_status[i] = why;
  };
  const int64_t now = scheduler_->NowMs();  // StorageOptions::now_ms
  const int64_t min_ts = RetentionDeadline(now, opts_.retention_ms);
  const int64_t max_ts = now > INT64_MAX - kMaxFutureMs ? INT64_MAX : now + kMaxFutureMs;

  std::vector<RawRow> rows;
  rows.reserve(n);
  std::vector<size_t> row_src;  // input index of each accepted row
  row_src.reserve(n);
  std::string cache_key;
  AppendTenant(&cache_key, account_id, project_id);
  const size_t tenant_len = cache_key.size();
  std::string_view prev_key;
  bool prev_valid = false;
  bool prev_bad = false;
  TSID tsid;
  MetricName mn;
  // A failure to resolve a series stops the batch there; the rows accepted before it are
  // still stored below, so that *result tells exactly what was stored.
  Status failure;
  for (size_t i = 0; i < n; i++) {
    const double v = values[i];
    if (std::isnan(v) && !dec::IsStaleNaN(v)) {
      reject(i, &r.rejected_nan, kRowNaN);
      continue;
    }
    const int64_t t = ts[i];
    if (t < 0) {
      reject(i, &r.rejected_invalid_timestamp, kRowInvalidTimestamp);
      continue;
    }
    if (t < min_ts) {
      reject(i, &r.rejected_out_of_retention, kRowOutOfRetention);
      continue;
    }
    if (t > max_ts) {
      reject(i, &r.rejected_too_far_future, kRowTooFarFuture);
      continue;
    }
    const std::string_view key = key_of(i);
    if (!(prev_valid && key == prev_key)) {
      cache_key.resize(tenant_len);
      cache_key.append(key);
      prev_key = key;
      prev_valid = true;
      prev_bad = false;
      if (!series_->GetCached(cache_key, &tsid)) {
        bool bad = false;
        failure =
            series_->GetOrCreateTSID(cache_key, key, account_id, project_id, &tsid, &mn, &bad);
        if (!failure.ok()) break;
        prev_bad = bad;
      }
    }
    if (prev_bad) {
      reject(i, &r.rejected_invalid_labels, kRowInvalidLabels);
      continue;
    }
    rows.push_back(RawRow{tsid, t, v, 64});
    row_src.push_back(i);
  }

  // Per-day index entries before the rows, so that stored rows are always found by date.
  Status st = series_->AddPerDayEntries(rows, account_id, project_id,
                                        [&](size_t k) { return key_of(row_src[k]); });
  return FinishAddRows(&rows, row_src, std::move(st), failure, &r, result, row_status);
}

Status Storage::FinishAddRows(std::vector<RawRow>* rows, const std::vector<size_t>& row_src,
                              Status st, const Status& failure, AddRowsResult* r,
                              AddRowsResult* result, uint8_t* row_status) {
  std::vector<bool> stored(rows->size(), false);
  if (st.ok()) st = StoreRows(rows, &stored, &r->rows_added);
  for (size_t k = 0; row_status != nullptr && k < stored.size(); k++) {
    if (stored[k]) row_status[row_src[k]] = kRowStored;
  }
  rows_added_ += r->rows_added;
  rejected_invalid_labels_ += r->rejected_invalid_labels;
  rejected_nan_ += r->rejected_nan;
  rejected_out_of_retention_ += r->rejected_out_of_retention;
  rejected_too_far_future_ += r->rejected_too_far_future;
  rejected_invalid_timestamp_ += r->rejected_invalid_timestamp;
  if (result != nullptr) *result = *r;
  VME_RETURN_IF_ERROR(st);
  VME_RETURN_IF_ERROR(failure);

  // Back-pressure (lib/storage/partition.go: writers help merge when a partition has too many
  // small parts). The index is flushed first so that no part on disk references missing
  // entries. Only the shared locks of the caller are held here.
  for (const auto& p : table_->Partitions()) {
    if (p->SmallPartsCount() <= opts_.max_small_parts) continue;
    VME_RETURN_IF_ERROR(FlushIndexDB());
    VME_RETURN_IF_ERROR(p->FlushInmemoryParts());
    bool merged = false;
    const auto deleted = index_->Deleted();
    VME_RETURN_IF_ERROR(p->MergeOnce(MergeKind::kSmall, false, deleted.get(), &merged));
  }
  return Status::OK();
}

Status Storage::ResolveSeriesRefs(const uint8_t* keys, size_t keys_len, const uint32_t* offsets,
                                  size_t n, uint32_t account_id, uint32_t project_id,
                                  uint64_t* refs) {
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  if (opts_.read_only) return Misuse("resolve series refs");
  if (n == 0) return Status::OK();
  VME_RETURN_IF_ERROR(CheckKeyOffsets(offsets, n, keys_len));
  std::string cache_key;
  AppendTenant(&cache_key, account_id, project_id);
  const size_t tenant_len = cache_key.size();
  for (size_t i = 0; i < n; i++) {
    cache_key.resize(tenant_len);
    cache_key.append(reinterpret_cast<const char*>(keys) + offsets[i], offsets[i + 1] - offsets[i]);
    refs[i] = refs_.Acquire(cache_key);
  }
  return Status::OK();
}

Status Storage::ReleaseSeriesRefs(const uint64_t* refs, size_t n) {
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  return refs_.Release(refs, n);
}

Status Storage::AddRowsRef(const uint64_t* refs, const int64_t* ts, const double* values, size_t n,
                           AddRowsResult* result, uint8_t* row_status) {
  if (result != nullptr) *result = AddRowsResult{};
  if (row_status != nullptr && n > 0) std::memset(row_status, kRowFailed, n);
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  if (opts_.read_only) return Misuse("add rows");
  if (n == 0) return Status::OK();
  std::vector<uint32_t> slots(n);
  VME_RETURN_IF_ERROR(refs_.Slots(refs, n, slots.data()));
  // Epoch bumps happen under idb_rw_ held exclusively (rotation) or after a deletion: TSIDs
  // resolved at this epoch stay right for this call, as the TSID cache's do for AddRows.
  const uint64_t epoch = series_epoch_.load();
  AddRowsResult r;
  auto reject = [&](size_t i, uint64_t* counter, RowStatus why) {
    (*counter)++;
    if (row_status != nullptr) row_status[i] = why;
  };
  const int64_t now = scheduler_->NowMs();
  const int64_t min_ts = RetentionDeadline(now, opts_.retention_ms);
  const int64_t max_ts = now > INT64_MAX - kMaxFutureMs ? INT64_MAX : now + kMaxFutureMs;
  // The checks of AddRows in the same order; returns false (and counts) for a rejected row.
  auto check = [&](size_t i) {
    const double v = values[i];
    const int64_t t = ts[i];
    if (std::isnan(v) && !dec::IsStaleNaN(v)) {
      reject(i, &r.rejected_nan, kRowNaN);
    } else if (t < 0) {
      reject(i, &r.rejected_invalid_timestamp, kRowInvalidTimestamp);
    } else if (t < min_ts) {
      reject(i, &r.rejected_out_of_retention, kRowOutOfRetention);
    } else if (t > max_ts) {
      reject(i, &r.rejected_too_far_future, kRowTooFarFuture);
    } else {
      return true;
    }
    return false;
  };

  std::vector<RawRow> rows;
  rows.reserve(n);
  std::vector<size_t> row_src;
  row_src.reserve(n);
  std::vector<size_t> deferred;  // rows whose slot must be resolved (first use, new epoch)
  // Rows that may need per-day index entries (a day after the slot's latest known one).
  struct DayRow {
    size_t row;  // index into rows
    uint32_t slot;
    uint32_t gen;
  };
  std::vector<DayRow> day_rows;
  {
    auto l = refs_.ReadLock();
    for (size_t i = 0; i < n; i++) {
      if (!check(i)) continue;
      const SeriesRefs::Slot& s = refs_.Get(slots[i]);
      if (s.state == SeriesRefs::kBadLabels) {
        reject(i, &r.rejected_invalid_labels, kRowInvalidLabels);
        continue;
      }
      if (s.state != SeriesRefs::kResolved || s.epoch != epoch) {
        deferred.push_back(i);
        continue;
      }
      if (ts[i] / kMsecPerDay > s.date) day_rows.push_back({rows.size(), slots[i], s.gen});
      rows.push_back(RawRow{s.tsid, ts[i], values[i], 64});
      row_src.push_back(i);
    }
  }

  // Slots resolved from their keys, as AddRows resolves keys: TSID cache, then indexdb.
  Status failure;
  if (!deferred.empty()) {
    std::vector<SeriesRefs::Resolution> res;
    std::vector<std::string> keys;
    std::unordered_map<uint32_t, size_t> index_of;  // slot -> index into res
    {
      auto l = refs_.ReadLock();
      for (size_t i : deferred) {
        if (!index_of.emplace(slots[i], res.size()).second) continue;
        SeriesRefs::Resolution x;
        x.slot = slots[i];
        x.gen = refs_.Get(slots[i]).gen;
        x.epoch = epoch;
        res.push_back(x);
        keys.emplace_back(refs_.Key(slots[i]));
      }
    }
    MetricName mn;
    size_t resolved = 0;
    for (; resolved < res.size(); resolved++) {
      const std::string& cache_key = keys[resolved];
      SeriesRefs::Resolution& x = res[resolved];
      x.state = SeriesRefs::kResolved;
      if (series_->GetCached(cache_key, &x.tsid)) continue;
      bool bad = false;
      const uint32_t account_id = enc::LoadU32(cache_key.data());
      const uint32_t project_id = enc::LoadU32(cache_key.data() + 4);
      failure = series_->GetOrCreateTSID(cache_key, std::string_view(cache_key).substr(8),
                                         account_id, project_id, &x.tsid, &mn, &bad);
      if (!failure.ok()) break;
      if (bad) x.state = SeriesRefs::kBadLabels;
    }
    res.resize(resolved);
    refs_.UpdateResolved(res);
    for (size_t i : deferred) {
      const size_t k = index_of[slots[i]];
      if (k >= resolved) continue;  // not reached: the call failed (kRowFailed)
      if (res[k].state == SeriesRefs::kBadLabels) {
        reject(i, &r.rejected_invalid_labels, kRowInvalidLabels);
        continue;
      }
      day_rows.push_back({rows.size(), res[k].slot, res[k].gen});
      rows.push_back(RawRow{res[k].tsid, ts[i], values[i], 64});
      row_src.push_back(i);
    }
  }

  // Per-day index entries before the rows (as AddRows), for the rows on a day after their
  // slot's latest known one; the registry skips the (date, MetricID) pairs it knows.
  Status st;
  if (!day_rows.empty()) {
    std::vector<RawRow> drows;
    std::vector<std::string> dkeys;
    std::vector<SeriesRefs::DateUpdate> updates;
    drows.reserve(day_rows.size());
    {
      auto l = refs_.ReadLock();
      for (const DayRow& d : day_rows) {
        drows.push_back(rows[d.row]);
        dkeys.emplace_back(refs_.Key(d.slot).substr(8));
        SeriesRefs::DateUpdate u;
        u.r.slot = d.slot;
        u.r.gen = d.gen;
        u.r.epoch = epoch;
        u.r.tsid = rows[d.row].tsid;
        u.date = rows[d.row].timestamp / kMsecPerDay;
        updates.push_back(u);
      }
    }
    // One registry call per tenant (references of one handle usually share one).
    std::vector<bool> done(drows.size(), false);
    for (size_t first = 0; st.ok() && first < drows.size(); first++) {
      if (done[first]) continue;
      const uint32_t acc = drows[first].tsid.account_id, proj = drows[first].tsid.project_id;
      std::vector<RawRow> group;
      std::vector<size_t> src;
      for (size_t k = first; k < drows.size(); k++) {
        if (done[k] || drows[k].tsid.account_id != acc || drows[k].tsid.project_id != proj) {
          continue;
        }
        done[k] = true;
        group.push_back(drows[k]);
        src.push_back(k);
      }
      st = series_->AddPerDayEntries(group, acc, proj,
                                     [&](size_t k) -> std::string_view { return dkeys[src[k]]; });
    }
    if (st.ok()) refs_.UpdateDates(updates);
  }
  return FinishAddRows(&rows, row_src, std::move(st), failure, &r, result, row_status);
}

Status Storage::StoreRows(std::vector<RawRow>* rows, std::vector<bool>* stored_mask,
                          uint64_t* stored) {
  *stored = 0;
  if (rows->empty()) return Status::OK();
  // Usually every row falls in the partition of the first one: one call, all or nothing.
  TimeRange first;
  ParsePartitionName(PartitionName(rows->front().timestamp), &first);
  const bool one_partition = std::all_of(rows->begin(), rows->end(), [&](const RawRow& row) {
    return row.timestamp >= first.min_timestamp && row.timestamp <= first.max_timestamp;
  });
  if (one_partition) {
    VME_RETURN_IF_ERROR(table_->AddRows(rows, nullptr));
    stored_mask->assign(rows->size(), true);
    *stored = rows->size();
    return Status::OK();
  }
  // Else one call per partition, so that a failure leaves an exact count of the rows stored.
  std::map<std::string, std::vector<size_t>> by_partition;
  for (size_t k = 0; k < rows->size(); k++) {
    by_partition[PartitionName((*rows)[k].timestamp)].push_back(k);
  }
  for (const auto& [name, idx] : by_partition) {
    std::vector<RawRow> part;
    part.reserve(idx.size());
    for (size_t k : idx) part.push_back((*rows)[k]);
    VME_RETURN_IF_ERROR(table_->AddRows(&part, nullptr));
    for (size_t k : idx) (*stored_mask)[k] = true;
    *stored += idx.size();
  }
  return Status::OK();
}

Status Storage::FlushIndexDB() { return series_->Flush(); }

Status Storage::FlushLocked() {
  if (opts_.read_only) return Status::OK();  // nothing buffered, nothing written
  Status st = FlushIndexDB();
  if (!st.ok()) {
    // Nothing reaches disk before the index, but the raw rows still become searchable (as
    // in-memory parts, which need no I/O): a failed flush hides no row (disk full).
    for (const auto& p : table_->Partitions()) p->FlushRawRows().IgnoreError();
    return st;
  }
  for (const auto& p : table_->Partitions()) VME_RETURN_IF_ERROR(p->FlushToDisk());
  return Status::OK();
}

Status Storage::Flush() {
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  return FlushLocked();
}

Status Storage::ForceMerge(std::string_view partition_prefix) {
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  if (opts_.read_only) return Misuse("force merge");
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  VME_RETURN_IF_ERROR(FlushLocked());
  const auto deleted = index_->Deleted();
  for (const auto& p : table_->Partitions()) {
    if (p->name().compare(0, partition_prefix.size(), partition_prefix) != 0) continue;
    VME_RETURN_IF_ERROR(p->ForceMerge(deleted.get()));
    VME_RETURN_IF_ERROR(p->RemoveObsoleteParts());
  }
  return index_->curr().table().MergeAll();
}

Status Storage::DeleteSeries(const SearchQuery& q, uint64_t* deleted_count) {
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  if (q.filters.AllMatchEmpty()) {
    // The selector rule of Prometheus: {a=""} or {__name__=~".*"} would select every series.
    return Status::InvalidArgument(
        "delete series: every matcher of the query matches the empty string, so it would "
        "delete every series; add a matcher that needs a non-empty value, e.g. "
        "{__name__=~\".+\"} to delete everything");
  }
  if (opts_.read_only) return Misuse("delete series");
  SearchQuery all_time = q;
  all_time.tr = {0, INT64_MAX};
  std::vector<uint64_t> ids;
  VME_RETURN_IF_ERROR(index_->SearchMetricIDs(all_time, &ids));
  if (deleted_count != nullptr) *deleted_count = ids.size();
  if (ids.empty()) return Status::OK();
  VME_RETURN_IF_ERROR(index_->MarkDeleted(ids));
  // New samples of these labels must create fresh series: forget every cached mapping.
  series_->Forget(ids);
  series_epoch_++;  // series references resolve again (series_refs.h)
  VME_RETURN_IF_ERROR(FlushIndexDB());
  return index_->prev().table().Flush();
}

Status Storage::Close() {
  if (scheduler_) scheduler_->Stop();  // background merges are abandoned, sources intact
  std::unique_lock<std::shared_mutex> l(close_mu_);
  if (closed_.load()) return Status::OK();
  closed_ = true;
  if (!index_ || !series_ || !table_) {  // a failed Open: nothing to flush
    table_.reset();
    lock_.reset();
    return Status::OK();
  }
  std::unique_lock<std::shared_mutex> il(idb_rw_);
  Status st = FlushLocked();
  for (const auto& p : table_->Partitions()) {
    if (opts_.read_only) break;
    Status s2 = p->RemoveObsoleteParts();
    if (st.ok()) st = s2;
  }
  Status s2 = index_->Close();
  if (st.ok()) st = s2;
  table_.reset();
  lock_.reset();
  return st;
}

std::unordered_set<uint64_t> Storage::DeletedCopy() { return *index_->Deleted(); }

Status Storage::RotateIndexDB() {
  std::unique_lock<std::shared_mutex> il(idb_rw_);
  VME_RETURN_IF_ERROR(FlushIndexDB());
  VME_RETURN_IF_ERROR(index_->Rotate());
  series_->Reset();
  series_epoch_++;  // series references resolve again (series_refs.h)
  return Status::OK();
}

Status Storage::GetMetricName(uint32_t account_id, uint32_t project_id, uint64_t metric_id,
                              MetricName* out) {
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  return series_->GetMetricName(account_id, project_id, metric_id, out);
}

Result<std::unique_ptr<SeriesIterator>> Storage::Search(const SearchQuery& q) {
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  TimeRange tr = q.tr;
  tr.min_timestamp =
      std::max(tr.min_timestamp, RetentionDeadline(scheduler_->NowMs(), opts_.retention_ms));
  std::vector<TSID> tsids;
  if (Status st = index_->SearchTSIDs(q, *series_, &tsids); !st.ok()) {
    if (st.code() == Code::kCorruption) QuarantineCorruptPartsLocked(st);
    return st;
  }
  std::vector<PartPtr> parts;
  if (!tsids.empty() && tr.min_timestamp <= tr.max_timestamp) {
    for (const auto& p : table_->Partitions(&tr)) {
      auto pp = p->Parts();
      parts.insert(parts.end(), pp.begin(), pp.end());
    }
  }
  return std::make_unique<SeriesIterator>(shared_from_this(), std::move(tsids), std::move(parts),
                                          tr, q.account_id, q.project_id, opts_.dedup_interval_ms);
}

Status Storage::SeriesCount(const SearchQuery* q, uint64_t* out) {
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  SearchQuery all;
  all.account_id = opts_.account_id;
  all.project_id = opts_.project_id;
  return index_->SeriesCount(q != nullptr ? *q : all, out);
}

Status Storage::LabelNames(const SearchQuery* q, std::vector<std::string>* out) {
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  return index_->LabelNames(q, q ? q->account_id : opts_.account_id,
                            q ? q->project_id : opts_.project_id, *series_, out);
}

Status Storage::LabelValues(std::string_view name, const SearchQuery* q,
                            std::vector<std::string>* out) {
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  return index_->LabelValues(name, q, q ? q->account_id : opts_.account_id,
                             q ? q->project_id : opts_.project_id, *series_, out);
}

void Storage::Stats(std::vector<std::pair<std::string, double>>* out) {
  auto add = [&](std::string name, double v) { out->emplace_back(std::move(name), v); };
  auto guard = Enter();
  if (!guard.ok()) return;
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  uint64_t rows = 0, blocks = 0, parts = 0, raw = 0;
  const auto partitions = table_->Partitions();
  add("partitions", static_cast<double>(partitions.size()));
  for (const auto& p : partitions) {
    const PartitionStats s = p->Stats();
    const std::string pre = "partition." + p->name() + ".";
    add(pre + "inmemory_parts", static_cast<double>(s.inmemory_parts));
    add(pre + "small_parts", static_cast<double>(s.small_parts));
    add(pre + "big_parts", static_cast<double>(s.big_parts));
    add(pre + "rows", static_cast<double>(s.rows));
    add(pre + "blocks", static_cast<double>(s.blocks));
    add(pre + "bytes", static_cast<double>(s.size_bytes));
    rows += s.rows;
    blocks += s.blocks;
    raw += s.raw_rows;
    parts += s.inmemory_parts + s.small_parts + s.big_parts;
  }
  add("rows", static_cast<double>(rows));
  add("raw_rows_pending", static_cast<double>(raw));
  add("blocks", static_cast<double>(blocks));
  add("parts", static_cast<double>(parts));
  add("data_bytes", static_cast<double>(fs::DirSizeBytes(fs::Join(path_, "data"))));
  add("indexdb_bytes", static_cast<double>(fs::DirSizeBytes(fs::Join(path_, "indexdb"))));
  const auto ic = index_->curr().table().Stats();
  const auto ip = index_->prev().table().Stats();
  add("indexdb_parts", static_cast<double>(ic.parts + ip.parts));
  add("quarantined_parts", static_cast<double>(quarantined_parts_.load()));
  add("indexdb_items", static_cast<double>(ic.items + ip.items));
  il.unlock();
  guard->unlock();
  uint64_t series = 0;
  if (SeriesCount(nullptr, &series).ok()) add("series", static_cast<double>(series));
  add("rows_added", static_cast<double>(rows_added_.load()));
  add("new_series_created", static_cast<double>(series_->new_series()));
  add("series_refs", static_cast<double>(refs_.live()));
  add("rows_rejected_invalid_labels", static_cast<double>(rejected_invalid_labels_.load()));
  add("rows_rejected_nan", static_cast<double>(rejected_nan_.load()));
  add("rows_rejected_out_of_retention", static_cast<double>(rejected_out_of_retention_.load()));
  add("rows_rejected_too_far_future", static_cast<double>(rejected_too_far_future_.load()));
  add("rows_rejected_invalid_timestamp", static_cast<double>(rejected_invalid_timestamp_.load()));
  scheduler_->Stats(out);
}

// What the background scheduler may do with its storage (SchedulerHost).
class Storage::SchedulerLink : public SchedulerHost {
 public:
  explicit SchedulerLink(Storage* s) : s_(s) {}

  Status WhileOpen(const std::function<Status()>& fn) override {
    VME_ASSIGN_OR_RETURN(auto guard, s_->Enter());
    return fn();
  }
  Status WithIndexDB(const std::function<Status()>& fn) override {
    VME_ASSIGN_OR_RETURN(auto guard, s_->Enter());
    std::shared_lock<std::shared_mutex> il(s_->idb_rw_);
    return fn();
  }
  std::vector<std::shared_ptr<Partition>> Partitions() override { return s_->table_->Partitions(); }
  Status DropPartitionsBefore(int64_t deadline, size_t* dropped) override {
    return s_->table_->DropPartitionsBefore(deadline, dropped);
  }
  std::unordered_set<uint64_t> DeletedMetricIDs() override { return s_->DeletedCopy(); }
  Status FlushIndexDB() override { return s_->FlushIndexDB(); }
  Status MergeIndexDBOnce(bool* merged) override {
    return s_->index_->curr().table().MergeOnce(false, merged);
  }
  Status RotateIndexDB() override {
    VME_ASSIGN_OR_RETURN(auto guard, s_->Enter());
    return s_->RotateIndexDB();
  }

 private:
  Storage* const s_;
};

Status Storage::RunBackgroundOnce() { return scheduler_->RunOnce(); }

BackgroundError Storage::LastBackgroundError() const { return scheduler_->LastError(); }

BackgroundError Storage::WaitForBackgroundErrors(uint64_t count) const {
  return scheduler_->WaitForErrors(count);
}

void Storage::WaitForRawRowsFlushes() const { scheduler_->WaitForRawRowsFlushes(); }

}  // namespace vme::storage
