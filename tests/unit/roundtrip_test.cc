// Round trip of the golden inputs: ingests tests/data/vm172/{small,special}/input.csv through
// the C API (one vme_add_rows + vme_flush per batch, as VM got them), reopens and compares the
// full export with VM 1.72's expected.csv on (metric, timestamp_ms, value_bits).
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstring>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "test_util.h"
#include "vmengine.h"

namespace {

std::string Format(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char buf[4096];
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}

// Each check returns "" on success or a message; the test fails after its scope (and the temp
// dirs and db handles in it) is gone, so nothing leaks on failure.
#define REQUIRE(cond, ...)                   \
  do {                                       \
    if (!(cond)) return Format(__VA_ARGS__); \
  } while (0)

#define REQUIRE_VME(call)                                                              \
  do {                                                                                 \
    vme_error* err = nullptr;                                                          \
    vme_status st_ = (call);                                                           \
    if (st_ != VME_OK) {                                                               \
      std::string m_ =                                                                 \
          Format("%s: %s: %s", #call, vme_status_string(st_), vme_error_message(err)); \
      vme_error_free(err);                                                             \
      return m_;                                                                       \
    }                                                                                  \
  } while (0)

#define RETURN_IF_FAILED(expr)  \
  do {                          \
    std::string e_ = (expr);    \
    if (!e_.empty()) return e_; \
  } while (0)

#define RUN(expr)                                \
  do {                                           \
    std::string e_ = (expr);                     \
    if (!e_.empty()) fail_msg("%s", e_.c_str()); \
  } while (0)

struct DbCloser {
  void operator()(vme_db* db) const { vme_close(db, nullptr); }
};
using DbPtr = std::unique_ptr<vme_db, DbCloser>;

struct Row {
  std::string metric;
  int64_t ts;
  uint64_t bits;
  bool operator<(const Row& o) const {
    return std::tie(metric, ts, bits) < std::tie(o.metric, o.ts, o.bits);
  }
  bool operator==(const Row& o) const { return metric == o.metric && ts == o.ts && bits == o.bits; }
  std::string ToString() const {
    return Format("%s,%" PRId64 ",%016" PRIx64, metric.c_str(), ts, bits);
  }
};

// One RFC 4180 line (no embedded newlines): quoted fields with doubled inner quotes.
std::vector<std::string> ParseCsvLine(const std::string& line) {
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
    i++;  // the comma
  }
  return out;
}

// expected.csv: metric,timestamp_ms,value,value_bits. The value column is ignored.
std::string ReadExpected(const std::string& path, std::vector<Row>* rows) {
  std::ifstream in(path);
  REQUIRE(in.good(), "cannot open %s", path.c_str());
  std::string line;
  std::getline(in, line);
  REQUIRE(line == "metric,timestamp_ms,value,value_bits", "%s: bad header %s", path.c_str(),
          line.c_str());
  size_t lineno = 1;
  while (std::getline(in, line)) {
    lineno++;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto f = ParseCsvLine(line);
    REQUIRE(f.size() == 4, "%s:%zu: %zu fields", path.c_str(), lineno, f.size());
    Row r;
    r.metric = f[0];
    r.ts = std::strtoll(f[1].c_str(), nullptr, 10);
    r.bits = std::strtoull(f[3].c_str(), nullptr, 16);
    rows->push_back(r);
  }
  return "";
}

std::string OpenDb(const std::string& dir, DbPtr* out) {
  vme_db* db = nullptr;
  REQUIRE_VME(vme_open(dir.c_str(), nullptr, &db, &err));
  REQUIRE(db != nullptr, "vme_open(%s) gave no handle", dir.c_str());
  out->reset(db);
  return "";
}

std::string CloseDb(DbPtr* db) {
  REQUIRE_VME(vme_close(db->release(), &err));
  return "";
}

// Every series over the full range (__name__=~".+", [0, INT64_MAX]).
std::string ExportAll(vme_db* db, std::vector<Row>* rows) {
  std::unique_ptr<vme_query, void (*)(vme_query*)> q(vme_query_create(0, INT64_MAX),
                                                     vme_query_destroy);
  REQUIRE(q != nullptr, "vme_query_create failed");
  REQUIRE_VME(vme_query_add_matcher(q.get(), VME_MATCH_RE, "__name__", 8, ".+", 2, &err));
  vme_series_iter* raw = nullptr;
  REQUIRE_VME(vme_search(db, q.get(), &raw, &err));
  std::unique_ptr<vme_series_iter, void (*)(vme_series_iter*)> it(raw, vme_series_iter_close);
  while (true) {
    vme_error* err = nullptr;
    vme_status st = vme_series_iter_next(it.get(), &err);
    if (st == VME_DONE) break;
    if (st != VME_OK) {
      std::string m =
          Format("vme_series_iter_next: %s: %s", vme_status_string(st), vme_error_message(err));
      vme_error_free(err);
      return m;
    }
    std::string name = vme_series_iter_name(it.get());
    REQUIRE(!name.empty(), "series without a name");
    const int64_t* ts = nullptr;
    const double* vs = nullptr;
    size_t n = vme_series_iter_samples(it.get(), &ts, &vs);
    for (size_t i = 0; i < n; i++) {
      uint64_t bits;
      std::memcpy(&bits, &vs[i], 8);
      REQUIRE(i == 0 || ts[i - 1] <= ts[i], "%s: samples not sorted at %zu", name.c_str(), i);
      rows->push_back(Row{name, ts[i], bits});
    }
  }
  return "";
}

std::string CompareRows(std::vector<Row> got, std::vector<Row> want, const std::string& what) {
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  size_t n = std::min(got.size(), want.size());
  for (size_t i = 0; i < n; i++) {
    REQUIRE(got[i] == want[i], "%s: first difference at sorted row %zu: got %s, want %s",
            what.c_str(), i, got[i].ToString().c_str(), want[i].ToString().c_str());
  }
  REQUIRE(got.size() == want.size(), "%s: got %zu rows, want %zu (first extra: %s)", what.c_str(),
          got.size(), want.size(),
          got.size() > n ? got[n].ToString().c_str() : want[n].ToString().c_str());
  return "";
}

using Labels = std::vector<std::pair<std::string, std::string>>;

void AppendUtf8(std::string* out, uint32_t cp) {
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

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads a Go double-quoted string literal starting at s[*i] == '"' (strconv.Unquote rules).
bool ReadGoQuoted(const std::string& s, size_t* i, std::string* out) {
  if (*i >= s.size() || s[*i] != '"') return false;
  size_t p = *i + 1;
  out->clear();
  while (p < s.size() && s[p] != '"') {
    char c = s[p++];
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (p >= s.size()) return false;
    char e = s[p++];
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
        out->push_back('\\');
        break;
      case '"':
        out->push_back('"');
        break;
      case '\'':
        out->push_back('\'');
        break;
      case 'x':
      case 'u':
      case 'U': {
        int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        uint32_t v = 0;
        for (int k = 0; k < digits; k++) {
          if (p >= s.size() || HexDigit(s[p]) < 0) return false;
          v = v * 16 + static_cast<uint32_t>(HexDigit(s[p++]));
        }
        if (e == 'x')
          out->push_back(static_cast<char>(v));
        else
          AppendUtf8(out, v);
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          uint32_t v = static_cast<uint32_t>(e - '0');
          for (int k = 0; k < 2; k++) {
            if (p >= s.size() || s[p] < '0' || s[p] > '7') return false;
            v = v * 8 + static_cast<uint32_t>(s[p++] - '0');
          }
          out->push_back(static_cast<char>(v));
          break;
        }
        return false;
    }
  }
  if (p >= s.size()) return false;
  *i = p + 1;
  return true;
}

// Parses `name{k="v",...}` (values Go-quoted) into labels, __name__ first.
bool ParseMetric(const std::string& s, Labels* labels) {
  labels->clear();
  size_t i = 0;
  while (i < s.size() && s[i] != '{') i++;
  labels->emplace_back("__name__", s.substr(0, i));
  if (i == s.size()) return !s.empty();
  i++;
  while (i < s.size() && s[i] != '}') {
    size_t eq = s.find('=', i);
    if (eq == std::string::npos) return false;
    std::string name = s.substr(i, eq - i);
    i = eq + 1;
    std::string value;
    if (!ReadGoQuoted(s, &i, &value)) return false;
    labels->emplace_back(name, value);
    if (i < s.size() && s[i] == ',') i++;
  }
  return i + 1 == s.size();
}

void AppendKey(std::string* keys, const Labels& labels) {
  for (const auto& [name, value] : labels) {
    for (const std::string* p : {&name, &value}) {
      keys->push_back(static_cast<char>(p->size() >> 8));
      keys->push_back(static_cast<char>(p->size() & 0xff));
      keys->append(*p);
    }
  }
}

struct InputRow {
  int batch;
  std::string metric;
  int64_t ts;
  double value;
};

std::string ReadInput(const std::string& path, std::vector<InputRow>* rows) {
  std::ifstream in(path);
  REQUIRE(in.good(), "cannot open %s", path.c_str());
  std::string line;
  std::getline(in, line);
  REQUIRE(line == "batch,metric,timestamp_ms,value,value_bits", "%s: bad header", path.c_str());
  size_t lineno = 1;
  while (std::getline(in, line)) {
    lineno++;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto f = ParseCsvLine(line);
    REQUIRE(f.size() == 5, "%s:%zu: %zu fields", path.c_str(), lineno, f.size());
    InputRow r;
    r.batch = std::atoi(f[0].c_str());
    r.metric = f[1];
    r.ts = std::strtoll(f[2].c_str(), nullptr, 10);
    uint64_t bits = std::strtoull(f[4].c_str(), nullptr, 16);
    std::memcpy(&r.value, &bits, 8);
    rows->push_back(r);
  }
  return "";
}

bool IsStaleNaN(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  return bits == 0x7ff0000000000002ULL;
}

std::string RoundTrip(const std::string& set) {
  const std::string base = std::string(VME_TESTDATA_DIR) + "/vm172/" + set;
  std::vector<InputRow> input;
  std::vector<Row> expected;
  RETURN_IF_FAILED(ReadInput(base + "/input.csv", &input));
  RETURN_IF_FAILED(ReadExpected(base + "/expected.csv", &expected));
  REQUIRE(!input.empty() && !expected.empty(), "%s: empty input", set.c_str());

  std::map<int, std::vector<const InputRow*>> batches;
  for (const auto& r : input) batches[r.batch].push_back(&r);

  vme::test::TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  DbPtr db;
  RETURN_IF_FAILED(OpenDb(dir, &db));
  for (const auto& [batch, rows] : batches) {
    std::string keys;
    std::vector<uint32_t> offsets{0};
    std::vector<int64_t> ts;
    std::vector<double> values;
    uint64_t nans = 0;
    for (const InputRow* r : rows) {
      Labels labels;
      REQUIRE(ParseMetric(r->metric, &labels), "cannot parse metric %s", r->metric.c_str());
      AppendKey(&keys, labels);
      offsets.push_back(static_cast<uint32_t>(keys.size()));
      ts.push_back(r->ts);
      values.push_back(r->value);
      if (std::isnan(r->value) && !IsStaleNaN(r->value)) nans++;
    }
    vme_add_result res;
    std::memset(&res, 0, sizeof res);
    REQUIRE_VME(vme_add_rows(db.get(), reinterpret_cast<const uint8_t*>(keys.data()), keys.size(),
                             offsets.data(), ts.data(), values.data(), ts.size(), &res, &err));
    REQUIRE(res.rows_added == ts.size() - nans && res.rejected_nan == nans &&
                res.rejected_invalid_labels == 0 && res.rejected_out_of_retention == 0 &&
                res.rejected_too_far_future == 0 && res.rejected_invalid_timestamp == 0,
            "%s batch %d: added %" PRIu64 " of %zu, rejected nan %" PRIu64 " (want %" PRIu64
            "), labels %" PRIu64 ", retention %" PRIu64 ", future %" PRIu64,
            set.c_str(), batch, res.rows_added, ts.size(), res.rejected_nan, nans,
            res.rejected_invalid_labels, res.rejected_out_of_retention,
            res.rejected_too_far_future);
    REQUIRE_VME(vme_flush(db.get(), &err));
  }
  std::vector<Row> before_close;
  RETURN_IF_FAILED(ExportAll(db.get(), &before_close));
  RETURN_IF_FAILED(CompareRows(before_close, expected, set + " round trip before close"));
  RETURN_IF_FAILED(CloseDb(&db));

  RETURN_IF_FAILED(OpenDb(dir, &db));
  std::vector<Row> got;
  RETURN_IF_FAILED(ExportAll(db.get(), &got));
  RETURN_IF_FAILED(CompareRows(got, expected, set + " round trip after reopen"));
  RETURN_IF_FAILED(CloseDb(&db));
  return "";
}

void TestParseMetric(void**) {
  Labels l;
  assert_true(ParseMetric("special{kind=\"nan\"}", &l));
  assert_int_equal(l.size(), 2);
  assert_string_equal(l[0].first.c_str(), "__name__");
  assert_string_equal(l[0].second.c_str(), "special");
  assert_string_equal(l[1].first.c_str(), "kind");
  assert_string_equal(l[1].second.c_str(), "nan");
  assert_true(ParseMetric("m{a=\"x\\\"y\\\\z\\n\",b=\"\\u00e9\\x01\"}", &l));
  assert_int_equal(l.size(), 3);
  assert_true(l[1].second == "x\"y\\z\n");
  assert_true(l[2].second == "\xc3\xa9\x01");
  assert_true(ParseMetric("plain", &l));
  assert_int_equal(l.size(), 1);
  assert_false(ParseMetric("m{a=\"x}", &l));
  std::string key;
  AppendKey(&key, {{"__name__", "up"}, {"job", "a"}});
  ASSERT_HEX("0008 5f5f6e616d655f5f 0002 7570 0003 6a6f62 0001 61", key);
}

void TestSmall(void**) { RUN(RoundTrip("small")); }
void TestSpecial(void**) { RUN(RoundTrip("special")); }

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(TestParseMetric),
      cmocka_unit_test(TestSmall),
      cmocka_unit_test(TestSpecial),
  };
  int rc = cmocka_run_group_tests(tests, nullptr, nullptr);
  vme_library_shutdown();
  return rc;
}
