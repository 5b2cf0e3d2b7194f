#include "storage/storage.h"

#include <xxhash.h>

#include <unistd.h>
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <regex>

#include "encoding/decimal.h"
#include "encoding/int.h"
#include "storage/search.h"
#include "storage/time.h"

namespace vme::storage {
namespace {

constexpr int64_t kMaxFutureMs = 2 * kMsecPerDay;
constexpr int64_t kMaxDaysForPerDaySearch = 40;

std::string Hex16(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016" PRIX64, v);
  return buf;
}

bool IsIndexDBName(const std::string& n) {
  if (n.size() != 16) return false;
  for (char c : n) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

uint64_t SystemMemory() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return 4ull << 30;
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page);
}

TSID GenerateTSID(const MetricName& mn, uint64_t metric_id) {
  TSID t;
  t.account_id = mn.account_id;
  t.project_id = mn.project_id;
  t.metric_group_id = XXH64(mn.metric_group.data(), mn.metric_group.size(), 0);
  if (!mn.tags.empty()) {
    const auto& v = mn.tags[0].value;
    t.job_id = static_cast<uint32_t>(XXH64(v.data(), v.size(), 0));
  }
  if (mn.tags.size() >= 2) {
    const auto& v = mn.tags[1].value;
    t.instance_id = static_cast<uint32_t>(XXH64(v.data(), v.size(), 0));
  }
  t.metric_id = metric_id;
  return t;
}

void AppendTenant(std::string* dst, uint32_t account_id, uint32_t project_id) {
  enc::AppendU32(dst, account_id);
  enc::AppendU32(dst, project_id);
}

}  // namespace

Result<std::shared_ptr<Storage>> Storage::Open(const std::string& path_in,
                                               const StorageOptions& opts) {
  if (path_in.empty()) return Status::InvalidArgument("empty data directory path");
  std::error_code ec;
  const std::string path = std::filesystem::absolute(path_in, ec).lexically_normal().string();
  if (ec) return Status::InvalidArgument("invalid data directory path " + path_in);
  VME_RETURN_IF_ERROR(fs::MkdirAllSync(path));
  const std::string cache_dir = fs::Join(path, "cache");
  if (fs::Exists(fs::Join(cache_dir, "reset_cache_on_startup"))) {
    VME_RETURN_IF_ERROR(fs::RemoveAllSync(cache_dir));
  }
  std::shared_ptr<Storage> s(new Storage(path, opts));
  VME_ASSIGN_OR_RETURN(s->lock_, fs::FileLock::Acquire(fs::Join(path, "flock.lock")));
  if (fs::Exists(fs::Join(path, "restore-in-progress"))) {
    return Status::InvalidArgument("cannot open " + path +
                                   ": restore-in-progress exists (an interrupted restore)");
  }
  VME_RETURN_IF_ERROR(fs::MkdirAllSync(fs::Join(path, "snapshots")));

  // metadata/minTimestampForCompositeIndex (§8.8).
  const bool had_indexdb = fs::IsDir(fs::Join(path, "indexdb"));
  const std::string meta_dir = fs::Join(path, "metadata");
  VME_RETURN_IF_ERROR(fs::MkdirAllSync(meta_dir));
  const std::string min_ts_path = fs::Join(meta_dir, "minTimestampForCompositeIndex");
  if (fs::Exists(min_ts_path)) {
    VME_ASSIGN_OR_RETURN(std::string b, fs::ReadFile(min_ts_path));
    if (b.size() != 8) {
      return Status::Corruption(min_ts_path + ": expected 8 bytes, found " +
                                std::to_string(b.size()));
    }
    s->min_timestamp_for_composite_index_ = enc::LoadI64zz(b.data());
  } else {
    int64_t v = 0;
    if (had_indexdb) v = (NowMs() / kMsecPerDay + 2) * kMsecPerDay;
    std::string b;
    enc::AppendI64zz(&b, v);
    VME_RETURN_IF_ERROR(fs::WriteFileAtomically(min_ts_path, b));
    s->min_timestamp_for_composite_index_ = v;
  }

  VME_RETURN_IF_ERROR(s->OpenIndexDB());
  s->next_metric_id_ = static_cast<uint64_t>(NowNs());

  const uint64_t mem = SystemMemory();
  const uint64_t allowed = mem / 10 * 6;
  s->scheduler_ =
      std::make_unique<BackgroundScheduler>(s->opts_, std::make_unique<SchedulerLink>(s.get()));
  PartitionOptions popts;
  popts.raw_shards = (static_cast<size_t>(DefaultBackgroundThreads()) + 7) / 8;
  popts.dedup_interval_ms = opts.dedup_interval_ms;
  popts.retention_ms = opts.retention_ms;
  popts.max_raw_rows =
      opts.max_raw_rows_per_shard > 0
          ? opts.max_raw_rows_per_shard
          : std::clamp<uint64_t>(allowed / popts.raw_shards / 256 / 56, 10'000, 500'000);
  popts.max_small_part_bytes = std::max<uint64_t>(10'000'000, (mem - allowed) / 15);
  popts.workers = s->scheduler_->workers();
  popts.stop = s->scheduler_->stop_flag();
  VME_ASSIGN_OR_RETURN(s->table_, Table::Open(fs::Join(path, "data"), popts));

  s->scheduler_->Start();
  return s;
}

