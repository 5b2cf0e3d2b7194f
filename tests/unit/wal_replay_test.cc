// The write-ahead log in a storage (storage/storage.h "Write-ahead log", wal_checkpoint.cc,
// docs/durability.md). A crash is Storage::AbandonForTesting (no flush, no checkpoint, no
// WAL sync; written WAL bytes stay as in the page cache after a kill -9). Background work is
// off, so nothing moves unless the test drives it; checkpoint steps are stopped with the
// crash-point hook. After every reopen each acknowledged row must be present exactly once:
//  * sync replay after a crash restores every row once (and wal_mode=off replays a leftover
//    log, then removes it);
//  * a crash at each checkpoint step (rotated, intent, flushed, recorded), with rows added
//    while the checkpoint runs, neither loses nor duplicates a row;
//  * a checkpoint removes the older segments; wal_max_bytes forces checkpoints;
//  * deleted series do not come back from the log;
//  * a read-only open writes nothing and ignores the log (with a log line);
//  * corrupt records: strict open fails naming segment and offset, skip_corrupt skips, a
//    torn tail is cut with a log line;
//  * a failing fdatasync fails the call with an IoError naming the segment;
//  * 4 writers share fdatasyncs (group commit), driven by the fault hook, not by time.
#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "storage/search.h"
#include "storage/selector_parser.h"
#include "storage/storage.h"
#include "test_util.h"
#include "util/fault_injection.h"
#include "vmengine.h"

