// Unit tests of the engine-independent parts of the vmengine tool: the Prometheus line
// parser, Go float formatting (against the golden VM 1.72 CSVs), CSV/JSONL output, time
// parsing and series-key packing.
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "check.h"
#include "go_float_format.h"
#include "prom_parser.h"
#include "series_key.h"
#include "series_output.h"
#include "time_parse.h"

using vme::cli::Label;
using vme::cli::PromLine;
using vme::cli::PromLineKind;

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
  const PromLineKind kind = vme::cli::ParsePromLine(line, &p, &error);
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
  const bool ok = vme::cli::ParsePromSeries(p.series, &got, &error);
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
  const PromLineKind kind = vme::cli::ParsePromLine(line, &p, &error);
  if (kind == PromLineKind::kSample) {
    std::vector<Label> labels;
    const bool ok = vme::cli::ParsePromSeries(p.series, &labels, &error);
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
    REQUIRE_EQ(static_cast<int>(vme::cli::ParsePromLine(skip, &p, &error)),
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
  REQUIRE_EQ(static_cast<int>(vme::cli::ParsePromLine(long_name + " 1", &p, &error)),
             static_cast<int>(PromLineKind::kError));
  REQUIRE(error.size() < 300);
  REQUIRE(error.find("more bytes") != std::string::npos);
  ExpectMalformed("up \x01\xff\x1b[31m", "invalid value \"\\x01\\xff\\x1b[31m\"");
  ExpectMalformed("up{a=\"b\"}\r\n 1", "unexpected \"\\r\\n 1\" after the label set");
  std::vector<Label> labels;
  const std::string bad_label = "m{" + std::string(5000, 'b') + "-=\"x\"}";
  REQUIRE(!(vme::cli::ParsePromSeries(bad_label, &labels, &error)));
  REQUIRE(error.size() < 300);
  for (char c : error) REQUIRE(static_cast<unsigned char>(c) >= 0x20);
}

void TestValues() {
  double v = 0;
  REQUIRE(vme::cli::ParsePromValue("1e-400", &v));
  REQUIRE(v == 0);
  REQUIRE(vme::cli::ParsePromValue("5e-324", &v));
  REQUIRE(std::bit_cast<uint64_t>(v) == 1);
  REQUIRE(vme::cli::ParsePromValue("-0", &v));
  REQUIRE(std::signbit(v) && v == 0);
  REQUIRE(vme::cli::ParsePromValue("+.5", &v));
  REQUIRE(v == 0.5);
  REQUIRE(vme::cli::ParsePromValue("nan", &v));
  REQUIRE(std::isnan(v));
  REQUIRE(vme::cli::ParsePromValue("-inf", &v));
  REQUIRE(std::isinf(v) && v < 0);
  REQUIRE(!(vme::cli::ParsePromValue("", &v)));
  REQUIRE(!(vme::cli::ParsePromValue("+", &v)));
  REQUIRE(!(vme::cli::ParsePromValue("+-1", &v)));
  REQUIRE(!(vme::cli::ParsePromValue("1,5", &v)));
  REQUIRE(!(vme::cli::ParsePromValue("-1e999", &v)));
}

double FromBits(uint64_t bits) { return std::bit_cast<double>(bits); }

void TestGoFloatByHand() {
  const struct {
    double v;
    const char* want;
  } cases[] = {
      {0, "0"},
      {-0.0, "-0"},
      {1, "1"},
      {-42, "-42"},
      {100.72, "100.72"},
      {1000, "1000"},
      {123456, "123456"},
      {999999, "999999"},
      {1e6, "1e+06"},
      {1234567, "1.234567e+06"},
      {1e21, "1e+21"},
      {1e-4, "0.0001"},
      {1.5e-4, "0.00015"},
      {1e-5, "1e-05"},
      {1.8087e-05, "1.8087e-05"},
      {2.55655936e+08, "2.55655936e+08"},
      {0.1, "0.1"},
      {1.0 / 3, "0.3333333333333333"},
      {1e100, "1e+100"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {FromBits(1), "5e-324"},
      {std::numeric_limits<double>::quiet_NaN(), "NaN"},
      {FromBits(0x7ff0000000000002), "NaN"},
      {std::numeric_limits<double>::infinity(), "+Inf"},
      {-std::numeric_limits<double>::infinity(), "-Inf"},
  };
  for (const auto& c : cases) {
    REQUIRE_EQ(vme::cli::FormatGoFloat(c.v), std::string(c.want));
  }
}

// Splits one CSV line into fields (unquoted) and their raw text.
void SplitCsv(const std::string& line, std::vector<std::string>* fields,
              std::vector<std::string>* raw) {
  fields->clear();
  raw->clear();
  size_t i = 0;
  while (true) {
    const size_t start = i;
    std::string f;
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            f.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        f.push_back(line[i++]);
      }
    } else {
      while (i < line.size() && line[i] != ',') f.push_back(line[i++]);
    }
    fields->push_back(f);
    raw->push_back(line.substr(start, i - start));
    if (i >= line.size()) break;
    REQUIRE_EQ(line[i], ',');
    ++i;
  }
}