Status Storage::OpenIndexDB() {
  const std::string dir = fs::Join(path_, "indexdb");
  VME_RETURN_IF_ERROR(fs::MkdirAllSync(fs::Join(dir, "snapshots")));
  VME_ASSIGN_OR_RETURN(auto entries, fs::ListDir(dir));
  std::vector<std::string> names;
  for (const auto& n : entries) {
    if (IsIndexDBName(n) && fs::IsDir(fs::Join(dir, n))) names.push_back(n);
  }
  uint64_t next = static_cast<uint64_t>(NowNs());
  while (names.size() < 2) {
    if (!names.empty()) next = std::max<uint64_t>(next, std::stoull(names.back(), nullptr, 16) + 1);
    names.push_back(Hex16(next++));
    VME_RETURN_IF_ERROR(fs::MkdirAllSync(fs::Join(dir, names.back())));
  }
  for (size_t i = 0; i + 2 < names.size(); i++) {
    VME_RETURN_IF_ERROR(fs::RemoveAllSync(fs::Join(dir, names[i])));
  }
  VME_ASSIGN_OR_RETURN(idb_prev_, IndexDB::Open(fs::Join(dir, names[names.size() - 2])));
  VME_ASSIGN_OR_RETURN(idb_curr_, IndexDB::Open(fs::Join(dir, names.back())));
  VME_RETURN_IF_ERROR(idb_prev_->AppendDeletedMetricIDs(&deleted_));
  VME_RETURN_IF_ERROR(idb_curr_->AppendDeletedMetricIDs(&deleted_));
  return Status::OK();
}

Storage::~Storage() { Close().IgnoreError(); }

Result<std::shared_lock<std::shared_mutex>> Storage::Enter() const {
  std::shared_lock<std::shared_mutex> l(close_mu_);
  if (closed_.load()) return Status::Closed("the storage at " + path_ + " is closed");
  return l;
}