namespace {

namespace stdfs = std::filesystem;
using vme::Code;
using vme::Status;
using vme::storage::AddRowsResult;
using vme::storage::SearchQuery;
using vme::storage::SeriesIterator;
using vme::storage::Storage;
using vme::storage::StorageOptions;
using Mode = vme::storage::StorageOptions::WalMode;

constexpr int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z

std::string Key(const std::string& id) {
  std::string key;
  for (const std::string& s :
       {std::string("__name__"), std::string("walt"), std::string("id"), id}) {
    key.push_back(static_cast<char>(s.size() >> 8));
    key.push_back(static_cast<char>(s.size() & 0xff));
    key += s;
  }
  return key;
}

StorageOptions Opts(Mode mode) {
  StorageOptions o;
  o.wal_mode = mode;
  o.background = false;
  o.now_ms = [] { return kT0 + 86400000; };
  o.log = [](std::string_view) {};
  return o;
}

std::shared_ptr<Storage> Open(const std::string& dir, const StorageOptions& o) {
  auto r = Storage::Open(dir, o);
  REQUIRE_OK(r.status());
  return *r;
}

// Batch b: series 0..n-1 (prefix p), timestamp kT0 + b * 1000, value b * 1000 + series.
Status AddBatch(Storage* s, int b, int n = 20, const std::string& p = "s") {
  std::string keys;
  std::vector<uint32_t> offsets{0};
  std::vector<int64_t> ts;
  std::vector<double> values;
  for (int i = 0; i < n; i++) {
    keys += Key(p + std::to_string(i));
    offsets.push_back(static_cast<uint32_t>(keys.size()));
    ts.push_back(kT0 + int64_t{b} * 1000);
    values.push_back(b * 1000.0 + i);
  }
  AddRowsResult res;
  return s->AddRows(reinterpret_cast<const uint8_t*>(keys.data()), keys.size(), offsets.data(),
                    ts.data(), values.data(), ts.size(), 0, 0, &res);
}

// (series id label, timestamp) -> count, and checks each value.
std::map<std::pair<std::string, int64_t>, int> Rows(const std::shared_ptr<Storage>& s) {
  SearchQuery q;
  REQUIRE_OK(vme::storage::ParseSelector("walt", &q.filters));
  auto it = s->Search(q);
  REQUIRE_OK(it.status());
  std::map<std::pair<std::string, int64_t>, int> out;
  for (;;) {
    bool done = false;
    REQUIRE_OK((*it)->Next(&done));
    if (done) break;
    std::string id;
    for (const auto& t : (*it)->metric_name().tags) {
      if (t.key == "id") id = t.value;
    }
    auto ts = (*it)->timestamps();
    auto vs = (*it)->values();
    for (size_t i = 0; i < ts.size(); i++) {
      out[{id, ts[i]}]++;
      const int b = static_cast<int>((ts[i] - kT0) / 1000);
      const int series = std::stoi(id.substr(id.find_first_of("0123456789")));
      REQUIRE_EQ(vs[i], b * 1000.0 + series);
    }
  }
  return out;
}

// Every row of batches [from, to) of n series (prefix p) present exactly once.
void ExpectExactlyOnce(const std::map<std::pair<std::string, int64_t>, int>& rows, int from, int to,
                       int n = 20, const std::string& p = "s") {
  for (int b = from; b < to; b++) {
    for (int i = 0; i < n; i++) {
      auto it = rows.find({p + std::to_string(i), kT0 + int64_t{b} * 1000});
      REQUIRE(it != rows.end(), "batch %d series %s%d missing", b, p.c_str(), i);
      REQUIRE(it->second == 1, "batch %d series %s%d present %d times", b, p.c_str(), i,
              it->second);
    }
  }
}

double Stat(const std::shared_ptr<Storage>& s, const std::string& name) {
  std::vector<std::pair<std::string, double>> st;
  s->Stats(&st);
  for (const auto& [k, v] : st) {
    if (k == name) return v;
  }
  FAIL("no stat %s", name.c_str());
  return 0;
}

std::vector<std::string> Segments(const std::string& dir) {
  std::vector<std::string> out;
  if (!stdfs::exists(dir + "/wal")) return out;
  for (const auto& e : stdfs::directory_iterator(dir + "/wal")) {
    const std::string n = e.path().filename().string();
    if (n != "checkpoint") out.push_back(n);
  }
  return out;
}

void Crash(std::shared_ptr<Storage>* s) {
  (*s)->AbandonForTesting();
  s->reset();
}

void TestSyncReplayAfterCrash() {
  vme::test::TempDir dir;
  auto s = Open(dir.path(), Opts(Mode::kSync));
  for (int b = 0; b < 10; b++) REQUIRE_OK(AddBatch(s.get(), b));
  REQUIRE_OK(s->Flush());  // batches 0..9 in parts
  for (int b = 10; b < 30; b++) REQUIRE_OK(AddBatch(s.get(), b));
  Crash(&s);
  s = Open(dir.path(), Opts(Mode::kSync));
  REQUIRE_EQ(Stat(s, "wal_replayed_rows"), 400.0);
  ExpectExactlyOnce(Rows(s), 0, 30);
  // The replay ends with a checkpoint: a second crash replays nothing.
  Crash(&s);
  s = Open(dir.path(), Opts(Mode::kSync));
  REQUIRE_EQ(Stat(s, "wal_replayed_rows"), 0.0);
  ExpectExactlyOnce(Rows(s), 0, 30);
  REQUIRE_OK(s->Close());
}

// A db written with a WAL and reopened with wal_mode=off replays the log and removes it.
void TestOffReplaysLeftoverLog() {
  vme::test::TempDir dir;
  auto s = Open(dir.path(), Opts(Mode::kAsync));
  for (int b = 0; b < 5; b++) REQUIRE_OK(AddBatch(s.get(), b));
  Crash(&s);
  s = Open(dir.path(), Opts(Mode::kOff));
  ExpectExactlyOnce(Rows(s), 0, 5);
  REQUIRE(!stdfs::exists(dir.path() + "/wal"), "wal/ removed");
  REQUIRE_OK(s->Close());
}

// A crash at each step of a checkpoint, with rows added by another writer while it runs
// (after the rotation, so they may be flushed too): every row exactly once.
void TestCrashPoints() {
  for (const char* point : {"rotated", "intent", "flushed", "recorded"}) {
    vme::test::TempDir dir;
    StorageOptions o = Opts(Mode::kSync);
    auto s = Open(dir.path(), o);
    for (int b = 0; b < 5; b++) REQUIRE_OK(AddBatch(s.get(), b));
    REQUIRE_OK(s->Flush());
    for (int b = 5; b < 10; b++) REQUIRE_OK(AddBatch(s.get(), b));
    Crash(&s);
    bool armed = true;
    std::shared_ptr<Storage>* self = &s;
    o.wal_crash_point_for_testing = [&](std::string_view p) -> Status {
      if (!armed) return Status::OK();
      if (p == "rotated") {
        // Another writer adds batches 10..14 now: they are in raw rows when the flush runs.
        std::thread t([&] {
          for (int b = 10; b < 15; b++) REQUIRE_OK(AddBatch(self->get(), b));
        });
        t.join();
      }
      if (p == point) {
        armed = false;
        return Status::Internal(std::string("crash at ") + point);
      }
      return Status::OK();
    };
    s = Open(dir.path(), o);  // replays 5..9 (its own checkpoint passes no crash point)
    Status st = s->Flush();
    REQUIRE_EQ(st.code(), Code::kInternal);
    for (int b = 15; b < 20; b++) REQUIRE_OK(AddBatch(s.get(), b));
    Crash(&s);
    s = Open(dir.path(), Opts(Mode::kSync));
    ExpectExactlyOnce(Rows(s), 0, 20);
    REQUIRE_OK(s->Close());
    s = Open(dir.path(), Opts(Mode::kSync));
    ExpectExactlyOnce(Rows(s), 0, 20);
    REQUIRE_OK(s->Close());
  }
}

// A checkpoint removes the segments before its rotation; wal_max_bytes forces checkpoints.
void TestSegmentRemovalAndMaxBytes() {
  vme::test::TempDir dir;
  StorageOptions o = Opts(Mode::kAsync);
  o.wal_max_bytes = 64 << 10;  // segments of 16 KiB
  auto s = Open(dir.path(), o);
  REQUIRE_EQ(Segments(dir.path()).size(), size_t{1});
  for (int b = 0; b < 8; b++) REQUIRE_OK(AddBatch(s.get(), b, 200));
  REQUIRE(Segments(dir.path()).size() > 1, "rotated by size: %zu segments, %f bytes",
          Segments(dir.path()).size(), Stat(s, "wal_bytes"));
  REQUIRE(Stat(s, "wal_checkpoints") == 0, "below wal_max_bytes");
  const double before = Stat(s, "rows");
  REQUIRE_OK(s->Flush());
  REQUIRE_EQ(Segments(dir.path()).size(), size_t{1});  // the new, empty one
  REQUIRE_EQ(Stat(s, "wal_segments"), 1.0);
  REQUIRE_EQ(Stat(s, "wal_bytes"), 0.0);
  REQUIRE(Stat(s, "rows") > before, "flushed");
  for (int b = 8; b < 200; b++) {
    REQUIRE_OK(AddBatch(s.get(), b, 200));
    // Never much more than wal_max_bytes: one segment and one batch of slack.
    REQUIRE(Stat(s, "wal_bytes") <= (64 << 10) + (16 << 10) + 8000, "wal_bytes %f",
            Stat(s, "wal_bytes"));
  }
  REQUIRE(Stat(s, "wal_checkpoints") > 1, "forced checkpoints");
  Crash(&s);
  s = Open(dir.path(), o);
  ExpectExactlyOnce(Rows(s), 0, 200, 200);
  REQUIRE_OK(s->Close());
  REQUIRE(Segments(dir.path()).empty(), "a clean close leaves no segment");
}

void TestDeleteNotResurrected() {
  vme::test::TempDir dir;
  auto s = Open(dir.path(), Opts(Mode::kSync));
  // The series must be in the index to be found by the deletion: batches 0..4 are flushed,
  // batches 5..9 of the deleted series are only in the log and raw rows.
  for (int b = 0; b < 10; b++) {
    REQUIRE_OK(AddBatch(s.get(), b, 10, "a"));
    REQUIRE_OK(AddBatch(s.get(), b, 10, "s"));
    if (b == 4) REQUIRE_OK(s->Flush());
  }
  SearchQuery q;
  REQUIRE_OK(vme::storage::ParseSelector("walt{id=~\"a.*\"}", &q.filters));
  uint64_t deleted = 0;
  REQUIRE_OK(s->DeleteSeries(q, &deleted));
  REQUIRE_EQ(deleted, uint64_t{10});
  for (int b = 10; b < 13; b++) REQUIRE_OK(AddBatch(s.get(), b, 10, "s"));
  Crash(&s);
  s = Open(dir.path(), Opts(Mode::kSync));
  auto rows = Rows(s);
  for (const auto& [k, n] : rows)
    REQUIRE(k.first[0] == 's', "deleted series %s back", k.first.c_str());
  ExpectExactlyOnce(rows, 0, 13, 10, "s");
  REQUIRE_OK(s->Close());
}

// Names, sizes and modification times of every file under dir.
std::map<std::string, std::pair<uintmax_t, int64_t>> Tree(const std::string& dir) {
  std::map<std::string, std::pair<uintmax_t, int64_t>> out;
  for (const auto& e : stdfs::recursive_directory_iterator(dir)) {
    struct stat st;
    REQUIRE(::lstat(e.path().c_str(), &st) == 0, "stat");
    out[e.path().string()] = {e.is_regular_file() ? e.file_size() : 0,
                              int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec};
  }
  return out;
}

void TestReadOnlyWritesNothing() {
  vme::test::TempDir dir;
  auto s = Open(dir.path(), Opts(Mode::kSync));
  for (int b = 0; b < 3; b++) REQUIRE_OK(AddBatch(s.get(), b));
  REQUIRE_OK(s->Flush());
  for (int b = 3; b < 6; b++) REQUIRE_OK(AddBatch(s.get(), b));
  Crash(&s);
  const auto before = Tree(dir.path());
  StorageOptions o = Opts(Mode::kSync);
  o.read_only = true;
  std::vector<std::string> lines;
  o.log = [&](std::string_view l) { lines.emplace_back(l); };
  s = Open(dir.path(), o);
  auto rows = Rows(s);
  ExpectExactlyOnce(rows, 0, 3);
  REQUIRE_EQ(rows.size(), size_t{60});  // the rows only in the log are not visible
  REQUIRE_OK(s->Close());
  s.reset();
  REQUIRE(before == Tree(dir.path()), "the read-only open changed the directory");
  REQUIRE(lines.size() == 1 && lines[0].find("not replayed") != std::string::npos, "log line");
  s = Open(dir.path(), Opts(Mode::kSync));
  ExpectExactlyOnce(Rows(s), 0, 6);
  REQUIRE_OK(s->Close());
}

std::string OnlySegment(const std::string& dir) {
  auto segs = Segments(dir);
  REQUIRE_EQ(segs.size(), size_t{1});
  return dir + "/wal/" + segs[0];
}

void TestCorruptRecords() {
  vme::test::TempDir dir;
  auto s = Open(dir.path(), Opts(Mode::kSync));
  std::vector<uintmax_t> ends;
  for (int b = 0; b < 3; b++) {
    REQUIRE_OK(AddBatch(s.get(), b));
    ends.push_back(stdfs::file_size(OnlySegment(dir.path())));
  }
  Crash(&s);
  const std::string seg = OnlySegment(dir.path());
  {  // flip a byte inside the second record
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(ends[0] + 30));
    char c;
    f.seekg(static_cast<std::streamoff>(ends[0] + 30));
    f.get(c);
    f.seekp(static_cast<std::streamoff>(ends[0] + 30));
    f.put(static_cast<char>(c ^ 0x10));
  }
  auto r = Storage::Open(dir.path(), Opts(Mode::kSync));
  REQUIRE_EQ(r.status().code(), Code::kCorruption);
  const std::string& m = r.status().message();
  REQUIRE(m.find(seg) != std::string::npos &&
              m.find("offset " + std::to_string(ends[0])) != std::string::npos,
          "%s", m.c_str());
  StorageOptions o = Opts(Mode::kSync);
  o.wal_recovery = vme::storage::WalRecovery::kSkipCorrupt;
  s = Open(dir.path(), o);
  auto rows = Rows(s);
  REQUIRE_EQ(Stat(s, "wal_skipped_corrupt_records"), 1.0);
  ExpectExactlyOnce(rows, 0, 1);
  ExpectExactlyOnce(rows, 2, 3);
  REQUIRE_EQ(rows.size(), size_t{40});
  REQUIRE_OK(s->Close());
}

