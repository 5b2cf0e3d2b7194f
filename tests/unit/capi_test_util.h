// Helpers for unit tests that drive vmengine through its C API: owning handles, series-key
// packing and unpacking, full exports as sorted (metric, timestamp_ms, value_bits) rows with a
// comparison naming the first difference, readers of the golden sets' expected.csv and input.csv
// (Go-quoted metric names), stats, directory helpers and the W1 generator (docs/benchmarks.md).
//
// Checks use check.h: a failed REQUIRE or REQUIRE_VME throws, so a helper unwinds (releasing
// temp dirs and handles) and the test fails with the message. Helpers return std::string ("" on
// success, else a message) so that RUN(helper(...)) and RETURN_IF_FAILED(helper(...)) read as
// before. Like every check, they run on the test's thread, or on a worker thread inside
// vme::test::Collect(), which returns the failure as a message.
#pragma once

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "check.h"
#include "series_key_util.h"
#include "test_util.h"
#include "vmengine.h"

// Runs a vme_ call whose last argument is `&err`; fails (check.h) with its status and message
// when it does not return VME_OK.
#define REQUIRE_VME(call)                                                               \
  do {                                                                                  \
    vme_error* err = nullptr;                                                           \
    vme_status st_ = (call);                                                            \
    if (st_ != VME_OK) {                                                                \
      std::string m_ = ::vme::test::Format("%s: %s: %s", #call, vme_status_string(st_), \
                                           vme_error_message(err));                     \
      vme_error_free(err);                                                              \
      ::vme::test::Fail(__FILE__, __LINE__, "REQUIRE_VME", m_);                         \
    }                                                                                   \
  } while (0)

// Returns a check helper's message from the enclosing function when it is not empty.
#define RETURN_IF_FAILED(expr)  \
  do {                          \
    std::string e_ = (expr);    \
    if (!e_.empty()) return e_; \
  } while (0)

namespace vme::test {

namespace fs = std::filesystem;

constexpr int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr int64_t kDayMs = 86400000;

// ---- owning handles ----------------------------------------------------------------------

struct DbCloser {
  void operator()(vme_db* db) const { vme_close(db, nullptr); }
};
using DbPtr = std::unique_ptr<vme_db, DbCloser>;
struct QueryDeleter {
  void operator()(vme_query* q) const { vme_query_destroy(q); }
};
using QueryPtr = std::unique_ptr<vme_query, QueryDeleter>;
struct IterDeleter {
  void operator()(vme_series_iter* it) const { vme_series_iter_close(it); }
};
using IterPtr = std::unique_ptr<vme_series_iter, IterDeleter>;
struct OptionsDeleter {
  void operator()(vme_options* o) const { vme_options_destroy(o); }
};
using OptionsPtr = std::unique_ptr<vme_options, OptionsDeleter>;
struct StrListDeleter {
  void operator()(vme_strlist* l) const { vme_strlist_free(l); }
};
using StrListPtr = std::unique_ptr<vme_strlist, StrListDeleter>;
struct StatsDeleter {
  void operator()(vme_stats* s) const { vme_stats_free(s); }
};
using StatsPtr = std::unique_ptr<vme_stats, StatsDeleter>;

using OptionList = std::vector<std::pair<std::string, std::string>>;

// Opens dir with the given vme_options_set (key, value) pairs applied to default options.
inline std::string OpenDb(const std::string& dir, const OptionList& options, DbPtr* out) {
  OptionsPtr opts(vme_options_create());
  REQUIRE(opts != nullptr, "vme_options_create failed");
  for (const auto& [k, v] : options) {
    REQUIRE_VME(vme_options_set(opts.get(), k.c_str(), v.c_str(), &err));
  }
  vme_db* db = nullptr;
  REQUIRE_VME(vme_open(dir.c_str(), opts.get(), &db, &err));
  REQUIRE(db != nullptr, "vme_open(%s) gave no handle", dir.c_str());
  out->reset(db);
  return "";
}

inline std::string CloseDb(DbPtr* db) {
  REQUIRE_VME(vme_close(db->release(), &err));
  return "";
}

// A db with background work off in a fresh temporary directory (members are destroyed in
// reverse: the db closes before the directory goes).
struct ScratchDb {
  TempDir tmp;
  DbPtr handle;
  vme_db* db = nullptr;
  ScratchDb() {
    RUN(OpenDb(tmp.path() + "/db", {{"background", "0"}}, &handle));
    db = handle.get();
  }
};

// ---- values --------------------------------------------------------------------------------

inline uint64_t DoubleBits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  return b;
}