Status Storage::GetOrCreateTSID(std::string_view cache_key, std::string_view series_key,
                                uint32_t account_id, uint32_t project_id, TSID* tsid,
                                MetricName* mn, bool* bad_labels) {
  *bad_labels = false;
  Status pst = mn->FromSeriesKey(series_key, account_id, project_id, LabelLimits());
  if (!pst.ok() || mn->metric_group.empty()) {
    *bad_labels = true;
    return Status::OK();
  }
  std::string canonical;
  mn->Marshal(&canonical);
  {
    std::lock_guard<std::mutex> l(create_mu_);
    bool found = false;
    if (auto it = created_.find(canonical); it != created_.end()) {
      *tsid = it->second;
      found = true;
    } else if (auto it2 = flushing_.find(canonical); it2 != flushing_.end()) {
      *tsid = it2->second;
      found = true;
    }
    if (!found) {
      // Lock order: create_mu_, then deleted_mu_ (DeleteSeries never holds both).
      Status st, pst2;
      {
        std::lock_guard<std::mutex> dl(deleted_mu_);
        st = idb_curr_->GetTSIDByName(canonical, deleted_, tsid);
        if (st.code() == Code::kNotFound)
          pst2 = idb_prev_->GetTSIDByName(canonical, deleted_, tsid);
      }
      if (st.ok()) {
        found = true;
      } else if (st.code() != Code::kNotFound) {
        return st;
      }
      if (!found) {
        std::vector<std::string> items;
        if (pst2.ok()) {
          // Reuse the TSID of the previous generation so MetricIDs survive rotation (§3.3).
        } else if (pst2.code() == Code::kNotFound) {
          *tsid = GenerateTSID(*mn, next_metric_id_.fetch_add(1));
          new_series_.fetch_add(1);
        } else {
          return pst2;
        }
        AppendSeriesIndexItems(*tsid, *mn, &items);
        VME_RETURN_IF_ERROR(idb_curr_->AddItems(items));
        created_.emplace(canonical, *tsid);
      }
    }
  }
  tsid_cache_.Put(cache_key, *tsid);
  return Status::OK();
}