void TestTornTailCut() {
  vme::test::TempDir dir;
  auto s = Open(dir.path(), Opts(Mode::kSync));
  for (int b = 0; b < 3; b++) REQUIRE_OK(AddBatch(s.get(), b));
  Crash(&s);
  const std::string seg = OnlySegment(dir.path());
  const uintmax_t size = stdfs::file_size(seg);
  stdfs::resize_file(seg, size - 7);  // the last record loses its end
  StorageOptions o = Opts(Mode::kSync);
  std::vector<std::string> lines;
  o.log = [&](std::string_view l) { lines.emplace_back(l); };
  s = Open(dir.path(), o);
  auto rows = Rows(s);
  ExpectExactlyOnce(rows, 0, 2);
  REQUIRE_EQ(rows.size(), size_t{40});
  REQUIRE_EQ(Stat(s, "wal_torn_tails_cut"), 1.0);
  REQUIRE(lines.size() == 1 && lines[0].find(seg) != std::string::npos &&
              lines[0].find("torn tail at offset") != std::string::npos,
          "log: %s", lines.empty() ? "" : lines[0].c_str());
  REQUIRE_OK(s->Close());
}

void TestSyncFailure() {
  vme::test::TempDir dir;
  StorageOptions o = Opts(Mode::kSync);
  std::atomic<int> fail{0};  // 1: the next sync fails; 2: the next write fails
  o.wal_fault_for_testing = [&](std::string_view op) -> Status {
    if (op == "sync" && fail.load() == 1) return Status::IoError("injected EIO");
    if (op == "write" && fail.load() == 2) return Status::IoError("injected ENOSPC");
    return Status::OK();
  };
  auto s = Open(dir.path(), o);
  REQUIRE_OK(AddBatch(s.get(), 0));
  fail = 1;
  Status st = AddBatch(s.get(), 1);  // written, not synced: not acknowledged
  REQUIRE_EQ(st.code(), Code::kIo);
  REQUIRE(st.message().find("/wal/0000000000000001: sync failed") != std::string::npos, "%s",
          st.message().c_str());
  fail = 0;
  REQUIRE_OK(AddBatch(s.get(), 2));  // resumes, in a new segment
  REQUIRE_EQ(Segments(dir.path()).size(), size_t{2});
  fail = 2;
  st = AddBatch(s.get(), 3);
  REQUIRE_EQ(st.code(), Code::kIo);
  REQUIRE(st.message().find("/wal/0000000000000002: append failed") != std::string::npos, "%s",
          st.message().c_str());
  fail = 0;
  REQUIRE_OK(AddBatch(s.get(), 4));
  Crash(&s);
  s = Open(dir.path(), Opts(Mode::kSync));
  auto rows = Rows(s);
  ExpectExactlyOnce(rows, 0, 1);
  ExpectExactlyOnce(rows, 2, 3);
  ExpectExactlyOnce(rows, 4, 5);
  for (const auto& [k, n] : rows) {
    REQUIRE(k.second != kT0 + 3000, "a row of the failed append is present");
    REQUIRE(n == 1, "duplicate");
  }
  REQUIRE_OK(s->Close());
}