inline double BitsDouble(uint64_t b) {
  double v;
  std::memcpy(&v, &b, 8);
  return v;
}

// ---- series keys: series_key_util.h -----------------------------------------------------

// The Prometheus text form vme_series_iter_name() returns, for labels whose values need no
// escaping beyond `\` and `"`: metric{a="x",b="y"} with labels sorted by name.
inline std::string SeriesName(const Labels& labels) {
  std::string metric;
  std::vector<std::pair<std::string, std::string>> rest;
  for (const auto& [n, v] : labels) {
    if (n == "__name__" || n.empty()) {
      metric = v;
    } else if (!v.empty()) {
      rest.emplace_back(n, v);
    }
  }
  std::stable_sort(rest.begin(), rest.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  if (rest.empty()) return metric + "{}";
  std::string out = metric + "{";
  for (size_t i = 0; i < rest.size(); i++) {
    if (i > 0) out += ",";
    out += rest[i].first + "=\"";
    for (char c : rest[i].second) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out += "\"";
  }
  return out + "}";
}

// Rows for one vme_add_rows call.
struct RowBatch {
  std::string keys;
  std::vector<uint32_t> offsets{0};
  std::vector<int64_t> ts;
  std::vector<double> values;

  void Add(std::string_view key, int64_t t, double v) {
    keys.append(key);
    offsets.push_back(static_cast<uint32_t>(keys.size()));
    ts.push_back(t);
    values.push_back(v);
  }
  size_t size() const { return ts.size(); }
  void Clear() {
    keys.clear();
    offsets.assign(1, 0);
    ts.clear();
    values.clear();
  }
};

// Adds the batch; *res (nullable) receives the counters.
inline std::string AddBatch(vme_db* db, const RowBatch& b, vme_add_result* res = nullptr) {
  vme_add_result local;
  vme_add_result* r = res ? res : &local;
  std::memset(r, 0, sizeof *r);
  REQUIRE_VME(vme_add_rows(db, reinterpret_cast<const uint8_t*>(b.keys.data()), b.keys.size(),
                           b.offsets.data(), b.ts.data(), b.values.data(), b.size(), r, &err));
  return "";
}

// Adds the batch and requires every row to be accepted.
inline std::string AddBatchAllAccepted(vme_db* db, const RowBatch& b) {
  vme_add_result r;
  RETURN_IF_FAILED(AddBatch(db, b, &r));
  REQUIRE(r.rows_added == b.size(),
          "vme_add_rows: %" PRIu64 " of %zu rows added (labels %" PRIu64 ", nan %" PRIu64
          ", retention %" PRIu64 ", future %" PRIu64 ", timestamp %" PRIu64 ")",
          r.rows_added, b.size(), r.rejected_invalid_labels, r.rejected_nan,
          r.rejected_out_of_retention, r.rejected_too_far_future, r.rejected_invalid_timestamp);
  return "";
}

// ---- exports -------------------------------------------------------------------------------

struct Row {
  std::string metric;
  int64_t ts;
  uint64_t bits;
  bool operator<(const Row& o) const {
    return std::tie(metric, ts, bits) < std::tie(o.metric, o.ts, o.bits);
  }
  bool operator==(const Row& o) const { return metric == o.metric && ts == o.ts && bits == o.bits; }
  std::string ToString() const {
    return Format("%s,%" PRId64 ",%016" PRIx64 " (%.17g)", metric.c_str(), ts, bits,
                  BitsDouble(bits));
  }
};

inline QueryPtr MakeQuery(int64_t min_ts, int64_t max_ts) {
  return QueryPtr(vme_query_create(min_ts, max_ts));
}

// Every sample of the series matching `selector` (a PromQL series selector; nullptr or "" =
// every series) in [min_ts, max_ts], in search order. Checks that each series' timestamps are
// non-decreasing. series_names (nullable) receives the name of every series returned, in order.
inline std::string ExportSelector(vme_db* db, const char* selector, int64_t min_ts, int64_t max_ts,
                                  std::vector<Row>* rows,
                                  std::vector<std::string>* series_names = nullptr) {
  QueryPtr q = MakeQuery(min_ts, max_ts);
  REQUIRE(q != nullptr, "vme_query_create failed");
  if (selector == nullptr || selector[0] == 0) {
    REQUIRE_VME(vme_query_add_matcher(q.get(), VME_MATCH_RE, "__name__", 8, ".+", 2, &err));
  } else {
    REQUIRE_VME(vme_query_add_selector(q.get(), selector, &err));
  }
  vme_series_iter* raw = nullptr;
  REQUIRE_VME(vme_search(db, q.get(), &raw, &err));
  IterPtr it(raw);
  while (true) {
    vme_error* err = nullptr;
    const vme_status st = vme_series_iter_next(it.get(), &err);
    if (st == VME_DONE) break;
    if (st != VME_OK) {
      std::string m =
          Format("vme_series_iter_next: %s: %s", vme_status_string(st), vme_error_message(err));
      vme_error_free(err);
      return m;
    }
    std::string name = vme_series_iter_name(it.get());
    REQUIRE(!name.empty(), "series without a name");
    if (series_names != nullptr) series_names->push_back(name);
    const int64_t* ts = nullptr;
    const double* vs = nullptr;
    const size_t n = vme_series_iter_samples(it.get(), &ts, &vs);
    for (size_t i = 0; i < n; i++) {
      REQUIRE(i == 0 || ts[i - 1] <= ts[i], "%s: samples not sorted at %zu", name.c_str(), i);
      rows->push_back(Row{name, ts[i], DoubleBits(vs[i])});
    }
  }
  return "";
}

inline std::string ExportAll(vme_db* db, std::vector<Row>* rows) {
  return ExportSelector(db, nullptr, 0, INT64_MAX, rows);
}

// Compares as multisets (both sides sorted); names the first difference.
inline std::string CompareRows(std::vector<Row> got, std::vector<Row> want,
                               const std::string& what) {
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  const size_t n = std::min(got.size(), want.size());
  for (size_t i = 0; i < n; i++) {
    REQUIRE(got[i] == want[i], "%s: first difference at sorted row %zu: got %s, want %s",
            what.c_str(), i, got[i].ToString().c_str(), want[i].ToString().c_str());
  }
  REQUIRE(got.size() == want.size(), "%s: got %zu rows, want %zu (first extra: %s)", what.c_str(),
          got.size(), want.size(),
          got.size() > n ? got[n].ToString().c_str() : want[n].ToString().c_str());
  return "";
}

// Exports every series of db and compares the rows with want (CompareRows; `what` names the
// moment in the message).
inline std::string ExpectAllRows(vme_db* db, const std::vector<Row>& want, const char* what) {
  std::vector<Row> rows;
  RETURN_IF_FAILED(ExportAll(db, &rows));
  return CompareRows(std::move(rows), want, what);
}

// ---- expected.csv ----------------------------------------------------------------------------

// One RFC 4180 line (no embedded newlines): quoted fields with doubled inner quotes.
inline std::vector<std::string> ParseCsvLine(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  size_t i = 0;
  while (true) {
    cur.clear();
    if (i < line.size() && line[i] == '"') {
      i++;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            cur.push_back('"');
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          cur.push_back(line[i++]);
        }
      }
    } else {
      while (i < line.size() && line[i] != ',') cur.push_back(line[i++]);
    }
    out.push_back(cur);
    if (i >= line.size()) break;
    i++;
  }
  return out;
}

