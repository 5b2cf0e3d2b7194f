// The child of the kill -9 loop (docs/fault-loops.md): opens a data directory with the given
// wal_mode and ingests the batches of kill_scheme.h from one or more writer threads until it is
// killed. After every vme_add_rows that returned VME_OK it appends to <log>/acks.log, with one
// write(2), the line
//     A <writer> <batch> <rows> <ack sequence> <ack time, CLOCK_REALTIME ns>
// Other lines: "O <ns>" once vme_open returned, and (maintenance thread) "F <ack sequence read
// before the call> <start ns> <end ns>" after each vme_flush that returned VME_OK: every batch
// whose ack sequence is at most the first figure was acknowledged before vme_flush started.
// A maintenance thread meanwhile force-merges, creates and deletes snapshots, and adds and
// deletes series of the metric fault_victim, which the checker ignores; it runs one action per
// 1-32 acknowledged batches (per 100 with --measure), so the interleaving follows progress,
// not time.
//
// Usage: fault_kill_child --db DIR --log DIR --wal-mode off|async|sync --writers N
//            --iteration I --seed S [--pace-us N] [--measure]
//        fault_kill_child --probe --wal-mode MODE   (exit 0 if the engine has the mode)
// --measure keeps the default flush intervals and never flushes (no vme_flush, force merge or
// snapshot, which flush too), to measure the whole loss window of "off" and "async".
// Exit codes (it should only ever be killed): 2 usage, 3 open failed, 4 vme_add_rows failed,
// 5 a maintenance call failed, 6 a log write failed.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include "kill_scheme.h"

namespace {

using namespace fault;        // NOLINT
using namespace fault::kill;  // NOLINT

struct Child {
  vme_db* db = nullptr;
  int ack_fd = -1;
  int64_t iteration = 0;
  int writers = 1;
  uint64_t seed = 0;
  int64_t pace_us = 0;
  bool measure = false;
  // Acknowledged batches so far; the maintenance thread paces itself on it (AwaitAcks).
  std::mutex ack_mu;
  std::condition_variable ack_cv;
  uint64_t ack_seq = 0;           // under ack_mu
  std::vector<std::string> keys;  // packed key of each fault_rows series
};

void Writer(Child* c, int w) {
  std::mt19937_64 rng(Hash(c->seed, c->iteration, w, 3));
  std::string keys;
  std::vector<uint32_t> offsets;
  std::vector<int64_t> ts;
  std::vector<double> values;
  const int64_t max_batches = MaxBatches(c->writers);
  for (int64_t b = 0; b < max_batches; b++) {
    const int rows = Rows(c->iteration, w, b);
    const int start = Start(c->iteration, w, b);
    const int64_t t = Ts(c->iteration, c->writers, w, b);
    const int64_t slot = Slot(c->writers, w, b);
    keys.clear();
    offsets.assign(1, 0);
    ts.clear();
    values.clear();
    for (int k = 0; k < rows; k++) {
      const int s = (start + k) % kSeries;
      keys += c->keys[s];
      offsets.push_back(static_cast<uint32_t>(keys.size()));
      ts.push_back(t);
      values.push_back(Value(c->iteration, slot, s));
    }
    vme_add_result res{};
    vme_error* err = nullptr;
    const vme_status st =
        vme_add_rows(c->db, reinterpret_cast<const uint8_t*>(keys.data()), keys.size(),
                     offsets.data(), ts.data(), values.data(), rows, &res, &err);
    if (st != VME_OK)
      Die(4, Format("writer %d batch %lld: ", w, static_cast<long long>(b)) + TakeError(st, err));
    if (res.rows_added != static_cast<uint64_t>(rows)) {
      Die(4, Format("writer %d batch %lld: %llu of %d rows added", w, static_cast<long long>(b),
                    static_cast<unsigned long long>(res.rows_added), rows));
    }
    uint64_t seq = 0;
    {
      std::lock_guard<std::mutex> l(c->ack_mu);
      seq = ++c->ack_seq;
    }
    c->ack_cv.notify_one();
    WriteLine(c->ack_fd,
              Format("A %d %lld %d %llu %lld\n", w, static_cast<long long>(b), rows,
                     static_cast<unsigned long long>(seq), static_cast<long long>(NowNs())));
    // --pace-us only spreads the batches (fewer rows per iteration for the checker to read):
    // no check depends on it, every check is on the acknowledgements.
    if (c->pace_us > 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % c->pace_us));
    }
  }
  // Out of batches: wait to be killed.
  while (true) pause();
}

// Takes err by address: it is read after the call that filled it has run.
void Check(vme_status st, vme_error** err, const char* what) {
  if (st != VME_OK) Die(5, std::string(what) + ": " + TakeError(st, *err));
}