// The file-system fault layer (util/fault_injection.h) reaches the log's files: ENOSPC and a
// short write on the append, EIO on the fdatasync, each fail the call with an IoError naming
// the segment and the OS error; nothing of a failed append survives a crash, and writes
// resume once the fault is gone.
void TestFsFaultsReachTheLog() {
  namespace fault = vme::fault;
  vme::test::TempDir dir;
  auto s = Open(dir.path(), Opts(Mode::kSync));
  REQUIRE_OK(AddBatch(s.get(), 0));
  const struct {
    fault::Op op;
    fault::Effect effect;
    const char* text;
  } cases[] = {{fault::Op::kWrite, fault::Effect::kEnospc, "No space left on device"},
               {fault::Op::kWrite, fault::Effect::kShortWrite, "No space left on device"},
               {fault::Op::kSync, fault::Effect::kEio, "Input/output error"}};
  int b = 1;
  for (const auto& c : cases) {
    fault::Rule rule;
    rule.op = c.op;
    rule.path_contains = "/wal/";
    rule.effect = c.effect;
    Status st;
    {
      fault::ScopedRule armed(rule);
      st = AddBatch(s.get(), b++);
      REQUIRE(armed.injected() > 0, "the rule for %s never fired", fault::OpName(c.op));
    }
    REQUIRE_EQ(st.code(), Code::kIo);
    REQUIRE(st.message().find("/wal/") != std::string::npos, "%s", st.message().c_str());
    REQUIRE(st.message().find(c.text) != std::string::npos, "%s", st.message().c_str());
    REQUIRE_OK(AddBatch(s.get(), b++));  // the fault is gone: writes resume
  }
  Crash(&s);
  s = Open(dir.path(), Opts(Mode::kSync));
  auto rows = Rows(s);
  ExpectExactlyOnce(rows, 0, 1);
  for (int ok = 2; ok < b; ok += 2) ExpectExactlyOnce(rows, ok, ok + 1);
  for (const auto& [k, n] : rows) {
    const int64_t batch = (k.second - kT0) / 1000;
    REQUIRE(batch % 2 == 0 || batch == 5, "a row of the failed append %lld is present",
            static_cast<long long>(batch));
    REQUIRE(n == 1, "duplicate");
  }
  REQUIRE_OK(s->Close());
}