// expected.csv (and expected_after_force_merge.csv): metric,timestamp_ms,value,value_bits.
// The value column is ignored.
inline std::string ReadExpectedCsv(const std::string& path, std::vector<Row>* rows) {
  std::ifstream in(path);
  REQUIRE(in.good(), "cannot open %s", path.c_str());
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  REQUIRE(line == "metric,timestamp_ms,value,value_bits", "%s: bad header %s", path.c_str(),
          line.c_str());
  size_t lineno = 1;
  while (std::getline(in, line)) {
    lineno++;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto f = ParseCsvLine(line);
    REQUIRE(f.size() == 4, "%s:%zu: %zu fields", path.c_str(), lineno, f.size());
    Row r;
    r.metric = f[0];
    r.ts = std::strtoll(f[1].c_str(), nullptr, 10);
    r.bits = std::strtoull(f[3].c_str(), nullptr, 16);
    rows->push_back(r);
  }
  return "";
}

// input.csv of a golden set: batch,metric,timestamp_ms,value,value_bits (metric Go-quoted,
// see ParseGoMetric). The value column is ignored; the value comes from value_bits.
struct GoldenInputRow {
  int batch;
  std::string metric;
  int64_t ts;
  double value;
};

inline std::string ReadInputCsv(const std::string& path, std::vector<GoldenInputRow>* rows) {
  std::ifstream in(path);
  REQUIRE(in.good(), "cannot open %s", path.c_str());
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  REQUIRE(line == "batch,metric,timestamp_ms,value,value_bits", "%s: bad header", path.c_str());
  size_t lineno = 1;
  while (std::getline(in, line)) {
    lineno++;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto f = ParseCsvLine(line);
    REQUIRE(f.size() == 5, "%s:%zu: %zu fields", path.c_str(), lineno, f.size());
    GoldenInputRow r;
    r.batch = std::atoi(f[0].c_str());
    r.metric = f[1];
    r.ts = std::strtoll(f[2].c_str(), nullptr, 10);
    r.value = BitsDouble(std::strtoull(f[4].c_str(), nullptr, 16));
    rows->push_back(r);
  }
  return "";
}

