// Real node_exporter data (examples/data/node_exporter_1s_1200.prom.zst): stream-decompress,
// parse the Prometheus text lines, ingest in 10 000-row batches, then check the series count,
// every sample against the input (within VM's decimal rounding) and a bit-identical export
// after reopen.
#include <zstd.h>

#include <cinttypes>
#include <cmath>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "capi_test_util.h"
#include "test_util.h"

namespace {

using namespace vme::test;  // NOLINT

constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

// Reads a Prometheus text-format label value "..." (escapes \\, \", \n) at s[*i] == '"'.
bool ReadQuoted(std::string_view s, size_t* i, std::string* out) {
  if (*i >= s.size() || s[*i] != '"') return false;
  size_t p = *i + 1;
  out->clear();
  while (p < s.size() && s[p] != '"') {
    char c = s[p++];
    if (c == '\\') {
      if (p >= s.size()) return false;
      char e = s[p++];
      out->push_back(e == 'n' ? '\n' : e);
    } else {
      out->push_back(c);
    }
  }
  if (p >= s.size()) return false;
  *i = p + 1;
  return true;
}

struct Sample {
  std::string_view series;  // the raw `name{labels}` text of the line
  double value;
  int64_t ts;
};

// `name{k="v",...} value timestamp` or `name value timestamp`.
bool ParseLine(std::string_view line, Sample* out, Labels* labels) {
  size_t i = 0;
  while (i < line.size() && line[i] != '{' && line[i] != ' ') i++;
  if (i == 0) return false;
  labels->clear();
  labels->emplace_back("__name__", std::string(line.substr(0, i)));
  if (i < line.size() && line[i] == '{') {
    i++;
    while (i < line.size() && line[i] != '}') {
      size_t eq = line.find('=', i);
      if (eq == std::string_view::npos) return false;
      std::string name(line.substr(i, eq - i));
      i = eq + 1;
      std::string value;
      if (!ReadQuoted(line, &i, &value)) return false;
      labels->emplace_back(std::move(name), std::move(value));
      if (i < line.size() && line[i] == ',') i++;
    }
    if (i >= line.size()) return false;
    i++;
  }
  out->series = line.substr(0, i);
  std::string rest(line.substr(i));
  char* end = nullptr;
  out->value = std::strtod(rest.c_str(), &end);
  if (end == rest.c_str()) return false;
  char* end2 = nullptr;
  out->ts = std::strtoll(end, &end2, 10);
  if (end2 == end) return false;
  while (*end2 == ' ' || *end2 == '\r') end2++;
  return *end2 == '\0';
}

// Streams the decompressed file line by line into fn (which returns "" or an error).
std::string ForEachLine(const std::string& path,
                        const std::function<std::string(std::string_view)>& fn) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  REQUIRE(f != nullptr, "cannot open %s", path.c_str());
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(f, std::fclose);
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  std::vector<char> inbuf(ZSTD_DStreamInSize());
  std::vector<char> outbuf(ZSTD_DStreamOutSize());
  std::string pending;
  size_t last_ret = 0;
  size_t got;
  while ((got = std::fread(inbuf.data(), 1, inbuf.size(), f)) > 0) {
    ZSTD_inBuffer in{inbuf.data(), got, 0};
    while (in.pos < in.size) {
      ZSTD_outBuffer out{outbuf.data(), outbuf.size(), 0};
      size_t ret = ZSTD_decompressStream(dctx.get(), &out, &in);
      REQUIRE(!ZSTD_isError(ret), "%s: zstd: %s", path.c_str(), ZSTD_getErrorName(ret));
      last_ret = ret;
      pending.append(outbuf.data(), out.pos);
      size_t start = 0, nl;
      while ((nl = pending.find('\n', start)) != std::string::npos) {
        std::string_view line(pending.data() + start, nl - start);
        if (!line.empty() && line[0] != '#') RETURN_IF_FAILED(fn(line));
        start = nl + 1;
      }
      pending.erase(0, start);
    }
  }
  REQUIRE(last_ret == 0, "%s: truncated zstd stream", path.c_str());
  if (!pending.empty() && pending[0] != '#') RETURN_IF_FAILED(fn(pending));
  return "";
}

struct ExportRow {
  int series;
  int64_t ts;
  uint64_t bits;
  bool operator==(const ExportRow& o) const {
    return series == o.series && ts == o.ts && bits == o.bits;
  }
};

struct Input {
  std::unordered_map<std::string, int> ids;                      // canonical text -> series id
  std::vector<std::string> names;                                // series id -> canonical text
  std::vector<std::vector<std::pair<int64_t, double>>> samples;  // per series, sorted by ts
  size_t rows = 0;
};