// 4 writers, one fdatasync for the first and one for the other three: the first sync waits
// (fault hook) until all four have appended, so the second covers the three others.
void TestGroupCommit() {
  vme::test::TempDir dir;
  StorageOptions o = Opts(Mode::kSync);
  std::mutex mu;
  std::condition_variable cv;
  int writes = 0, syncs = 0;
  o.wal_fault_for_testing = [&](std::string_view op) -> Status {
    std::unique_lock<std::mutex> l(mu);
    if (op == "write") {
      writes++;
      cv.notify_all();
    } else if (op == "sync" && syncs++ == 0) {
      cv.notify_all();
      cv.wait(l, [&] { return writes >= 4; });
    }
    return Status::OK();
  };
  auto s = Open(dir.path(), o);
  const double syncs_before = Stat(s, "wal_syncs");
  std::vector<std::thread> threads;
  threads.emplace_back([&] { REQUIRE_OK(AddBatch(s.get(), 0, 20, "s")); });
  {  // the first writer is the leader, held in its sync: then the three others start
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return syncs >= 1; });
  }
  for (int w = 1; w < 4; w++) {
    threads.emplace_back([&, w] { REQUIRE_OK(AddBatch(s.get(), w, 20, "s")); });
  }
  for (auto& t : threads) t.join();
  REQUIRE_EQ(Stat(s, "wal_syncs") - syncs_before, 2.0);
  Crash(&s);
  s = Open(dir.path(), Opts(Mode::kSync));
  ExpectExactlyOnce(Rows(s), 0, 4);
  REQUIRE_OK(s->Close());
}

