// Round trip of the golden inputs: ingests tests/data/vm172/{small,special}/input.csv through
// the C API (one vme_add_rows + vme_flush per batch, as VM got them), reopens and compares the
// full export with VM 1.72's expected.csv on (metric, timestamp_ms, value_bits).
#include <cinttypes>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "capi_test_util.h"
#include "test_util.h"

namespace {

using namespace vme::test;  // NOLINT

constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

std::string RoundTrip(const std::string& set) {
  std::vector<GoldenInputRow> input;
  std::vector<Row> expected;
  RETURN_IF_FAILED(ReadInputCsv(GoldenSetDir(set) + "/input.csv", &input));
  RETURN_IF_FAILED(ReadExpectedCsv(GoldenSetDir(set) + "/expected.csv", &expected));
  REQUIRE(!input.empty() && !expected.empty(), "%s: empty input", set.c_str());

  std::map<int, std::vector<const GoldenInputRow*>> batches;
  for (const auto& r : input) batches[r.batch].push_back(&r);

  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  DbPtr db;
  RETURN_IF_FAILED(OpenDb(dir, {}, &db));
  for (const auto& [batch, rows] : batches) {
    RowBatch b;
    uint64_t nans = 0;
    for (const GoldenInputRow* r : rows) {
      Labels labels;
      REQUIRE(ParseGoMetric(r->metric, &labels), "cannot parse metric %s", r->metric.c_str());
      b.Add(PackKey(labels), r->ts, r->value);
      if (std::isnan(r->value) && DoubleBits(r->value) != kStaleNaNBits) nans++;
    }
    vme_add_result res;
    RETURN_IF_FAILED(AddBatch(db.get(), b, &res));
    REQUIRE(res.rows_added == b.size() - nans && res.rejected_nan == nans &&
                res.rejected_invalid_labels == 0 && res.rejected_out_of_retention == 0 &&
                res.rejected_too_far_future == 0 && res.rejected_invalid_timestamp == 0,
            "%s batch %d: added %" PRIu64 " of %zu, rejected nan %" PRIu64 " (want %" PRIu64
            "), labels %" PRIu64 ", retention %" PRIu64 ", future %" PRIu64,
            set.c_str(), batch, res.rows_added, b.size(), res.rejected_nan, nans,
            res.rejected_invalid_labels, res.rejected_out_of_retention,
            res.rejected_too_far_future);
    REQUIRE_VME(vme_flush(db.get(), &err));
  }
  std::vector<Row> before_close;
  RETURN_IF_FAILED(ExportAll(db.get(), &before_close));
  RETURN_IF_FAILED(CompareRows(before_close, expected, set + " round trip before close"));
  RETURN_IF_FAILED(CloseDb(&db));

  RETURN_IF_FAILED(OpenDb(dir, {}, &db));
  std::vector<Row> got;
  RETURN_IF_FAILED(ExportAll(db.get(), &got));
  RETURN_IF_FAILED(CompareRows(got, expected, set + " round trip after reopen"));
  RETURN_IF_FAILED(CloseDb(&db));
  return "";
}

void TestParseMetric() {
  Labels l;
  REQUIRE(ParseGoMetric("special{kind=\"nan\"}", &l));
  REQUIRE_EQ(l.size(), 2);
  REQUIRE_EQ(l[0].first.c_str(), "__name__");
  REQUIRE_EQ(l[0].second.c_str(), "special");
  REQUIRE_EQ(l[1].first.c_str(), "kind");
  REQUIRE_EQ(l[1].second.c_str(), "nan");
  REQUIRE(ParseGoMetric("m{a=\"x\\\"y\\\\z\\n\",b=\"\\u00e9\\x01\"}", &l));
  REQUIRE_EQ(l.size(), 3);
  REQUIRE(l[1].second == "x\"y\\z\n");
  REQUIRE(l[2].second == "\xc3\xa9\x01");
  REQUIRE(ParseGoMetric("plain", &l));
  REQUIRE_EQ(l.size(), 1);
  REQUIRE(!ParseGoMetric("m{a=\"x}", &l));
  const std::string key = PackKey({{"__name__", "up"}, {"job", "a"}});
  ASSERT_HEX("0008 5f5f6e616d655f5f 0002 7570 0003 6a6f62 0001 61", key);
}

void TestSmall() { RUN(RoundTrip("small")); }
void TestSpecial() { RUN(RoundTrip("special")); }

}  // namespace

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestParseMetric),
      VME_TEST(TestSmall),
      VME_TEST(TestSpecial),
  };
  int rc = vme::test::RunTests(tests, argc, argv);
  vme_library_shutdown();
  return rc;
}
