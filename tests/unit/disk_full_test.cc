// Disk full and I/O errors (docs/testing.md, "Fault injection"): the fault layer of
// util/fault_injection.h makes file-system calls of util/fs.h fail with ENOSPC, EIO or a short
// write, and the engine must
//   - return VME_ERR_IO with a message naming a path under the data directory and the OS error,
//     from whichever call hit the fault (vme_open, vme_add_rows, vme_flush, merges, snapshots,
//     force merge); a background failure becomes the last background error;
//   - keep serving every acknowledged row while writes fail (rows whose flush failed stay in
//     memory);
//   - lose nothing durable: no partial part or snapshot becomes visible, and after the fault is
//     gone a flush succeeds and a reopen finds every acknowledged row exactly once, with empty
//     tmp/ and txn/ directories and no half-written temporary files.
//
// The heart is TestEveryCallFails: a scenario (open, ingest with back-pressure merges, flushes,
// a background round, a snapshot, a force merge) is run once with a counting rule to learn the
// number K of file-system calls it makes, then K times more with call k failing, for each
// effect.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "disk_full_test_util.h"
#include "util/fault_injection.h"

namespace {

using namespace vme::test;  // NOLINT
namespace fault = vme::fault;

// The options of every open: no background work (the scenario drives it), tiny raw-row
// shards and a low small-parts limit, so that vme_add_rows converts rows and helps merge.
const OptionList kOptions = {
    {"background", "0"}, {"max_raw_rows_per_shard", "40"}, {"max_small_parts", "3"}};

std::string OpenWith(const std::string& dir, vme_db** db, vme_status* st, std::string* msg) {
  OptionsPtr opts(vme_options_create());
  for (const auto& [k, v] : kOptions) {
    REQUIRE_VME(vme_options_set(opts.get(), k.c_str(), v.c_str(), &err));
  }
  vme_error* err = nullptr;
  *db = nullptr;
  *st = vme_open(dir.c_str(), opts.get(), db, &err);
  *msg = err != nullptr ? vme_error_message(err) : "";
  vme_error_free(err);
  return "";
}

// One run of the scenario on the data directory `dir` (a copy of the template). `rule` (null:
// none) is armed from just before vme_open until the end of the scenario's steps; then a
// flush, a close and a reopen must succeed and find every acknowledged row exactly once.
// *failures counts the steps that failed.
struct Outcome {
  uint64_t matches = 0;   // calls the rule matched
  uint64_t injected = 0;  // faults it injected
  int failures = 0;
};

std::string RunScenario(const std::string& dir, std::vector<Row> acked, const fault::Rule* rule,
                        int want_errno, Outcome* out) {
  *out = Outcome{};
  std::unique_ptr<fault::ScopedRule> armed;
  if (rule != nullptr) armed = std::make_unique<fault::ScopedRule>(*rule);
  std::string context = rule == nullptr
                            ? std::string("no fault")
                            : Format("%s call %" PRIu64 " (%s)", fault::OpName(rule->op), rule->nth,
                                     std::strerror(want_errno));
  auto failed = [&](const std::string& step, vme_status st, const std::string& msg) {
    out->failures++;
    RETURN_IF_FAILED(CheckIoError(context + ", " + step, st, msg, dir, want_errno));
    // Later failures name the one that happened.
    context += " [" + step + " failed: " + msg + "]";
    return std::string();
  };

  vme_db* raw = nullptr;
  vme_status st;
  std::string msg;
  RETURN_IF_FAILED(OpenWith(dir, &raw, &st, &msg));
  if (st != VME_OK) {
    RETURN_IF_FAILED(failed("vme_open", st, msg));
    RETURN_IF_FAILED(OpenWith(dir, &raw, &st, &msg));
    REQUIRE(st == VME_OK, "%s: vme_open after a failed open: %s: %s", context.c_str(),
            vme_status_string(st), msg.c_str());
  }
  DbPtr db(raw);
  size_t snapshots = 0;

  auto add = [&](int b, int from, int to) -> std::string {
    RowBatch batch;
    std::vector<Row> rows;
    MakeBatch(b, from, to, &batch, &rows);
    std::vector<uint8_t> status(batch.size(), 0xAA);
    vme_add_result r;
    vme_error* err = nullptr;
    const vme_status s =
        vme_add_rows_report(db.get(), reinterpret_cast<const uint8_t*>(batch.keys.data()),
                            batch.keys.size(), batch.offsets.data(), batch.ts.data(),
                            batch.values.data(), batch.size(), status.data(), &r, &err);
    const std::string m = err != nullptr ? vme_error_message(err) : "";
    vme_error_free(err);
    uint64_t stored = 0;
    for (size_t i = 0; i < rows.size(); i++) {
      if (status[i] == VME_ROW_STORED) {
        acked.push_back(rows[i]);
        stored++;
      } else {
        REQUIRE(s != VME_OK && status[i] == VME_ROW_FAILED, "%s: batch %d row %zu: status %d",
                context.c_str(), b, i, status[i]);
      }
    }
    REQUIRE_EQ(r.rows_added, stored);
    if (s != VME_OK) RETURN_IF_FAILED(failed(Format("vme_add_rows (batch %d)", b), s, m));
    return "";
  };
  auto call = [&](const std::string& step,
                  const std::function<vme_status(vme_error**)>& fn) -> std::string {
    vme_error* err = nullptr;
    const vme_status s = fn(&err);
    const std::string m = err != nullptr ? vme_error_message(err) : "";
    vme_error_free(err);
    if (s != VME_OK) RETURN_IF_FAILED(failed(step, s, m));
    return "";
  };
  const std::vector<std::function<std::string()>> steps = {
      [&] { return add(10, 0, 8); },
      [&] { return add(11, 4, 12); },
      [&] { return call("vme_flush", [&](vme_error** e) { return vme_flush(db.get(), e); }); },
      [&] { return add(12, 8, 16); },
      [&] {
        return call("vme_background_run_once",
                    [&](vme_error** e) { return vme_background_run_once(db.get(), e); });
      },
      [&] { return add(13, 0, 16); },
      [&] {
        return call("vme_snapshot_create", [&](vme_error** e) {
          char* name = nullptr;
          const vme_status s = vme_snapshot_create(db.get(), &name, e);
          if (s == VME_OK) snapshots++;
          vme_free(name);
          return s;
        });
      },
      [&] { return add(14, 12, 20); },
      [&] {
        return call("vme_force_merge",
                    [&](vme_error** e) { return vme_force_merge(db.get(), "", e); });
      },
      [&] { return add(15, 0, 20); },
      [&] { return call("vme_flush", [&](vme_error** e) { return vme_flush(db.get(), e); }); },
  };
  std::vector<Row> visible;
  RETURN_IF_FAILED(CheckVisible(db.get(), acked, &visible, context + ", after open"));
  for (size_t i = 0; i < steps.size(); i++) {
    RETURN_IF_FAILED(steps[i]());
    // Reads keep working, and rows whose flush failed stay searchable.
    RETURN_IF_FAILED(
        CheckVisible(db.get(), acked, &visible, Format("%s, after step %zu", context.c_str(), i)));
  }
  if (armed) {
    out->matches = armed->matches();
    out->injected = armed->injected();
    armed.reset();  // space returns
  }
  // A fault that fired must have reached a caller (only one call fails, so nothing can hide
  // it by failing again).
  REQUIRE(out->injected == 0 || out->failures > 0, "%s: the injected fault reached no caller",
          context.c_str());
  REQUIRE(out->injected > 0 || out->failures == 0, "%s: a step failed without a fault",
          context.c_str());

  // Writes resume.
  REQUIRE_VME(vme_flush(db.get(), &err));
  RETURN_IF_FAILED(CheckRows(db.get(), acked, context + ", after the fault"));
  RETURN_IF_FAILED(CloseDb(&db));
  // A failed snapshot leaves nothing: the snapshots listed are the ones acknowledged.
  REQUIRE_EQ(CountEntries(dir + "/snapshots"), snapshots + 1);  // + the template's
  RETURN_IF_FAILED(CheckNoLeftovers(dir, true));

  RETURN_IF_FAILED(OpenWith(dir, &raw, &st, &msg));
  REQUIRE(st == VME_OK, "%s: reopen: %s: %s", context.c_str(), vme_status_string(st), msg.c_str());
  db.reset(raw);
  RETURN_IF_FAILED(CheckRows(db.get(), acked, context + ", after reopening"));
  RETURN_IF_FAILED(CheckNoLeftovers(dir, false));
  return CloseDb(&db);
}

// The data directory every run starts from: two file parts, indexdb parts, one snapshot.
struct Template {
  RunDir tmp;
  std::string dir;
  std::vector<Row> acked;
  Template() {
    dir = tmp.path() + "/template";
    DbPtr db;
    RUN(OpenDb(dir, kOptions, &db));
    for (int b = 0; b < 2; b++) {
      RowBatch batch;
      MakeBatch(b, 0, 6, &batch, &acked);
      RUN(AddBatchAllAccepted(db.get(), batch));
      REQUIRE_VME(vme_flush(db.get(), &err));
    }
    char* name = nullptr;
    REQUIRE_VME(vme_snapshot_create(db.get(), &name, &err));
    vme_free(name);
    RUN(CloseDb(&db));
  }
  // A fresh copy of the template at dir.
  std::string CopyTo(const std::string& to) const {
    std::error_code ec;
    fs::remove_all(to, ec);
    fs::copy(dir, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
    REQUIRE(!ec, "cannot copy %s to %s: %s", dir.c_str(), to.c_str(), ec.message().c_str());
    return "";
  }
};

// Fails each file-system call of the scenario in turn (every stride-th one: calls 1, 1 + stride,
// ...).
void LoopOverCalls(fault::Op op, fault::Effect effect, int want_errno, uint64_t stride = 1) {
  Template t;
  const std::string dir = t.tmp.path() + "/run";
  RUN(t.CopyTo(dir));
  fault::Rule count;
  count.op = op;
  count.effect = fault::Effect::kCountOnly;
  Outcome o;
  RUN(RunScenario(dir, t.acked, &count, 0, &o));
  const uint64_t calls = o.matches;
  REQUIRE(calls > 50, "the scenario makes only %" PRIu64 " %s calls", calls, fault::OpName(op));
  int failed_runs = 0;
  for (uint64_t k = 1; k <= calls; k += stride) {
    RUN(t.CopyTo(dir));
    fault::Rule r;
    r.op = op;
    r.nth = k;
    r.effect = effect;
    RUN(RunScenario(dir, t.acked, &r, want_errno, &o));
    REQUIRE_EQ(o.injected, 1u);
    failed_runs += o.failures > 0;
  }
  std::printf("  %s: %" PRIu64 " calls, failed one at a time, stride %" PRIu64
              " (%s): %d runs saw a failure\n",
              fault::OpName(op), calls, stride, std::strerror(want_errno), failed_runs);
}

// ENOSPC on each file-system call (any kind) of the scenario, one at a time.
void TestEveryCallFailsWithEnospc() {
  LoopOverCalls(fault::Op::kAny, fault::Effect::kEnospc, ENOSPC);
}

// EIO on every third (the code paths are those of ENOSPC; this keeps the sanitizer runs short).
void TestEveryCallFailsWithEio() { LoopOverCalls(fault::Op::kAny, fault::Effect::kEio, EIO, 3); }

// A short write (n - 1 bytes, then ENOSPC) on each write call.
void TestEveryWriteIsShort() {
  LoopOverCalls(fault::Op::kWrite, fault::Effect::kShortWrite, ENOSPC);
}

// The disk stays full (every call of one kind fails) through flushes, a background round, a
// snapshot and a force merge: each failing call is VME_ERR_IO with the path and the OS error,
// every acknowledged row of a known series stays searchable (also rows still raw when their
// flush failed), nothing partial is left, and once space returns a flush writes everything.
void PersistentFault(fault::Op op, int want_errno, fault::Effect effect) {
  Template t;
  const std::string dir = t.tmp.path() + "/run";
  RUN(t.CopyTo(dir));
  std::vector<Row> acked = t.acked;
  DbPtr db;
  RUN(OpenDb(dir, {{"background", "0"}}, &db));
  std::vector<Row> visible;
  RUN(CheckVisible(db.get(), acked, &visible, "after open"));
  int failures = 0;
  {
    fault::Rule r;
    r.op = op;
    r.effect = effect;
    fault::ScopedRule rule(r);
    const std::string context = std::string("every ") + fault::OpName(op) + " call fails";
    auto check = [&](const std::string& step,
                     const std::function<vme_status(vme_error**)>& fn) -> std::string {
      vme_error* err = nullptr;
      const vme_status st = fn(&err);
      const std::string m = err != nullptr ? vme_error_message(err) : "";
      vme_error_free(err);
      if (st != VME_OK) {
        failures++;
        RETURN_IF_FAILED(CheckIoError(context + ", " + step, st, m, dir, want_errno));
      }
      return CheckVisible(db.get(), acked, &visible, context + ", after " + step);
    };
    for (int round = 0; round < 2; round++) {
      // Known series (raw rows when the flush starts) and a new one.
      RUN(AddAll(db.get(), 20 + round, 0, 6, &acked));
      RUN(AddAll(db.get(), 20 + round, 30 + round, 31 + round, &acked));
      RUN(check("vme_flush", [&](vme_error** e) { return vme_flush(db.get(), e); }));
      // Every row of a known series is searchable although the flush may have failed.
      std::vector<Row> known;
      for (const Row& row : acked) {
        if (row.metric.find("\"3") == std::string::npos) known.push_back(row);
      }
      std::vector<Row> got;
      RUN(ExportSelector(db.get(), "{__name__=\"disk_full\",s!~\"3.\"}", 0, INT64_MAX, &got));
      RUN(CompareRows(got, known, context + ", rows of known series after vme_flush"));
      RUN(check("vme_background_run_once",
                [&](vme_error** e) { return vme_background_run_once(db.get(), e); }));
      RUN(check("vme_snapshot_create", [&](vme_error** e) {
        char* name = nullptr;
        const vme_status st = vme_snapshot_create(db.get(), &name, e);
        vme_free(name);
        return st;
      }));
      RUN(check("vme_force_merge",
                [&](vme_error** e) { return vme_force_merge(db.get(), "", e); }));
    }
    REQUIRE(rule.injected() > 0, "%s: no call was made", context.c_str());
  }
  REQUIRE(failures > 0, "every %s call failed, but no step did", fault::OpName(op));
  // Space returns.
  REQUIRE_VME(vme_flush(db.get(), &err));
  RUN(CheckRows(db.get(), acked, "after the fault"));
  RUN(CloseDb(&db));
  RUN(CheckNoLeftovers(dir, true));
  RUN(OpenDb(dir, {{"background", "0"}}, &db));
  RUN(CheckRows(db.get(), acked, "after reopening"));
  RUN(CheckNoLeftovers(dir, false));
  RUN(CloseDb(&db));
}

void TestDiskStaysFull() {
  PersistentFault(fault::Op::kWrite, ENOSPC, fault::Effect::kEnospc);
  PersistentFault(fault::Op::kWrite, ENOSPC, fault::Effect::kShortWrite);
  PersistentFault(fault::Op::kCreate, ENOSPC, fault::Effect::kEnospc);
  PersistentFault(fault::Op::kMkdir, ENOSPC, fault::Effect::kEnospc);
  PersistentFault(fault::Op::kLink, ENOSPC, fault::Effect::kEnospc);
}

void TestEveryCallOfAKindFailsWithEio() {
  for (fault::Op op : {fault::Op::kSync, fault::Op::kRename, fault::Op::kRemove, fault::Op::kAny}) {
    PersistentFault(op, EIO, fault::Effect::kEio);
  }
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {
          VME_TEST(TestEveryCallFailsWithEnospc),
          VME_TEST(TestEveryCallFailsWithEio),
          VME_TEST(TestEveryWriteIsShort),
          VME_TEST(TestDiskStaysFull),
          VME_TEST(TestEveryCallOfAKindFailsWithEio),
      },
      argc, argv);
}
