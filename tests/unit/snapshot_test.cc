// Snapshots (docs/format.md, "Snapshots"): layout identical to VictoriaMetrics 1.72 (relative
// symlinks into the per-table snapshot directories, hard-linked parts, copied metadata), a
// dereferenced copy opens as a storage directory with the same rows, snapshots survive merges of
// the live db, deletion removes exactly the four directories and rejects names that could escape,
// and snapshots taken while a writer, force merges and the background work run hold every row
// flushed before them.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <set>
#include <thread>

#include "check.h"
#include "vmengine.h"
// Last: it may include cmocka.
#include "test_util.h"

namespace {

namespace stdfs = std::filesystem;
using Export = std::map<std::string, std::vector<std::pair<int64_t, double>>>;

constexpr int64_t kT0 = 1704067200000;  // 2024-01-01
constexpr int64_t kT1 = 1706745600000;  // 2024-02-01

std::string Label(std::string_view k, std::string_view v) {
  std::string out;
  out.push_back(static_cast<char>(k.size() >> 8));
  out.push_back(static_cast<char>(k.size()));
  out.append(k);
  out.push_back(static_cast<char>(v.size() >> 8));
  out.push_back(static_cast<char>(v.size()));
  out.append(v);
  return out;
}

void Check(vme_status st, vme_error* err, const char* what) {
  if (st != VME_OK) {
    std::string msg = err ? vme_error_message(err) : "";
    vme_error_free(err);
    FAIL("%s: status %d: %s", what, st, msg.c_str());
  }
}

// An open db, closed (errors ignored) if a failed check leaves it open.
struct DbCloser {
  void operator()(vme_db* db) const { vme_close(db, nullptr); }
};
using Db = std::unique_ptr<vme_db, DbCloser>;

Db Open(const std::string& path, bool background) {
  std::unique_ptr<vme_options, void (*)(vme_options*)> o(vme_options_create(), vme_options_destroy);
  REQUIRE(o != nullptr);
  vme_error* err = nullptr;
  Check(vme_options_set(o.get(), "background", background ? "1" : "0", &err), err, "options");
  vme_db* db = nullptr;
  Check(vme_open(path.c_str(), o.get(), &db, &err), err, "vme_open");
  return Db(db);
}

void Close(Db* db) {
  vme_error* err = nullptr;
  Check(vme_close(db->release(), &err), err, "vme_close");
}

// Adds `per_series` samples (step 15 s from t0) to each of `series` series.
void Ingest(vme_db* db, int series, int per_series, int64_t t0, const std::string& tag = "a") {
  std::string keys;
  std::vector<uint32_t> offsets;
  std::vector<int64_t> ts;
  std::vector<double> values;
  for (int s = 0; s < series; s++) {
    for (int i = 0; i < per_series; i++) {
      offsets.push_back(static_cast<uint32_t>(keys.size()));
      keys += Label("__name__", "metric_" + std::to_string(s % 5));
      keys += Label("instance", "host" + std::to_string(s));
      keys += Label("tag", tag);
      ts.push_back(t0 + int64_t{i} * 15000);
      values.push_back(s * 1000.0 + i);
    }
  }
  offsets.push_back(static_cast<uint32_t>(keys.size()));
  vme_error* err = nullptr;
  vme_add_result r;
  Check(vme_add_rows(db, reinterpret_cast<const uint8_t*>(keys.data()), keys.size(), offsets.data(),
                     ts.data(), values.data(), ts.size(), &r, &err),
        err, "vme_add_rows");
  REQUIRE_EQ(r.rows_added, ts.size());
}

Export ExportAll(vme_db* db) {
  Export out;
  vme_error* err = nullptr;
  vme_query* q = vme_query_create(0, INT64_MAX);
  Check(vme_query_add_selector(q, "{__name__=~\".+\"}", &err), err, "selector");
  vme_series_iter* it = nullptr;
  Check(vme_search(db, q, &it, &err), err, "vme_search");
  vme_status st;
  while ((st = vme_series_iter_next(it, &err)) == VME_OK) {
    const int64_t* t;
    const double* v;
    const size_t n = vme_series_iter_samples(it, &t, &v);
    auto& dst = out[vme_series_iter_name(it)];
    for (size_t i = 0; i < n; i++) dst.emplace_back(t[i], v[i]);
  }
  if (st != VME_DONE) Check(st, err, "vme_series_iter_next");
  vme_series_iter_close(it);
  vme_query_destroy(q);
  return out;
}

std::string CreateSnapshot(vme_db* db) {
  vme_error* err = nullptr;
  char* name = nullptr;
  Check(vme_snapshot_create(db, &name, &err), err, "vme_snapshot_create");
  std::string s = name;
  vme_free(name);
  return s;
}

std::vector<std::string> ListSnapshots(vme_db* db) {
  vme_error* err = nullptr;
  vme_strlist* l = nullptr;
  Check(vme_snapshot_list(db, &l, &err), err, "vme_snapshot_list");
  std::vector<std::string> out;
  for (size_t i = 0; i < vme_strlist_count(l); i++)
    out.emplace_back(vme_strlist_get(l, i, nullptr));
  vme_strlist_free(l);
  return out;
}

// Copies the snapshot following its symlinks, opens the copy and exports it.
Export ExportSnapshot(const std::string& db_path, const std::string& name) {
  vme::test::TempDir copy;
  const std::string dst = copy.path() + "/db";
  std::error_code ec;
  stdfs::copy(db_path + "/snapshots/" + name, dst, stdfs::copy_options::recursive, ec);
  if (ec) FAIL("copy snapshot %s: %s", name.c_str(), ec.message().c_str());
  REQUIRE(!(stdfs::is_symlink(dst + "/indexdb")));
  Db db = Open(dst, false);
  Export e = ExportAll(db.get());
  Close(&db);
  return e;
}

std::string ReadLink(const std::string& p) {
  std::error_code ec;
  const auto t = stdfs::read_symlink(p, ec);
  if (ec) FAIL("readlink %s: %s", p.c_str(), ec.message().c_str());
  return t.string();
}

std::string Slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool ValidName(const std::string& s) {
  if (s.size() != 31 || s[14] != '-') return false;
  for (size_t i = 0; i < 14; i++) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  for (size_t i = 15; i < s.size(); i++) {
    if (!std::isxdigit(static_cast<unsigned char>(s[i])) || std::islower(s[i])) return false;
  }
  return true;
}

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(dir, ec)) out.push_back(e.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

void TestCreateListExportLayout() {
  vme::test::TempDir dir;
  const std::string path = dir.path();
  Db db_owner = Open(path, false);
  vme_db* db = db_owner.get();
  Ingest(db, 20, 50, kT0);
  Ingest(db, 10, 30, kT1);
  vme_error* err = nullptr;
  Check(vme_flush(db, &err), err, "vme_flush");
  Ingest(db, 20, 10, kT0 + 3600000, "b");  // a second part in 2024_01 (flushed by the snapshot)
  REQUIRE(ListSnapshots(db).empty());

  const std::string name = CreateSnapshot(db);
  REQUIRE(ValidName(name));
  const auto names = ListSnapshots(db);
  REQUIRE_EQ(names.size(), 1);
  REQUIRE_EQ(names[0], name);
  const Export live = ExportAll(db);
  REQUIRE_EQ(live.size(), 40);

  // Layout: same entries and relative symlink targets as VictoriaMetrics' own snapshot.
  const std::string snap = path + "/snapshots/" + name;
  REQUIRE(Entries(snap) == (std::vector<std::string>{"data", "indexdb", "metadata"}));
  REQUIRE(Entries(snap + "/data") == (std::vector<std::string>{"big", "small"}));
  REQUIRE(stdfs::is_symlink(snap + "/data/small"));
  REQUIRE(stdfs::is_symlink(snap + "/data/big"));
  REQUIRE(stdfs::is_symlink(snap + "/indexdb"));
  REQUIRE(!(stdfs::is_symlink(snap + "/metadata")));
  const std::string vm = std::string(VME_TESTDATA_DIR) + "/vm172/small/storage/snapshots";
  const auto vm_names = Entries(vm);
  REQUIRE_EQ(vm_names.size(), 1);
  const std::string vm_snap = vm + "/" + vm_names[0];
  for (const char* link : {"data/small", "data/big", "indexdb"}) {
    std::string expected = ReadLink(vm_snap + "/" + link);
    expected.replace(expected.find(vm_names[0]), vm_names[0].size(), name);
    REQUIRE_EQ(ReadLink(snap + "/" + link), expected);
  }
  REQUIRE(Entries(snap) == Entries(vm_snap));
  REQUIRE(Entries(snap + "/metadata") == Entries(vm_snap + "/metadata"));
  REQUIRE(Slurp(snap + "/metadata/minTimestampForCompositeIndex") ==
          Slurp(path + "/metadata/minTimestampForCompositeIndex"));
  REQUIRE(Entries(snap + "/data/small") == (std::vector<std::string>{"2024_01", "2024_02"}));
  REQUIRE(Entries(snap + "/data/big") == (std::vector<std::string>{"2024_01", "2024_02"}));

  // indexdb: both generations, each with the converted flag.
  std::vector<std::string> live_idb;
  for (const auto& n : Entries(path + "/indexdb")) {
    if (n != "snapshots") live_idb.push_back(n);
  }
  REQUIRE_EQ(live_idb.size(), 2);
  REQUIRE(Entries(snap + "/indexdb") == live_idb);
  for (const auto& n : live_idb) {
    REQUIRE(stdfs::exists(snap + "/indexdb/" + n + "/converted-to-v1.28.0"));
  }

  // Hard links: every live part of 2024_01 is in the snapshot and shares its inodes.
  const auto live_parts = Entries(path + "/data/small/2024_01");
  int checked = 0;
  for (const auto& p : live_parts) {
    if (p == "tmp" || p == "txn" || p == "snapshots") continue;
    for (const char* f : {"timestamps.bin", "values.bin", "index.bin", "metaindex.bin"}) {
      struct stat a, b;
      REQUIRE_EQ(::stat((path + "/data/small/2024_01/" + p + "/" + f).c_str(), &a), 0);
      REQUIRE_EQ(
          ::stat((path + "/data/small/snapshots/" + name + "/2024_01/" + p + "/" + f).c_str(), &b),
          0);
      REQUIRE(a.st_ino == b.st_ino);
      REQUIRE(a.st_nlink >= 2);
      checked++;
    }
  }
  REQUIRE(checked >= 8);  // at least two parts
  REQUIRE(Entries(path + "/data/small/snapshots/" + name + "/2024_01") == [&] {
    std::vector<std::string> v;
    for (const auto& p : live_parts) {
      if (p != "tmp" && p != "txn" && p != "snapshots") v.push_back(p);
    }
    return v;
  }());

  // The dereferenced copy opens as a storage directory with exactly the live rows.
  REQUIRE(ExportSnapshot(path, name) == live);

  // A force merge of the live db replaces the parts; the snapshot keeps its files.
  Check(vme_force_merge(db, nullptr, &err), err, "vme_force_merge");
  REQUIRE(ExportAll(db) == live);
  for (const auto& p : live_parts) {
    if (p == "tmp" || p == "txn" || p == "snapshots") continue;
    REQUIRE(!(stdfs::exists(path + "/data/small/2024_01/" + p)));
    struct stat b;
    REQUIRE_EQ(
        ::stat((path + "/data/small/snapshots/" + name + "/2024_01/" + p + "/values.bin").c_str(),
               &b),
        0);
  }
  REQUIRE(ExportSnapshot(path, name) == live);

  // Later rows are not in the snapshot.
  Ingest(db, 3, 5, kT1 + 7200000, "c");
  Check(vme_flush(db, &err), err, "vme_flush");
  REQUIRE_EQ(ExportAll(db).size(), 43);
  REQUIRE(ExportSnapshot(path, name) == live);
  Close(&db_owner);

  // The snapshot survives a reopen of the live db.
  db_owner = Open(path, false);
  db = db_owner.get();
  REQUIRE(ListSnapshots(db) == std::vector<std::string>{name});
  Close(&db_owner);
  REQUIRE(ExportSnapshot(path, name) == live);
}

void TestDeleteAndInvalidNames() {
  vme::test::TempDir dir;
  const std::string path = dir.path();
  Db db_owner = Open(path, false);
  vme_db* db = db_owner.get();
  Ingest(db, 5, 10, kT0);
  const std::string a = CreateSnapshot(db);
  const std::string b = CreateSnapshot(db);
  REQUIRE(a < b);
  REQUIRE(ListSnapshots(db) == (std::vector<std::string>{a, b}));
  const Export live = ExportAll(db);

  const auto dirs = [&](const std::string& n) {
    return std::vector<std::string>{path + "/data/small/snapshots/" + n,
                                    path + "/data/big/snapshots/" + n,
                                    path + "/indexdb/snapshots/" + n, path + "/snapshots/" + n};
  };
  for (const auto& d : dirs(a)) REQUIRE(stdfs::is_directory(d));

  // A canary next to the db dir that a path escape would reach.
  stdfs::create_directories(path + "/etc");
  std::ofstream(path + "/etc/canary") << "x";
  for (const char* bad :
       {"../../etc", "foo", "", "20260101000000-XYZ", "/abs", "20260101000000-0/../..",
        "20260101000000-", "2026010100000-0", "20260101000000-0/", ".", "..", "20260101000000_0"}) {
    vme_error* err = nullptr;
    REQUIRE_EQ(vme_snapshot_delete(db, bad, &err), VME_ERR_INVALID_ARGUMENT);
    REQUIRE_EQ(vme_error_code(err), VME_ERR_INVALID_ARGUMENT);
    vme_error_free(err);
  }
  REQUIRE(stdfs::exists(path + "/etc/canary"));
  REQUIRE(ListSnapshots(db) == (std::vector<std::string>{a, b}));
  for (const auto& n : {a, b}) {
    for (const auto& d : dirs(n)) REQUIRE(stdfs::is_directory(d));
  }

  vme_error* err = nullptr;
  REQUIRE_EQ(vme_snapshot_delete(db, "20000101000000-0123456789ABCDEF", &err), VME_ERR_NOT_FOUND);
  vme_error_free(err);
  err = nullptr;
  REQUIRE_EQ(vme_snapshot_delete(db, nullptr, &err), VME_ERR_INVALID_ARGUMENT);
  vme_error_free(err);
  err = nullptr;

  Check(vme_snapshot_delete(db, a.c_str(), &err), err, "vme_snapshot_delete");
  for (const auto& d : dirs(a)) REQUIRE(!(stdfs::exists(d)));
  for (const auto& d : dirs(b)) REQUIRE(stdfs::is_directory(d));
  REQUIRE(ListSnapshots(db) == std::vector<std::string>{b});
  REQUIRE_EQ(vme_snapshot_delete(db, a.c_str(), &err), VME_ERR_NOT_FOUND);
  vme_error_free(err);
  err = nullptr;
  // The live db and the other snapshot are untouched.
  REQUIRE(ExportAll(db) == live);
  REQUIRE(ExportSnapshot(path, b) == live);
  Check(vme_snapshot_delete(db, b.c_str(), &err), err, "vme_snapshot_delete");
  REQUIRE(ListSnapshots(db).empty());
  for (const auto& d : dirs(b)) REQUIRE(!(stdfs::exists(d)));
  // Only snapshot directories were removed.
  REQUIRE(Entries(path + "/snapshots").empty());
  REQUIRE(Entries(path + "/indexdb/snapshots").empty());
  REQUIRE(stdfs::is_directory(path + "/data/small/2024_01"));

  // Stray entries in snapshots/ are not listed.
  stdfs::create_directories(path + "/snapshots/not-a-snapshot");
  std::ofstream(path + "/snapshots/20240101000000-ABCD") << "file, not a dir";
  REQUIRE(ListSnapshots(db).empty());

  Close(&db_owner);
}

void TestNamesIncreaseAndClosed() {
  vme::test::TempDir dir;
  Db db_owner = Open(dir.path(), false);
  vme_db* db = db_owner.get();
  std::vector<std::string> names;
  for (int i = 0; i < 5; i++) names.push_back(CreateSnapshot(db));  // empty db is fine
  for (size_t i = 1; i < names.size(); i++) REQUIRE(names[i - 1] < names[i]);
  REQUIRE(ListSnapshots(db) == names);
  for (const auto& n : names) REQUIRE(ExportSnapshot(dir.path(), n).empty());
  Close(&db_owner);
  vme_error* err = nullptr;
  char* name = nullptr;
  REQUIRE_EQ(vme_snapshot_create(db, &name, &err), VME_ERR_CLOSED);
  vme_error_free(err);
  REQUIRE(name == nullptr);
}

// Snapshots taken while a writer, force merges and the background work (timer and
// vme_background_run_once) run: each holds every row flushed before the first snapshot. The
// snapshots follow the writer's progress (no sleeps): snapshot i waits for writer round 5 * i.
void TestConcurrentWritesAndMerges() {
  vme::test::TempDir dir;
  const std::string path = dir.path();
  Db db_owner = Open(path, true);
  vme_db* db = db_owner.get();
  Ingest(db, 50, 20, kT0);
  std::atomic<bool> stop{false};
  std::atomic<int> writer_errors{0}, merge_errors{0}, rounds{0};
  std::thread writer([&] {
    for (int round = 0; !stop.load(); round++) {
      std::string keys;
      std::vector<uint32_t> offsets;
      std::vector<int64_t> ts;
      std::vector<double> values;
      for (int s = 0; s < 200; s++) {
        offsets.push_back(static_cast<uint32_t>(keys.size()));
        keys += Label("__name__", "w");
        keys += Label("series", std::to_string((round * 200 + s) % 3000));
        ts.push_back(kT0 + int64_t{round} * 1000 + s);
        values.push_back(round);
      }
      offsets.push_back(static_cast<uint32_t>(keys.size()));
      if (vme_add_rows(db, reinterpret_cast<const uint8_t*>(keys.data()), keys.size(),
                       offsets.data(), ts.data(), values.data(), ts.size(), nullptr,
                       nullptr) != VME_OK) {
        writer_errors++;
      }
      if (round % 5 == 0 && vme_flush(db, nullptr) != VME_OK) writer_errors++;
      rounds++;
    }
  });
  std::thread merger([&] {
    while (!stop.load()) {
      if (vme_force_merge(db, nullptr, nullptr) != VME_OK) merge_errors++;
    }
  });
  // Stops and joins the threads however the block below ends.
  struct Join {
    std::atomic<bool>* stop;
    std::thread* threads[2];
    ~Join() {
      stop->store(true);
      for (std::thread* t : threads) t->join();
    }
  };
  std::vector<std::string> names;
  {
    Join join{&stop, {&writer, &merger}};
    for (int i = 0; i < 6; i++) {
      while (rounds.load() < 5 * i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      vme_error* err = nullptr;
      Check(vme_background_run_once(db, &err), err, "vme_background_run_once");
      names.push_back(CreateSnapshot(db));
    }
  }
  REQUIRE_EQ(writer_errors.load(), 0);
  REQUIRE_EQ(merge_errors.load(), 0);
  for (size_t i = 1; i < names.size(); i++) REQUIRE(names[i - 1] < names[i]);
  REQUIRE(ListSnapshots(db) == names);
  for (const auto& n : names) {
    const Export e = ExportSnapshot(path, n);
    // The rows ingested (and flushed) before the first snapshot are all there.
    size_t base = 0;
    for (const auto& [k, v] : e) {
      if (k.rfind("metric_", 0) == 0) base += v.size();
    }
    REQUIRE_EQ(base, 50 * 20);
  }
  Close(&db_owner);
}

}  // namespace

int main(int argc, char** argv) {
  const int rc = vme::test::RunTests(
      {VME_TEST(TestCreateListExportLayout), VME_TEST(TestDeleteAndInvalidNames),
       VME_TEST(TestNamesIncreaseAndClosed), VME_TEST(TestConcurrentWritesAndMerges)},
      argc, argv);
  vme_library_shutdown();
  return rc;
}