// ---- Go-quoted metric names ------------------------------------------------------------------

inline void AppendUtf8CodePoint(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads a Go double-quoted string literal starting at s[*i] == '"' (strconv.Unquote rules) and
// moves *i past it.
inline bool ReadGoQuoted(std::string_view s, size_t* i, std::string* out) {
  if (*i >= s.size() || s[*i] != '"') return false;
  size_t p = *i + 1;
  out->clear();
  while (p < s.size() && s[p] != '"') {
    const char c = s[p++];
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (p >= s.size()) return false;
    const char e = s[p++];
    switch (e) {
      case 'a':
        out->push_back('\a');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'v':
        out->push_back('\v');
        break;
      case '\\':
      case '"':
      case '\'':
        out->push_back(e);
        break;
      case 'x':
      case 'u':
      case 'U': {
        const int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        uint32_t v = 0;
        for (int k = 0; k < digits; k++) {
          if (p >= s.size() || HexDigitValue(s[p]) < 0) return false;
          v = v * 16 + static_cast<uint32_t>(HexDigitValue(s[p++]));
        }
        if (e == 'x') {
          out->push_back(static_cast<char>(v));
        } else {
          AppendUtf8CodePoint(out, v);
        }
        break;
      }
      default: {
        if (e < '0' || e > '7') return false;
        uint32_t v = static_cast<uint32_t>(e - '0');
        for (int k = 0; k < 2; k++) {
          if (p >= s.size() || s[p] < '0' || s[p] > '7') return false;
          v = v * 8 + static_cast<uint32_t>(s[p++] - '0');
        }
        out->push_back(static_cast<char>(v));
        break;
      }
    }
  }
  if (p >= s.size()) return false;
  *i = p + 1;
  return true;
}

// Parses `name{k="v",...}` (values Go-quoted, as VM's golden input.csv writes them) into labels,
// __name__ first.
inline bool ParseGoMetric(const std::string& s, Labels* labels) {
  labels->clear();
  size_t i = 0;
  while (i < s.size() && s[i] != '{') i++;
  labels->emplace_back("__name__", s.substr(0, i));
  if (i == s.size()) return !s.empty();
  i++;
  while (i < s.size() && s[i] != '}') {
    const size_t eq = s.find('=', i);
    if (eq == std::string::npos) return false;
    std::string name = s.substr(i, eq - i);
    i = eq + 1;
    std::string value;
    if (!ReadGoQuoted(s, &i, &value)) return false;
    labels->emplace_back(std::move(name), std::move(value));
    if (i < s.size() && s[i] == ',') i++;
  }
  return i + 1 == s.size();
}

#ifdef VME_TESTDATA_DIR
// tests/data/vm172/<set>.
inline std::string GoldenSetDir(const std::string& set) {
  return std::string(VME_TESTDATA_DIR) + "/vm172/" + set;
}
#endif

// ---- stats, counts, labels -----------------------------------------------------------------

using StatsMap = std::map<std::string, double>;

inline std::string ReadStats(vme_db* db, StatsMap* out) {
  vme_stats* raw = nullptr;
  REQUIRE_VME(vme_stats_get(db, &raw, &err));
  StatsPtr s(raw);
  out->clear();
  for (size_t i = 0; i < vme_stats_count(s.get()); i++) {
    (*out)[vme_stats_name(s.get(), i)] = vme_stats_value(s.get(), i);
  }
  return "";
}

// Value of a stats entry; a missing entry is an error.
inline std::string StatValue(vme_db* db, const std::string& name, double* out) {
  StatsMap m;
  RETURN_IF_FAILED(ReadStats(db, &m));
  auto it = m.find(name);
  REQUIRE(it != m.end(), "vme_stats_get has no entry \"%s\"", name.c_str());
  *out = it->second;
  return "";
}

// Partition names (YYYY_MM) listed by "partition.YYYY_MM.*" stats entries.
inline std::set<std::string> StatsPartitions(const StatsMap& m) {
  std::set<std::string> out;
  for (const auto& [k, v] : m) {
    if (k.rfind("partition.", 0) != 0) continue;
    const size_t dot = k.find('.', 10);
    if (dot != std::string::npos) out.insert(k.substr(10, dot - 10));
  }
  return out;
}

// small_parts + big_parts + inmemory_parts of a partition; missing entries are an error.
inline std::string PartitionParts(const StatsMap& m, const std::string& partition, double* out) {
  *out = 0;
  for (const char* kind : {"small_parts", "big_parts", "inmemory_parts"}) {
    const std::string name = "partition." + partition + "." + kind;
    auto it = m.find(name);
    REQUIRE(it != m.end(), "vme_stats_get has no entry \"%s\"", name.c_str());
    *out += it->second;
  }
  return "";
}

// vme_series_count over all time for a selector (nullptr = every series).
inline std::string SeriesCount(vme_db* db, const char* selector, uint64_t* out) {
  *out = 0;
  if (selector == nullptr) {
    REQUIRE_VME(vme_series_count(db, nullptr, out, &err));
    return "";
  }
  QueryPtr q = MakeQuery(0, INT64_MAX);
  REQUIRE(q != nullptr, "vme_query_create failed");
  REQUIRE_VME(vme_query_add_selector(q.get(), selector, &err));
  REQUIRE_VME(vme_series_count(db, q.get(), out, &err));
  return "";
}

// vme_label_values over all series and all time.
inline std::string LabelValues(vme_db* db, const std::string& name, std::vector<std::string>* out) {
  out->clear();
  vme_strlist* raw = nullptr;
  REQUIRE_VME(vme_label_values(db, name.data(), name.size(), nullptr, &raw, &err));
  StrListPtr l(raw);
  for (size_t i = 0; i < vme_strlist_count(l.get()); i++) {
    size_t len = 0;
    const char* s = vme_strlist_get(l.get(), i, &len);
    out->emplace_back(s, len);
  }
  return "";
}

// ---- directories ---------------------------------------------------------------------------

// Sorted names of the entries of dir ({} if it does not exist).
inline std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

inline bool IsHex16Upper(const std::string& s) {
  if (s.size() != 16) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

// indexdb generation directory names (16 upper-case hex digits), sorted.
inline std::vector<std::string> IndexdbGenerations(const std::string& db_dir) {
  std::vector<std::string> out;
  for (const auto& n : ListDir(db_dir + "/indexdb")) {
    if (IsHex16Upper(n)) out.push_back(n);
  }
  return out;
}

// Part directories of data/{small,big}/<partition> (everything but tmp, txn, snapshots and
// plain files), as paths relative to data/: "small/2026_01/<part>".
inline std::vector<std::string> PartDirs(const std::string& db_dir, const std::string& partition) {
  std::vector<std::string> out;
  for (const char* side : {"small", "big"}) {
    const std::string d = db_dir + "/data/" + side + "/" + partition;
    for (const auto& n : ListDir(d)) {
      if (n == "tmp" || n == "txn" || n == "snapshots") continue;
      std::error_code ec;
      if (fs::is_directory(d + "/" + n, ec)) {
        out.push_back(std::string(side) + "/" + partition + "/" + n);
      }
    }
  }
  return out;
}

// Recursive copy. Symlinks are copied as links, or followed when follow_symlinks is set (a
// dangling link is then skipped). Copies are writable by the owner.
inline std::string CopyTree(const fs::path& from, const fs::path& to, bool follow_symlinks) {
  std::error_code ec;
  fs::create_directories(to, ec);
  REQUIRE(!ec, "mkdir %s: %s", to.c_str(), ec.message().c_str());
  for (const auto& e : fs::directory_iterator(from, ec)) {
    const fs::path src = e.path();
    const fs::path dst = to / src.filename();
    if (e.is_symlink(ec)) {
      if (!follow_symlinks) {
        fs::copy_symlink(src, dst, ec);
        REQUIRE(!ec, "copy_symlink %s: %s", src.c_str(), ec.message().c_str());
        continue;
      }
      if (!fs::exists(src, ec)) continue;
    }
    if (fs::is_directory(src, ec)) {
      RETURN_IF_FAILED(CopyTree(src, dst, follow_symlinks));
    } else if (fs::is_regular_file(src, ec)) {
      fs::copy_file(src, dst, ec);
      REQUIRE(!ec, "copy %s: %s", src.c_str(), ec.message().c_str());
      fs::permissions(dst, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add,
                      ec);
    }
  }
  REQUIRE(!ec, "listing %s: %s", from.c_str(), ec.message().c_str());
  fs::permissions(to, fs::perms::owner_all, fs::perm_options::add, ec);
  return "";
}

inline std::string ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return s;
}

// ---- W1 generator (docs/benchmarks.md) ----------------------------------------------------------

// The value stream of series k: x = seed(k), v = 100; per sample x = xorshift64(x),
// v += ((int64)(x >> 11) - 2^52) / 2^52, emit round(v * 100) / 100.
class W1Generator {
 public:
  explicit W1Generator(uint64_t k) : x_((k + 1) * 0x9E3779B97F4A7C15ULL) {}
  double Next() {
    x_ ^= x_ << 13;
    x_ ^= x_ >> 7;
    x_ ^= x_ << 17;
    const volatile double step =
        static_cast<double>(static_cast<int64_t>(x_ >> 11) - (int64_t{1} << 52)) /
        4503599627370496.0;
    v_ = v_ + step;
    const volatile double scaled = v_ * 100;
    return std::round(scaled) / 100;
  }

 private:
  uint64_t x_;
  double v_ = 100.0;
};

// Labels of W1 series k = m*1000 + h: __name__ = cpu_usage_{m}, host = host-{h:04}, region =
// r{h%10}.
inline Labels W1Labels(int k) {
  const int m = k / 1000, h = k % 1000;
  return {{"__name__", "cpu_usage_" + std::to_string(m)},
          {"host", Format("host-%04d", h)},
          {"region", "r" + std::to_string(h % 10)}};
}

constexpr int64_t kW1StepMs = 10000;

}  // namespace vme::test
