// Concurrent writers: a new series gets exactly one TSID even when several threads add it at
// the same time (architecture goal 3; VictoriaMetrics 1.72 may create duplicates), and no row
// is lost or duplicated.
#include <thread>

#include "capi_test_util.h"
#include "test_util.h"
#include "vmengine.h"

namespace {

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

constexpr int kSeries = 2000;
constexpr int kThreads = 4;
constexpr int64_t kT0 = vme::test::kT0;

// Adds one sample of every series; returns "" or what went wrong (it runs on a worker thread,
// where checks must not fail: the test thread checks the result).
std::string Writer(vme_db* db, int thread) {
  std::string keys;
  std::vector<uint32_t> offsets;
  std::vector<int64_t> ts;
  std::vector<double> values;
  for (int s = 0; s < kSeries; s++) {
    offsets.push_back(static_cast<uint32_t>(keys.size()));
    keys += Label("__name__", "m" + std::to_string(s % 7));
    keys += Label("series", std::to_string(s));
    ts.push_back(kT0 + thread * 1000);
    values.push_back(thread);
  }
  offsets.push_back(static_cast<uint32_t>(keys.size()));
  vme_error* err = nullptr;
  vme_add_result r;
  const vme_status st = vme_add_rows(db, reinterpret_cast<const uint8_t*>(keys.data()), keys.size(),
                                     offsets.data(), ts.data(), values.data(), ts.size(), &r, &err);
  if (st != VME_OK) {
    std::string m = std::string("vme_add_rows: ") + vme_error_message(err);
    vme_error_free(err);
    return m;
  }
  if (r.rows_added != kSeries) {
    return "vme_add_rows added " + std::to_string(r.rows_added) + " rows, want " +
           std::to_string(kSeries);
  }
  return "";
}

void TestExactlyOneTSIDPerSeries() {
  vme::test::TempDir dir;
  vme::test::DbPtr db;
  RUN(vme::test::OpenDb(dir.path(), {}, &db));
  std::vector<std::string> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&results, &db, t] { results[t] = Writer(db.get(), t); });
  }
  for (auto& t : threads) t.join();
  for (int t = 0; t < kThreads; t++)
    REQUIRE(results[t].empty(), "writer %d: %s", t, results[t].c_str());
  REQUIRE_VME(vme_flush(db.get(), &err));
  uint64_t count = 0;
  REQUIRE_VME(vme_series_count(db.get(), nullptr, &count, &err));
  REQUIRE_EQ(count, kSeries);
  double created = 0;
  RUN(vme::test::StatValue(db.get(), "new_series_created", &created));
  REQUIRE_EQ(created, kSeries);
  // Every series has exactly one sample per writer, all under one TSID.
  vme::test::QueryPtr q = vme::test::MakeQuery(0, INT64_MAX);
  REQUIRE_VME(vme_query_add_selector(q.get(), "{__name__=~\"m.*\"}", &err));
  vme_series_iter* raw = nullptr;
  REQUIRE_VME(vme_search(db.get(), q.get(), &raw, &err));
  vme::test::IterPtr it(raw);
  int series = 0;
  vme_status st;
  while ((st = vme_series_iter_next(it.get(), nullptr)) == VME_OK) {
    const int64_t* t;
    const double* v;
    REQUIRE_EQ(vme_series_iter_samples(it.get(), &t, &v), kThreads);
    for (int i = 0; i < kThreads; i++) {
      REQUIRE_EQ(t[i], kT0 + i * 1000);
      REQUIRE(v[i] == i);
    }
    series++;
  }
  REQUIRE_EQ(st, VME_DONE);
  REQUIRE_EQ(series, kSeries);
  it.reset();
  RUN(vme::test::CloseDb(&db));
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {VME_TEST(TestExactlyOneTSIDPerSeries)};
  return vme::test::RunTests(tests, argc, argv);
}