// Full export mapped onto input series ids, in the engine's order.
std::string Export(vme_db* db, const Input& input, std::vector<ExportRow>* rows) {
  QueryPtr q = MakeQuery(0, INT64_MAX);
  REQUIRE(q != nullptr, "vme_query_create failed");
  REQUIRE_VME(vme_query_add_matcher(q.get(), VME_MATCH_RE, "__name__", 8, ".+", 2, &err));
  vme_series_iter* raw = nullptr;
  REQUIRE_VME(vme_search(db, q.get(), &raw, &err));
  IterPtr it(raw);
  std::vector<bool> seen(input.names.size());
  while (true) {
    vme_error* err = nullptr;
    vme_status st = vme_series_iter_next(it.get(), &err);
    if (st == VME_DONE) break;
    if (st != VME_OK) {
      std::string m = Format("vme_series_iter_next: %s", vme_error_message(err));
      vme_error_free(err);
      return m;
    }
    const uint8_t* key = nullptr;
    size_t key_len = 0;
    vme_series_iter_key(it.get(), &key, &key_len);
    Labels labels;
    REQUIRE(UnpackKey(key, key_len, &labels), "undecodable series key of %s",
            vme_series_iter_name(it.get()));
    REQUIRE(!labels.empty() && labels[0].first == "__name__",
            "%s: key does not start with __name__", vme_series_iter_name(it.get()));
    std::string canon = SeriesName(labels);
    auto found = input.ids.find(canon);
    REQUIRE(found != input.ids.end(), "exported series %s (%s) is not in the input", canon.c_str(),
            vme_series_iter_name(it.get()));
    int id = found->second;
    REQUIRE(!seen[id], "series %s returned twice", canon.c_str());
    seen[id] = true;
    // The Prometheus-text name must describe the same labels.
    Labels from_name;
    Sample dummy;
    std::string line = std::string(vme_series_iter_name(it.get())) + " 0 0";
    REQUIRE(ParseLine(line, &dummy, &from_name), "cannot parse series name %s", line.c_str());
    REQUIRE(SeriesName(from_name) == canon, "series name %s does not match its key %s",
            vme_series_iter_name(it.get()), canon.c_str());
    const int64_t* ts = nullptr;
    const double* vs = nullptr;
    size_t n = vme_series_iter_samples(it.get(), &ts, &vs);
    for (size_t i = 0; i < n; i++) rows->push_back(ExportRow{id, ts[i], DoubleBits(vs[i])});
  }
  return "";
}