// For every row of a golden expected.csv: formatting the double of value_bits gives the value
// column, and writing the row gives the line back byte for byte.
void CheckGoldenCsv(const char* name) {
  const std::string path = std::string(VME_CLI_TESTDATA_DIR) + "/" + name;
  std::ifstream in(path);
  if (!in) std::fprintf(stderr, "cannot open %s\n", path.c_str());
  REQUIRE(static_cast<bool>(in));
  std::string line;
  REQUIRE(static_cast<bool>(std::getline(in, line)));
  REQUIRE_EQ(line, std::string("metric,timestamp_ms,value,value_bits"));
  std::vector<std::string> fields, raw;
  size_t rows = 0;
  while (std::getline(in, line)) {
    SplitCsv(line, &fields, &raw);
    REQUIRE_EQ(fields.size(), 4);
    const uint64_t bits = std::strtoull(fields[3].c_str(), nullptr, 16);
    const double v = FromBits(bits);
    const std::string formatted = vme::cli::FormatGoFloat(v);
    if (formatted != fields[2]) {
      std::fprintf(stderr, "%s: bits %s: got %s want %s\n", name, fields[3].c_str(),
                   formatted.c_str(), fields[2].c_str());
    }
    REQUIRE_EQ(formatted, fields[2]);
    std::string field;
    vme::cli::AppendCsvField(&field, fields[0]);
    REQUIRE_EQ(field, raw[0]);
    std::string row;
    vme::cli::AppendCsvRow(&row, fields[0], std::strtoll(fields[1].c_str(), nullptr, 10), v);
    REQUIRE_EQ(row, (line + "\n"));
    ++rows;
  }
  REQUIRE(rows > 100);
}

void TestGoFloatGoldenSmall() { CheckGoldenCsv("small_expected.csv"); }
void TestGoFloatGoldenSpecial() { CheckGoldenCsv("special_expected.csv"); }

void TestCsvQuoting() {
  const struct {
    const char* in;
    const char* want;
  } cases[] = {
      {"up", "up"},           {"", ""},
      {"a,b", "\"a,b\""},     {"say \"hi\"", "\"say \"\"hi\"\"\""},
      {"a\nb", "\"a\nb\""},   {"a\rb", "\"a\rb\""},
      {" lead", "\" lead\""}, {"\\.", "\"\\.\""},
      {"trail ", "trail "},
  };
  for (const auto& c : cases) {
    std::string out;
    vme::cli::AppendCsvField(&out, c.in);
    REQUIRE_EQ(out, std::string(c.want));
  }
}

void TestJsonl() {
  const std::vector<Label> labels = L({{"__name__", "m"}, {"job", "a\"b"}, {"x", "\n"}});
  const int64_t ts[] = {1000, 2000, 3000, 4000};
  const double values[] = {1, 2.5, std::nan(""), -std::numeric_limits<double>::infinity()};
  std::string out;
  vme::cli::AppendJsonlSeries(&out, labels, ts, values, 4);
  REQUIRE_EQ(out, std::string("{\"metric\":{\"__name__\":\"m\",\"job\":\"a\\\"b\",\"x\":\"\\n\"},"
                              "\"values\":[1,2.5,\"NaN\",\"-Inf\"],"
                              "\"timestamps\":[1000,2000,3000,4000]}\n"));
}

