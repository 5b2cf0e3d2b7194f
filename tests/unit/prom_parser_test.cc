// Unit tests of the Prometheus text exposition parser (src/import/prom_parser.h) and the
// series-key packing it feeds (src/import/series_key.h), the parts of the library's importer
// (vme_import_prometheus) that need no storage.
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "check.h"
#include "import/prom_parser.h"
#include "import/series_key.h"

using vme::prom::Label;
using vme::prom::PromLine;
using vme::prom::PromLineKind;

namespace {

std::vector<Label> L(std::initializer_list<std::pair<const char*, std::string>> pairs) {
  std::vector<Label> out;
  for (const auto& [n, v] : pairs) out.push_back({n, v});
  return out;
}

void ExpectSample(std::string_view line, std::string_view series, const std::vector<Label>& labels,
                  double value, bool has_ts, int64_t ts) {
  PromLine p;
  std::string error;
  const PromLineKind kind = vme::prom::ParsePromLine(line, &p, &error);
  if (kind != PromLineKind::kSample) {
    std::fprintf(stderr, "line: %.*s\nerror: %s\n", static_cast<int>(line.size()), line.data(),
                 error.c_str());
  }
  REQUIRE_EQ(static_cast<int>(kind), static_cast<int>(PromLineKind::kSample));
  REQUIRE_EQ(std::string(p.series), std::string(series));
  if (std::isnan(value)) {
    REQUIRE(std::isnan(p.value));
  } else {
    REQUIRE(std::bit_cast<uint64_t>(p.value) == std::bit_cast<uint64_t>(value));
  }
  REQUIRE_EQ(p.has_timestamp, has_ts);
  if (has_ts) REQUIRE(p.timestamp_ms == ts);
  std::vector<Label> got;
  const bool ok = vme::prom::ParsePromSeries(p.series, &got, &error);
  if (!ok) std::fprintf(stderr, "series error: %s\n", error.c_str());
  REQUIRE(ok);
  REQUIRE_EQ(got.size(), labels.size());
  for (size_t i = 0; i < got.size(); ++i) {
    REQUIRE_EQ(got[i].name, labels[i].name);
    REQUIRE_EQ(got[i].value.size(), labels[i].value.size());
    REQUIRE(std::memcmp(got[i].value.data(), labels[i].value.data(), got[i].value.size()) == 0);
  }
}

// Expects the line (or, if the line itself parses, its series) to be rejected with a reason
// containing `want`.
void ExpectMalformed(std::string_view line, std::string_view want) {
  PromLine p;
  std::string error;
  const PromLineKind kind = vme::prom::ParsePromLine(line, &p, &error);
  if (kind == PromLineKind::kSample) {
    std::vector<Label> labels;
    const bool ok = vme::prom::ParsePromSeries(p.series, &labels, &error);
    if (ok)
      std::fprintf(stderr, "unexpectedly valid: %.*s\n", static_cast<int>(line.size()),
                   line.data());
    REQUIRE(!(ok));
  } else {
    REQUIRE_EQ(static_cast<int>(kind), static_cast<int>(PromLineKind::kError));
  }
  if (error.find(want) == std::string::npos) {
    std::fprintf(stderr, "line: %.*s\nerror: %s\nwanted: %.*s\n", static_cast<int>(line.size()),
                 line.data(), error.c_str(), static_cast<int>(want.size()), want.data());
  }
  REQUIRE(error.find(want) != std::string::npos);
}

void TestValidLines() {
  const double inf = std::numeric_limits<double>::infinity();
  ExpectSample("up 1", "up", L({{"__name__", "up"}}), 1, false, 0);
  ExpectSample("up 1 1767225600000", "up", L({{"__name__", "up"}}), 1, true, 1767225600000);
  ExpectSample("go_gc_duration_seconds{quantile=\"0.25\"} 1.8087e-05 1795236062122",
               "go_gc_duration_seconds{quantile=\"0.25\"}",
               L({{"__name__", "go_gc_duration_seconds"}, {"quantile", "0.25"}}), 1.8087e-05, true,
               1795236062122);
  ExpectSample("m{a=\"1\",b=\"x y\"} -2.5", "m{a=\"1\",b=\"x y\"}",
               L({{"__name__", "m"}, {"a", "1"}, {"b", "x y"}}), -2.5, false, 0);
  ExpectSample("  m  { a = \"1\" , b=\"2\" , }   3   -5  ", "m  { a = \"1\" , b=\"2\" , }",
               L({{"__name__", "m"}, {"a", "1"}, {"b", "2"}}), 3, true, -5);
  ExpectSample("m{p=\"C:\\\\dir\",q=\"say \\\"hi\\\"\",n=\"a\\nb\"} 1\r",
               "m{p=\"C:\\\\dir\",q=\"say \\\"hi\\\"\",n=\"a\\nb\"}",
               L({{"__name__", "m"}, {"p", "C:\\dir"}, {"q", "say \"hi\""}, {"n", "a\nb"}}), 1,
               false, 0);
  ExpectSample("m{v=\"} {\\\" ,\"} 7", "m{v=\"} {\\\" ,\"}",
               L({{"__name__", "m"}, {"v", "} {\" ,"}}), 7, false, 0);
  ExpectSample("m\t4\t10", "m", L({{"__name__", "m"}}), 4, true, 10);
  ExpectSample("ns:rule_total{} 1e3", "ns:rule_total{}", L({{"__name__", "ns:rule_total"}}), 1000,
               false, 0);
  ExpectSample("{__name__=\"x\",a=\"b\"} 2", "{__name__=\"x\",a=\"b\"}",
               L({{"__name__", "x"}, {"a", "b"}}), 2, false, 0);
  ExpectSample("m{e=\"\"} 0", "m{e=\"\"}", L({{"__name__", "m"}, {"e", ""}}), 0, false, 0);
  ExpectSample("m{u=\"\xc3\xa9t\xc3\xa9\"} 1", "m{u=\"\xc3\xa9t\xc3\xa9\"}",
               L({{"__name__", "m"}, {"u", "\xc3\xa9t\xc3\xa9"}}), 1, false, 0);
  ExpectSample("m NaN", "m", L({{"__name__", "m"}}), std::nan(""), false, 0);
  ExpectSample("m +Inf 1", "m", L({{"__name__", "m"}}), inf, true, 1);
  ExpectSample("m -Inf", "m", L({{"__name__", "m"}}), -inf, false, 0);
  ExpectSample("m Inf", "m", L({{"__name__", "m"}}), inf, false, 0);
  ExpectSample("m 2.55655936e+08", "m", L({{"__name__", "m"}}), 2.55655936e+08, false, 0);
  ExpectSample("m -0.001 +17", "m", L({{"__name__", "m"}}), -0.001, true, 17);
  ExpectSample("m 1.7976931348623157e308", "m", L({{"__name__", "m"}}), 1.7976931348623157e308,
               false, 0);

  PromLine p;
  std::string error;
  for (std::string_view skip :
       {"", "   ", "\r", "# HELP up The up metric.", "# TYPE up gauge", "  # comment", "#"}) {
    REQUIRE_EQ(static_cast<int>(vme::prom::ParsePromLine(skip, &p, &error)),
               static_cast<int>(PromLineKind::kSkip));
  }
}

void TestMalformedLines() {
  ExpectMalformed("up", "missing value");
  ExpectMalformed("up{a=\"b\"}", "missing value");
  ExpectMalformed("up{a=\"b\"}   ", "missing value");
  ExpectMalformed("up{a=\"b} 1", "unterminated quoted label value");
  ExpectMalformed("up{a=\"b\" 1", "missing '}'");
  ExpectMalformed("up{1a=\"b\"} 1", "invalid label name \"1a\"");
  ExpectMalformed("up{a-b=\"c\"} 1", "invalid label name \"a-b\"");
  ExpectMalformed("up{=\"c\"} 1", "missing label name");
  ExpectMalformed("up{a} 1", "missing '=' after label name \"a\"");
  ExpectMalformed("up{a=b} 1", "missing '\"' before the value of label \"a\"");
  ExpectMalformed("up{a=\"b\" c=\"d\"} 1", "missing ',' or '}'");
  ExpectMalformed("up abc", "invalid value \"abc\"");
  ExpectMalformed("up 1.2.3", "invalid value \"1.2.3\"");
  ExpectMalformed("up 0x10", "invalid value \"0x10\"");
  ExpectMalformed("up 1e400", "invalid value \"1e400\"");
  ExpectMalformed("up --1", "invalid value \"--1\"");
  ExpectMalformed("up 1 12.5", "invalid timestamp \"12.5\"");
  ExpectMalformed("up 1 99999999999999999999", "invalid timestamp");
  ExpectMalformed("up 1 1000 junk", "unexpected trailing text \"junk\"");
  ExpectMalformed("up{a=\"b\"}x 1", "unexpected \"x 1\" after the label set");
  ExpectMalformed("1up 1", "invalid metric name \"1up\"");
  ExpectMalformed("up-time 1", "invalid metric name \"up-time\"");
  ExpectMalformed("{a=\"b\"} 1", "missing metric name");
  ExpectMalformed("{} 1", "missing metric name");
}

// Unknown escapes in label values are kept as they are (Prometheus' text parser,
// VictoriaMetrics' unescapeValue): `\t` is a backslash and a 't', not a rejected line.
void TestUnknownEscapesKept() {
  ExpectSample("up{a=\"b\\x\"} 1", "up{a=\"b\\x\"}", L({{"__name__", "up"}, {"a", "b\\x"}}), 1,
               false, 0);
  ExpectSample("m{a=\"x\\ty\"} 2 10", "m{a=\"x\\ty\"}", L({{"__name__", "m"}, {"a", "x\\ty"}}), 2,
               true, 10);
  // An escaped backslash followed by 't' gives the same value.
  ExpectSample("m{a=\"x\\\\ty\"} 2", "m{a=\"x\\\\ty\"}", L({{"__name__", "m"}, {"a", "x\\ty"}}), 2,
               false, 0);
  ExpectSample("m{a=\"\\d+\\.\\w\\n\"} 3", "m{a=\"\\d+\\.\\w\\n\"}",
               L({{"__name__", "m"}, {"a", "\\d+\\.\\w\n"}}), 3, false, 0);
  ExpectSample("m{a=\"\\\xc3\xa9\"} 4", "m{a=\"\\\xc3\xa9\"}",
               L({{"__name__", "m"}, {"a", "\\\xc3\xa9"}}), 4, false, 0);
  ExpectMalformed("m{a=\"x\\\"} 1", "unterminated quoted label value");
}

// Reasons quote at most about 128 bytes of the line, with control bytes and invalid UTF-8
// escaped, so that one rejected line is one short line on stderr.
void TestReasonsQuoteLittle() {
  const std::string long_name = "1" + std::string(100000, 'a');
  PromLine p;
  std::string error;
  REQUIRE_EQ(static_cast<int>(vme::prom::ParsePromLine(long_name + " 1", &p, &error)),
             static_cast<int>(PromLineKind::kError));
  REQUIRE(error.size() < 300);
  REQUIRE(error.find("more bytes") != std::string::npos);
  ExpectMalformed("up \x01\xff\x1b[31m", "invalid value \"\\x01\\xff\\x1b[31m\"");
  ExpectMalformed("up{a=\"b\"}\r\n 1", "unexpected \"\\r\\n 1\" after the label set");
  std::vector<Label> labels;
  const std::string bad_label = "m{" + std::string(5000, 'b') + "-=\"x\"}";
  REQUIRE(!(vme::prom::ParsePromSeries(bad_label, &labels, &error)));
  REQUIRE(error.size() < 300);
  for (char c : error) REQUIRE(static_cast<unsigned char>(c) >= 0x20);
}

void TestValues() {
  double v = 0;
  REQUIRE(vme::prom::ParsePromValue("1e-400", &v));
  REQUIRE(v == 0);
  REQUIRE(vme::prom::ParsePromValue("5e-324", &v));
  REQUIRE(std::bit_cast<uint64_t>(v) == 1);
  REQUIRE(vme::prom::ParsePromValue("-0", &v));
  REQUIRE(std::signbit(v) && v == 0);
  REQUIRE(vme::prom::ParsePromValue("+.5", &v));
  REQUIRE(v == 0.5);
  REQUIRE(vme::prom::ParsePromValue("nan", &v));
  REQUIRE(std::isnan(v));
  REQUIRE(vme::prom::ParsePromValue("-inf", &v));
  REQUIRE(std::isinf(v) && v < 0);
  REQUIRE(!(vme::prom::ParsePromValue("", &v)));
  REQUIRE(!(vme::prom::ParsePromValue("+", &v)));
  REQUIRE(!(vme::prom::ParsePromValue("+-1", &v)));
  REQUIRE(!(vme::prom::ParsePromValue("1,5", &v)));
  REQUIRE(!(vme::prom::ParsePromValue("-1e999", &v)));
}

void TestSeriesKey() {
  const std::vector<Label> labels = L(
      {{"__name__", "up"}, {"job", "node"}, {"empty", ""}, {"bin", std::string("a\0\x01\xff", 4)}});
  std::string key, error;
  REQUIRE(vme::prom::PackSeriesKey(labels, &key, &error));
  const std::string want = std::string("\x00\x08__name__\x00\x02up", 14) +
                           std::string("\x00\x03job\x00\x04node", 11) +
                           std::string(
                               "\x00\x05"
                               "empty\x00\x00",
                               9) +
                           std::string(
                               "\x00\x03"
                               "bin\x00\x04"
                               "a\0\x01\xff",
                               11);
  REQUIRE_EQ(key.size(), want.size());
  REQUIRE(std::memcmp(key.data(), want.data(), key.size()) == 0);
  std::vector<Label> back;
  REQUIRE(vme::prom::UnpackSeriesKey(key, &back, &error));
  REQUIRE(back == labels);

  // An empty name denotes the metric name.
  REQUIRE(vme::prom::UnpackSeriesKey(std::string("\x00\x00\x00\x01m", 5), &back, &error));
  REQUIRE(back == L({{"__name__", "m"}}));
  REQUIRE(vme::prom::UnpackSeriesKey("", &back, &error));
  REQUIRE(back.empty());

  for (size_t cut = 1; cut < key.size(); ++cut) {
    const std::string_view prefix(key.data(), cut);
    // Cuts at a pair boundary are valid keys; all others are truncated.
    const bool boundary = cut == 14 || cut == 25 || cut == 34;
    REQUIRE_EQ(vme::prom::UnpackSeriesKey(prefix, &back, &error), boundary);
    if (!boundary) REQUIRE(error.find("truncated series key") != std::string::npos);
  }

  const std::string long_value(65536, 'v');
  REQUIRE(!(vme::prom::PackSeriesKey(L({{"__name__", "m"}, {"big", long_value}}), &key, &error)));
  REQUIRE(error.find("\"big\"") != std::string::npos);
  const std::string max_value(65535, 'v');
  REQUIRE(vme::prom::PackSeriesKey(L({{"big", max_value}}), &key, &error));
  REQUIRE(vme::prom::UnpackSeriesKey(key, &back, &error));
  REQUIRE(back[0].value == max_value);
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestValidLines), VME_TEST(TestMalformedLines), VME_TEST(TestUnknownEscapesKept),
       VME_TEST(TestReasonsQuoteLittle), VME_TEST(TestValues), VME_TEST(TestSeriesKey)},
      argc, argv);
}
