// The flush of many in-memory parts (Partition::MergeInmemoryGroups): with tiny raw-row shards
// every batch becomes an in-memory part, and vme_flush writes them as parallel groups on the
// background arena. Every row must come back exactly, with the writer's flush and concurrent
// writers racing the groups (run under ThreadSanitizer in CI); and the raw_rows_memory_bytes
// option is accepted (>= 1 MiB) and refused below that.
#include <cinttypes>
#include <string>
#include <thread>
#include <vector>

#include "capi_test_util.h"
#include "check.h"
#include "test_util.h"

namespace {

using namespace vme::test;  // NOLINT

constexpr int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z

void TestManyInmemoryParts() {
  TempDir tmp;
  DbPtr db;
  RUN(OpenDb(tmp.path() + "/db",
             {{"max_raw_rows_per_shard", "50"},
              {"background_threads", "2"},
              {"raw_rows_flush_interval_ms", "3600000"},
              {"inmemory_parts_flush_interval_ms", "3600000"}},
             &db));
  constexpr int kThreads = 2, kBatches = 40, kSeries = 50;
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      errors[t] = Collect([&] {
        for (int b = 0; b < kBatches; b++) {
          RowBatch batch;
          for (int k = 0; k < kSeries; k++) {
            batch.Add(PackKey({{"__name__", "flush"}, {"k", std::to_string(k)}}),
                      kT0 + (b * kThreads + t) * 1000, b * 100 + k + 0.5);
          }
          RETURN_IF_FAILED(AddBatchAllAccepted(db.get(), batch));
          if (b % 10 == 9) REQUIRE_VME(vme_flush(db.get(), &err));
        }
        return std::string();
      });
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& e : errors) REQUIRE(e.empty(), "%s", e.c_str());
  REQUIRE_VME(vme_flush(db.get(), &err));
  std::vector<Row> want;
  for (int t = 0; t < kThreads; t++) {
    for (int b = 0; b < kBatches; b++) {
      for (int k = 0; k < kSeries; k++) {
        want.push_back(Row{"flush{k=\"" + std::to_string(k) + "\"}",
                           kT0 + (b * kThreads + t) * 1000, DoubleBits(b * 100 + k + 0.5)});
      }
    }
  }
  std::vector<Row> got;
  RUN(ExportAll(db.get(), &got));
  RUN(CompareRows(got, want, "after flushing many in-memory parts"));
  RUN(CloseDb(&db));
  RUN(OpenDb(tmp.path() + "/db", {}, &db));
  got.clear();
  RUN(ExportAll(db.get(), &got));
  RUN(CompareRows(got, want, "after reopen"));
  RUN(CloseDb(&db));
}

void TestRawRowsMemoryOption() {
  OptionsPtr opts(vme_options_create());
  REQUIRE(opts != nullptr, "vme_options_create");
  REQUIRE_VME(vme_options_set(opts.get(), "raw_rows_memory_bytes", "1048576", &err));
  vme_error* err = nullptr;
  REQUIRE(vme_options_set(opts.get(), "raw_rows_memory_bytes", "1000", &err) ==
              VME_ERR_INVALID_ARGUMENT,
          "a budget under 1 MiB is refused");
  REQUIRE(std::string(vme_error_message(err)).find("raw_rows_memory_bytes") != std::string::npos,
          "the message names the key: %s", vme_error_message(err));
  vme_error_free(err);
  TempDir tmp;
  vme_db* db = nullptr;
  REQUIRE_VME(vme_open((tmp.path() + "/db").c_str(), opts.get(), &db, &err));
  DbPtr owned(db);
  RowBatch batch;
  for (int i = 0; i < 1000; i++) batch.Add(PackKey({{"__name__", "m"}}), kT0 + i, i);
  RUN(AddBatchAllAccepted(owned.get(), batch));
  RUN(CloseDb(&owned));
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests({VME_TEST(TestManyInmemoryParts), VME_TEST(TestRawRowsMemoryOption)},
                             argc, argv);
}
