// MetricName canonical form, escaping, series keys and text form (VictoriaMetrics
// MetricName.Marshal, MarshalMetricNameRaw in lib/storage/metric_name.go, tests in
// lib/storage/metric_name_test.go; docs/format.md, "indexdb items" ).
#include <cstring>
#include <string>
#include <vector>

#include "encoding/int.h"
#include "storage/metric_name.h"
#include "storage/selector_parser.h"
#include "test_util.h"

using vme::storage::GoQuote;
using vme::storage::LabelLimits;
using vme::storage::MetricName;
using vme::storage::Tag;
using vme::test::Hex;
using vme::test::Unhex;

namespace {

std::string Keys(const MetricName& mn) {
  std::string out;
  for (const Tag& t : mn.tags) out += t.key + ",";
  return out;
}

std::string SeriesKey(const std::vector<std::pair<std::string, std::string>>& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    vme::enc::AppendU16(&out, static_cast<uint16_t>(k.size()));
    out += k;
    vme::enc::AppendU16(&out, static_cast<uint16_t>(v.size()));
    out += v;
  }
  return out;
}

MetricName CpuName() {
  MetricName mn;
  mn.account_id = 1;
  mn.project_id = 2;
  mn.metric_group = "cpu";
  mn.tags = {{"job", "node"},
             {"instance", "h1"},
             {"zone", std::string("a\x01"
                                  "b",
                                  3)}};
  return mn;
}

}  // namespace

static void TestCanonicalMarshal() {
  MetricName mn = CpuName();
  mn.SortTags();
  std::string b;
  mn.Marshal(&b);
  ASSERT_HEX(
      "00000001 00000002 637075 01 6a6f62 01 6e6f6465 01 696e7374616e6365 01 6831 01 7a6f6e65 01 "
      "61003162 01",
      b);
  MetricName back;
  REQUIRE_OK(back.Unmarshal(b));
  REQUIRE(back == mn);

  std::string nt;
  mn.MarshalNoTenant(&nt);
  REQUIRE_EQ(Hex(nt).c_str(), Hex(b.substr(8)).c_str());
  MetricName back2;
  REQUIRE_OK(back2.UnmarshalNoTenant(nt));
  REQUIRE(back2.metric_group == "cpu" && back2.tags == mn.tags);

  MetricName empty;
  std::string e;
  empty.Marshal(&e);
  ASSERT_HEX("00000000 00000000 01", e);
}

static void TestRawFormAndSeriesKey() {
  std::string raw = Unhex(
      "00000001 00000002 0000 0003 637075 0003 6a6f62 0004 6e6f6465 0008 696e7374616e6365 "
      "0002 6831 0004 7a6f6e65 0003 610162");
  MetricName mn;
  REQUIRE_OK(mn.FromSeriesKey(std::string_view(raw).substr(8), 1, 2, LabelLimits()));
  std::string b;
  mn.Marshal(&b);
  ASSERT_HEX(
      "00000001 00000002 637075 01 6a6f62 01 6e6f6465 01 696e7374616e6365 01 6831 01 7a6f6e65 01 "
      "61003162 01",
      b);

  std::string key;
  mn.ToSeriesKey(&key);
  ASSERT_HEX(
      "0008 5f5f6e616d655f5f 0003 637075 0003 6a6f62 0004 6e6f6465 0008 696e7374616e6365 "
      "0002 6831 0004 7a6f6e65 0003 610162",
      key);
  MetricName again;
  REQUIRE_OK(again.FromSeriesKey(key, 1, 2, LabelLimits()));
  REQUIRE(again == mn);
}

static void TestUpExample() {
  MetricName mn;
  mn.account_id = 1;
  mn.project_id = 2;
  mn.AddTag("__name__", "up");
  mn.AddTag("instance", "h1");
  mn.AddTag("job", "node");
  mn.SortTags();
  std::string b;
  mn.Marshal(&b);
  ASSERT_HEX("00000001 00000002 7570 01 6a6f62 01 6e6f6465 01 696e7374616e6365 01 6831 01", b);
}