// A background round checkpoints instead of flushing in-memory parts by age.
void TestBackgroundRoundCheckpoints() {
  vme::test::TempDir dir;
  auto s = Open(dir.path(), Opts(Mode::kSync));
  for (int b = 0; b < 5; b++) REQUIRE_OK(AddBatch(s.get(), b));
  REQUIRE_OK(s->RunBackgroundOnce());
  REQUIRE_EQ(Stat(s, "wal_checkpoints"), 1.0);
  REQUIRE_EQ(Stat(s, "rows"), 100.0);
  REQUIRE_EQ(Stat(s, "wal_bytes"), 0.0);
  for (int b = 5; b < 8; b++) REQUIRE_OK(AddBatch(s.get(), b));
  Crash(&s);
  s = Open(dir.path(), Opts(Mode::kSync));
  REQUIRE_EQ(Stat(s, "wal_replayed_rows"), 60.0);
  ExpectExactlyOnce(Rows(s), 0, 8);
  REQUIRE_OK(s->Close());
}

// Writers race checkpoints (background work on, and Flush from another thread): after a crash
// every acknowledged row is there once. No timing is asserted.
void TestWritersRaceCheckpoints() {
  vme::test::TempDir dir;
  StorageOptions o = Opts(Mode::kSync);
  o.background = true;
  o.raw_rows_flush_interval_ms = 1;
  o.inmemory_parts_flush_interval_ms = 2;
  auto s = Open(dir.path(), o);
  std::vector<std::thread> threads;
  for (int w = 0; w < 3; w++) {
    threads.emplace_back([&, w] {
      for (int b = 0; b < 40; b++)
        REQUIRE_OK(AddBatch(s.get(), b, 10, std::string("w") + char('a' + w)));
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 10; i++) REQUIRE_OK(s->Flush());
  });
  for (auto& t : threads) t.join();
  Crash(&s);
  s = Open(dir.path(), Opts(Mode::kSync));
  auto rows = Rows(s);
  for (int w = 0; w < 3; w++) ExpectExactlyOnce(rows, 0, 40, 10, std::string("w") + char('a' + w));
  REQUIRE_EQ(rows.size(), size_t{1200});
  REQUIRE_OK(s->Close());
}

