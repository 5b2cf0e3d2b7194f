// PromQL series selector parsing.
#include <cstring>
#include <string>
#include <vector>

#include "storage/metric_name.h"
#include "storage/selector_parser.h"
#include "storage/tag_filters.h"
#include "test_util.h"

using vme::storage::ParseSelector;
using vme::storage::TagFilters;

namespace {

std::string Parsed(std::string_view sel) {
  TagFilters tfs;
  vme::Status st = ParseSelector(sel, &tfs);
  if (!st.ok()) FAIL("ParseSelector(%s): %s", std::string(sel).c_str(), st.message().c_str());
  return tfs.ToString();
}

void CheckParsed(std::string_view sel, const char* want) {
  std::string got = Parsed(sel);
  if (got != want)
    FAIL("ParseSelector(%s) = %s, want %s", std::string(sel).c_str(), got.c_str(), want);
}

void CheckError(std::string_view sel, const char* want_substr) {
  TagFilters tfs;
  REQUIRE_OK(tfs.Add("x", "y", false, false));
  vme::Status st = ParseSelector(sel, &tfs);
  if (st.ok()) FAIL("ParseSelector(%s) should fail", std::string(sel).c_str());
  REQUIRE_EQ(static_cast<int>(st.code()), static_cast<int>(vme::Code::kInvalidArgument));
  if (strstr(st.message().c_str(), want_substr) == nullptr) {
    FAIL("ParseSelector(%s): %s lacks %s", std::string(sel).c_str(), st.message().c_str(),
         want_substr);
  }
  REQUIRE(tfs.empty());
}

}  // namespace

static void TestValid() {
  CheckParsed("up", "{__name__=\"up\"}");
  CheckParsed("  up  ", "{__name__=\"up\"}");
  CheckParsed("up{}", "{__name__=\"up\"}");
  CheckParsed("node:cpu_seconds:rate5m", "{__name__=\"node:cpu_seconds:rate5m\"}");
  CheckParsed("up{job=\"node\"}", "{__name__=\"up\",job=\"node\"}");
  CheckParsed("up { job = \"node\" , instance != 'h1' , }",
              "{__name__=\"up\",job=\"node\",instance!=\"h1\"}");
  CheckParsed("{__name__=~\"foo.*\",a!~`b\\d`}", "{__name__=~\"foo.*\",a!~\"b\\\\d\"}");
  CheckParsed("{\n\tjob=~\"a|b\"\r\n}", "{job=~\"a|b\"}");
  CheckParsed("_x{_y=\"1\",Z9=\"2\"}", "{__name__=\"_x\",_y=\"1\",Z9=\"2\"}");
  CheckParsed("{a=\"\",b=\"x\"}", "{a=\"\",b=\"x\"}");
  CheckParsed("{a=~\".*\",b=\"x\"}", "{b=\"x\"}");
  CheckParsed("{a!~\".*\",b=\"x\"}", "{a!~\".*\",b=\"x\"}");
}

static void TestEscapes() {
  auto value = [](std::string_view sel) {
    TagFilters tfs;
    vme::Status st = ParseSelector(sel, &tfs);
    if (!st.ok()) FAIL("%s: %s", std::string(sel).c_str(), st.message().c_str());
    return tfs.filters().back().value();
  };
  REQUIRE_EQ(value(R"({a="q\"q"})").c_str(), "q\"q");
  REQUIRE_EQ(value(R"({a="n\nn"})").c_str(), "n\nn");
  REQUIRE_EQ(value(R"({a="b\\s"})").c_str(), "b\\s");
  REQUIRE_EQ(value(R"({a="\a\b\f\r\t\v"})").c_str(), "\a\b\f\r\t\v");
  REQUIRE_EQ(value(R"({a='it\'s "x"'})").c_str(), "it's \"x\"");
  REQUIRE_EQ(value(R"({a="\x41\101\u0442\U0001F600"})").c_str(), "AAт\xf0\x9f\x98\x80");
  REQUIRE(value(R"({a="\xff\000"})") == std::string("\xff\x00", 2));
  REQUIRE_EQ(value("{a=\"тест\"}").c_str(), "тест");
  REQUIRE_EQ(value("{a=`raw\\n\"x'`}").c_str(), "raw\\n\"x'");
  REQUIRE_EQ(value("{a=`multi\nline`}").c_str(), "multi\nline");
  REQUIRE_EQ(value(R"({a=~"a\\.b"})").c_str(), "a\\.b");

  TagFilters tfs;
  REQUIRE_OK(ParseSelector(R"({a=~"a\\.b"})", &tfs));
  vme::storage::MetricName mn;
  mn.tags = {{"a", "a.b"}};
  REQUIRE(tfs.Matches(mn));
  mn.tags = {{"a", "axb"}};
  REQUIRE(!tfs.Matches(mn));
}

static void TestErrors() {
  CheckError("", "unexpected end of input at offset 0");
  CheckError("   ", "unexpected end of input at offset 3");
  CheckError("{}", "at least one matcher");
  CheckError("up{job=\"node\"}}", "unexpected character '}' at offset 14");
  CheckError("up{job=\"node\",,}", "unexpected character ',' at offset 14");
  CheckError("{,}", "unexpected character ',' at offset 1");
  CheckError("{job=\"node\"", "unexpected end of input at offset 11");
  CheckError("{job}", "unexpected character '}' at offset 4");
  CheckError("{job==\"x\"}", "unexpected character '=' at offset 5");
  CheckError("{job=x}", "unexpected character 'x' at offset 5");
  CheckError("{job!\"x\"}", "unexpected character '\"' at offset 5");
  CheckError("{job=\"x\" b=\"y\"}", "unexpected character 'b' at offset 9");
  CheckError("{1a=\"x\"}", "unexpected character '1' at offset 1");
  CheckError("{a:b=\"x\"}", "unexpected character ':' at offset 2");
  CheckError("1up", "unexpected character '1' at offset 0");
  CheckError("up down", "unexpected character 'd' at offset 3");
  CheckError("{a=\"unterminated}", "unterminated quoted string starting at offset 3");
  CheckError("{a=\"new\nline\"}", "unterminated quoted string starting at offset 3");
  CheckError("{a=`raw}", "unterminated raw string starting at offset 3");
  CheckError(R"({a="\q"})", "unknown escape sequence");
  CheckError(R"({a="\'"})", "unknown escape sequence");
  CheckError(R"({a='\"'})", "unknown escape sequence");
  CheckError(R"({a="\x4"})", "illegal character");
  CheckError(R"({a="\777"})", "invalid Unicode code point");
  CheckError(R"({a="\uD800"})", "invalid Unicode code point");
  CheckError(R"({a="\U00110000"})", "invalid Unicode code point");
  CheckError(R"({a="\)", "escape sequence not terminated");
  CheckError("{a=~\"(\"}", "missing )");
  CheckError("{a=~\"(\"}", "at offset 4");
  CheckError("up{__name__=\"x\"}", "metric name must not be set twice");
  CheckError("{a=\"x\"\x01}", "unexpected character \"\\x01\" at offset 6");
}

static void TestTrailingSpaceAccepted() {
  CheckParsed("up{a=\"x\"} \n", "{__name__=\"up\",a=\"x\"}");
}

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestValid),
      VME_TEST(TestEscapes),
      VME_TEST(TestErrors),
      VME_TEST(TestTrailingSpaceAccepted),
  };
  return vme::test::RunTests(tests, argc, argv);
}