Status Storage::AddRows(const uint8_t* keys, size_t keys_len, const uint32_t* offsets,
                        const int64_t* ts, const double* values, size_t n, uint32_t account_id,
                        uint32_t project_id, AddRowsResult* result) {
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  if (opts_.read_only) {
    return Status(Code::kMisuse, "the storage at " + path_ + " was opened read-only");
  }
  if (n == 0) return Status::OK();
  for (size_t i = 0; offsets != nullptr && i < n; i++) {
    if (offsets[i] > offsets[i + 1]) {
      return Status::InvalidArgument(
          "key_offsets[" + std::to_string(i + 1) + "] = " + std::to_string(offsets[i + 1]) +
          " is less than key_offsets[" + std::to_string(i) + "] = " + std::to_string(offsets[i]));
    }
  }
  if (offsets != nullptr && offsets[n] > keys_len) {
    return Status::InvalidArgument("key_offsets[" + std::to_string(n) +
                                   "] = " + std::to_string(offsets[n]) + " exceeds keys_len " +
                                   std::to_string(keys_len));
  }
  // Row i's series key; without offsets every row has the whole of keys (columnar form).
  auto key_of = [&](size_t i) {
    if (offsets == nullptr) return std::string_view(reinterpret_cast<const char*>(keys), keys_len);
    return std::string_view(reinterpret_cast<const char*>(keys) + offsets[i],
                            offsets[i + 1] - offsets[i]);
  };
  AddRowsResult r;
  const int64_t now = NowMs();
  const int64_t min_ts =
      opts_.retention_ms > 0 ? std::max<int64_t>(0, now - opts_.retention_ms) : 0;
  const int64_t max_ts = now + kMaxFutureMs;

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
  for (size_t i = 0; i < n; i++) {
    const double v = values[i];
    if (std::isnan(v) && !dec::IsStaleNaN(v)) {
      r.rejected_nan++;
      continue;
    }
    const int64_t t = ts[i];
    if (t < 0) {
      r.rejected_invalid_timestamp++;
      continue;
    }
    if (t < min_ts) {
      r.rejected_out_of_retention++;
      continue;
    }
    if (t > max_ts) {
      r.rejected_too_far_future++;
      continue;
    }
    const std::string_view key = key_of(i);
    if (!(prev_valid && key == prev_key)) {
      cache_key.resize(tenant_len);
      cache_key.append(key);
      prev_key = key;
      prev_valid = true;
      prev_bad = false;
      if (!tsid_cache_.Get(cache_key, &tsid)) {
        bool bad = false;
        VME_RETURN_IF_ERROR(
            GetOrCreateTSID(cache_key, key, account_id, project_id, &tsid, &mn, &bad));
        prev_bad = bad;
      }
    }
    if (prev_bad) {
      r.rejected_invalid_labels++;
      continue;
    }
    rows.push_back(RawRow{tsid, t, v, 64});
    row_src.push_back(i);
  }

  // Per-day index entries (§3.4) for (date, MetricID) pairs not known yet.
  std::vector<std::pair<uint64_t, size_t>> pending;  // (date, index into rows)
  {
    std::lock_guard<std::mutex> l(date_mu_);
    uint64_t last_date = UINT64_MAX, last_id = 0;
    for (size_t k = 0; k < rows.size(); k++) {
      const uint64_t date = static_cast<uint64_t>(rows[k].timestamp) / kMsecPerDay;
      const uint64_t id = rows[k].tsid.metric_id;
      if (date == last_date && id == last_id) continue;
      last_date = date;
      last_id = id;
      if (date_metric_ids_.count({date, id}) == 0) pending.emplace_back(date, k);
    }
  }
  if (!pending.empty()) {
    std::vector<std::string> items;
    std::unordered_set<std::pair<uint64_t, uint64_t>, PairHash> done;
    for (const auto& [date, k] : pending) {
      const RawRow& row = rows[k];
      if (!done.insert({date, row.tsid.metric_id}).second) continue;
      VME_ASSIGN_OR_RETURN(
          bool has, idb_curr_->HasDateMetricID(date, account_id, project_id, row.tsid.metric_id));
      if (!has) {
        const std::string_view key = key_of(row_src[k]);
        VME_RETURN_IF_ERROR(mn.FromSeriesKey(key, account_id, project_id, LabelLimits()));
        AppendPerDayIndexItems(date, row.tsid, mn, &items);
      }
    }
    if (!items.empty()) VME_RETURN_IF_ERROR(idb_curr_->AddItems(items));
    std::lock_guard<std::mutex> l(date_mu_);
    if (date_metric_ids_.size() * 48 > opts_.cache_bytes / 8) date_metric_ids_.clear();
    for (const auto& p : done) date_metric_ids_.insert(p);
  }

  r.rows_added = rows.size();
  VME_RETURN_IF_ERROR(table_->AddRows(&rows, nullptr));
  // Back-pressure (§3.6): above max_small_parts parts in a partition this writer helps
  // merge. The index is flushed first so that no part on disk references missing entries.
  for (const auto& p : table_->Partitions()) {
    if (p->SmallPartsCount() <= opts_.max_small_parts) continue;
    VME_RETURN_IF_ERROR(FlushIndexDB());
    VME_RETURN_IF_ERROR(p->FlushInmemoryParts());
    bool merged = false;
    const auto deleted = DeletedCopy();
    VME_RETURN_IF_ERROR(p->MergeOnce(MergeKind::kSmall, false, &deleted, &merged));
  }
  rows_added_ += r.rows_added;
  rejected_invalid_labels_ += r.rejected_invalid_labels;
  rejected_nan_ += r.rejected_nan;
  rejected_out_of_retention_ += r.rejected_out_of_retention;
  rejected_too_far_future_ += r.rejected_too_far_future;
  rejected_invalid_timestamp_ += r.rejected_invalid_timestamp;
  if (result != nullptr) *result = r;
  return Status::OK();
}

