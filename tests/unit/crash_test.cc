// Crash safety (txn replay of docs/format.md, "Transaction files"; docs/architecture.md,
// "Durability"): a child process ingests with short flush intervals and background merges,
// acknowledging every batch made durable by vme_flush through a pipe; the parent kills it with
// SIGKILL at a random moment, then reopens the directory. After every kill: open succeeds, every
// acknowledged row is present exactly once, no (series, ts) appears twice, and every tmp/ and txn/
// directory (data partitions and indexdb tables) is empty. The iterations share one directory, so
// recovery after recovery is exercised.
//
// The child is this executable re-run (fork + exec of /proc/self/exe) with --crash-child, so it
// starts with a clean process state.
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "capi_test_util.h"
#include "test_util.h"

namespace {

using namespace vme::test;  // NOLINT

constexpr int kSeries = 100;
constexpr int kFlushEvery = 5;  // batches between vme_flush calls (K)
constexpr int kIterations = 15;
// Batch b has timestamp kT0 + b * 1000; iteration i numbers its batches from i * kBatchSpan,
// so iterations use disjoint timestamps and the later ones cross into February.
constexpr int64_t kBatchSpan = 200000;
constexpr int64_t kMaxBatchesPerRun = 150000;

Labels SeriesLabels(int s) { return {{"__name__", "crash_series"}, {"s", Format("%03d", s)}}; }
double SampleValue(int64_t batch, int s) { return static_cast<double>(batch * 1000 + s); }
int64_t BatchTs(int64_t batch) { return kT0 + batch * 1000; }

// ---- child -----------------------------------------------------------------------------------

[[noreturn]] void ChildFail(const std::string& what, int code) {
  std::fprintf(stderr, "crash child: %s\n", what.c_str());
  std::fflush(stderr);
  _exit(code);
}

void ChildLoop(const std::string& dir, int fd, int64_t first);

// The child's checks fail through check.h: report the failure and exit with status 3.
int ChildMain(const std::string& dir, int fd, int64_t first) {
  vme::test::TestThread() = std::this_thread::get_id();
  try {
    ChildLoop(dir, fd, first);
  } catch (const vme::test::Failure& f) {
    ChildFail(f.message, 3);
  }
  return 0;
}

void ChildLoop(const std::string& dir, int fd, int64_t first) {
  DbPtr db;
  std::string e = OpenDb(
      dir, {{"raw_rows_flush_interval_ms", "10"}, {"inmemory_parts_flush_interval_ms", "50"}}, &db);
  if (!e.empty()) ChildFail(e, 3);
  const int64_t ready = -1;
  if (write(fd, &ready, sizeof ready) != static_cast<ssize_t>(sizeof ready)) ChildFail("write", 6);
  std::vector<std::string> keys;
  for (int s = 0; s < kSeries; s++) keys.push_back(PackKey(SeriesLabels(s)));
  RowBatch batch;
  for (int64_t b = first; b < first + kMaxBatchesPerRun; b++) {
    batch.Clear();
    for (int s = 0; s < kSeries; s++) batch.Add(keys[s], BatchTs(b), SampleValue(b, s));
    e = AddBatchAllAccepted(db.get(), batch);
    if (!e.empty()) ChildFail(e, 4);
    if ((b - first + 1) % kFlushEvery == 0) {
      vme_error* err = nullptr;
      if (vme_flush(db.get(), &err) != VME_OK) ChildFail(vme_error_message(err), 5);
      if (write(fd, &b, sizeof b) != static_cast<ssize_t>(sizeof b)) ChildFail("write", 6);
    }
  }
  // Out of batches: wait to be killed.
  while (true) pause();
}

// ---- parent ----------------------------------------------------------------------------------

struct Run {
  int64_t first;
  int64_t last_acked;  // first - 1 if nothing was acknowledged
};

// Starts a child on dir numbering batches from `first`, kills it delay_ms after it reported
// that vme_open succeeded (or, with during_open, delay_ms after the fork, usually while it opens
// and recovers) and returns the last acknowledged batch.
std::string RunAndKill(const std::string& dir, int64_t first, int delay_ms, bool during_open,
                       Run* run) {
  int fds[2];
  REQUIRE(pipe(fds) == 0, "pipe: %s", std::strerror(errno));
  const std::string fd_arg = std::to_string(fds[1]);
  const std::string first_arg = std::to_string(first);
  const char* argv[] = {"crash_test",   "--crash-child",   dir.c_str(),
                        fd_arg.c_str(), first_arg.c_str(), nullptr};
  const pid_t pid = fork();
  REQUIRE(pid >= 0, "fork: %s", std::strerror(errno));
  if (pid == 0) {
    close(fds[0]);
    execv("/proc/self/exe", const_cast<char* const*>(argv));
    _exit(127);
  }
  close(fds[1]);
  run->first = first;
  run->last_acked = first - 1;
  std::string bad;
  bool opened = false;
  auto read_one = [&](int64_t* b) {
    while (true) {
      const ssize_t n = read(fds[0], b, sizeof *b);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      if (n != static_cast<ssize_t>(sizeof *b)) {
        bad = "short read from the pipe";
        return false;
      }
      return true;
    }
  };
  auto take = [&](int64_t b) {
    if (b == -1) {
      opened = true;
    } else {
      if (b <= run->last_acked) bad = Format("acknowledgements out of order: %" PRId64, b);
      run->last_acked = b;
    }
  };
  if (!during_open) {
    // The ready marker is the first message; a child that dies first closes the pipe.
    int64_t b;
    if (read_one(&b)) take(b);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  for (int64_t b; read_one(&b);) take(b);
  close(fds[0]);
  REQUIRE(bad.empty(), "%s", bad.c_str());
  REQUIRE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
          "the child ended by itself before the kill (status %d, exit code %d); see its stderr",
          status, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  REQUIRE(opened || during_open, "the child never reported a successful vme_open");
  return "";
}

std::string CheckEmptyDir(const std::string& d) {
  const auto names = ListDir(d);
  REQUIRE(names.empty(), "%s is not empty after open: %zu entries, first %s", d.c_str(),
          names.size(), names.empty() ? "" : names[0].c_str());
  return "";
}

std::string CheckNoLeftovers(const std::string& dir) {
  for (const char* side : {"small", "big"}) {
    for (const auto& p : ListDir(dir + "/data/" + side)) {
      if (p == "snapshots") continue;
      const std::string pd = dir + "/data/" + side + "/" + p;
      if (!fs::is_directory(pd)) continue;
      RETURN_IF_FAILED(CheckEmptyDir(pd + "/tmp"));
      RETURN_IF_FAILED(CheckEmptyDir(pd + "/txn"));
    }
  }
  const auto gens = IndexdbGenerations(dir);
  REQUIRE(gens.size() == 2, "indexdb/ has %zu generations after open, want 2", gens.size());
  for (const auto& g : gens) {
    RETURN_IF_FAILED(CheckEmptyDir(dir + "/indexdb/" + g + "/tmp"));
    RETURN_IF_FAILED(CheckEmptyDir(dir + "/indexdb/" + g + "/txn"));
  }
  return "";
}

// Every row present is a row some child wrote (right value, right series) and appears once;
// every acknowledged row is present.
std::string CheckRows(vme_db* db, const std::vector<Run>& runs, const std::string& what) {
  std::unordered_map<std::string, int> series;
  for (int s = 0; s < kSeries; s++) series[SeriesName(SeriesLabels(s))] = s;
  std::vector<Row> rows;
  RETURN_IF_FAILED(ExportAll(db, &rows));
  std::map<std::pair<int, int64_t>, int> seen;
  for (const Row& r : rows) {
    auto it = series.find(r.metric);
    REQUIRE(it != series.end(), "%s: unexpected series %s", what.c_str(), r.metric.c_str());
    REQUIRE((r.ts - kT0) % 1000 == 0, "%s: unexpected timestamp in %s", what.c_str(),
            r.ToString().c_str());
    const int64_t b = (r.ts - kT0) / 1000;
    REQUIRE(r.bits == DoubleBits(SampleValue(b, it->second)), "%s: wrong value in %s", what.c_str(),
            r.ToString().c_str());
    bool written = false;
    for (const Run& run : runs) written |= b >= run.first && b < run.first + kMaxBatchesPerRun;
    REQUIRE(written, "%s: a row no child wrote: %s", what.c_str(), r.ToString().c_str());
    const int n = ++seen[{it->second, r.ts}];
    REQUIRE(n == 1, "%s: duplicate row %s", what.c_str(), r.ToString().c_str());
  }
  size_t acked = 0;
  for (const Run& run : runs) {
    for (int64_t b = run.first; b <= run.last_acked; b++) {
      for (int s = 0; s < kSeries; s++) {
        REQUIRE(seen.count({s, BatchTs(b)}) == 1,
                "%s: acknowledged row lost: series %d batch %" PRId64 " (ts %" PRId64
                "; run from %" PRId64 ", acknowledged up to %" PRId64 ")",
                what.c_str(), s, b, BatchTs(b), run.first, run.last_acked);
        acked++;
      }
    }
  }
  std::printf("%s: %zu rows present, %zu acknowledged\n", what.c_str(), rows.size(), acked);
  return "";
}

std::string CrashLoop() {
  unsigned seed = 20261121;
  if (const char* s = std::getenv("VME_CRASH_SEED")) seed = static_cast<unsigned>(std::atoll(s));
  std::printf("crash_test: seed %u (set VME_CRASH_SEED to repeat another)\n", seed);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay(5, 300);
  std::uniform_int_distribution<int> open_delay(5, 60);

  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  std::vector<Run> runs;
  for (int i = 0; i < kIterations; i++) {
    // Every fifth run is killed early, mostly while it opens (recovery of the previous crash).
    const bool during_open = i % 5 == 3;
    const int d = during_open ? open_delay(rng) : delay(rng);
    Run run;
    RETURN_IF_FAILED(RunAndKill(dir, i * kBatchSpan, d, during_open, &run));
    runs.push_back(run);
    const std::string what =
        Format("iteration %d (killed %d ms after %s, %" PRId64 " batches acknowledged)", i, d,
               during_open ? "the start" : "open", run.last_acked - run.first + 1);
    DbPtr db;
    vme_db* raw = nullptr;
    OptionsPtr opts(vme_options_create());
    REQUIRE(opts != nullptr, "vme_options_create failed");
    REQUIRE_VME(vme_options_set(opts.get(), "background", "0", &err));
    vme_error* err = nullptr;
    const vme_status st = vme_open(dir.c_str(), opts.get(), &raw, &err);
    if (st != VME_OK) {
      std::string m = Format("%s: vme_open after the kill: %s: %s", what.c_str(),
                             vme_status_string(st), vme_error_message(err));
      vme_error_free(err);
      return m;
    }
    db.reset(raw);
    RETURN_IF_FAILED(CheckNoLeftovers(dir));
    RETURN_IF_FAILED(CheckRows(db.get(), runs, what));
    RETURN_IF_FAILED(CloseDb(&db));
  }

  DbPtr db;
  RETURN_IF_FAILED(OpenDb(dir, {}, &db));
  REQUIRE_VME(vme_force_merge(db.get(), nullptr, &err));
  RETURN_IF_FAILED(CheckRows(db.get(), runs, "after force merge"));
  double bg = 0;
  RETURN_IF_FAILED(StatValue(db.get(), "background_errors", &bg));
  REQUIRE(bg == 0, "background_errors = %g", bg);
  RETURN_IF_FAILED(CloseDb(&db));
  RETURN_IF_FAILED(OpenDb(dir, {{"background", "0"}}, &db));
  RETURN_IF_FAILED(CheckNoLeftovers(dir));
  RETURN_IF_FAILED(CheckRows(db.get(), runs, "after force merge and reopen"));
  RETURN_IF_FAILED(CloseDb(&db));
  return "";
}

void TestKillAndRecover() { RUN(CrashLoop()); }

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "--crash-child") {
    return ChildMain(argv[2], std::atoi(argv[3]), std::atoll(argv[4]));
  }
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestKillAndRecover),
  };
  const int rc = vme::test::RunTests(tests, argc, argv);
  vme_library_shutdown();
  return rc;
}
