// The checker of the kill -9 loop (docs/fault-loops.md): reopens a data directory after the
// driver killed fault_kill_child on it, and compares what it holds with what the children of
// the chain acknowledged.
//
// Usage: fault_kill_check --db DIR --wal-mode off|async|sync [--strict-suffix]
//            --run RUNDIR [--run RUNDIR...]
// Each RUNDIR holds one child's files: params ("<iteration> <writers>"), acks.log (see
// fault_kill_child.cc) and kill_ns (the driver's CLOCK_REALTIME ns just before SIGKILL), in
// chain order; the last one is the run just killed. The checker writes RUNDIR/state the first
// time it checks a run, and later checks of the chain require the same state (an acknowledged
// batch lost once must stay lost, a row found once must stay found).
//
// Rules, per run and per writer (batches in order):
//   - vme_open succeeds; every tmp/ and txn/ directory of data partitions and indexdb tables is
//     empty after it;
//   - every row found is one some child wrote (series in its batch, right value), once;
//   - sync: every acknowledged batch is present completely;
//   - async (and off with --strict-suffix): the acknowledged batches not present completely
//     form a suffix; with off, a lost batch followed by a kept one (a hole) is only counted;
//   - off: every batch acknowledged before the start of the last vme_flush that returned
//     (an "F" line) is present.
// Prints one "kill-check:" line of figures for the last run, "VIOLATION:" lines, and exits 1 on
// a violation (2 usage, 3 the reopen failed).
#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "kill_scheme.h"