static void TestSortTags() {
  MetricName mn;
  mn.SortTags();
  REQUIRE(mn.tags.empty());
  mn.tags = {{"foo", "1"}};
  mn.SortTags();
  REQUIRE_EQ(Keys(mn).c_str(), "foo,");
  mn.tags = {{"host", "1"}, {"foo", "2"}, {"bar", "3"}, {"service", "4"}};
  mn.SortTags();
  REQUIRE_EQ(Keys(mn).c_str(), "service,host,bar,foo,");
  mn.tags = {{"model", "1"}, {"foo", "2"},    {"job", "3"},
             {"host", "4"},  {"server", "5"}, {"instance", "6"}};
  mn.SortTags();
  REQUIRE_EQ(Keys(mn).c_str(), "job,model,instance,host,server,foo,");

  mn.tags = {{"foo", "bar"}, {"duplicate", "tag1"}, {"duplicate", "tag2"},
             {"tt", "xx"},   {"foo", "abc"},        {"duplicate", "tag3"}};
  mn.SortTags();
  REQUIRE((mn.tags == std::vector<Tag>{{"duplicate", "tag3"}, {"foo", "abc"}, {"tt", "xx"}}));

  // Upper-cased first letters use the same codes; the whole table in order.
  mn.tags = {{"zzz", ""},
             {"Measurement", ""},
             {"name", ""},
             {"client", ""},
             {"Tenant", ""},
             {"device", ""},
             {"Node", ""},
             {"pod", ""},
             {"server", ""},
             {"Host", ""},
             {"instance", ""},
             {"db", ""},
             {"SensorType", ""},
             {"Type", ""},
             {"model", ""},
             {"Job", ""},
             {"service", ""},
             {"Cluster", ""},
             {"env", ""},
             {"environment", ""},
             {"Dc", ""},
             {"datacenter", ""},
             {"ns", ""},
             {"Namespace", ""},
             {"", ""}};
  mn.SortTags();
  REQUIRE_EQ(Keys(mn).c_str(),
             ",Namespace,ns,datacenter,Dc,environment,env,Cluster,service,Job,model,Type,"
             "SensorType,db,instance,Host,server,pod,Node,device,Tenant,client,name,"
             "Measurement,zzz,");
  mn.tags = {{"a", ""}, {"sensor_type", ""}, {"Sensor_type", ""}, {"type", ""}};
  mn.SortTags();
  REQUIRE_EQ(Keys(mn).c_str(), "type,sensor_type,Sensor_type,a,");
  REQUIRE(vme::storage::NormalizeTagKey("JOB") == "JOB");
  REQUIRE(vme::storage::NormalizeTagKey("jobs") == "jobs");

  // Different keys with the same code are not collapsed; stable order is kept.
  mn.tags = {{"job", "a"}, {"Job", "b"}, {"job", "c"}};
  mn.SortTags();
  REQUIRE((mn.tags == std::vector<Tag>{{"job", "a"}, {"Job", "b"}, {"job", "c"}}));
}

static void TestTagValueEscaping() {
  std::string b;
  vme::storage::MarshalTagValue(&b, "plain");
  ASSERT_HEX("706c61696e 01", b);
  b.clear();
  vme::storage::MarshalTagValue(&b, std::string("\x00x\x01y\x02", 5));
  ASSERT_HEX("0030 78 0031 79 0032 01", b);
  b.clear();
  vme::storage::MarshalTagValueNoTrailingSep(&b, std::string("a\x02", 2));
  ASSERT_HEX("61 0032", b);
  b.clear();
  vme::storage::MarshalTagValue(&b, "");
  ASSERT_HEX("01", b);

  std::string two = Unhex("0030 78 0031 79 0032 01 61 01");
  std::string_view sv(two);
  std::string out;
  REQUIRE(vme::storage::UnmarshalTagValue(&sv, &out));
  REQUIRE_EQ(Hex(out).c_str(), "0078017902");
  REQUIRE(vme::storage::UnmarshalTagValue(&sv, &out));
  REQUIRE(out == "a");
  REQUIRE(sv.empty());

  for (const char* bad : {"61", "0033 01", "00 01", "61 00", ""}) {
    std::string in = Unhex(bad);
    std::string_view v(in);
    REQUIRE(!vme::storage::UnmarshalTagValue(&v, &out));
  }
}

static void TestUnmarshalCorruption() {
  MetricName mn;
  REQUIRE_EQ(static_cast<int>(mn.Unmarshal(Unhex("000000")).code()),
             static_cast<int>(vme::Code::kCorruption));
  REQUIRE(!mn.Unmarshal(Unhex("00000001 00000002")).ok());
  REQUIRE(!mn.Unmarshal(Unhex("00000001 00000002 61")).ok());
  REQUIRE(!mn.Unmarshal(Unhex("00000001 00000002 61 01 6b 01")).ok());
  REQUIRE(!mn.Unmarshal(Unhex("00000001 00000002 61 01 6b 01 00 01")).ok());
  REQUIRE_OK(mn.Unmarshal(Unhex("00000001 00000002 61 01 6b 01 76 01")));
  REQUIRE(mn.metric_group == "a" && mn.tags.size() == 1 && mn.tags[0].value == "v");
  REQUIRE_EQ(mn.account_id, 1);
}

