#include "storage/series_registry.h"

#include <xxhash.h>

#include <algorithm>

#include "storage/index_db.h"

namespace vme::storage {
namespace {

// lib/storage/index_db.go `generateTSID`: the metric group and the first two tag values
// (job and instance after canonical sorting) are hashed into the TSID prefix.
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

}  // namespace

Status SeriesRegistry::GetOrCreateTSID(std::string_view cache_key, std::string_view series_key,
                                       uint32_t account_id, uint32_t project_id, TSID* tsid,
                                       MetricName* mn, bool* bad_labels) {
  *bad_labels = false;
  Status pst = mn->FromSeriesKey(series_key, account_id, project_id, LabelLimits());
  if (!pst.ok() || mn->metric_group.empty()) {
    *bad_labels = true;
    return Status::OK();
  }
  thread_local std::string canonical;
  canonical.clear();
  mn->Marshal(&canonical);
  for (;;) {
    {
      std::unique_lock<std::mutex> l(create_mu_);
      for (;;) {
        auto it = pending_.find(std::string_view(canonical));
        if (it == pending_.end()) {
          pending_.emplace(canonical, Pending{});
          break;
        }
        if (it->second.state != PendingState::kCreating) {
          *tsid = it->second.tsid;
          tsid_cache_.Put(cache_key, *tsid);
          return Status::OK();
        }
        create_cv_.wait(l);  // another writer is creating this series
      }
    }
    bool bad = false, wrote = false;
    Status st = CreateSeries(canonical, *mn, tsid, &bad, &wrote);
    std::lock_guard<std::mutex> l(create_mu_);
    create_cv_.notify_all();
    auto it = pending_.find(std::string_view(canonical));
    // A DeleteSeries that ran meanwhile may have deleted this TSID (its Forget found nothing
    // to forget yet): resolve the name again, which then skips the deleted series.
    const bool deleted = st.ok() && !bad && index_->Deleted()->count(tsid->metric_id) != 0;
    if (!st.ok() || bad || !wrote || deleted) {
      if (it != pending_.end()) pending_.erase(it);
      VME_RETURN_IF_ERROR(st);
      if (bad) {
        *bad_labels = true;
        return Status::OK();
      }
      if (deleted) continue;
    } else if (it != pending_.end()) {
      it->second.state = PendingState::kCreated;
      it->second.tsid = *tsid;
    }
    tsid_cache_.Put(cache_key, *tsid);
    return Status::OK();
  }
}

Status SeriesRegistry::CreateSeries(const std::string& canonical, const MetricName& mn, TSID* tsid,
                                    bool* bad_labels, bool* wrote_items) {
  *wrote_items = false;
  bool in_prev = false;
  Status st = index_->GetTSIDByName(canonical, tsid, &in_prev);
  if (st.ok() && !in_prev) return Status::OK();
  if (!st.ok() && st.code() != Code::kNotFound) return st;
  // A series of prev keeps its TSID, so its MetricID survives the rotation (lib/storage/
  // storage.go `Storage.add` looks up the previous indexdb before creating).
  const bool fresh = !st.ok();
  if (fresh) *tsid = GenerateTSID(mn, next_metric_id_.fetch_add(1));
  thread_local IndexItems items;
  items.Clear();
  AppendSeriesIndexItems(*tsid, mn, &items);
  if (!IndexItemsFit(items)) {
    *bad_labels = true;
    return Status::OK();
  }
  VME_RETURN_IF_ERROR(index_->curr().AddItems(items));
  if (fresh) new_series_.fetch_add(1);
  *wrote_items = true;
  return Status::OK();
}

Status SeriesRegistry::AddPerDayEntries(const std::vector<RawRow>& rows, uint32_t account_id,
                                        uint32_t project_id,
                                        const std::function<std::string_view(size_t)>& key_of) {
  // (date, MetricID, index into rows) of the pairs not known to have per-day entries.
  struct Want {
    uint64_t date, id;
    size_t row;
  };
  thread_local std::vector<Want> pending;
  pending.clear();
  {
    std::lock_guard<std::mutex> l(date_mu_);
    uint64_t last_date = UINT64_MAX, last_id = 0;
    for (size_t k = 0; k < rows.size(); k++) {
      const uint64_t date = static_cast<uint64_t>(rows[k].timestamp) / kMsecPerDay;
      const uint64_t id = rows[k].tsid.metric_id;
      if (date == last_date && id == last_id) continue;
      last_date = date;
      last_id = id;
      if (date_metric_ids_.count({date, id}) == 0) pending.push_back(Want{date, id, k});
    }
  }
  if (pending.empty()) return Status::OK();
  // One entry per pair: the first row of each.
  std::stable_sort(pending.begin(), pending.end(), [](const Want& a, const Want& b) {
    return a.date < b.date || (a.date == b.date && a.id < b.id);
  });
  pending.erase(
      std::unique(pending.begin(), pending.end(),
                  [](const Want& a, const Want& b) { return a.date == b.date && a.id == b.id; }),
      pending.end());
  thread_local IndexItems items;
  items.Clear();
  thread_local MetricName mn;
  for (const Want& w : pending) {
    const RawRow& row = rows[w.row];
    VME_ASSIGN_OR_RETURN(bool has,
                         index_->curr().HasDateMetricID(w.date, account_id, project_id, w.id));
    if (!has) {
      VME_RETURN_IF_ERROR(mn.FromSeriesKey(key_of(w.row), account_id, project_id, LabelLimits()));
      AppendPerDayIndexItems(w.date, row.tsid, mn, &items);
    }
  }
  if (items.size() > 0) VME_RETURN_IF_ERROR(index_->curr().AddItems(items));
  std::lock_guard<std::mutex> l(date_mu_);
  if (date_metric_ids_.size() * 48 > cache_bytes_ / 8) date_metric_ids_.clear();
  for (const Want& w : pending) date_metric_ids_.insert({w.date, w.id});
  return Status::OK();
}

Status SeriesRegistry::Flush() {
  std::lock_guard<std::mutex> fl(flush_mu_);
  {
    std::lock_guard<std::mutex> l(create_mu_);
    for (auto& kv : pending_) {
      if (kv.second.state == PendingState::kCreated) kv.second.state = PendingState::kFlushing;
    }
  }
  Status st = index_->curr().table().Flush();
  if (st.ok()) {
    std::lock_guard<std::mutex> l(create_mu_);
    std::erase_if(pending_,
                  [](const auto& kv) { return kv.second.state == PendingState::kFlushing; });
  }
  return st;
}

void SeriesRegistry::Forget(const std::vector<uint64_t>& metric_ids) {
  const std::unordered_set<uint64_t> gone(metric_ids.begin(), metric_ids.end());
  std::lock_guard<std::mutex> l(create_mu_);
  std::erase_if(pending_, [&](const auto& kv) {
    return kv.second.state != PendingState::kCreating && gone.count(kv.second.tsid.metric_id) != 0;
  });
  tsid_cache_.Clear();
}

void SeriesRegistry::Reset() {
  {
    std::lock_guard<std::mutex> l(create_mu_);
    std::erase_if(pending_,
                  [](const auto& kv) { return kv.second.state != PendingState::kCreating; });
    tsid_cache_.Clear();
  }
  std::lock_guard<std::mutex> l(date_mu_);
  date_metric_ids_.clear();
}

void SeriesRegistry::CachedTSIDs(const std::vector<uint64_t>& ids, uint32_t account_id,
                                 uint32_t project_id, std::vector<TSID>* tsids,
                                 std::vector<uint64_t>* missing) {
  std::lock_guard<std::mutex> l(tsid_by_id_mu_);
  for (uint64_t id : ids) {
    auto it = tsid_by_id_.find(id);
    if (it != tsid_by_id_.end() && it->second.account_id == account_id &&
        it->second.project_id == project_id) {
      tsids->push_back(it->second);
    } else {
      missing->push_back(id);
    }
  }
}

void SeriesRegistry::CacheTSIDs(const std::vector<TSID>& tsids) {
  if (tsids.empty()) return;
  std::lock_guard<std::mutex> l(tsid_by_id_mu_);
  // Budget: 1/16 of cache_bytes, as VictoriaMetrics' metricIDCache; ~64 bytes an entry.
  if ((tsid_by_id_.size() + tsids.size()) * 64 > cache_bytes_ / 16) tsid_by_id_.clear();
  for (const TSID& t : tsids) tsid_by_id_.emplace(t.metric_id, t);
}

Status SeriesRegistry::GetMetricName(uint32_t account_id, uint32_t project_id, uint64_t metric_id,
                                     MetricName* out) {
  {
    std::lock_guard<std::mutex> l(name_cache_mu_);
    auto it = name_cache_.find(metric_id);
    if (it != name_cache_.end()) return out->Unmarshal(it->second);
  }
  VME_RETURN_IF_ERROR(index_->GetMetricName(account_id, project_id, metric_id, out));
  std::string b;
  out->Marshal(&b);
  std::lock_guard<std::mutex> l(name_cache_mu_);
  if (name_cache_bytes_ > cache_bytes_ / 4) {
    name_cache_.clear();
    name_cache_bytes_ = 0;
  }
  name_cache_bytes_ += b.size() + 64;
  name_cache_.emplace(metric_id, std::move(b));
  return Status::OK();
}

}  // namespace vme::storage