namespace {

using namespace fault;        // NOLINT
using namespace fault::kill;  // NOLINT

struct Ack {
  int64_t batch = 0;
  int rows = 0;
  uint64_t seq = 0;
  int64_t ns = 0;
};

struct Run {
  std::string dir;
  int64_t iteration = 0;
  int writers = 1;
  bool opened = false;
  int64_t kill_ns = 0;
  std::map<int, std::vector<Ack>> acks;  // per writer, in batch order
  uint64_t flush_guard_seq = 0;          // acks with seq <= this preceded a completed vme_flush
  bool flushed = false;
  // Found on disk: rows per (writer, batch).
  std::map<std::pair<int, int64_t>, int> found;
};

std::vector<std::string> violations;

void Violation(const std::string& m) {
  if (violations.size() < 50) std::printf("VIOLATION: %s\n", m.c_str());
  violations.push_back(m);
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  if (!f) Die(2, "cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Run LoadRun(const std::string& dir) {
  Run r;
  r.dir = dir;
  std::istringstream params(ReadFile(dir + "/params"));
  if (!(params >> r.iteration >> r.writers) || r.writers < 1) Die(2, "bad " + dir + "/params");
  r.kill_ns = std::strtoll(ReadFile(dir + "/kill_ns").c_str(), nullptr, 10);
  std::istringstream in(ReadFile(dir + "/acks.log"));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string tag;
    ls >> tag;
    if (tag == "O") {
      r.opened = true;
    } else if (tag == "A") {
      int w;
      Ack a;
      if (!(ls >> w >> a.batch >> a.rows >> a.seq >> a.ns)) Die(2, "bad ack line: " + line);
      auto& v = r.acks[w];
      if (!v.empty() && v.back().batch >= a.batch) Violation("acks out of order: " + line);
      if (a.rows != Rows(r.iteration, w, a.batch)) Violation("ack with a wrong row count: " + line);
      v.push_back(a);
    } else if (tag == "F") {
      uint64_t seq;
      if (!(ls >> seq)) Die(2, "bad flush line: " + line);
      r.flush_guard_seq = std::max(r.flush_guard_seq, seq);
      r.flushed = true;
    } else if (!line.empty()) {
      // A line cut by the kill cannot happen (one write(2) per line); anything else is a bug.
      Die(2, dir + "/acks.log: unexpected line: " + line);
    }
  }
  return r;
}

// Every tmp/ and txn/ directory of the data partitions and indexdb tables is empty; counts
// leftover "<name>.tmp.<n>" files of atomic writes (ignored by open, as VictoriaMetrics does).
size_t CheckLeftovers(const std::string& db) {
  auto check_empty = [&](const fs::path& d) {
    std::error_code ec;
    if (!fs::is_directory(d, ec)) return;
    for (const auto& e : fs::directory_iterator(d, ec)) {
      Violation("left after the reopen: " + e.path().string());
    }
  };
  for (const char* side : {"data/small", "data/big"}) {
    std::error_code ec;
    for (const auto& p : fs::directory_iterator(fs::path(db) / side, ec)) {
      if (p.path().filename() == "snapshots") continue;
      check_empty(p.path() / "tmp");
      check_empty(p.path() / "txn");
    }
  }
  std::error_code ec;
  for (const auto& g : fs::directory_iterator(fs::path(db) / "indexdb", ec)) {
    if (g.path().filename() == "snapshots") continue;
    check_empty(g.path() / "tmp");
    check_empty(g.path() / "txn");
  }
  size_t tmp_files = 0;
  for (auto it = fs::recursive_directory_iterator(db, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    if (it->path().filename() == "snapshots") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->path().filename().string().find(".tmp.") != std::string::npos) tmp_files++;
  }
  return tmp_files;
}

// Searches fault_rows over all time and files every row under its run and batch.
void Scan(vme_db* db, std::map<int64_t, Run*>& runs, uint64_t* rows_found, uint64_t* dups,
          uint64_t* foreign) {
  vme_query* q = vme_query_create(0, INT64_MAX);
  vme_error* err = nullptr;
  vme_status st =
      vme_query_add_matcher(q, VME_MATCH_EQ, "__name__", 8, kMetric, std::strlen(kMetric), &err);
  if (st != VME_OK) Die(2, "vme_query_add_matcher: " + TakeError(st, err));
  vme_series_iter* it = nullptr;
  st = vme_search(db, q, &it, &err);
  vme_query_destroy(q);
  if (st != VME_OK) {
    Violation("vme_search: " + TakeError(st, err));
    return;
  }
  Labels labels;
  while ((st = vme_series_iter_next(it, &err)) == VME_OK) {
    const uint8_t* key;
    size_t len;
    vme_series_iter_key(it, &key, &len);
    const char* name = vme_series_iter_name(it);
    if (!UnpackKey(key, len, &labels)) {
      Violation(std::string("malformed key of series ") + name);
      continue;
    }
    const std::string sid = LabelValue(labels, "s");
    const int s = std::atoi(sid.c_str());
    if (labels.size() != 2 || sid != SeriesId(s) || s < 0 || s >= kSeries) {
      Violation(std::string("a series no child wrote: ") + name);
      continue;
    }
    const int64_t* ts;
    const double* values;
    const size_t n = vme_series_iter_samples(it, &ts, &values);
    for (size_t i = 0; i < n; i++) {
      (*rows_found)++;
      if (i > 0 && ts[i] == ts[i - 1]) {
        (*dups)++;
        Violation(Format("duplicate row %s @%lld", name, static_cast<long long>(ts[i])));
        continue;
      }
      const int64_t rel = ts[i] - kBaseTs;
      const int64_t iter = rel >= 0 ? rel / kIterSpanMs : -1;
      auto r = runs.find(iter);
      if (r == runs.end() || rel % kStepMs != 0) {
        (*foreign)++;
        Violation(Format("a row no child wrote: %s @%lld", name, static_cast<long long>(ts[i])));
        continue;
      }
      Run& run = *r->second;
      const int64_t slot = (rel % kIterSpanMs) / kStepMs;
      const int w = static_cast<int>(slot % run.writers);
      const int64_t b = slot / run.writers;
      if (!InBatch(iter, w, b, s) || values[i] != Value(iter, slot, s)) {
        (*foreign)++;
        Violation(
            Format("a row no child wrote: %s @%lld = %.17g (iteration %lld writer %d batch "
                   "%lld)",
                   name, static_cast<long long>(ts[i]), values[i], static_cast<long long>(iter), w,
                   static_cast<long long>(b)));
        continue;
      }
      run.found[{w, b}]++;
    }
  }
  if (st != VME_DONE) Violation("vme_series_iter_next: " + TakeError(st, err));
  vme_series_iter_close(it);
}

// Iterates over the fault_victim series, which must at least be readable.
void ScanVictims(vme_db* db) {
  vme_query* q = vme_query_create(0, INT64_MAX);
  vme_error* err = nullptr;
  vme_status st = vme_query_add_matcher(q, VME_MATCH_EQ, "__name__", 8, kVictimMetric,
                                        std::strlen(kVictimMetric), &err);
  if (st != VME_OK) Die(2, "vme_query_add_matcher: " + TakeError(st, err));
  vme_series_iter* it = nullptr;
  st = vme_search(db, q, &it, &err);
  vme_query_destroy(q);
  if (st != VME_OK) {
    Violation("vme_search (fault_victim): " + TakeError(st, err));
    return;
  }
  while ((st = vme_series_iter_next(it, &err)) == VME_OK) {
  }
  if (st != VME_DONE) Violation("vme_series_iter_next (fault_victim): " + TakeError(st, err));
  vme_series_iter_close(it);
}

struct Figures {
  uint64_t acked_batches = 0, acked_rows = 0, lost_batches = 0, lost_rows = 0, partial = 0;
  uint64_t unacked_present = 0, flush_guarded = 0, writers_with_holes = 0;
  int64_t window_ns = -1;  // largest kill time - ack time of a lost batch
  int64_t newest_ack_age_ns = -1;
};

// Applies the rules to one run; returns its state (compared across the checks of a chain).
std::string CheckRun(const Run& run, const std::string& mode, bool strict_suffix, Figures* f) {
  std::ostringstream state;
  uint64_t present_rows = 0;
  for (const auto& [wb, n] : run.found) present_rows += static_cast<uint64_t>(n);
  state << "present_rows " << present_rows << "\n";
  if (!run.opened && !run.acks.empty()) Violation(run.dir + ": acks without an open line");
  int64_t newest_ack = 0;
  for (const auto& [w, acks] : run.acks) {
    bool lost_seen = false, hole = false;
    int64_t first_lost = -1;
    for (const Ack& a : acks) {
      newest_ack = std::max(newest_ack, a.ns);
      f->acked_batches++;
      f->acked_rows += static_cast<uint64_t>(a.rows);
      auto it = run.found.find({w, a.batch});
      const int n = it == run.found.end() ? 0 : it->second;
      if (n > a.rows)
        Violation(Format("%s: writer %d batch %lld has %d rows, wrote %d", run.dir.c_str(), w,
                         static_cast<long long>(a.batch), n, a.rows));
      if (n == a.rows) {
        if (lost_seen && !hole) {
          hole = true;
          f->writers_with_holes++;
          if (strict_suffix) {
            Violation(
                Format("%s: writer %d batch %lld is present after the lost batch %lld: the "
                       "lost batches are not a suffix",
                       run.dir.c_str(), w, static_cast<long long>(a.batch),
                       static_cast<long long>(first_lost)));
          }
        }
        continue;
      }
      state << "notfull " << w << " " << a.batch << " " << n << "\n";
      f->lost_batches++;
      f->lost_rows += static_cast<uint64_t>(a.rows - n);
      if (n > 0) f->partial++;
      if (!lost_seen) first_lost = a.batch;
      lost_seen = true;
      f->window_ns = std::max(f->window_ns, run.kill_ns - a.ns);
      if (mode == "sync") {
        Violation(
            Format("%s: acknowledged batch lost with wal_mode=sync: writer %d batch %lld "
                   "(%d of %d rows present, acknowledged %.3f s before the kill)",
                   run.dir.c_str(), w, static_cast<long long>(a.batch), n, a.rows,
                   static_cast<double>(run.kill_ns - a.ns) / 1e9));
      }
      if (run.flushed && a.seq <= run.flush_guard_seq) {
        Violation(
            Format("%s: writer %d batch %lld was acknowledged before a vme_flush that "
                   "returned, yet %d of %d rows are present",
                   run.dir.c_str(), w, static_cast<long long>(a.batch), n, a.rows));
      }
    }
    if (run.flushed) {
      for (const Ack& a : acks) f->flush_guarded += a.seq <= run.flush_guard_seq;
    }
  }
  if (newest_ack > 0) f->newest_ack_age_ns = run.kill_ns - newest_ack;
  for (const auto& [wb, n] : run.found) {
    auto it = run.acks.find(wb.first);
    const bool acked =
        it != run.acks.end() && !it->second.empty() && it->second.back().batch >= wb.second;
    if (!acked) f->unacked_present++;
  }
  return state.str();
}

}  // namespace