static void TestPrometheusText() {
  MetricName mn;
  mn.account_id = 123;
  mn.project_id = 456;
  mn.metric_group = "foobar";
  REQUIRE_EQ(mn.ToPrometheusText().c_str(), "foobar{}");
  mn.metric_group = "abc";
  mn.tags = {{"foo", "bar"}, {"baz", "123"}};
  REQUIRE_EQ(mn.ToPrometheusText().c_str(), "abc{baz=\"123\",foo=\"bar\"}");
  mn.tags = {{"job", "a\"b\\c\nd"}, {"Z", "x"}};
  REQUIRE_EQ(mn.ToPrometheusText().c_str(), "abc{Z=\"x\",job=\"a\\\"b\\\\c\\nd\"}");
}

static void TestGoQuote() {
  const struct {
    std::string in;
    const char* out;
  } cases[] = {
      {"", "\"\""},
      {"hello world", "\"hello world\""},
      {"a\"b", "\"a\\\"b\""},
      {"a\\b", "\"a\\\\b\""},
      {"line\nnext", "\"line\\nnext\""},
      {"\t\r\a\b\f\v", "\"\\t\\r\\a\\b\\f\\v\""},
      {std::string("\x00", 1), "\"\\x00\""},
      {"\x01\x1f", "\"\\x01\\x1f\""},
      {"\x7f", "\"\\x7f\""},
      {"\xff", "\"\\xff\""},
      {"a\xc3", "\"a\\xc3\""},
      {"\xed\xa0\x80", "\"\\xed\\xa0\\x80\""},
      {"\xc0\xaf", "\"\\xc0\\xaf\""},
      {"тест", "\"тест\""},
      {"'", "\"'\""},
      {"~`", "\"~`\""},
      {"\xc2\xa0", "\"\\u00a0\""},
      {"\xc2\xad", "\"\\u00ad\""},
      {"\xe2\x80\x8b", "\"\\u200b\""},
      {"\xe2\x80\xa8", "\"\\u2028\""},
      {"\xef\xbb\xbf", "\"\\ufeff\""},
      {"\xef\xbf\xbd", "\"\xef\xbf\xbd\""},
      {"\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""},
      {"\xf3\xa0\x80\x81", "\"\\U000e0001\""},
      {"\xf4\x8f\xbf\xbf", "\"\\U0010ffff\""},
      {"\xee\x80\x80", "\"\\ue000\""},
      {"\xc2\x85", "\"\\u0085\""},
      {"é中", "\"é中\""},
  };
  for (const auto& c : cases) {
    REQUIRE_EQ(GoQuote(c.in).c_str(), c.out);
  }
}

static void TestFromSeriesKeyLimits() {
  LabelLimits lim;
  MetricName mn;
  // Empty values are skipped.
  REQUIRE_OK(mn.FromSeriesKey(SeriesKey({{"__name__", "m"}, {"a", ""}, {"b", "1"}}), 0, 0, lim));
  REQUIRE(mn.metric_group == "m");
  REQUIRE((mn.tags == std::vector<Tag>{{"b", "1"}}));
  REQUIRE_OK(mn.FromSeriesKey(SeriesKey({{"x", "1"}}), 3, 4, lim));
  REQUIRE(mn.metric_group.empty() && mn.tags.size() == 1 && mn.account_id == 3);
  // Unsorted input is canonicalised, duplicates collapse.
  REQUIRE_OK(
      mn.FromSeriesKey(SeriesKey({{"", "m"}, {"z", "1"}, {"job", "j"}, {"z", "2"}}), 0, 0, lim));
  REQUIRE((mn.tags == std::vector<Tag>{{"job", "j"}, {"z", "2"}}));

  std::string n256(256, 'n');
  std::string n257(257, 'n');
  REQUIRE_OK(mn.FromSeriesKey(SeriesKey({{"", "m"}, {n256, "v"}}), 0, 0, lim));
  vme::Status st = mn.FromSeriesKey(SeriesKey({{"", "m"}, {n257, "v"}}), 0, 0, lim);
  REQUIRE_EQ(static_cast<int>(st.code()), static_cast<int>(vme::Code::kInvalidArgument));
  REQUIRE(strstr(st.message().c_str(), "257") != nullptr);

  REQUIRE_OK(mn.FromSeriesKey(SeriesKey({{"", "m"}, {"k", std::string(16384, 'v')}}), 0, 0, lim));
  st = mn.FromSeriesKey(SeriesKey({{"", "m"}, {"k", std::string(16385, 'v')}}), 0, 0, lim);
  REQUIRE_EQ(static_cast<int>(st.code()), static_cast<int>(vme::Code::kInvalidArgument));
  REQUIRE(strstr(st.message().c_str(), "\"k\"") != nullptr);
  st = mn.FromSeriesKey(SeriesKey({{"", std::string(16385, 'm')}}), 0, 0, lim);
  REQUIRE(!st.ok());

  std::vector<std::pair<std::string, std::string>> labels = {{"__name__", "m"}};
  for (int i = 0; i < 29; i++) labels.emplace_back("l" + std::to_string(i), "v");
  REQUIRE_OK(mn.FromSeriesKey(SeriesKey(labels), 0, 0, lim));
  REQUIRE_EQ(mn.tags.size(), 29);
  labels.emplace_back("empty", "");
  REQUIRE_OK(mn.FromSeriesKey(SeriesKey(labels), 0, 0, lim));
  labels.emplace_back("l29", "v");
  st = mn.FromSeriesKey(SeriesKey(labels), 0, 0, lim);
  REQUIRE_EQ(static_cast<int>(st.code()), static_cast<int>(vme::Code::kInvalidArgument));
  REQUIRE(strstr(st.message().c_str(), "too many labels") != nullptr);

  std::string key = SeriesKey({{"", "m"}, {"abc", "value"}});
  for (size_t n = 1; n < key.size(); n++) {
    st = mn.FromSeriesKey(std::string_view(key).substr(0, n), 0, 0, lim);
    if (n == 5) {
      REQUIRE_OK(st);
    } else {
      REQUIRE_EQ(static_cast<int>(st.code()), static_cast<int>(vme::Code::kInvalidArgument));
      REQUIRE(strstr(st.message().c_str(), "truncated") != nullptr);
    }
  }
  st = mn.FromSeriesKey("", 0, 0, lim);
  REQUIRE(!st.ok());
  st = mn.FromSeriesKey(SeriesKey({{"", ""}, {"a", ""}}), 0, 0, lim);
  REQUIRE(!st.ok());
  // Any bytes are allowed in names and values.
  REQUIRE_OK(mn.FromSeriesKey(SeriesKey({{"\xff\x01", std::string("\x00\x02", 2)}}), 0, 0, lim));
  std::string b;
  mn.Marshal(&b);
  ASSERT_HEX("00000000 00000000 01 ff0031 01 00300032 01", b);
}

static std::string CsvFirstField(const std::string& line) {
  std::string out;
  if (line.empty() || line[0] != '"') return line.substr(0, line.find(','));
  for (size_t i = 1; i < line.size(); i++) {
    if (line[i] == '"') {
      if (i + 1 < line.size() && line[i + 1] == '"') {
        out.push_back('"');
        i++;
      } else {
        break;
      }
    } else {
      out.push_back(line[i]);
    }
  }
  return out;
}

static void CheckGolden(const std::string& path, int column) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::string line;
  std::getline(in, line);
  size_t rows = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (column == 1) line = line.substr(line.find(',') + 1);
    std::string metric = CsvFirstField(line);
    vme::storage::TagFilters tfs;
    REQUIRE_OK(vme::storage::ParseSelector(metric, &tfs));
    MetricName mn;
    for (const auto& tf : tfs.filters()) {
      REQUIRE(!(tf.is_negative() || tf.is_regexp()));
      mn.AddTag(tf.key(), tf.value());
    }
    mn.SortTags();
    REQUIRE_EQ(mn.ToPrometheusText().c_str(), metric.c_str());
    std::string key;
    mn.ToSeriesKey(&key);
    MetricName back;
    REQUIRE_OK(back.FromSeriesKey(key, 0, 0, LabelLimits()));
    REQUIRE_EQ(back.ToPrometheusText().c_str(), metric.c_str());
    REQUIRE(tfs.Matches(back));
    rows++;
  }
  REQUIRE(rows > 100);
}

static void TestGoldenCsv() {
  const std::string dir = std::string(VME_TESTDATA_DIR) + "/vm172/";
  CheckGolden(dir + "special/input.csv", 1);
  CheckGolden(dir + "special/expected.csv", 0);
  CheckGolden(dir + "small/input.csv", 1);
  CheckGolden(dir + "small/expected.csv", 0);
}

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestCanonicalMarshal),    VME_TEST(TestRawFormAndSeriesKey),
      VME_TEST(TestUpExample),           VME_TEST(TestSortTags),
      VME_TEST(TestTagValueEscaping),    VME_TEST(TestUnmarshalCorruption),
      VME_TEST(TestPrometheusText),      VME_TEST(TestGoQuote),
      VME_TEST(TestFromSeriesKeyLimits), VME_TEST(TestGoldenCsv),
  };
  return vme::test::RunTests(tests, argc, argv);
}
