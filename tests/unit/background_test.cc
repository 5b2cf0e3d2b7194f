// Background work cannot hang or hide an error (storage/scheduler.h, background_workers.h):
//  * a job that throws on a BackgroundWorkers thread is caught, reported to the error sink and
//    still counts as finished, so Wait() returns;
//  * background tasks that throw or fail (fault injected with
//    StorageOptions::background_fault_for_testing) are counted and kept as the last background
//    error with its time (the injected clock), and Close() still returns;
//  * Storage::RunBackgroundOnce() returns the error of its round instead;
//  * through the C API, a real I/O error of a background flush shows in vme_stats_get as
//    "background_errors" and "background_last_error" (time as value, message as
//    vme_stats_text()), and vme_close() returns.
// Nothing waits for time: waits are for counters, with no deadline (CTest's timeout catches a
// hang).
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "capi/db_handle.h"
#include "check.h"
#include "storage/background_workers.h"
#include "storage/storage.h"
#include "vmengine.h"

namespace {

namespace fs = std::filesystem;
using vme::Status;
using vme::storage::BackgroundError;
using vme::storage::Storage;
using vme::storage::StorageOptions;

constexpr int64_t kT0 = 1767225600000;     // 2026-01-01T00:00:00Z
constexpr int64_t kClock = 1770000000123;  // the injected clock

// A fresh directory under $TMPDIR, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base ? base : "/tmp") + "/vmebg.XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) FAIL("mkdtemp %s failed", tmpl.c_str());
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Series key of the C API: u16be name length, name, u16be value length, value.
std::string Key(const std::string& metric, const std::string& id) {
  std::string key;
  for (const std::string& s : {std::string("__name__"), metric, std::string("id"), id}) {
    key.push_back(static_cast<char>(s.size() >> 8));
    key.push_back(static_cast<char>(s.size() & 0xff));
    key += s;
  }
  return key;
}

Status AddRows(Storage* s, int n, int64_t t0) {
  std::string keys;
  std::vector<uint32_t> offsets{0};
  std::vector<int64_t> ts;
  std::vector<double> values;
  for (int i = 0; i < n; i++) {
    keys += Key("bg", std::to_string(i));
    offsets.push_back(static_cast<uint32_t>(keys.size()));
    ts.push_back(t0 + i);
    values.push_back(i);
  }
  vme::storage::AddRowsResult r;
  return s->AddRows(reinterpret_cast<const uint8_t*>(keys.data()), keys.size(), offsets.data(),
                    ts.data(), values.data(), ts.size(), 0, 0, &r);
}

double StorageStat(Storage* s, const std::string& name) {
  std::vector<std::pair<std::string, double>> stats;
  s->Stats(&stats);
  for (const auto& [k, v] : stats) {
    if (k == name) return v;
  }
  FAIL("Storage::Stats has no entry %s", name.c_str());
}

void WaitForErrors(Storage* s, uint64_t n) { s->WaitForBackgroundErrors(n); }

void TestWorkersCatchThrowingJobs() {
  std::mutex mu;
  std::vector<std::string> errors;
  std::atomic<int> ran{0};
  {
    vme::storage::BackgroundWorkers w(2, [&](const Status& st) {
      std::lock_guard<std::mutex> l(mu);
      errors.push_back(st.ToString());
    });
    w.Run([] { throw std::runtime_error("job failed on purpose"); });
    w.Run([] { throw 42; });
    w.Run([&] { ran++; });
    w.Wait();
    REQUIRE_EQ(w.pending(), 0);
    REQUIRE_EQ(ran.load(), 1);
    w.Run([&] { ran++; });  // the workers still run jobs
    w.Wait();
    REQUIRE_EQ(ran.load(), 2);
  }
  std::lock_guard<std::mutex> l(mu);
  REQUIRE_EQ(errors.size(), 2u);
  const std::string all = errors[0] + "\n" + errors[1];
  REQUIRE(all.find("job failed on purpose") != std::string::npos, "%s", all.c_str());
  REQUIRE(all.find("unknown type") != std::string::npos, "%s", all.c_str());
}

// Every background task throws (timer ticks, merges, the indexdb merge): each failure is
// recorded with the injected time, the tasks keep their bookkeeping and Close() returns.
void TestThrowingTasksAreRecordedAndCloseReturns() {
  TempDir tmp;
  StorageOptions opts;
  opts.background = true;
  opts.background_threads = 2;
  opts.raw_rows_flush_interval_ms = 1;
  opts.inmemory_parts_flush_interval_ms = 1;
  opts.now_ms = [] { return kClock; };
  opts.background_fault_for_testing = [](std::string_view task) -> Status {
    throw std::runtime_error("injected fault in " + std::string(task));
  };
  auto opened = Storage::Open(tmp.path() + "/db", opts);
  REQUIRE_OK(opened);
  std::shared_ptr<Storage> s = *opened;
  REQUIRE_OK(AddRows(s.get(), 10, kT0));
  WaitForErrors(s.get(), 5);
  REQUIRE(StorageStat(s.get(), "background_errors") >= 5);
  REQUIRE_EQ(StorageStat(s.get(), "background_last_error_time_ms"), static_cast<double>(kClock));
  REQUIRE_OK(s->Close());
  const BackgroundError e = s->LastBackgroundError();
  REQUIRE(e.count >= 5);
  REQUIRE_EQ(e.time_ms, kClock);
  REQUIRE(e.message.find("injected fault in ") != std::string::npos, "%s", e.message.c_str());
  // Nothing was lost: the rows are there after reopening (without background work).
  opts.background = false;
  opts.background_fault_for_testing = nullptr;
  auto reopened = Storage::Open(tmp.path() + "/db", opts);
  REQUIRE_OK(reopened);
  REQUIRE_EQ(StorageStat(reopened->get(), "rows"), 10.0);
  REQUIRE_OK((*reopened)->Close());
}

// A task that returns an error (not an exception) is recorded the same way.
void TestFailingMergeIsRecorded() {
  TempDir tmp;
  StorageOptions opts;
  opts.background = true;
  opts.background_threads = 2;
  opts.now_ms = [] { return kClock; };
  opts.background_fault_for_testing = [](std::string_view task) -> Status {
    if (task == "merge") return Status::IoError("merge: disk unplugged (injected)");
    return Status::OK();
  };
  auto opened = Storage::Open(tmp.path() + "/db", opts);
  REQUIRE_OK(opened);
  std::shared_ptr<Storage> s = *opened;
  WaitForErrors(s.get(), 1);
  REQUIRE_OK(s->Close());
  const BackgroundError e = s->LastBackgroundError();
  REQUIRE(e.message.find("disk unplugged (injected)") != std::string::npos, "%s",
          e.message.c_str());
  REQUIRE_EQ(e.time_ms, kClock);
}

// RunBackgroundOnce returns the error of its round (it is not recorded: the caller has it).
void TestRunOnceReturnsTheError() {
  TempDir tmp;
  auto fail = std::make_shared<std::atomic<bool>>(true);
  StorageOptions opts;
  opts.background = false;
  opts.background_fault_for_testing = [fail](std::string_view task) -> Status {
    if (fail->load() && task == "tick") throw std::runtime_error("tick exploded");
    return Status::OK();
  };
  auto opened = Storage::Open(tmp.path() + "/db", opts);
  REQUIRE_OK(opened);
  std::shared_ptr<Storage> s = *opened;
  REQUIRE_OK(AddRows(s.get(), 3, kT0));
  const Status st = s->RunBackgroundOnce();
  REQUIRE_EQ(st.code(), vme::Code::kInternal);
  REQUIRE(st.message().find("tick exploded") != std::string::npos, "%s", st.ToString().c_str());
  REQUIRE_EQ(s->LastBackgroundError().count, 0u);
  fail->store(false);
  REQUIRE_OK(s->RunBackgroundOnce());
  REQUIRE_EQ(StorageStat(s.get(), "rows"), 3.0);
  REQUIRE_EQ(StorageStat(s.get(), "raw_rows_pending"), 0.0);
  REQUIRE_OK(s->Close());
  REQUIRE_EQ(s->RunBackgroundOnce().code(), vme::Code::kClosed);
}

// Read-only databases have no background work to run.
void TestRunOnceOnReadOnly() {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  {
    auto opened = Storage::Open(dir, StorageOptions{});
    REQUIRE_OK(opened);
    REQUIRE_OK((*opened)->Close());
  }
  StorageOptions opts;
  opts.read_only = true;
  auto opened = Storage::Open(dir, opts);
  REQUIRE_OK(opened);
  REQUIRE_EQ((*opened)->RunBackgroundOnce().code(), vme::Code::kMisuse);
  REQUIRE_OK((*opened)->Close());
}

struct Stat {
  bool found = false;
  double value = 0;
  const char* text = nullptr;
  std::string text_copy;
};

Stat ReadCStat(vme_db* db, const char* name) {
  vme_stats* stats = nullptr;
  vme_error* err = nullptr;
  const vme_status st = vme_stats_get(db, &stats, &err);
  REQUIRE(st == VME_OK, "vme_stats_get: %s", vme_error_message(err));
  Stat out;
  for (size_t i = 0; i < vme_stats_count(stats); i++) {
    if (std::string(vme_stats_name(stats, i)) != name) continue;
    out.found = true;
    out.value = vme_stats_value(stats, i);
    out.text = vme_stats_text(stats, i);
    if (out.text != nullptr) out.text_copy = out.text;
  }
  REQUIRE(vme_stats_text(stats, vme_stats_count(stats)) == nullptr);
  REQUIRE(vme_stats_text(nullptr, 0) == nullptr);
  vme_stats_free(stats);
  return out;
}

void TestCApiStatsShowTheLastError() {
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  vme_options* o = vme_options_create();
  REQUIRE(o != nullptr);
  for (const auto& [k, v] : {std::pair<const char*, const char*>{"background", "1"},
                             {"raw_rows_flush_interval_ms", "1"},
                             {"inmemory_parts_flush_interval_ms", "1"}}) {
    REQUIRE_EQ(vme_options_set(o, k, v, nullptr), VME_OK);
  }
  vme_db* db = nullptr;
  const vme_status open_st = vme_open(dir.c_str(), o, &db, nullptr);
  vme_options_destroy(o);
  REQUIRE_EQ(open_st, VME_OK);
  struct Closer {
    vme_db** db;
    ~Closer() {
      if (*db != nullptr) vme_close(*db, nullptr);
    }
  } closer{&db};

  // Before any error: the entry is there, value 0, text "".
  Stat e = ReadCStat(db, "background_last_error");
  REQUIRE(e.found);
  REQUIRE_EQ(e.value, 0.0);
  REQUIRE(e.text != nullptr);
  REQUIRE_EQ(e.text_copy, "");
  REQUIRE(ReadCStat(db, "rows").found && ReadCStat(db, "rows").text == nullptr);

  const auto add = [&](int64_t t) {
    const std::string key = Key("bg", "1");
    const uint32_t offsets[2] = {0, static_cast<uint32_t>(key.size())};
    const double v = 1;
    REQUIRE_EQ(vme_add_rows(db, reinterpret_cast<const uint8_t*>(key.data()), key.size(), offsets,
                            &t, &v, 1, nullptr, nullptr),
               VME_OK);
  };
  add(kT0);
  // The partition's tmp/ becomes a plain file: every flush of its in-memory parts fails.
  const std::string part_tmp = dir + "/data/small/2026_01/tmp";
  REQUIRE(fs::is_directory(part_tmp), "%s is not a directory", part_tmp.c_str());
  std::error_code ec;
  fs::remove_all(part_tmp, ec);
  std::ofstream(part_tmp) << "not a directory";
  add(kT0 + 1000);
  vme::capi::StorageOf(db)->WaitForBackgroundErrors(1);
  REQUIRE(ReadCStat(db, "background_errors").value >= 1);
  e = ReadCStat(db, "background_last_error");
  REQUIRE(e.value > 0);
  REQUIRE(e.text_copy.find("tmp") != std::string::npos, "message: %s", e.text_copy.c_str());
  const Stat t = ReadCStat(db, "background_last_error_time_ms");
  REQUIRE(t.found && t.text == nullptr);
  REQUIRE(t.value >= e.value);  // read later: the same error or a newer one
  vme_db* d = db;
  db = nullptr;
  vme_close(d, nullptr);  // returns (its final flush fails the same way)
}

// vme_background_run_once: one round makes added rows part of the stored data, on a db with
// background work off; misuse is an error, not a crash.
void TestCApiRunOnce() {
  TempDir tmp;
  vme_error* err = nullptr;
  REQUIRE_EQ(vme_background_run_once(nullptr, &err), VME_ERR_INVALID_ARGUMENT);
  REQUIRE_EQ(vme_error_code(err), VME_ERR_INVALID_ARGUMENT);
  vme_error_free(err);
  vme_options* o = vme_options_create();
  REQUIRE(o != nullptr);
  REQUIRE_EQ(vme_options_set(o, "background", "0", nullptr), VME_OK);
  vme_db* db = nullptr;
  const vme_status open_st = vme_open((tmp.path() + "/db").c_str(), o, &db, nullptr);
  vme_options_destroy(o);
  REQUIRE_EQ(open_st, VME_OK);
  struct Closer {
    vme_db** db;
    ~Closer() {
      if (*db != nullptr) vme_close(*db, nullptr);
    }
  } closer{&db};
  const std::string key = Key("bg", "1");
  const uint32_t offsets[2] = {0, static_cast<uint32_t>(key.size())};
  const int64_t t = kT0;
  const double v = 1;
  REQUIRE_EQ(vme_add_rows(db, reinterpret_cast<const uint8_t*>(key.data()), key.size(), offsets, &t,
                          &v, 1, nullptr, nullptr),
             VME_OK);
  REQUIRE_EQ(ReadCStat(db, "rows").value, 0.0);
  REQUIRE_EQ(ReadCStat(db, "raw_rows_pending").value, 1.0);
  REQUIRE_EQ(vme_background_run_once(db, nullptr), VME_OK);
  REQUIRE_EQ(ReadCStat(db, "rows").value, 1.0);
  REQUIRE_EQ(ReadCStat(db, "raw_rows_pending").value, 0.0);
  vme_db* d = db;
  db = nullptr;
  REQUIRE_EQ(vme_close(d, nullptr), VME_OK);
  REQUIRE_EQ(vme_background_run_once(d, nullptr), VME_ERR_CLOSED);  // the handle registry
}

}  // namespace

int main(int argc, char** argv) {
  const int rc = vme::test::RunTests(
      {VME_TEST(TestWorkersCatchThrowingJobs),
       VME_TEST(TestThrowingTasksAreRecordedAndCloseReturns), VME_TEST(TestFailingMergeIsRecorded),
       VME_TEST(TestRunOnceReturnsTheError), VME_TEST(TestRunOnceOnReadOnly),
       VME_TEST(TestCApiStatsShowTheLastError), VME_TEST(TestCApiRunOnce)},
      argc, argv);
  vme_library_shutdown();
  return rc;
}
