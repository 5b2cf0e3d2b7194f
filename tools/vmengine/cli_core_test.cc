// Unit tests of the engine-independent parts of the vmengine tool: Go float formatting (against
// the golden VM 1.72 CSVs), CSV/JSONL output and time parsing. (The Prometheus parser's tests
// are tests/unit/prom_parser_test.cc: the parser is part of the library.)
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
#include "series_output.h"
#include "time_parse.h"

using vme::prom::Label;

namespace {

std::vector<Label> L(std::initializer_list<std::pair<const char*, std::string>> pairs) {
  std::vector<Label> out;
  for (const auto& [n, v] : pairs) out.push_back({n, v});
  return out;
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

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests({VME_TEST(TestGoFloatByHand), VME_TEST(TestGoFloatGoldenSmall),
                              VME_TEST(TestGoFloatGoldenSpecial), VME_TEST(TestCsvQuoting),
                              VME_TEST(TestJsonl), VME_TEST(TestTimeParse)},
                             argc, argv);
}
