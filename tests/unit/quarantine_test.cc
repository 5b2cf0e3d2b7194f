// The `quarantine` option (StorageOptions::quarantine; util/quarantine.h), through the C API with
// background work off:
//  * a data part whose metaindex.bin fails its checksum: without the option vme_open returns
//    VME_ERR_CORRUPTION naming the part, the file and the offset, and nothing moves; with it the
//    part moves to quarantine/data/small/YYYY_MM/<part>, "quarantined_parts" is 1, the last
//    background error names the part, and the other part's rows are served exactly;
//  * a data block failing its checksum during a search: without the option the search gets
//    VME_ERR_CORRUPTION naming the part, values.bin and the offset; with it that search still
//    fails, the part moves, and the next search returns the rest exactly;
//  * the same block met by a force merge: the merge fails, the part moves, the next merge works;
//  * an indexdb part failing at open moves to quarantine/indexdb/<generation>/<part>;
//  * searches and a merge running concurrently over a corrupt part: each search either fails
//    with VME_ERR_CORRUPTION or returns exactly the intact rows, and the part is quarantined
//    once (this one is also the ThreadSanitizer check of detaching a live part);
//  * snapshots hard-link the sidecar of every data and indexdb part.
#include <algorithm>
#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "capi_test_util.h"
#include "check.h"
#include "test_util.h"

namespace {

using namespace vme::test;  // NOLINT

constexpr const char* kPartition = "2026_01";

Labels SeriesLabels(const char* name, int i) {
  return {{"__name__", name}, {"i", std::to_string(i)}};
}

// Rows of 10 series named `name`, 10 samples each, at kT0 + offset_ms + k s.
std::vector<Row> MakeRows(const char* name, int64_t offset_ms, int per_series, RowBatch* b) {
  std::vector<Row> rows;
  for (int i = 0; i < 10; i++) {
    for (int k = 0; k < per_series; k++) {
      const int64_t ts = kT0 + offset_ms + k * 1000;
      const double v = i * 100 + k * 0.25;
      b->Add(PackKey(SeriesLabels(name, i)), ts, v);
      rows.push_back(Row{SeriesName(SeriesLabels(name, i)), ts, DoubleBits(v)});
    }
  }
  return rows;
}

struct TwoParts {
  std::string dir;     // the data directory
  std::string part_a;  // 100 rows of series qa (the one the tests damage)
  std::string part_b;  // 200 rows of series qb
  std::vector<Row> rows_b;
};

// A db with two small parts in one partition, one per vme_flush.
std::string MakeTwoParts(const std::string& dir, TwoParts* out) {
  out->dir = dir;
  DbPtr db;
  RETURN_IF_FAILED(OpenDb(dir, {{"background", "0"}}, &db));
  RowBatch a, b;
  MakeRows("qa", 0, 10, &a);
  out->rows_b = MakeRows("qb", 3600000, 20, &b);
  RETURN_IF_FAILED(AddBatchAllAccepted(db.get(), a));
  REQUIRE_VME(vme_flush(db.get(), &err));
  RETURN_IF_FAILED(AddBatchAllAccepted(db.get(), b));
  REQUIRE_VME(vme_flush(db.get(), &err));
  RETURN_IF_FAILED(CloseDb(&db));
  const std::string side = dir + "/data/small/" + kPartition;
  for (const auto& e : fs::directory_iterator(side)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("100_", 0) == 0) out->part_a = e.path().string();
    if (name.rfind("200_", 0) == 0) out->part_b = e.path().string();
  }
  REQUIRE(!out->part_a.empty() && !out->part_b.empty(), "want two parts in %s", side.c_str());
  return "";
}

void FlipLastByte(const std::string& path) { FlipByte(path, fs::file_size(path) - 1); }

std::string Quarantined(const TwoParts& t, const std::string& part) {
  return t.dir + "/quarantine/data/small/" + kPartition + "/" + fs::path(part).filename().string();
}

std::string LastBackgroundError(vme_db* db) {
  vme_stats* raw = nullptr;
  REQUIRE(vme_stats_get(db, &raw, nullptr) == VME_OK);
  StatsPtr s(raw);
  for (size_t i = 0; i < vme_stats_count(s.get()); i++) {
    if (std::string(vme_stats_name(s.get(), i)) == "background_last_error") {
      return vme_stats_text(s.get(), i);
    }
  }
  return "";
}

void RequireMentions(const std::string& msg, const std::vector<std::string>& words) {
  for (const std::string& w : words) {
    REQUIRE(msg.find(w) != std::string::npos, "\"%s\" does not mention %s", msg.c_str(), w.c_str());
  }
}