// Adds a few rows of fault_victim series, then deletes every fault_victim series.
void VictimRound(Child* c, std::mt19937_64* rng) {
  std::string keys;
  std::vector<uint32_t> offsets{0};
  std::vector<int64_t> ts;
  std::vector<double> values;
  const int n = 1 + static_cast<int>((*rng)() % 50);
  for (int i = 0; i < n; i++) {
    keys += PackKey({{"__name__", kVictimMetric}, {"v", std::to_string((*rng)() % 64)}});
    offsets.push_back(static_cast<uint32_t>(keys.size()));
    ts.push_back(kBaseTs + c->iteration * kIterSpanMs +
                 static_cast<int64_t>((*rng)() % static_cast<uint64_t>(kIterSpanMs)));
    values.push_back(static_cast<double>(i));
  }
  vme_error* err = nullptr;
  Check(vme_add_rows(c->db, reinterpret_cast<const uint8_t*>(keys.data()), keys.size(),
                     offsets.data(), ts.data(), values.data(), n, nullptr, &err),
        &err, "vme_add_rows (fault_victim)");
  if ((*rng)() % 2 == 0) return;  // sometimes the victims live on until the next round
  vme_query* q = vme_query_create(0, INT64_MAX);
  if (q == nullptr) Die(5, "vme_query_create failed");
  err = nullptr;
  Check(vme_query_add_matcher(q, VME_MATCH_EQ, "__name__", 8, kVictimMetric,
                              std::strlen(kVictimMetric), &err),
        &err, "vme_query_add_matcher");
  uint64_t deleted = 0;
  err = nullptr;
  const vme_status st = vme_delete_series(c->db, q, &deleted, &err);
  vme_query_destroy(q);
  Check(st, &err, "vme_delete_series");
}

// Returns once the writers have acknowledged n more batches: maintenance interleaves with the
// writers by progress, not by time, so its share of the work is the same on any machine.
void AwaitAcks(Child* c, uint64_t n) {
  std::unique_lock<std::mutex> l(c->ack_mu);
  const uint64_t target = c->ack_seq + n;
  c->ack_cv.wait(l, [&] { return c->ack_seq >= target; });
}

uint64_t AckSeq(Child* c) {
  std::lock_guard<std::mutex> l(c->ack_mu);
  return c->ack_seq;
}

void Maintenance(Child* c) {
  std::mt19937_64 rng(Hash(c->seed, c->iteration, 99, 4));
  std::deque<std::string> snapshots;
  while (true) {
    const uint64_t action = c->measure ? 0 : rng() % 5;
    vme_error* err = nullptr;
    switch (action) {
      case 0:
        VictimRound(c, &rng);
        break;
      case 1:
        Check(vme_force_merge(c->db, nullptr, &err), &err, "vme_force_merge");
        break;
      case 2: {
        char* name = nullptr;
        Check(vme_snapshot_create(c->db, &name, &err), &err, "vme_snapshot_create");
        snapshots.emplace_back(name);
        vme_free(name);
        break;
      }
      case 3:
        if (!snapshots.empty()) {
          Check(vme_snapshot_delete(c->db, snapshots.front().c_str(), &err), &err,
                "vme_snapshot_delete");
          snapshots.pop_front();
        }
        break;
      case 4: {
        const uint64_t before = AckSeq(c);
        const int64_t start = NowNs();
        Check(vme_flush(c->db, &err), &err, "vme_flush");
        WriteLine(c->ack_fd,
                  Format("F %llu %lld %lld\n", static_cast<unsigned long long>(before),
                         static_cast<long long>(start), static_cast<long long>(NowNs())));
        break;
      }
    }
    AwaitAcks(c, c->measure ? 100 : 1 + rng() % 32);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Args args(argc, argv, 1, {"measure", "probe"});
  if (args.Has("probe")) {
    // Only checks that the engine accepts the options: exit 0 if so, 2 with the message if not.
    vme_options* opts = vme_options_create();
    SetWalMode(opts, args.Get("wal-mode"));
    vme_options_destroy(opts);
    return 0;
  }
  Child c;
  c.iteration = args.Int("iteration");
  c.writers = static_cast<int>(args.Int("writers"));
  c.seed = static_cast<uint64_t>(args.Int("seed"));
  c.pace_us = args.Int("pace-us", "0");
  c.measure = args.Has("measure");
  if (c.writers < 1 || c.writers > 16) Die(2, "--writers must be 1..16");
  const std::string mode = args.Get("wal-mode");
  c.ack_fd = OpenAppend(args.Get("log") + "/acks.log");
  for (int s = 0; s < kSeries; s++)
    c.keys.push_back(PackKey({{"__name__", kMetric}, {"s", SeriesId(s)}}));

  vme_options* opts = vme_options_create();
  if (opts == nullptr) Die(3, "vme_options_create failed");
  SetWalMode(opts, mode);
  if (!c.measure) {
    for (const auto& [k, v] : std::vector<std::pair<const char*, const char*>>{
             {"raw_rows_flush_interval_ms", "20"}, {"inmemory_parts_flush_interval_ms", "100"}}) {
      const std::string e = SetOption(opts, k, v);
      if (!e.empty()) Die(2, std::string("option ") + k + ": " + e);
    }
  }
  vme_error* err = nullptr;
  const vme_status st = vme_open(args.Get("db").c_str(), opts, &c.db, &err);
  vme_options_destroy(opts);
  if (st != VME_OK) Die(3, "vme_open: " + TakeError(st, err));
  WriteLine(c.ack_fd, Format("O %lld\n", static_cast<long long>(NowNs())));

  std::vector<std::thread> threads;
  for (int w = 0; w < c.writers; w++) threads.emplace_back(Writer, &c, w);
  threads.emplace_back(Maintenance, &c);
  for (auto& t : threads) t.join();  // never returns: the driver kills the process
  return 0;
}