// The C API keys: valid values are accepted, others are VME_ERR_INVALID_ARGUMENT naming the
// key; a db opened with wal_mode=sync through the C API has a log.
void TestOptionKeys() {
  vme_options* o = vme_options_create();
  for (const auto& [k, v] :
       std::vector<std::pair<const char*, const char*>>{{"wal_mode", "off"},
                                                        {"wal_mode", "async"},
                                                        {"wal_mode", "sync"},
                                                        {"wal_sync_interval_ms", "250"},
                                                        {"wal_max_bytes", "1048576"},
                                                        {"wal_recovery", "skip_corrupt"},
                                                        {"wal_recovery", "strict"}}) {
    REQUIRE(vme_options_set(o, k, v, nullptr) == VME_OK, "%s=%s", k, v);
  }
  for (const auto& [k, v] :
       std::vector<std::pair<const char*, const char*>>{{"wal_mode", "on"},
                                                        {"wal_sync_interval_ms", "0"},
                                                        {"wal_max_bytes", "1000"},
                                                        {"wal_recovery", "skip"}}) {
    vme_error* e = nullptr;
    REQUIRE(vme_options_set(o, k, v, &e) == VME_ERR_INVALID_ARGUMENT, "%s=%s", k, v);
    REQUIRE(std::string(vme_error_message(e)).find(k) != std::string::npos, "%s",
            vme_error_message(e));
    vme_error_free(e);
  }
  REQUIRE(vme_options_set(o, "wal_mode", "sync", nullptr) == VME_OK, "sync");
  vme::test::TempDir dir;
  vme_db* db = nullptr;
  REQUIRE(vme_open(dir.path().c_str(), o, &db, nullptr) == VME_OK, "open");
  REQUIRE(stdfs::is_directory(dir.path() + "/wal"), "wal/ created");
  REQUIRE(vme_close(db, nullptr) == VME_OK, "close");
  vme_options_destroy(o);
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestSyncReplayAfterCrash), VME_TEST(TestOffReplaysLeftoverLog),
       VME_TEST(TestCrashPoints), VME_TEST(TestSegmentRemovalAndMaxBytes),
       VME_TEST(TestDeleteNotResurrected), VME_TEST(TestReadOnlyWritesNothing),
       VME_TEST(TestCorruptRecords), VME_TEST(TestTornTailCut), VME_TEST(TestSyncFailure),
       VME_TEST(TestFsFaultsReachTheLog), VME_TEST(TestGroupCommit),
       VME_TEST(TestBackgroundRoundCheckpoints), VME_TEST(TestWritersRaceCheckpoints),
       VME_TEST(TestOptionKeys)},
      argc, argv);
}