Status Storage::FlushIndexDB() {
  static std::mutex flush_mu;  // one indexdb flush at a time per process is plenty
  std::lock_guard<std::mutex> fl(flush_mu);
  {
    std::lock_guard<std::mutex> l(create_mu_);
    for (auto& kv : created_) flushing_.insert(kv);
    created_.clear();
  }
  Status st = idb_curr_->table().Flush();
  if (st.ok()) {
    std::lock_guard<std::mutex> l(create_mu_);
    flushing_.clear();
  }
  return st;
}

Status Storage::FlushLocked() {
  VME_RETURN_IF_ERROR(FlushIndexDB());
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
  if (opts_.read_only) {
    return Status(Code::kMisuse, "the storage at " + path_ + " was opened read-only");
  }
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  VME_RETURN_IF_ERROR(FlushLocked());
  const std::unordered_set<uint64_t> deleted = DeletedCopy();
  for (const auto& p : table_->Partitions()) {
    if (p->name().compare(0, partition_prefix.size(), partition_prefix) != 0) continue;
    VME_RETURN_IF_ERROR(p->ForceMerge(&deleted));
    VME_RETURN_IF_ERROR(p->RemoveObsoleteParts());
  }
  return idb_curr_->table().MergeAll();
}

Status Storage::DeleteSeries(const SearchQuery& q, uint64_t* deleted_count) {
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  if (q.filters.filters().empty()) {
    return Status::InvalidArgument("delete series: the query needs at least one matcher");
  }
  if (opts_.read_only) {
    return Status(Code::kMisuse, "the storage at " + path_ + " was opened read-only");
  }
  SearchQuery all_time = q;
  all_time.tr = {0, INT64_MAX};
  std::vector<uint64_t> ids;
  VME_RETURN_IF_ERROR(SearchMetricIDs(all_time, &ids));
  if (deleted_count != nullptr) *deleted_count = ids.size();
  if (ids.empty()) return Status::OK();
  std::vector<std::string> items;
  items.reserve(ids.size());
  for (uint64_t id : ids) {
    std::string item(1, static_cast<char>(kNsDeletedMetricID));
    enc::AppendU64(&item, id);
    items.push_back(std::move(item));
  }
  VME_RETURN_IF_ERROR(idb_curr_->AddItems(items));
  VME_RETURN_IF_ERROR(idb_prev_->AddItems(items));
  {
    std::lock_guard<std::mutex> l(deleted_mu_);
    deleted_.insert(ids.begin(), ids.end());
  }
  {
    // New samples of these labels must create fresh series: forget every cached mapping.
    std::lock_guard<std::mutex> l(create_mu_);
    const std::unordered_set<uint64_t> gone(ids.begin(), ids.end());
    for (auto* m : {&created_, &flushing_}) {
      for (auto it = m->begin(); it != m->end();) {
        it = gone.count(it->second.metric_id) ? m->erase(it) : std::next(it);
      }
    }
    tsid_cache_.Clear();
  }
  VME_RETURN_IF_ERROR(FlushIndexDB());
  return idb_prev_->table().Flush();
}

Status Storage::Close() {
  if (scheduler_) scheduler_->Stop();  // background merges are abandoned, sources intact
  std::unique_lock<std::shared_mutex> l(close_mu_);
  if (closed_.load()) return Status::OK();
  closed_ = true;
  if (!idb_curr_ || !idb_prev_ || !table_) {  // a failed Open: nothing to flush
    table_.reset();
    lock_.reset();
    return Status::OK();
  }
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  Status st = FlushLocked();
  for (const auto& p : table_->Partitions()) {
    Status s2 = p->RemoveObsoleteParts();
    if (st.ok()) st = s2;
  }
  if (idb_curr_) {
    Status s2 = idb_curr_->table().Close();
    if (st.ok()) st = s2;
  }
  if (idb_prev_) {
    Status s2 = idb_prev_->table().Close();
    if (st.ok()) st = s2;
  }
  table_.reset();
  lock_.reset();
  return st;
}

