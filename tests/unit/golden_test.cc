// Reads the data directories written by real VictoriaMetrics 1.72 (tests/data/vm172/*) through
// the C API and compares a full export with expected.csv on (metric, timestamp_ms, value_bits).
#include <cinttypes>
#include <cstdarg>
#include <cstring>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "test_util.h"
#include "vmengine.h"

namespace fs = std::filesystem;

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

// Recursive copy. Symlinks are copied as links, or followed when follow_symlinks is set (a
// dangling link, e.g. to data/big which a git checkout lacks, is then skipped). Copies are
// writable by the owner.
std::string CopyTree(const fs::path& from, const fs::path& to, bool follow_symlinks) {
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

std::string SetDir(const std::string& set) {
  return std::string(VME_TESTDATA_DIR) + "/vm172/" + set;
}

// Opens dir, compares its export with expected, closes, reopens and compares again.
std::string CheckDir(const std::string& dir, const std::vector<Row>& expected,
                     const std::string& what) {
  std::vector<Row> first;
  {
    DbPtr db;
    RETURN_IF_FAILED(OpenDb(dir, &db));
    RETURN_IF_FAILED(ExportAll(db.get(), &first));
    RETURN_IF_FAILED(CompareRows(first, expected, what));
    uint64_t count = 0;
    REQUIRE_VME(vme_series_count(db.get(), nullptr, &count, &err));
    std::vector<std::string> names;
    for (const auto& r : expected) names.push_back(r.metric);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    REQUIRE(count == names.size(), "%s: vme_series_count = %" PRIu64 ", want %zu", what.c_str(),
            count, names.size());
    RETURN_IF_FAILED(CloseDb(&db));
  }
  DbPtr db;
  RETURN_IF_FAILED(OpenDb(dir, &db));
  std::vector<Row> second;
  RETURN_IF_FAILED(ExportAll(db.get(), &second));
  RETURN_IF_FAILED(CompareRows(second, first, what + " after reopen"));
  RETURN_IF_FAILED(CloseDb(&db));
  return "";
}

std::string GoldenStorage(const std::string& set) {
  std::vector<Row> expected;
  RETURN_IF_FAILED(ReadExpected(SetDir(set) + "/expected.csv", &expected));
  REQUIRE(!expected.empty(), "%s: empty expected.csv", set.c_str());
  vme::test::TempDir tmp;
  const std::string dir = tmp.path() + "/storage";
  RETURN_IF_FAILED(CopyTree(SetDir(set) + "/storage", dir, /*follow_symlinks=*/false));
  return CheckDir(dir, expected, set + " storage copy");
}

std::string GoldenWithoutCache(const std::string& set) {
  std::vector<Row> expected;
  RETURN_IF_FAILED(ReadExpected(SetDir(set) + "/expected.csv", &expected));
  vme::test::TempDir tmp;
  const std::string dir = tmp.path() + "/storage";
  RETURN_IF_FAILED(CopyTree(SetDir(set) + "/storage", dir, false));
  std::error_code ec;
  fs::remove_all(dir + "/cache", ec);
  REQUIRE(!ec, "removing cache/: %s", ec.message().c_str());
  REQUIRE(!fs::exists(dir + "/cache"), "cache/ still there");
  return CheckDir(dir, expected, set + " copy without cache/");
}

std::string GoldenSnapshot(const std::string& set) {
  std::vector<Row> expected;
  RETURN_IF_FAILED(ReadExpected(SetDir(set) + "/expected.csv", &expected));
  std::vector<fs::path> snaps;
  for (const auto& e : fs::directory_iterator(SetDir(set) + "/storage/snapshots")) {
    if (e.is_directory()) snaps.push_back(e.path());
  }
  REQUIRE(snaps.size() == 1, "%s: %zu snapshots, want exactly one", set.c_str(), snaps.size());
  vme::test::TempDir tmp;
  const std::string dir = tmp.path() + "/snapshot";
  RETURN_IF_FAILED(CopyTree(snaps[0], dir, /*follow_symlinks=*/true));
  REQUIRE(fs::is_directory(dir + "/data/small") && !fs::is_symlink(dir + "/data/small"),
          "the snapshot copy has no real data/small");
  REQUIRE(fs::is_directory(dir + "/indexdb") && !fs::is_symlink(dir + "/indexdb"),
          "the snapshot copy has no real indexdb");
  REQUIRE(fs::is_directory(dir + "/data/small/2026_01"), "the snapshot copy has no parts");
  return CheckDir(dir, expected, set + " snapshot copy");
}

void TestSmallStorage(void**) { RUN(GoldenStorage("small")); }
void TestSpecialStorage(void**) { RUN(GoldenStorage("special")); }
void TestSmallWithoutCache(void**) { RUN(GoldenWithoutCache("small")); }
void TestSpecialWithoutCache(void**) { RUN(GoldenWithoutCache("special")); }
void TestSmallSnapshot(void**) { RUN(GoldenSnapshot("small")); }

void TestExpectedFilesParse(void**) {
  std::vector<Row> small, special;
  RUN(ReadExpected(SetDir("small") + "/expected.csv", &small));
  RUN(ReadExpected(SetDir("special") + "/expected.csv", &special));
  assert_int_equal(small.size(), 2000);
  assert_int_equal(special.size(), 136);
  assert_string_equal(small[0].metric.c_str(), "golden_m0{id=\"00\",parity=\"even\"}");
  assert_true(small[0].ts == 1767225600000);
  assert_true(small[0].bits == 0x40592e147ae147aeULL);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(TestExpectedFilesParse),  cmocka_unit_test(TestSmallStorage),
      cmocka_unit_test(TestSpecialStorage),      cmocka_unit_test(TestSmallWithoutCache),
      cmocka_unit_test(TestSpecialWithoutCache), cmocka_unit_test(TestSmallSnapshot),
  };
  int rc = cmocka_run_group_tests(tests, nullptr, nullptr);
  vme_library_shutdown();
  return rc;
}