void TestCorruptPartAtOpen() {
  TempDir tmp;
  TwoParts t;
  RUN(MakeTwoParts(tmp.path() + "/db", &t));
  FlipByte(t.part_a + "/metaindex.bin", 3);

  // Off: the open fails naming the part, the file and the offset; nothing moves.
  {
    OptionsPtr opts(vme_options_create());
    vme_db* db = nullptr;
    vme_error* e = nullptr;
    REQUIRE_EQ(vme_open(t.dir.c_str(), opts.get(), &db, &e), VME_ERR_CORRUPTION);
    RequireMentions(vme_error_message(e), {t.part_a, "metaindex.bin", "offset"});
    vme_error_free(e);
    REQUIRE(fs::exists(t.part_a));
    REQUIRE(!fs::exists(t.dir + "/quarantine"));
  }
  // On: the part moves, is counted and reported, and the rest is served.
  {
    DbPtr db;
    RUN(OpenDb(t.dir, {{"background", "0"}, {"quarantine", "true"}}, &db));
    REQUIRE(!fs::exists(t.part_a));
    REQUIRE(fs::exists(Quarantined(t, t.part_a) + "/metaindex.bin"));
    double n = -1;
    RUN(StatValue(db.get(), "quarantined_parts", &n));
    REQUIRE_EQ(n, 1.0);
    RequireMentions(LastBackgroundError(db.get()),
                    {fs::path(t.part_a).filename().string(), "metaindex.bin", "quarantine"});
    RUN(ExpectAllRows(db.get(), t.rows_b, "rows after quarantine"));
    RUN(CloseDb(&db));
  }
  // The directory opens without the option now.
  DbPtr db;
  RUN(OpenDb(t.dir, {{"background", "0"}}, &db));
  RUN(ExpectAllRows(db.get(), t.rows_b, "rows after reopen"));
}

void TestCorruptBlockInSearch() {
  TempDir tmp;
  TwoParts t;
  RUN(MakeTwoParts(tmp.path() + "/db", &t));
  FlipLastByte(t.part_a + "/values.bin");

  {
    DbPtr db;
    RUN(OpenDb(t.dir, {{"background", "0"}}, &db));
    std::vector<Row> rows;
    const std::string msg = ExportAll(db.get(), &rows);
    RequireMentions(msg, {"corruption: part ", t.part_a, "values.bin", "offset"});
    REQUIRE(fs::exists(t.part_a));
    double n = -1;
    RUN(StatValue(db.get(), "quarantined_parts", &n));
    REQUIRE_EQ(n, 0.0);
  }
  DbPtr db;
  RUN(OpenDb(t.dir, {{"background", "0"}, {"quarantine", "1"}}, &db));
  std::vector<Row> rows;
  // The search that meets the bad block still fails; the part is moved on the way out.
  RequireMentions(ExportAll(db.get(), &rows), {"corruption: part ", "values.bin"});
  REQUIRE(!fs::exists(t.part_a));
  REQUIRE(fs::exists(Quarantined(t, t.part_a) + "/values.bin"));
  double n = -1;
  RUN(StatValue(db.get(), "quarantined_parts", &n));
  REQUIRE_EQ(n, 1.0);
  RequireMentions(LastBackgroundError(db.get()), {fs::path(t.part_a).filename().string()});
  RUN(ExpectAllRows(db.get(), t.rows_b, "rows after quarantine"));
  REQUIRE(fs::exists(t.part_b));
}

void TestCorruptBlockInMerge() {
  TempDir tmp;
  TwoParts t;
  RUN(MakeTwoParts(tmp.path() + "/db", &t));
  FlipLastByte(t.part_a + "/values.bin");
  DbPtr db;
  RUN(OpenDb(t.dir, {{"background", "0"}, {"quarantine", "true"}}, &db));
  vme_error* e = nullptr;
  REQUIRE_EQ(vme_force_merge(db.get(), "", &e), VME_ERR_CORRUPTION);
  RequireMentions(vme_error_message(e), {t.part_a, "values.bin"});
  vme_error_free(e);
  REQUIRE(fs::exists(Quarantined(t, t.part_a)));
  REQUIRE_VME(vme_force_merge(db.get(), "", &err));
  RUN(ExpectAllRows(db.get(), t.rows_b, "rows after the merge"));
}

// The part directory of the newest indexdb generation of the db at dir; *gen gets its name.
std::string NewestIndexdbPart(const std::string& dir, std::string* gen) {
  std::vector<std::string> gens;
  for (const auto& e : fs::directory_iterator(dir + "/indexdb")) {
    if (e.path().filename() != "snapshots") gens.push_back(e.path().filename().string());
  }
  std::sort(gens.begin(), gens.end());
  REQUIRE(!gens.empty());
  *gen = gens.back();
  std::string part;
  for (const auto& e : fs::directory_iterator(dir + "/indexdb/" + gens.back())) {
    if (e.is_directory() && e.path().filename().string().find('_') != std::string::npos) {
      part = e.path().string();
    }
  }
  REQUIRE(!part.empty(), "no indexdb part");
  return part;
}