std::unordered_set<uint64_t> Storage::DeletedCopy() {
  std::lock_guard<std::mutex> l(deleted_mu_);
  return deleted_;
}

Status Storage::RotateIndexDB() {
  std::unique_lock<std::shared_mutex> il(idb_rw_);
  VME_RETURN_IF_ERROR(FlushIndexDB());
  const std::string dir = fs::Join(path_, "indexdb");
  const uint64_t last = std::stoull(idb_curr_->name(), nullptr, 16);
  const uint64_t next = std::max<uint64_t>(static_cast<uint64_t>(NowNs()), last + 1);
  VME_ASSIGN_OR_RETURN(auto fresh, IndexDB::Open(fs::Join(dir, Hex16(next))));
  std::shared_ptr<IndexDB> old_prev = std::move(idb_prev_);
  idb_prev_ = std::move(idb_curr_);
  idb_curr_ = std::move(fresh);
  VME_RETURN_IF_ERROR(fs::FsyncDir(dir));
  VME_RETURN_IF_ERROR(old_prev->table().Close());
  VME_RETURN_IF_ERROR(fs::RemoveAllSync(old_prev->table().path()));
  {
    std::lock_guard<std::mutex> l(create_mu_);
    created_.clear();
    flushing_.clear();
  }
  tsid_cache_.Clear();
  {
    std::lock_guard<std::mutex> l(date_mu_);
    date_metric_ids_.clear();
  }
  return Status::OK();
}

Status Storage::GetMetricName(uint32_t account_id, uint32_t project_id, uint64_t metric_id,
                              MetricName* out) {
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  return GetMetricNameLocked(account_id, project_id, metric_id, out);
}

Status Storage::GetMetricNameLocked(uint32_t account_id, uint32_t project_id, uint64_t metric_id,
                                    MetricName* out) {
  {
    std::lock_guard<std::mutex> l(name_cache_mu_);
    auto it = name_cache_.find(metric_id);
    if (it != name_cache_.end()) return out->Unmarshal(it->second);
  }
  Status st = idb_curr_->GetMetricName(account_id, project_id, metric_id, out);
  if (st.code() == Code::kNotFound) {
    st = idb_prev_->GetMetricName(account_id, project_id, metric_id, out);
  }
  if (!st.ok()) return st;
  std::string b;
  out->Marshal(&b);
  std::lock_guard<std::mutex> l(name_cache_mu_);
  if (name_cache_bytes_ > opts_.cache_bytes / 4) {
    name_cache_.clear();
    name_cache_bytes_ = 0;
  }
  name_cache_bytes_ += b.size() + 64;
  name_cache_.emplace(metric_id, std::move(b));
  return Status::OK();
}

Status Storage::SearchMetricIDs(const SearchQuery& q, std::vector<uint64_t>* ids) {
  std::vector<uint64_t> a, b;
  VME_RETURN_IF_ERROR(idb_curr_->SearchMetricIDs(q.account_id, q.project_id, q.filters, &a));
  VME_RETURN_IF_ERROR(idb_prev_->SearchMetricIDs(q.account_id, q.project_id, q.filters, &b));
  ids->clear();
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(*ids));
  ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
  std::lock_guard<std::mutex> l(deleted_mu_);
  if (!deleted_.empty()) {
    ids->erase(std::remove_if(ids->begin(), ids->end(),
                              [&](uint64_t id) { return deleted_.count(id) != 0; }),
               ids->end());
  }
  return Status::OK();
}

