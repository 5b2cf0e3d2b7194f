#include "storage/index_db_generations.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "encoding/int.h"
#include "storage/series_registry.h"
#include "util/fs.h"
#include "util/strings.h"

namespace vme::storage {
namespace {

constexpr int64_t kMaxDaysForPerDaySearch = 40;

bool IsIndexDBName(const std::string& n) {
  if (n.size() != 16) return false;
  for (char c : n) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<IndexDBGenerations>> IndexDBGenerations::Open(const std::string& dir,
                                                                     bool read_only,
                                                                     QuarantineFn quarantine) {
  std::unique_ptr<IndexDBGenerations> g(new IndexDBGenerations(dir, read_only));
  g->quarantine_ = std::move(quarantine);
  if (read_only) {
    if (!fs::IsDir(dir)) return Status::NotFound("no indexdb directory " + dir);
  } else {
    VME_RETURN_IF_ERROR(fs::MkdirAllSync(fs::Join(dir, "snapshots")));
  }
  VME_ASSIGN_OR_RETURN(auto entries, fs::ListDir(dir));
  std::vector<std::string> names;
  for (const auto& n : entries) {
    if (IsIndexDBName(n) && fs::IsDir(fs::Join(dir, n))) names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  if (read_only && names.size() < 2) {
    return Status::NotFound(dir + " holds " + std::to_string(names.size()) +
                            " indexdb generations, a read-only open needs 2 (open the "
                            "directory read-write once to create them)");
  }
  uint64_t next = static_cast<uint64_t>(NowNs());
  while (names.size() < 2) {
    if (!names.empty()) next = std::max<uint64_t>(next, std::stoull(names.back(), nullptr, 16) + 1);
    names.push_back(Hex16(next++));
    VME_RETURN_IF_ERROR(fs::MkdirAllSync(fs::Join(dir, names.back())));
  }
  if (!read_only) {
    for (size_t i = 0; i + 2 < names.size(); i++) {
      VME_RETURN_IF_ERROR(fs::RemoveAllSync(fs::Join(dir, names[i])));
    }
  }
  VME_ASSIGN_OR_RETURN(
      g->prev_, IndexDB::Open(fs::Join(dir, names[names.size() - 2]), read_only, g->quarantine_));
  VME_ASSIGN_OR_RETURN(g->curr_,
                       IndexDB::Open(fs::Join(dir, names.back()), read_only, g->quarantine_));
  auto load_deleted = [&g](DeletedSet* deleted) {
    Status st = g->prev_->AppendDeletedMetricIDs(deleted);
    return st.ok() ? g->curr_->AppendDeletedMetricIDs(deleted) : st;
  };
  auto deleted = std::make_shared<DeletedSet>();
  Status st = load_deleted(deleted.get());
  if (st.code() == Code::kCorruption && g->quarantine_) {
    // An index block that failed its checksum (or did not decode) flagged its part corrupt:
    // with the quarantine option the part moves away and the load runs again without it.
    VME_RETURN_IF_ERROR(g->QuarantineCorruptParts(st));
    deleted = std::make_shared<DeletedSet>();
    st = load_deleted(deleted.get());
  }
  VME_RETURN_IF_ERROR(st);
  g->deleted_ = std::move(deleted);
  return g;
}

Status IndexDBGenerations::QuarantineCorruptParts(const Status& why) {
  Status st = curr_->table().QuarantineCorruptParts(why);
  Status st2 = prev_->table().QuarantineCorruptParts(why);
  return st.ok() ? st2 : st;
}

Status IndexDBGenerations::Rotate() {
  const uint64_t last = std::stoull(curr_->name(), nullptr, 16);
  const uint64_t next = std::max<uint64_t>(static_cast<uint64_t>(NowNs()), last + 1);
  VME_ASSIGN_OR_RETURN(auto fresh,
                       IndexDB::Open(fs::Join(dir_, Hex16(next)), read_only_, quarantine_));
  std::shared_ptr<IndexDB> old_prev = std::move(prev_);
  prev_ = std::move(curr_);
  curr_ = std::move(fresh);
  VME_RETURN_IF_ERROR(fs::FsyncDir(dir_));
  VME_RETURN_IF_ERROR(old_prev->table().Close());
  return fs::RemoveAllSync(old_prev->table().path());
}

Status IndexDBGenerations::Close() {
  Status st;
  for (auto* g : {&curr_, &prev_}) {
    if (!*g) continue;
    Status s2 = (*g)->table().Close();
    if (st.ok()) st = s2;
  }
  return st;
}

std::shared_ptr<const DeletedSet> IndexDBGenerations::Deleted() const {
  std::lock_guard<std::mutex> l(deleted_mu_);
  return deleted_;
}

bool IndexDBGenerations::HasDeleted() const { return !Deleted()->empty(); }

Status IndexDBGenerations::MarkDeleted(const std::vector<uint64_t>& ids) {
  std::vector<std::string> items;
  items.reserve(ids.size());
  for (uint64_t id : ids) {
    std::string item(1, static_cast<char>(kNsDeletedMetricID));
    enc::AppendU64(&item, id);
    items.push_back(std::move(item));
  }
  VME_RETURN_IF_ERROR(curr_->AddItems(items));
  VME_RETURN_IF_ERROR(prev_->AddItems(items));
  // Copy on write: readers keep the snapshot they hold. The copy is made outside the lock; a
  // concurrent MarkDeleted is retried against the newer set.
  for (;;) {
    std::shared_ptr<const DeletedSet> old = Deleted();
    auto next = std::make_shared<DeletedSet>(*old);
    next->insert(ids.begin(), ids.end());
    std::lock_guard<std::mutex> l(deleted_mu_);
    if (deleted_ != old) continue;
    deleted_ = std::move(next);
    return Status::OK();
  }
}

Status IndexDBGenerations::GetTSIDByName(std::string_view canonical_name, TSID* tsid,
                                         bool* in_prev) {
  *in_prev = false;
  const auto deleted = Deleted();
  Status st = curr_->GetTSIDByName(canonical_name, *deleted, tsid);
  if (st.code() != Code::kNotFound) return st;
  st = prev_->GetTSIDByName(canonical_name, *deleted, tsid);
  if (st.ok()) *in_prev = true;
  return st;
}

Status IndexDBGenerations::GetMetricName(uint32_t account_id, uint32_t project_id,
                                         uint64_t metric_id, MetricName* out) {
  Status st = curr_->GetMetricName(account_id, project_id, metric_id, out);
  if (st.code() == Code::kNotFound)
    st = prev_->GetMetricName(account_id, project_id, metric_id, out);
  return st;
}

Status IndexDBGenerations::GetTSID(uint32_t account_id, uint32_t project_id, uint64_t metric_id,
                                   TSID* out) {
  Status st = curr_->GetTSID(account_id, project_id, metric_id, out);
  if (st.code() == Code::kNotFound) st = prev_->GetTSID(account_id, project_id, metric_id, out);
  return st;
}

Status IndexDBGenerations::SearchMetricIDs(const SearchQuery& q, std::vector<uint64_t>* ids) {
  std::vector<uint64_t> a, b;
  VME_RETURN_IF_ERROR(curr_->SearchMetricIDs(q.account_id, q.project_id, q.filters, &a));
  VME_RETURN_IF_ERROR(prev_->SearchMetricIDs(q.account_id, q.project_id, q.filters, &b));
  ids->clear();
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(*ids));
  ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
  const auto deleted = Deleted();
  if (!deleted->empty()) {
    ids->erase(std::remove_if(ids->begin(), ids->end(),
                              [&](uint64_t id) { return deleted->count(id) != 0; }),
               ids->end());
  }
  return Status::OK();
}

Status IndexDBGenerations::FilterByTimeRange(const SearchQuery& q, std::vector<uint64_t>* ids) {
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
      curr_->SearchMetricIDsForDates(q.account_id, q.project_id, min_date, max_date, &a));
  VME_RETURN_IF_ERROR(
      prev_->SearchMetricIDsForDates(q.account_id, q.project_id, min_date, max_date, &b));
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(dated));
  std::vector<uint64_t> both;
  std::set_intersection(ids->begin(), ids->end(), dated.begin(), dated.end(),
                        std::back_inserter(both));
  ids->swap(both);
  return Status::OK();
}

Status IndexDBGenerations::SearchTSIDs(const SearchQuery& q, SeriesRegistry& series,
                                       std::vector<TSID>* tsids) {
  std::vector<uint64_t> ids;
  VME_RETURN_IF_ERROR(SearchMetricIDs(q, &ids));
  if (q.max_series > 0 && ids.size() > q.max_series) {
    return Status::Limit("the number of matching series (" + std::to_string(ids.size()) +
                         ") exceeds the query limit " + std::to_string(q.max_series));
  }
  tsids->clear();
  tsids->reserve(ids.size());
  std::vector<uint64_t> missing;
  series.CachedTSIDs(ids, q.account_id, q.project_id, tsids, &missing);
  std::vector<TSID> found;
  for (uint64_t id : missing) {
    TSID t;
    Status st = GetTSID(q.account_id, q.project_id, id, &t);
    if (st.code() == Code::kNotFound) continue;  // index entry lost in a crash: skip it
    VME_RETURN_IF_ERROR(st);
    tsids->push_back(t);
    found.push_back(t);
  }
  series.CacheTSIDs(found);
  std::sort(tsids->begin(), tsids->end());
  return Status::OK();
}

Status IndexDBGenerations::SeriesCount(const SearchQuery& q, uint64_t* out) {
  std::vector<uint64_t> ids;
  VME_RETURN_IF_ERROR(SearchMetricIDs(q, &ids));
  VME_RETURN_IF_ERROR(FilterByTimeRange(q, &ids));
  *out = ids.size();
  return Status::OK();
}

Status IndexDBGenerations::CollectLabels(
    const SearchQuery* q, uint32_t acc, uint32_t proj, SeriesRegistry& series,
    const std::function<Status(IndexDB&, uint32_t, uint32_t)>& scan,
    const std::function<void(const MetricName&)>& collect) {
  const bool all_time =
      q == nullptr || (q->tr.min_timestamp <= 0 && q->tr.max_timestamp == INT64_MAX);
  if ((q == nullptr || (q->filters.filters().empty() && all_time)) && !HasDeleted()) {
    VME_RETURN_IF_ERROR(scan(*curr_, acc, proj));
    return scan(*prev_, acc, proj);
  }
  SearchQuery all;
  all.account_id = acc;
  all.project_id = proj;
  std::vector<uint64_t> ids;
  VME_RETURN_IF_ERROR(SearchMetricIDs(q ? *q : all, &ids));
  if (q != nullptr) VME_RETURN_IF_ERROR(FilterByTimeRange(*q, &ids));
  MetricName mn;
  for (uint64_t id : ids) {
    Status st = series.GetMetricName(acc, proj, id, &mn);
    if (st.code() == Code::kNotFound) continue;
    VME_RETURN_IF_ERROR(st);
    collect(mn);
  }
  return Status::OK();
}

Status IndexDBGenerations::LabelNames(const SearchQuery* q, uint32_t acc, uint32_t proj,
                                      SeriesRegistry& series, std::vector<std::string>* out) {
  std::unordered_set<std::string> names;
  VME_RETURN_IF_ERROR(CollectLabels(
      q, acc, proj, series,
      [&](IndexDB& idb, uint32_t a, uint32_t p) { return idb.AppendLabelNames(a, p, &names); },
      [&](const MetricName& mn) {
        if (!mn.metric_group.empty()) names.insert("");
        for (const Tag& t : mn.tags) names.insert(t.key);
      }));
  out->clear();
  for (const auto& n : names) out->push_back(n.empty() ? "__name__" : n);
  std::sort(out->begin(), out->end());
  return Status::OK();
}

Status IndexDBGenerations::LabelValues(std::string_view name, const SearchQuery* q, uint32_t acc,
                                       uint32_t proj, SeriesRegistry& series,
                                       std::vector<std::string>* out) {
  const std::string key = name == "__name__" ? std::string() : std::string(name);
  std::unordered_set<std::string> values;
  VME_RETURN_IF_ERROR(CollectLabels(
      q, acc, proj, series,
      [&](IndexDB& idb, uint32_t a, uint32_t p) {
        return idb.AppendLabelValues(a, p, key, &values);
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

}  // namespace vme::storage