void ExpectTime(const char* s, int64_t want) {
  int64_t got = 0;
  std::string error;
  const bool ok = vme::cli::ParseTimestampMs(s, &got, &error);
  if (!ok || got != want) {
    std::fprintf(stderr, "%s: ok=%d got %lld want %lld (%s)\n", s, ok, static_cast<long long>(got),
                 static_cast<long long>(want), error.c_str());
  }
  REQUIRE(ok);
  REQUIRE(got == want);
}

void TestTimeParse() {
  ExpectTime("2026-01-01T00:00:00Z", 1767225600000);
  ExpectTime("2026-01-01t00:00:00z", 1767225600000);
  ExpectTime("2026-01-01 00:00:00Z", 1767225600000);
  ExpectTime("2026-01-01T00:00:00.5Z", 1767225600500);
  ExpectTime("2026-01-01T00:00:00.123456789Z", 1767225600123);
  ExpectTime("2026-01-01T01:00:00+01:00", 1767225600000);
  ExpectTime("2025-12-31T19:30:00-04:30", 1767225600000);
  ExpectTime("1970-01-01T00:00:00Z", 0);
  ExpectTime("1969-12-31T23:59:59.999Z", -1);
  ExpectTime("2000-02-29T12:00:00Z", 951825600000);
  ExpectTime("2026-11-21T05:34:18Z", 1795239258000);
  ExpectTime("1767225600000", 1767225600000);
  ExpectTime("0", 0);
  ExpectTime("-1500", -1500);
  ExpectTime("+42", 42);
  ExpectTime("9223372036854775807", INT64_MAX);

  int64_t ms = 0;
  std::string error;
  for (const char* bad : {"", "abc", "2026-01-01", "2026-01-01T00:00:00", "2026-13-01T00:00:00Z",
                          "2026-02-29T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z",
                          "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+0100",
                          "2026-01-01T00:00:00Zjunk", "12.5", "1e3", "9223372036854775808"}) {
    error.clear();
    REQUIRE(!(vme::cli::ParseTimestampMs(bad, &ms, &error)));
    REQUIRE(error.find("invalid time") != std::string::npos);
  }
}

void TestSeriesKey() {
  const std::vector<Label> labels = L(
      {{"__name__", "up"}, {"job", "node"}, {"empty", ""}, {"bin", std::string("a\0\x01\xff", 4)}});
  std::string key, error;
  REQUIRE(vme::cli::PackSeriesKey(labels, &key, &error));
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
  REQUIRE(vme::cli::UnpackSeriesKey(key, &back, &error));
  REQUIRE(back == labels);

  // An empty name denotes the metric name.
  REQUIRE(vme::cli::UnpackSeriesKey(std::string("\x00\x00\x00\x01m", 5), &back, &error));
  REQUIRE(back == L({{"__name__", "m"}}));
  REQUIRE(vme::cli::UnpackSeriesKey("", &back, &error));
  REQUIRE(back.empty());

  for (size_t cut = 1; cut < key.size(); ++cut) {
    const std::string_view prefix(key.data(), cut);
    // Cuts at a pair boundary are valid keys; all others are truncated.
    const bool boundary = cut == 14 || cut == 25 || cut == 34;
    REQUIRE_EQ(vme::cli::UnpackSeriesKey(prefix, &back, &error), boundary);
    if (!boundary) REQUIRE(error.find("truncated series key") != std::string::npos);
  }

  const std::string long_value(65536, 'v');
  REQUIRE(!(vme::cli::PackSeriesKey(L({{"__name__", "m"}, {"big", long_value}}), &key, &error)));
  REQUIRE(error.find("\"big\"") != std::string::npos);
  const std::string max_value(65535, 'v');
  REQUIRE(vme::cli::PackSeriesKey(L({{"big", max_value}}), &key, &error));
  REQUIRE(vme::cli::UnpackSeriesKey(key, &back, &error));
  REQUIRE(back[0].value == max_value);
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestValidLines), VME_TEST(TestMalformedLines), VME_TEST(TestUnknownEscapesKept),
       VME_TEST(TestReasonsQuoteLittle), VME_TEST(TestValues), VME_TEST(TestGoFloatByHand),
       VME_TEST(TestGoFloatGoldenSmall), VME_TEST(TestGoFloatGoldenSpecial),
       VME_TEST(TestCsvQuoting), VME_TEST(TestJsonl), VME_TEST(TestTimeParse),
       VME_TEST(TestSeriesKey)},
      argc, argv);
}