Status Storage::SearchTSIDs(const SearchQuery& q, std::vector<TSID>* tsids) {
  std::vector<uint64_t> ids;
  VME_RETURN_IF_ERROR(SearchMetricIDs(q, &ids));
  if (q.max_series > 0 && ids.size() > q.max_series) {
    return Status::Limit("the number of matching series (" + std::to_string(ids.size()) +
                         ") exceeds the query limit " + std::to_string(q.max_series));
  }
  tsids->clear();
  tsids->reserve(ids.size());
  std::vector<uint64_t> missing;
  {
    std::lock_guard<std::mutex> l(tsid_by_id_mu_);
    for (uint64_t id : ids) {
      auto it = tsid_by_id_.find(id);
      if (it != tsid_by_id_.end() && it->second.account_id == q.account_id &&
          it->second.project_id == q.project_id) {
        tsids->push_back(it->second);
      } else {
        missing.push_back(id);
      }
    }
  }
  std::vector<TSID> found;
  for (uint64_t id : missing) {
    TSID t;
    Status st = idb_curr_->GetTSID(q.account_id, q.project_id, id, &t);
    if (st.code() == Code::kNotFound) st = idb_prev_->GetTSID(q.account_id, q.project_id, id, &t);
    if (st.code() == Code::kNotFound) continue;  // index entry lost in a crash: skip (§9.3)
    VME_RETURN_IF_ERROR(st);
    tsids->push_back(t);
    found.push_back(t);
  }
  if (!found.empty()) {
    std::lock_guard<std::mutex> l(tsid_by_id_mu_);
    // Budget: 1/16 of cache_bytes, as VictoriaMetrics' metricIDCache; ~64 bytes an entry.
    if ((tsid_by_id_.size() + found.size()) * 64 > opts_.cache_bytes / 16) tsid_by_id_.clear();
    for (const TSID& t : found) tsid_by_id_.emplace(t.metric_id, t);
  }
  std::sort(tsids->begin(), tsids->end());
  return Status::OK();
}

Result<std::unique_ptr<SeriesIterator>> Storage::Search(const SearchQuery& q) {
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  TimeRange tr = q.tr;
  if (opts_.retention_ms > 0) {
    tr.min_timestamp = std::max(tr.min_timestamp, NowMs() - opts_.retention_ms);
  }
  std::vector<TSID> tsids;
  VME_RETURN_IF_ERROR(SearchTSIDs(q, &tsids));
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

Status Storage::FilterByTimeRange(const SearchQuery& q, std::vector<uint64_t>* ids) {
  const TimeRange& tr = q.tr;
  if (tr.min_timestamp > tr.max_timestamp) {
    ids->clear();
    return Status::OK();
  }
  const int64_t min_date = std::max<int64_t>(0, tr.min_timestamp) / kMsecPerDay;
  const int64_t max_date = std::max<int64_t>(0, tr.max_timestamp) / kMsecPerDay;
  if (max_date - min_date > kMaxDaysForPerDaySearch) return Status::OK();
  std::vector<uint64_t> a, b, dated;
  VME_RETURN_IF_ERROR(
      idb_curr_->SearchMetricIDsForDates(q.account_id, q.project_id, min_date, max_date, &a));
  VME_RETURN_IF_ERROR(
      idb_prev_->SearchMetricIDsForDates(q.account_id, q.project_id, min_date, max_date, &b));
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(dated));
  std::vector<uint64_t> both;
  std::set_intersection(ids->begin(), ids->end(), dated.begin(), dated.end(),
                        std::back_inserter(both));
  ids->swap(both);
  return Status::OK();
}

Status Storage::SeriesCount(const SearchQuery* q, uint64_t* out) {
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  SearchQuery all;
  all.account_id = opts_.account_id;
  all.project_id = opts_.project_id;
  const SearchQuery& query = q != nullptr ? *q : all;
  std::vector<uint64_t> ids;
  VME_RETURN_IF_ERROR(SearchMetricIDs(query, &ids));
  VME_RETURN_IF_ERROR(FilterByTimeRange(query, &ids));
  *out = ids.size();
  return Status::OK();
}

