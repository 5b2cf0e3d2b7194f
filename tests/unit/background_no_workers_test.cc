// Background work when oneTBB gives the process no worker thread at all: a global_control of
// max_allowed_parallelism 1 (the smallest limit in force wins, so the pool size that
// background_workers.cc asks for is overridden). A flush must then convert the raw-row buffers
// that writers handed off to the arena itself (Partition::FlushRawRows) instead of waiting for
// a worker. Before it did, vme_flush hung here; it was first seen as a hang of two storages in
// one process, the only oneTBB worker sitting in one storage's flush waiting for conversions
// queued behind it. A regression shows up as CTest's timeout.
#include <oneapi/tbb/global_control.h>

#include <string>

#include "capi_test_util.h"
#include "check.h"
#include "test_util.h"
#include "vmengine.h"

namespace {

using namespace vme::test;

constexpr int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z

void TestFlushAndCloseWithHandedOffRows() {
  tbb::global_control no_workers(tbb::global_control::max_allowed_parallelism, 1);
  TempDir tmp;
  DbPtr db;
  // Small raw-row buffers: most of the rows below are handed off to the arena.
  RUN(OpenDb(tmp.path() + "/db", {{"max_raw_rows_per_shard", "100"}, {"background_threads", "2"}},
             &db));
  RowBatch batch;
  std::vector<Row> want;
  for (int i = 0; i < 5000; i++) {
    const Labels labels = {{"__name__", "m"}, {"series", std::to_string(i % 50)}};
    batch.Add(PackKey(labels), kT0 + i, i);
    want.push_back(Row{SeriesName(labels), kT0 + i, DoubleBits(i)});
    if (batch.size() == 250) {
      RUN(AddBatchAllAccepted(db.get(), batch));
      batch.Clear();
    }
  }
  REQUIRE_VME(vme_flush(db.get(), &err));
  RUN(ExpectAllRows(db.get(), want, "rows after vme_flush"));
  RUN(CloseDb(&db));
  RUN(OpenDb(tmp.path() + "/db", {}, &db));
  RUN(ExpectAllRows(db.get(), want, "rows after reopen"));
  RUN(CloseDb(&db));
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests({VME_TEST(TestFlushAndCloseWithHandedOffRows)}, argc, argv);
}
