// Disk full with background work on (docs/testing.md, "Fault injection"): a background flush
// or merge that fails on a full disk is recorded as the last background error, naming the path
// and the OS error; rows of known series keep becoming searchable (raw-rows rounds need no
// disk); once space returns every row reaches disk. Multi-threaded: runs under ThreadSanitizer.
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "capi/db_handle.h"
#include "disk_full_test_util.h"
#include "util/fault_injection.h"

namespace {

using namespace vme::test;  // NOLINT
namespace fault = vme::fault;

// With background work on, a failing flush or merge is recorded as the last background error
// (vme_stats_get "background_last_error"), naming the path and the OS error; the rows stay
// searchable, and once space returns everything reaches disk.
void TestBackgroundFailureIsRecorded() {
  RunDir tmp;
  const std::string dir = tmp.path() + "/db";
  DbPtr db;
  RUN(OpenDb(dir,
             {{"background", "1"},
              {"raw_rows_flush_interval_ms", "5"},
              {"inmemory_parts_flush_interval_ms", "5"}},
             &db));
  std::vector<Row> acked;
  // The series exist on disk before the disk fills up (a new series becomes searchable only
  // once its index entries are written).
  RUN(AddAll(db.get(), 0, 0, 4, &acked));
  REQUIRE_VME(vme_flush(db.get(), &err));
  const auto storage = vme::capi::StorageOf(db.get());
  std::vector<Row> new_series;
  vme::storage::BackgroundError e;
  {
    fault::Rule r;
    r.op = fault::Op::kWrite;
    fault::ScopedRule rule(r);
    RUN(AddAll(db.get(), 1, 0, 4, &acked));
    // A new series: its index entries cannot be written, so every round fails from the start.
    RUN(AddAll(db.get(), 1, 10, 11, &new_series));
    e = storage->WaitForBackgroundErrors(1);
    RUN(AddAll(db.get(), 2, 0, 4, &acked));
    // Rows of known series are searchable after two raw-rows rounds, which the full disk does
    // not stop.
    storage->WaitForRawRowsFlushes();
    RUN(CheckRows(db.get(), acked, "while the disk is full"));
  }
  acked.insert(acked.end(), new_series.begin(), new_series.end());
  REQUIRE(e.message.find(std::strerror(ENOSPC)) != std::string::npos, "%s", e.message.c_str());
  REQUIRE(e.message.find(dir + "/") != std::string::npos, "%s", e.message.c_str());
  StatsPtr stats;
  vme_stats* raw = nullptr;
  REQUIRE_VME(vme_stats_get(db.get(), &raw, &err));
  stats.reset(raw);
  bool found = false;
  for (size_t i = 0; i < vme_stats_count(raw); i++) {
    if (std::string(vme_stats_name(raw, i)) != "background_last_error") continue;
    const char* text = vme_stats_text(raw, i);
    REQUIRE(text != nullptr && std::strstr(text, std::strerror(ENOSPC)) != nullptr,
            "background_last_error: %s", text ? text : "(null)");
    found = true;
  }
  REQUIRE(found, "no background_last_error entry");
  REQUIRE_VME(vme_flush(db.get(), &err));
  RUN(CheckRows(db.get(), acked, "after the fault"));
  RUN(CloseDb(&db));
  RUN(OpenDb(dir, {{"background", "0"}}, &db));
  RUN(CheckRows(db.get(), acked, "after reopening"));
  RUN(CheckNoLeftovers(dir, false));
  RUN(CloseDb(&db));
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests({VME_TEST(TestBackgroundFailureIsRecorded)}, argc, argv);
}