// Label names or values (key set) of the series matching q: from the tag rows of both indexdb
// generations when nothing narrows them (no matchers, all time, no deletions), else from the
// names of the matching series. `collect` adds what one MetricName contributes.
Status Storage::CollectLabels(const SearchQuery* q,
                              const std::function<Status(IndexDB&, uint32_t, uint32_t)>& scan,
                              const std::function<void(const MetricName&)>& collect) {
  bool has_deleted;
  {
    std::lock_guard<std::mutex> l(deleted_mu_);
    has_deleted = !deleted_.empty();
  }
  const uint32_t acc = q ? q->account_id : opts_.account_id;
  const uint32_t proj = q ? q->project_id : opts_.project_id;
  const bool all_time =
      q == nullptr || (q->tr.min_timestamp <= 0 && q->tr.max_timestamp == INT64_MAX);
  if ((q == nullptr || (q->filters.filters().empty() && all_time)) && !has_deleted) {
    VME_RETURN_IF_ERROR(scan(*idb_curr_, acc, proj));
    return scan(*idb_prev_, acc, proj);
  }
  SearchQuery all;
  all.account_id = acc;
  all.project_id = proj;
  std::vector<uint64_t> ids;
  VME_RETURN_IF_ERROR(SearchMetricIDs(q ? *q : all, &ids));
  if (q != nullptr) VME_RETURN_IF_ERROR(FilterByTimeRange(*q, &ids));
  MetricName mn;
  for (uint64_t id : ids) {
    Status st = GetMetricNameLocked(acc, proj, id, &mn);
    if (st.code() == Code::kNotFound) continue;
    VME_RETURN_IF_ERROR(st);
    collect(mn);
  }
  return Status::OK();
}

Status Storage::LabelNames(const SearchQuery* q, std::vector<std::string>* out) {
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  std::unordered_set<std::string> names;
  VME_RETURN_IF_ERROR(CollectLabels(
      q,
      [&](IndexDB& idb, uint32_t acc, uint32_t proj) {
        return idb.AppendLabelNames(acc, proj, &names);
      },
      [&](const MetricName& mn) {
        if (!mn.metric_group.empty()) names.insert("");
        for (const Tag& t : mn.tags) names.insert(t.key);
      }));
  out->clear();
  for (const auto& n : names) out->push_back(n.empty() ? "__name__" : n);
  std::sort(out->begin(), out->end());
  return Status::OK();
}

Status Storage::LabelValues(std::string_view name, const SearchQuery* q,
                            std::vector<std::string>* out) {
  VME_ASSIGN_OR_RETURN(auto guard, Enter());
  std::shared_lock<std::shared_mutex> il(idb_rw_);
  const std::string key = name == "__name__" ? std::string() : std::string(name);
  std::unordered_set<std::string> values;
  VME_RETURN_IF_ERROR(CollectLabels(
      q,
      [&](IndexDB& idb, uint32_t acc, uint32_t proj) {
        return idb.AppendLabelValues(acc, proj, key, &values);
      },
      [&](const MetricName& mn) {
        if (key.empty()) {
          if (!mn.metric_group.empty()) values.insert(mn.metric_group);
          return;
        }
        for (const Tag& t : mn.tags) {
          if (t.key == key && !t.value.empty()) values.insert(t.value);
        }
      }));
  out->assign(values.begin(), values.end());
  std::sort(out->begin(), out->end());
  return Status::OK();
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
  const auto ic = idb_curr_->table().Stats();
  const auto ip = idb_prev_->table().Stats();
  add("indexdb_parts", static_cast<double>(ic.parts + ip.parts));
  add("indexdb_items", static_cast<double>(ic.items + ip.items));
  il.unlock();
  guard->unlock();
  uint64_t series = 0;
  if (SeriesCount(nullptr, &series).ok()) add("series", static_cast<double>(series));
  add("rows_added", static_cast<double>(rows_added_.load()));
  add("new_series_created", static_cast<double>(new_series_.load()));
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
    return s_->idb_curr_->table().MergeOnce(false, merged);
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

}  // namespace vme::storage
