#include "storage/index_db.h"

#include <algorithm>
#include <atomic>
#include <filesystem>

#include "encoding/int.h"
#include "storage/search_caches.h"

namespace vme::storage {
namespace {

void AppendCommonPrefix(std::string* dst, uint8_t ns, uint32_t account_id, uint32_t project_id) {
  dst->push_back(static_cast<char>(ns));
  enc::AppendU32(dst, account_id);
  enc::AppendU32(dst, project_id);
}

void PutU32(char* p, uint32_t v) {
  for (int i = 3; i >= 0; i--, v >>= 8) p[i] = static_cast<char>(v & 0xff);
}
void PutU64(char* p, uint64_t v) {
  for (int i = 7; i >= 0; i--, v >>= 8) p[i] = static_cast<char>(v & 0xff);
}

// Appends the ns 1 / ns 6 tag rows of mn (with `prefix` = the common prefix, plus the date for
// ns 6) in createIndexes order: metric name, reversed name, tags, composite tags.
void AppendTagRows(std::string_view prefix, const MetricName& mn, uint64_t metric_id,
                   IndexItems* items) {
  std::string& d = items->data;
  auto finish = [&] {
    enc::AppendU64(&d, metric_id);
    items->EndItem();
  };
  d.append(prefix);
  MarshalTagValue(&d, "");
  MarshalTagValue(&d, mn.metric_group);
  finish();
  if (mn.metric_group.find('.') != std::string::npos) {
    d.append(prefix);
    MarshalTagValue(&d, "\xff");
    std::string reversed(mn.metric_group.rbegin(), mn.metric_group.rend());
    MarshalTagValue(&d, reversed);
    finish();
  }
  for (const Tag& t : mn.tags) {
    d.append(prefix);
    MarshalTagValue(&d, t.key);
    MarshalTagValue(&d, t.value);
    finish();
  }
  // Composite keys: fe | varuint(len(MetricGroup)) | MetricGroup | Key, escaped as one value.
  thread_local std::string composite;
  for (const Tag& t : mn.tags) {
    composite.assign(1, '\xfe');
    enc::AppendVarUint64(&composite, mn.metric_group.size());
    composite += mn.metric_group;
    composite += t.key;
    d.append(prefix);
    MarshalTagValue(&d, composite);
    MarshalTagValue(&d, t.value);
    finish();
  }
}

bool StartsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

// Appends the 8-byte ids of a tag row tail; false if the tail is not a multiple of 8 bytes.
bool AppendIDs(std::string_view tail, std::vector<uint64_t>* out) {
  if (tail.empty() || tail.size() % 8 != 0) return false;
  for (size_t i = 0; i < tail.size(); i += 8) out->push_back(enc::LoadU64(tail.data() + i));
  return true;
}

void SortUnique(std::vector<uint64_t>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

std::vector<uint64_t> Difference(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  std::vector<uint64_t> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

std::vector<uint64_t> Intersect(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  std::vector<uint64_t> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

std::atomic<uint64_t> next_index_db_id{1};

// The TagFiltersCache key: indexdb id, tenant, then each filter as (flags, key, value), with
// lengths, so that two different filter lists never share a key.
std::string TagFiltersCacheKey(uint64_t id, uint32_t account_id, uint32_t project_id,
                               const TagFilters& filters) {
  std::string key;
  enc::AppendU64(&key, id);
  enc::AppendU32(&key, account_id);
  enc::AppendU32(&key, project_id);
  for (const TagFilter& tf : filters.filters()) {
    key.push_back(static_cast<char>((tf.is_negative() ? 1 : 0) | (tf.is_regexp() ? 2 : 0)));
    enc::AppendBytes(&key, tf.key());
    enc::AppendBytes(&key, tf.value());
  }
  return key;
}

Status CorruptItem(const IndexDB& db, std::string_view what) {
  return Status::Corruption("indexdb " + db.name() + ": malformed " + std::string(what) + " item");
}

// Splits a tag row after `prefix` into its value and ids.
bool ParseTagRow(std::string_view rest, std::string* value, std::string_view* ids) {
  if (!UnmarshalTagValue(&rest, value)) return false;
  *ids = rest;
  return true;
}

// The filter keys of indexdb items (mergeset::ItemFilterKeys): the MetricName -> TSID items
// (ns 0) without their TSID, which is the search prefix of GetTSIDByName, and the Date ->
// MetricID items (ns 5) whole, which is the key of HasDateMetricID.
bool IndexFilterKeyOf(std::string_view item, std::string_view* key) {
  if (item.empty()) return false;
  if (item[0] == static_cast<char>(kNsMetricNameToTSID)) {
    if (item.size() <= TSID::kMarshaledSize) return false;
    *key = item.substr(0, item.size() - TSID::kMarshaledSize);
    return true;
  }
  if (item[0] == static_cast<char>(kNsDateToMetricID)) {
    *key = item;
    return true;
  }
  return false;
}

std::shared_ptr<const mergeset::ItemFilterKeys> IndexFilterKeys() {
  static const auto keys = [] {
    auto k = std::make_shared<mergeset::ItemFilterKeys>();
    k->key_of = IndexFilterKeyOf;
    k->prefixes = {std::string(1, static_cast<char>(kNsMetricNameToTSID)),
                   std::string(1, static_cast<char>(kNsDateToMetricID))};
    return k;
  }();
  return keys;
}

}  // namespace

std::vector<std::shared_ptr<const mergeset::Part>> IndexDB::PartsMayContain(
    std::string_view key) const {
  auto parts = table_->Parts();
  const mergeset::ItemFilterKeys* keys = table_->item_filter_keys();
  if (keys == nullptr) return parts;
  const uint64_t h = mergeset::ItemFilter::Hash(key);
  thread_local std::vector<const mergeset::ItemFilter*> filters;
  filters.resize(parts.size());
  for (size_t i = 0; i < parts.size(); i++) {
    const mergeset::ItemFilter* f = parts[i]->item_filter();
    if (f == nullptr) {
      // A part opened from disk: its filter is built on first use. On a read error (or while
      // another thread builds it) the part is searched, so that the error surfaces there.
      auto built = parts[i]->BuildItemFilter(*keys);
      if (built.ok()) f = *built;
    }
    if (f != nullptr) f->Prefetch(h);
    filters[i] = f;
  }
  size_t n = 0;
  for (size_t i = 0; i < parts.size(); i++) {
    if (filters[i] == nullptr || filters[i]->MayContain(h)) parts[n++] = std::move(parts[i]);
  }
  parts.resize(n);
  return parts;
}

void AppendSeriesIndexItems(const TSID& tsid, const MetricName& mn, IndexItems* items) {
  std::string& d = items->data;
  d.push_back(static_cast<char>(kNsMetricNameToTSID));
  mn.Marshal(&d);
  d.push_back('\x02');
  tsid.Marshal(&d);
  items->EndItem();

  AppendCommonPrefix(&d, kNsMetricIDToMetricName, mn.account_id, mn.project_id);
  enc::AppendU64(&d, tsid.metric_id);
  mn.Marshal(&d);
  items->EndItem();

  AppendCommonPrefix(&d, kNsMetricIDToTSID, mn.account_id, mn.project_id);
  enc::AppendU64(&d, tsid.metric_id);
  tsid.Marshal(&d);
  items->EndItem();

  char prefix[9];
  prefix[0] = static_cast<char>(kNsTagToMetricIDs);
  PutU32(prefix + 1, mn.account_id);
  PutU32(prefix + 5, mn.project_id);
  AppendTagRows(std::string_view(prefix, sizeof prefix), mn, tsid.metric_id, items);
}

void AppendPerDayIndexItems(uint64_t date, const TSID& tsid, const MetricName& mn,
                            IndexItems* items) {
  std::string& d = items->data;
  AppendCommonPrefix(&d, kNsDateToMetricID, mn.account_id, mn.project_id);
  enc::AppendU64(&d, date);
  enc::AppendU64(&d, tsid.metric_id);
  items->EndItem();

  char prefix[17];
  prefix[0] = static_cast<char>(kNsDateTagToMetricIDs);
  PutU32(prefix + 1, mn.account_id);
  PutU32(prefix + 5, mn.project_id);
  PutU64(prefix + 9, date);
  AppendTagRows(std::string_view(prefix, sizeof prefix), mn, tsid.metric_id, items);
}

bool IndexItemsFit(const IndexItems& series_items, size_t from) {
  for (size_t i = from; i < series_items.size(); i++) {
    const std::string_view item = series_items.item(i);
    // Each ns 1 tag row has a per-day twin in ns 6: the same row plus the 8-byte date.
    const size_t longest =
        item[0] == static_cast<char>(kNsTagToMetricIDs) ? item.size() + 8 : item.size();
    if (longest > mergeset::kMaxItemSize) return false;
  }
  return true;
}

Status IndexDB::AddItems(const IndexItems& items) {
  thread_local std::vector<std::string_view> views;
  views.resize(items.size());
  for (size_t i = 0; i < items.size(); i++) views[i] = items.item(i);
  return table_->AddItems(views.data(), views.size());
}

IndexDB::IndexDB(std::string name, std::shared_ptr<mergeset::Table> table)
    : id_(next_index_db_id.fetch_add(1, std::memory_order_relaxed)),
      name_(std::move(name)),
      table_(std::move(table)) {}

Result<std::shared_ptr<IndexDB>> IndexDB::Open(const std::string& path, bool read_only,
                                               QuarantineFn quarantine) {
  mergeset::TableOptions opts;
  opts.read_only = read_only;
  opts.quarantine = std::move(quarantine);
  opts.prepare_block = [](const mergeset::InmemoryBlock& in, mergeset::InmemoryBlock* out) {
    MergeTagToMetricIDsRows(in, out);
  };
  opts.item_filter_keys = IndexFilterKeys();
  VME_ASSIGN_OR_RETURN(auto table, mergeset::Table::Open(path, std::move(opts)));
  const std::string name = std::filesystem::path(path).filename().string();
  return std::shared_ptr<IndexDB>(new IndexDB(name, std::move(table)));
}

Status IndexDB::GetTSIDByName(std::string_view marshaled_name,
                              const std::unordered_set<uint64_t>& deleted, TSID* out) const {
  thread_local std::string prefix;
  prefix.clear();
  prefix.push_back(static_cast<char>(kNsMetricNameToTSID));
  prefix.append(marshaled_name);
  prefix.push_back('\x02');
  // Only the parts whose filter may hold the name (a brand-new series usually skips them all).
  auto parts = PartsMayContain(prefix);
  if (parts.empty()) return Status::NotFound("series not in indexdb " + name_);
  mergeset::TableSearch ts(std::move(parts));
  ts.Seek(prefix);
  while (ts.NextItem()) {
    std::string_view item = ts.Item();
    if (!StartsWith(item, prefix)) break;
    item.remove_prefix(prefix.size());
    if (item.size() != TSID::kMarshaledSize) return CorruptItem(*this, "MetricName->TSID");
    const TSID tsid = TSID::Load(item.data());
    if (deleted.count(tsid.metric_id) != 0) continue;
    *out = tsid;
    return Status::OK();
  }
  VME_RETURN_IF_ERROR(ts.status());
  return Status::NotFound("series not in indexdb " + name_);
}

Status IndexDB::GetMetricName(uint32_t account_id, uint32_t project_id, uint64_t metric_id,
                              MetricName* out) const {
  std::string prefix;
  AppendCommonPrefix(&prefix, kNsMetricIDToMetricName, account_id, project_id);
  enc::AppendU64(&prefix, metric_id);
  mergeset::TableSearch ts(*table_);
  std::string item;
  Status st = ts.FirstItemWithPrefix(prefix, &item);
  if (!st.ok()) return st;
  Status ust = out->Unmarshal(std::string_view(item).substr(prefix.size()));
  if (!ust.ok()) return ust.WithContext("indexdb " + name_ + ": MetricID->MetricName item");
  return Status::OK();
}

Status IndexDB::GetTSID(uint32_t account_id, uint32_t project_id, uint64_t metric_id,
                        TSID* out) const {
  std::string prefix;
  AppendCommonPrefix(&prefix, kNsMetricIDToTSID, account_id, project_id);
  enc::AppendU64(&prefix, metric_id);
  mergeset::TableSearch ts(*table_);
  std::string item;
  VME_RETURN_IF_ERROR(ts.FirstItemWithPrefix(prefix, &item));
  if (item.size() != prefix.size() + TSID::kMarshaledSize) {
    return CorruptItem(*this, "MetricID->TSID");
  }
  *out = TSID::Load(item.data() + prefix.size());
  return Status::OK();
}

Result<bool> IndexDB::HasDateMetricID(uint64_t date, uint32_t account_id, uint32_t project_id,
                                      uint64_t metric_id) const {
  std::string key;
  AppendCommonPrefix(&key, kNsDateToMetricID, account_id, project_id);
  enc::AppendU64(&key, date);
  enc::AppendU64(&key, metric_id);
  auto parts = PartsMayContain(key);
  if (parts.empty()) return false;
  mergeset::TableSearch ts(std::move(parts));
  std::string item;
  Status st = ts.FirstItemWithPrefix(key, &item);
  if (st.code() == Code::kNotFound) return false;
  if (!st.ok()) return st;
  return item.size() == key.size();
}

Status IndexDB::AppendDeletedMetricIDs(std::unordered_set<uint64_t>* out) const {
  const std::string prefix(1, static_cast<char>(kNsDeletedMetricID));
  mergeset::TableSearch ts(*table_);
  ts.Seek(prefix);
  while (ts.NextItem()) {
    std::string_view item = ts.Item();
    if (!StartsWith(item, prefix)) break;
    if (item.size() != 9) return CorruptItem(*this, "deleted MetricID");
    out->insert(enc::LoadU64(item.data() + 1));
  }
  return ts.status();
}

Status IndexDB::MetricIDsForKey(const PartList& parts, uint32_t account_id, uint32_t project_id,
                                const TagFilter& tf, bool all_values,
                                std::vector<uint64_t>* matching,
                                std::vector<uint64_t>* present) const {
  std::string key_prefix;
  AppendCommonPrefix(&key_prefix, kNsTagToMetricIDs, account_id, project_id);
  MarshalTagValue(&key_prefix, tf.key());
  mergeset::TableSearch ts(parts);
  std::string value;
  std::string_view ids;
  const auto* or_values = tf.or_values();
  if (or_values != nullptr && !all_values) {
    for (const std::string& v : *or_values) {
      std::string exact = key_prefix;
      MarshalTagValue(&exact, v);
      ts.Seek(exact);
      while (ts.NextItem()) {
        std::string_view item = ts.Item();
        if (!StartsWith(item, exact)) break;
        if (!AppendIDs(item.substr(exact.size()), matching)) return CorruptItem(*this, "tag");
      }
      VME_RETURN_IF_ERROR(ts.status());
    }
    SortUnique(matching);
    return Status::OK();
  }
  std::string seek = key_prefix;
  if (!all_values) MarshalTagValueNoTrailingSep(&seek, tf.literal_prefix());
  ts.Seek(seek);
  std::string last_value;
  bool last_match = false;
  bool have_last = false;
  while (ts.NextItem()) {
    std::string_view item = ts.Item();
    if (!StartsWith(item, seek)) break;
    if (!ParseTagRow(item.substr(key_prefix.size()), &value, &ids)) {
      return CorruptItem(*this, "tag");
    }
    if (!have_last || value != last_value) {
      last_match = tf.MatchesPositive(value);
      last_value = value;
      have_last = true;
    }
    if (present != nullptr && !AppendIDs(ids, present)) return CorruptItem(*this, "tag");
    if (last_match && !AppendIDs(ids, matching)) return CorruptItem(*this, "tag");
  }
  VME_RETURN_IF_ERROR(ts.status());
  SortUnique(matching);
  if (present != nullptr) SortUnique(present);
  return Status::OK();
}

Status IndexDB::SearchMetricIDs(uint32_t account_id, uint32_t project_id, const TagFilters& filters,
                                std::vector<uint64_t>* out) const {
  // The parts are taken once: the answer is computed from exactly them and cached with them.
  PartList parts = table_->Parts();
  const std::string key = TagFiltersCacheKey(id_, account_id, project_id, filters);
  auto& cache = TagFiltersCache();
  if (auto hit = cache.Get(key); hit != nullptr && hit->SameParts(parts)) {
    *out = hit->metric_ids;
    return Status::OK();
  }
  auto entry = std::make_shared<TagFiltersCacheEntry>();
  VME_RETURN_IF_ERROR(
      SearchMetricIDsIn(parts, account_id, project_id, filters, &entry->metric_ids));
  entry->parts.assign(parts.begin(), parts.end());
  *out = entry->metric_ids;
  const size_t bytes = entry->metric_ids.capacity() * sizeof(uint64_t) +
                       entry->parts.capacity() * sizeof(entry->parts[0]);
  cache.Put(key, std::move(entry), bytes);
  return Status::OK();
}

Status IndexDB::SearchMetricIDsIn(const PartList& parts, uint32_t account_id, uint32_t project_id,
                                  const TagFilters& filters, std::vector<uint64_t>* out) const {
  // All series of the tenant: the metric-name rows (key part 01).
  std::vector<uint64_t> all;
  bool have_all = false;
  auto get_all = [&]() -> Status {
    if (have_all) return Status::OK();
    VME_ASSIGN_OR_RETURN(TagFilter any, TagFilter::Create("", "(?s).*", false, true));
    VME_RETURN_IF_ERROR(MetricIDsForKey(parts, account_id, project_id, any, true, &all, nullptr));
    have_all = true;
    return Status::OK();
  };
  // Positive filters that do not match the empty value seed the result; evaluate them first.
  std::vector<const TagFilter*> order;
  for (const TagFilter& tf : filters.filters()) order.push_back(&tf);
  std::stable_sort(order.begin(), order.end(), [](const TagFilter* a, const TagFilter* b) {
    auto rank = [](const TagFilter* f) {
      if (f->MatchesEmpty()) return 3;
      if (f->is_negative()) return 2;
      return f->is_regexp() ? 1 : 0;
    };
    return rank(a) < rank(b);
  });
  std::vector<uint64_t> result;
  bool have_result = false;
  for (const TagFilter* tf : order) {
    if (have_result && result.empty()) break;
    std::vector<uint64_t> matching;
    std::vector<uint64_t> present;
    // ids with the key present and the positive predicate true (M), and with the key present (P).
    const bool positive_matches_empty = tf->MatchesPositive("");
    const bool need_present = tf->is_negative() ? positive_matches_empty : positive_matches_empty;
    VME_RETURN_IF_ERROR(MetricIDsForKey(parts, account_id, project_id, *tf, need_present, &matching,
                                        need_present ? &present : nullptr));
    std::vector<uint64_t> ids;
    if (!tf->is_negative()) {
      if (!positive_matches_empty) {
        ids = std::move(matching);
      } else {
        VME_RETURN_IF_ERROR(get_all());
        ids = Difference(all, Difference(present, matching));
      }
    } else if (positive_matches_empty) {
      ids = Difference(present, matching);
    } else {
      if (have_result) {
        result = Difference(result, matching);
        continue;
      }
      VME_RETURN_IF_ERROR(get_all());
      ids = Difference(all, matching);
    }
    result = have_result ? Intersect(result, ids) : std::move(ids);
    have_result = true;
  }
  if (!have_result) {
    VME_RETURN_IF_ERROR(get_all());
    result = std::move(all);
  }
  *out = std::move(result);
  return Status::OK();
}

Status IndexDB::SearchMetricIDsForDates(uint32_t account_id, uint32_t project_id, uint64_t min_date,
                                        uint64_t max_date, std::vector<uint64_t>* out) const {
  mergeset::TableSearch ts(*table_);
  std::string prefix;
  AppendCommonPrefix(&prefix, kNsDateToMetricID, account_id, project_id);
  std::string seek = prefix;
  enc::AppendU64(&seek, min_date);
  ts.Seek(seek);
  while (ts.NextItem()) {
    std::string_view item = ts.Item();
    if (!StartsWith(item, prefix)) break;
    if (item.size() != prefix.size() + 16) return CorruptItem(*this, "Date->MetricID");
    const uint64_t date = enc::LoadU64(item.data() + prefix.size());
    if (date > max_date) break;
    out->push_back(enc::LoadU64(item.data() + prefix.size() + 8));
  }
  VME_RETURN_IF_ERROR(ts.status());
  SortUnique(out);
  return Status::OK();
}

Status IndexDB::AppendLabelNames(uint32_t account_id, uint32_t project_id,
                                 std::unordered_set<std::string>* out) const {
  std::string prefix;
  AppendCommonPrefix(&prefix, kNsTagToMetricIDs, account_id, project_id);
  mergeset::TableSearch ts(*table_);
  ts.Seek(prefix);
  std::string key;
  while (ts.NextItem()) {
    std::string_view item = ts.Item();
    if (!StartsWith(item, prefix)) break;
    std::string_view rest = item.substr(prefix.size());
    if (!UnmarshalTagValue(&rest, &key)) return CorruptItem(*this, "tag");
    const bool artificial = !key.empty() && (static_cast<unsigned char>(key[0]) == 0xff ||
                                             static_cast<unsigned char>(key[0]) == 0xfe);
    if (!artificial) out->insert(key);
    // Jump to the next key: seek past every row of this key.
    std::string next = prefix;
    MarshalTagValueNoTrailingSep(&next, key);
    next.push_back('\x02');
    ts.Seek(next);
  }
  return ts.status();
}

Status IndexDB::AppendLabelValues(uint32_t account_id, uint32_t project_id, std::string_view key,
                                  std::unordered_set<std::string>* out) const {
  std::string prefix;
  AppendCommonPrefix(&prefix, kNsTagToMetricIDs, account_id, project_id);
  MarshalTagValue(&prefix, key);
  mergeset::TableSearch ts(*table_);
  ts.Seek(prefix);
  std::string value;
  std::string_view ids;
  while (ts.NextItem()) {
    std::string_view item = ts.Item();
    if (!StartsWith(item, prefix)) break;
    if (!ParseTagRow(item.substr(prefix.size()), &value, &ids)) return CorruptItem(*this, "tag");
    if (!value.empty()) out->insert(value);
    std::string next = prefix;
    MarshalTagValueNoTrailingSep(&next, value);
    next.push_back('\x02');
    ts.Seek(next);
  }
  return ts.status();
}

}  // namespace vme::storage