int main(int argc, char** argv) {
  const Args args(argc, argv, 1, {"strict-suffix"});
  const std::string db_path = args.Get("db");
  const std::string mode = args.Get("wal-mode");
  // With wal_mode=off, rows become durable by parts, and a flush converts the raw-row shards
  // one after another while writers go on: a batch added to a shard already converted stays
  // in memory while a later one, in a shard not yet converted, reaches disk; overlapping
  // flushes (the in-memory parts flusher, a force merge's flush) can also finish newer rows
  // first. A kill then leaves a hole. Only "async" promises a suffix.
  const bool strict_suffix = mode != "off" || args.Has("strict-suffix");
  std::vector<Run> runs;
  for (const auto& d : args.All("run")) runs.push_back(LoadRun(d));
  if (runs.empty()) Die(2, "no --run");
  std::map<int64_t, Run*> by_iteration;
  for (Run& r : runs) by_iteration[r.iteration] = &r;

  vme_options* opts = vme_options_create();
  SetWalMode(opts, mode);
  if (const std::string e = SetOption(opts, "background", "0"); !e.empty()) Die(2, e);
  vme_db* db = nullptr;
  vme_error* err = nullptr;
  const int64_t open_start = NowNs();
  const vme_status st = vme_open(db_path.c_str(), opts, &db, &err);
  const int64_t open_ns = NowNs() - open_start;
  vme_options_destroy(opts);
  if (st != VME_OK) {
    std::printf("VIOLATION: vme_open after the kill: %s\n", TakeError(st, err).c_str());
    return 3;
  }
  const size_t tmp_files = CheckLeftovers(db_path);
  uint64_t rows_found = 0, dups = 0, foreign = 0;
  Scan(db, by_iteration, &rows_found, &dups, &foreign);
  ScanVictims(db);
  err = nullptr;
  if (const vme_status cst = vme_close(db, &err); cst != VME_OK) {
    Violation("vme_close: " + TakeError(cst, err));
  }

  Figures last;
  for (size_t i = 0; i < runs.size(); i++) {
    Figures f;
    const std::string state = CheckRun(runs[i], mode, strict_suffix, &f);
    const std::string state_path = runs[i].dir + "/state";
    if (i + 1 == runs.size() || !fs::exists(state_path)) {
      const int fd = OpenAppend(state_path);
      WriteLine(fd, state);
      close(fd);
    } else if (const std::string before = ReadFile(state_path); before != state) {
      Violation(runs[i].dir +
                ": what is present changed since this run was first checked:\nwas:\n" + before +
                "now:\n" + state);
    }
    if (i + 1 == runs.size()) last = f;
  }
  const Run& run = runs.back();
  std::printf(
      "kill-check: wal_mode=%s iteration=%lld writers=%d opened=%d acked_batches=%llu "
      "acked_rows=%llu lost_batches=%llu lost_rows=%llu partial_batches=%llu dup_rows=%llu "
      "foreign_rows=%llu unacked_present_batches=%llu flush_guarded_batches=%llu "
      "writers_with_holes=%llu "
      "loss_window_ms=%.1f newest_ack_age_ms=%.1f reopen_ms=%.1f tmp_files=%zu "
      "rows_in_db=%llu violations=%zu\n",
      mode.c_str(), static_cast<long long>(run.iteration), run.writers, run.opened ? 1 : 0,
      static_cast<unsigned long long>(last.acked_batches),
      static_cast<unsigned long long>(last.acked_rows),
      static_cast<unsigned long long>(last.lost_batches),
      static_cast<unsigned long long>(last.lost_rows),
      static_cast<unsigned long long>(last.partial), static_cast<unsigned long long>(dups),
      static_cast<unsigned long long>(foreign),
      static_cast<unsigned long long>(last.unacked_present),
      static_cast<unsigned long long>(last.flush_guarded),
      static_cast<unsigned long long>(last.writers_with_holes),
      last.window_ns < 0 ? -1.0 : static_cast<double>(last.window_ns) / 1e6,
      last.newest_ack_age_ns < 0 ? -1.0 : static_cast<double>(last.newest_ack_age_ns) / 1e6,
      static_cast<double>(open_ns) / 1e6, tmp_files, static_cast<unsigned long long>(rows_found),
      violations.size());
  vme_library_shutdown();
  return violations.empty() ? 0 : 1;
}