// A corrupt indexdb part: `file` of it gets a flipped byte at `offset`. Without the option
// the open fails naming the part and file; with it the part moves to quarantine/indexdb/.
void CheckCorruptIndexdbPartAtOpen(const std::string& file, uint64_t offset) {
  TempDir tmp;
  TwoParts t;
  RUN(MakeTwoParts(tmp.path() + "/db", &t));
  std::string gen;
  const std::string part = NewestIndexdbPart(t.dir, &gen);
  FlipByte(part + "/" + file, offset);
  {
    OptionsPtr opts(vme_options_create());
    vme_db* db = nullptr;
    vme_error* e = nullptr;
    REQUIRE_EQ(vme_open(t.dir.c_str(), opts.get(), &db, &e), VME_ERR_CORRUPTION);
    RequireMentions(vme_error_message(e), {part, file});
    vme_error_free(e);
  }
  DbPtr db;
  RUN(OpenDb(t.dir, {{"background", "0"}, {"quarantine", "true"}}, &db));
  REQUIRE(!fs::exists(part));
  REQUIRE(fs::exists(t.dir + "/quarantine/indexdb/" + gen + "/" +
                     fs::path(part).filename().string() + "/" + file));
  double n = -1;
  RUN(StatValue(db.get(), "quarantined_parts", &n));
  REQUIRE_EQ(n, 1.0);
  RequireMentions(LastBackgroundError(db.get()), {fs::path(part).filename().string()});
}

// metaindex.bin is verified when the part opens.
void TestCorruptIndexdbPartAtOpen() { CheckCorruptIndexdbPartAtOpen("metaindex.bin", 2); }

// index.bin is verified when an index block is read: the open reads one (the deleted
// MetricIDs), so the open itself meets the corruption, quarantines the part and goes on.
void TestCorruptIndexdbIndexBlockAtOpen() { CheckCorruptIndexdbPartAtOpen("index.bin", 0); }

void TestConcurrentSearchesAndMerge() {
  TempDir tmp;
  TwoParts t;
  RUN(MakeTwoParts(tmp.path() + "/db", &t));
  FlipLastByte(t.part_a + "/values.bin");
  DbPtr db;
  RUN(OpenDb(t.dir, {{"background", "0"}, {"quarantine", "true"}}, &db));
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::string> errors(5);
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; w++) {
    threads.emplace_back([&, w] {
      errors[w] = Collect([&]() -> std::string {
        for (int k = 0; k < 5; k++) {
          std::vector<Row> rows;
          const std::string msg = ExportAll(db.get(), &rows);
          if (!msg.empty()) {
            REQUIRE(msg.find("corruption: part ") != std::string::npos, "%s", msg.c_str());
            failed++;
            continue;
          }
          RETURN_IF_FAILED(CompareRows(rows, t.rows_b, "concurrent search"));
          ok++;
        }
        return "";
      });
    });
  }
  threads.emplace_back([&] {
    errors[4] = Collect([&]() -> std::string {
      vme_error* e = nullptr;
      const vme_status st = vme_force_merge(db.get(), "", &e);
      const std::string msg = e != nullptr ? vme_error_message(e) : "";
      vme_error_free(e);
      REQUIRE(st == VME_OK || st == VME_ERR_CORRUPTION, "%s", msg.c_str());
      return "";
    });
  });
  for (auto& th : threads) th.join();
  for (const std::string& e : errors) REQUIRE(e.empty(), "%s", e.c_str());
  REQUIRE_EQ(ok.load() + failed.load(), 20);
  double n = -1;
  RUN(StatValue(db.get(), "quarantined_parts", &n));
  REQUIRE_EQ(n, 1.0);
  REQUIRE(fs::exists(Quarantined(t, t.part_a)));
  RUN(ExpectAllRows(db.get(), t.rows_b, "rows after the concurrent round"));
}

// Snapshots hard-link the sidecar with the other files of each part.
void TestSnapshotCarriesSidecars() {
  TempDir tmp;
  TwoParts t;
  RUN(MakeTwoParts(tmp.path() + "/db", &t));
  DbPtr db;
  RUN(OpenDb(t.dir, {{"background", "0"}}, &db));
  char* name = nullptr;
  REQUIRE_VME(vme_snapshot_create(db.get(), &name, &err));
  const std::string snap = name;
  vme_free(name);
  size_t parts = 0;
  for (const std::string& root :
       {t.dir + "/data/small/snapshots/" + snap, t.dir + "/indexdb/snapshots/" + snap}) {
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      const std::string base = e.path().filename().string();
      if (!e.is_directory() || std::count(base.begin(), base.end(), '_') < 2) continue;
      const std::string sidecar = e.path().string() + "/vmengine_checksums.bin";
      REQUIRE(fs::exists(sidecar), "no sidecar in snapshot part %s", e.path().c_str());
      REQUIRE(fs::hard_link_count(sidecar) >= 2, "%s is not a hard link", sidecar.c_str());
      parts++;
    }
  }
  REQUIRE(parts >= 3, "found %zu parts in snapshot %s", parts, snap.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const int rc = vme::test::RunTests(
      {VME_TEST(TestCorruptPartAtOpen), VME_TEST(TestCorruptBlockInSearch),
       VME_TEST(TestCorruptBlockInMerge), VME_TEST(TestCorruptIndexdbPartAtOpen),
       VME_TEST(TestCorruptIndexdbIndexBlockAtOpen), VME_TEST(TestConcurrentSearchesAndMerge),
       VME_TEST(TestSnapshotCarriesSidecars)},
      argc, argv);
  vme_library_shutdown();
  return rc;
}