std::string RealData() {
  const std::string path = std::string(VME_EXAMPLES_DATA_DIR) + "/node_exporter_1s_1200.prom.zst";
  TempDir tmp;
  const std::string dir = tmp.path() + "/db";
  DbPtr db;
  RETURN_IF_FAILED(OpenDb(dir, {}, &db));

  Input input;
  RowBatch batch;
  uint64_t nans = 0;
  auto flush_batch = [&]() -> std::string {
    if (batch.size() == 0) return "";
    vme_add_result res;
    RETURN_IF_FAILED(AddBatch(db.get(), batch, &res));
    REQUIRE(res.rows_added + res.rejected_nan == batch.size() && res.rejected_nan == nans,
            "batch: added %" PRIu64 " of %zu (nan %" PRIu64 ", labels %" PRIu64
            ", retention %" PRIu64 ", future %" PRIu64 ")",
            res.rows_added, batch.size(), res.rejected_nan, res.rejected_invalid_labels,
            res.rejected_out_of_retention, res.rejected_too_far_future);
    batch.Clear();
    nans = 0;
    return "";
  };
  Labels labels;
  RETURN_IF_FAILED(ForEachLine(path, [&](std::string_view line) -> std::string {
    Sample s;
    REQUIRE(ParseLine(line, &s, &labels), "cannot parse line %.*s", static_cast<int>(line.size()),
            line.data());
    std::string canon = SeriesName(labels);
    auto [it, inserted] = input.ids.emplace(canon, static_cast<int>(input.names.size()));
    if (inserted) {
      input.names.push_back(canon);
      input.samples.emplace_back();
    }
    input.rows++;
    if (std::isnan(s.value) && DoubleBits(s.value) != kStaleNaNBits) {
      nans++;
    } else {
      input.samples[it->second].emplace_back(s.ts, s.value);
    }
    // As given, empty values included: the engine drops them.
    batch.Add(PackKey(labels), s.ts, s.value);
    if (batch.size() == 10000) RETURN_IF_FAILED(flush_batch());
    return "";
  }));
  RETURN_IF_FAILED(flush_batch());
  REQUIRE_VME(vme_flush(db.get(), &err));
  REQUIRE(input.rows == 608400, "input has %zu rows, want 608400", input.rows);
  REQUIRE(input.names.size() == 507, "input has %zu series, want 507", input.names.size());
  size_t want_samples = 0;
  for (auto& v : input.samples) {
    std::stable_sort(v.begin(), v.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    want_samples += v.size();
  }

  uint64_t count = 0;
  RETURN_IF_FAILED(SeriesCount(db.get(), nullptr, &count));
  REQUIRE(count == 507, "vme_series_count = %" PRIu64 ", want 507", count);

  std::vector<ExportRow> first;
  RETURN_IF_FAILED(Export(db.get(), input, &first));
  REQUIRE(first.size() == 608400 && first.size() == want_samples,
          "export has %zu samples, want 608400", first.size());

  // Every sample at its timestamp, equal to the input within VM's decimal rounding.
  size_t pos = 0, bad = 0, inexact = 0;
  std::string first_bad;
  while (pos < first.size()) {
    int id = first[pos].series;
    size_t end = pos;
    while (end < first.size() && first[end].series == id) end++;
    const auto& want = input.samples[id];
    REQUIRE(end - pos == want.size(), "%s: %zu samples, want %zu", input.names[id].c_str(),
            end - pos, want.size());
    for (size_t i = 0; i < want.size(); i++) {
      const ExportRow& g = first[pos + i];
      REQUIRE(g.ts == want[i].first, "%s: sample %zu at %" PRId64 ", want %" PRId64,
              input.names[id].c_str(), i, g.ts, want[i].first);
      const double in = want[i].second, out = BitsDouble(g.bits);
      if (g.bits == DoubleBits(in)) continue;
      inexact++;
      // VM's own round-trip criterion for its decimal conversion (VictoriaMetrics 1.72 tests in
      // lib/decimal/decimal_test.go): about 12 significant digits, i.e. a relative error of at most
      // ~1e-12. Integers below 2^53 must be exact; larger ones (e.g. 2^64 = 18446744073709551616,
      // beyond int64 mantissas) follow the same rounding rule as non-integers.
      const bool small_int = std::floor(in) == in && std::fabs(in) < 9007199254740992.0;
      bool ok = std::isfinite(in) && !small_int &&
                std::fabs(out - in) * 1e12 <= std::fabs(in) + std::fabs(out);
      if (!ok && bad++ == 0) {
        first_bad = Format("%s at %" PRId64 ": got %.17g (%016" PRIx64 "), input %.17g",
                           input.names[id].c_str(), g.ts, out, g.bits, in);
      }
    }
    pos = end;
  }
  REQUIRE(bad == 0,
          "%zu samples differ from the input beyond decimal rounding (%zu inexact); "
          "first: %s",
          bad, inexact, first_bad.c_str());

  RETURN_IF_FAILED(CloseDb(&db));
  RETURN_IF_FAILED(OpenDb(dir, {}, &db));
  RETURN_IF_FAILED(SeriesCount(db.get(), nullptr, &count));
  REQUIRE(count == 507, "after reopen: vme_series_count = %" PRIu64, count);
  std::vector<ExportRow> second;
  RETURN_IF_FAILED(Export(db.get(), input, &second));
  REQUIRE(second.size() == first.size(), "after reopen: %zu samples, want %zu", second.size(),
          first.size());
  for (size_t i = 0; i < first.size(); i++) {
    REQUIRE(first[i] == second[i],
            "after reopen: row %zu differs: %s %" PRId64 " %016" PRIx64 " vs %s %" PRId64
            " %016" PRIx64,
            i, input.names[first[i].series].c_str(), first[i].ts, first[i].bits,
            input.names[second[i].series].c_str(), second[i].ts, second[i].bits);
  }
  RETURN_IF_FAILED(CloseDb(&db));
  return "";
}

void TestParseLine() {
  Sample s;
  Labels l;
  REQUIRE(ParseLine("go_goroutines 7 1795236062122", &s, &l));
  REQUIRE_EQ(l.size(), 1);
  REQUIRE(s.value == 7 && s.ts == 1795236062122);
  REQUIRE_EQ(SeriesName(l).c_str(), "go_goroutines{}");
  REQUIRE(ParseLine("m{b=\"x y\",a=\"\",c=\"q\\\"\"} 1.8087e-05 1795236062122", &s, &l));
  REQUIRE_EQ(l.size(), 4);
  REQUIRE(s.value == 1.8087e-05);
  REQUIRE(s.series == "m{b=\"x y\",a=\"\",c=\"q\\\"\"}");
  REQUIRE_EQ(SeriesName(l).c_str(), "m{b=\"x y\",c=\"q\\\"\"}");
  REQUIRE(ParseLine("m{a=\"1\"} +Inf 5", &s, &l));
  REQUIRE(std::isinf(s.value) && s.value > 0);
  REQUIRE(ParseLine("m NaN 5", &s, &l));
  REQUIRE(std::isnan(s.value));
  REQUIRE(!ParseLine("m{a=\"1} 1 5", &s, &l));
  REQUIRE(!ParseLine("m 1", &s, &l));
  const std::string key = PackKey({{"__name__", "up"}, {"job", "a"}});
  Labels back;
  REQUIRE(UnpackKey(reinterpret_cast<const uint8_t*>(key.data()), key.size(), &back));
  REQUIRE(back == Labels({{"__name__", "up"}, {"job", "a"}}));
  REQUIRE(!UnpackKey(reinterpret_cast<const uint8_t*>(key.data()), key.size() - 1, &back));
}

void TestRealData() { RUN(RealData()); }

}  // namespace

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestParseLine),
      VME_TEST(TestRealData),
  };
  int rc = vme::test::RunTests(tests, argc, argv);
  vme_library_shutdown();
  return rc;
}
