// MetricName canonical form, escaping, series keys and text form (reference §1.1, §1.2, §8.2,
// §15.2).
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

static void TestCanonicalMarshal(void**) {
  MetricName mn = CpuName();
  mn.SortTags();
  std::string b;
  mn.Marshal(&b);
  ASSERT_HEX(
      "00000001 00000002 637075 01 6a6f62 01 6e6f6465 01 696e7374616e6365 01 6831 01 7a6f6e65 01 "
      "61003162 01",
      b);
  MetricName back;
  ASSERT_OK(back.Unmarshal(b));
  assert_true(back == mn);

  std::string nt;
  mn.MarshalNoTenant(&nt);
  assert_string_equal(Hex(nt).c_str(), Hex(b.substr(8)).c_str());
  MetricName back2;
  ASSERT_OK(back2.UnmarshalNoTenant(nt));
  assert_true(back2.metric_group == "cpu" && back2.tags == mn.tags);

  MetricName empty;
  std::string e;
  empty.Marshal(&e);
  ASSERT_HEX("00000000 00000000 01", e);
}

static void TestRawFormAndSeriesKey(void**) {
  std::string raw = Unhex(
      "00000001 00000002 0000 0003 637075 0003 6a6f62 0004 6e6f6465 0008 696e7374616e6365 "
      "0002 6831 0004 7a6f6e65 0003 610162");
  MetricName mn;
  ASSERT_OK(mn.FromSeriesKey(std::string_view(raw).substr(8), 1, 2, LabelLimits()));
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
  ASSERT_OK(again.FromSeriesKey(key, 1, 2, LabelLimits()));
  assert_true(again == mn);
}

static void TestUpExample(void**) {
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

static void TestSortTags(void**) {
  MetricName mn;
  mn.SortTags();
  assert_true(mn.tags.empty());
  mn.tags = {{"foo", "1"}};
  mn.SortTags();
  assert_string_equal(Keys(mn).c_str(), "foo,");
  mn.tags = {{"host", "1"}, {"foo", "2"}, {"bar", "3"}, {"service", "4"}};
  mn.SortTags();
  assert_string_equal(Keys(mn).c_str(), "service,host,bar,foo,");
  mn.tags = {{"model", "1"}, {"foo", "2"},    {"job", "3"},
             {"host", "4"},  {"server", "5"}, {"instance", "6"}};
  mn.SortTags();
  assert_string_equal(Keys(mn).c_str(), "job,model,instance,host,server,foo,");

  mn.tags = {{"foo", "bar"}, {"duplicate", "tag1"}, {"duplicate", "tag2"},
             {"tt", "xx"},   {"foo", "abc"},        {"duplicate", "tag3"}};
  mn.SortTags();
  assert_true((mn.tags == std::vector<Tag>{{"duplicate", "tag3"}, {"foo", "abc"}, {"tt", "xx"}}));

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
  assert_string_equal(Keys(mn).c_str(),
                      ",Namespace,ns,datacenter,Dc,environment,env,Cluster,service,Job,model,Type,"
                      "SensorType,db,instance,Host,server,pod,Node,device,Tenant,client,name,"
                      "Measurement,zzz,");
  mn.tags = {{"a", ""}, {"sensor_type", ""}, {"Sensor_type", ""}, {"type", ""}};
  mn.SortTags();
  assert_string_equal(Keys(mn).c_str(), "type,sensor_type,Sensor_type,a,");
  assert_true(vme::storage::NormalizeTagKey("JOB") == "JOB");
  assert_true(vme::storage::NormalizeTagKey("jobs") == "jobs");

  // Different keys with the same code are not collapsed; stable order is kept.
  mn.tags = {{"job", "a"}, {"Job", "b"}, {"job", "c"}};
  mn.SortTags();
  assert_true((mn.tags == std::vector<Tag>{{"job", "a"}, {"Job", "b"}, {"job", "c"}}));
}

static void TestTagValueEscaping(void**) {
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
  assert_true(vme::storage::UnmarshalTagValue(&sv, &out));
  assert_string_equal(Hex(out).c_str(), "0078017902");
  assert_true(vme::storage::UnmarshalTagValue(&sv, &out));
  assert_true(out == "a");
  assert_true(sv.empty());

  for (const char* bad : {"61", "0033 01", "00 01", "61 00", ""}) {
    std::string in = Unhex(bad);
    std::string_view v(in);
    assert_false(vme::storage::UnmarshalTagValue(&v, &out));
  }
}

static void TestUnmarshalCorruption(void**) {
  MetricName mn;
  assert_int_equal(static_cast<int>(mn.Unmarshal(Unhex("000000")).code()),
                   static_cast<int>(vme::Code::kCorruption));
  assert_false(mn.Unmarshal(Unhex("00000001 00000002")).ok());
  assert_false(mn.Unmarshal(Unhex("00000001 00000002 61")).ok());
  assert_false(mn.Unmarshal(Unhex("00000001 00000002 61 01 6b 01")).ok());
  assert_false(mn.Unmarshal(Unhex("00000001 00000002 61 01 6b 01 00 01")).ok());
  ASSERT_OK(mn.Unmarshal(Unhex("00000001 00000002 61 01 6b 01 76 01")));
  assert_true(mn.metric_group == "a" && mn.tags.size() == 1 && mn.tags[0].value == "v");
  assert_int_equal(mn.account_id, 1);
}

static void TestPrometheusText(void**) {
  MetricName mn;
  mn.account_id = 123;
  mn.project_id = 456;
  mn.metric_group = "foobar";
  assert_string_equal(mn.ToPrometheusText().c_str(), "foobar{}");
  mn.metric_group = "abc";
  mn.tags = {{"foo", "bar"}, {"baz", "123"}};
  assert_string_equal(mn.ToPrometheusText().c_str(), "abc{baz=\"123\",foo=\"bar\"}");
  mn.tags = {{"job", "a\"b\\c\nd"}, {"Z", "x"}};
  assert_string_equal(mn.ToPrometheusText().c_str(), "abc{Z=\"x\",job=\"a\\\"b\\\\c\\nd\"}");
}

static void TestGoQuote(void**) {
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
    assert_string_equal(GoQuote(c.in).c_str(), c.out);
  }
}

static void TestFromSeriesKeyLimits(void**) {
  LabelLimits lim;
  MetricName mn;
  // Empty values are skipped.
  ASSERT_OK(mn.FromSeriesKey(SeriesKey({{"__name__", "m"}, {"a", ""}, {"b", "1"}}), 0, 0, lim));
  assert_true(mn.metric_group == "m");
  assert_true((mn.tags == std::vector<Tag>{{"b", "1"}}));
  ASSERT_OK(mn.FromSeriesKey(SeriesKey({{"x", "1"}}), 3, 4, lim));
  assert_true(mn.metric_group.empty() && mn.tags.size() == 1 && mn.account_id == 3);
  // Unsorted input is canonicalised, duplicates collapse.
  ASSERT_OK(
      mn.FromSeriesKey(SeriesKey({{"", "m"}, {"z", "1"}, {"job", "j"}, {"z", "2"}}), 0, 0, lim));
  assert_true((mn.tags == std::vector<Tag>{{"job", "j"}, {"z", "2"}}));

  std::string n256(256, 'n');
  std::string n257(257, 'n');
  ASSERT_OK(mn.FromSeriesKey(SeriesKey({{"", "m"}, {n256, "v"}}), 0, 0, lim));
  vme::Status st = mn.FromSeriesKey(SeriesKey({{"", "m"}, {n257, "v"}}), 0, 0, lim);
  assert_int_equal(static_cast<int>(st.code()), static_cast<int>(vme::Code::kInvalidArgument));
  assert_non_null(strstr(st.message().c_str(), "257"));

  ASSERT_OK(mn.FromSeriesKey(SeriesKey({{"", "m"}, {"k", std::string(16384, 'v')}}), 0, 0, lim));
  st = mn.FromSeriesKey(SeriesKey({{"", "m"}, {"k", std::string(16385, 'v')}}), 0, 0, lim);
  assert_int_equal(static_cast<int>(st.code()), static_cast<int>(vme::Code::kInvalidArgument));
  assert_non_null(strstr(st.message().c_str(), "\"k\""));
  st = mn.FromSeriesKey(SeriesKey({{"", std::string(16385, 'm')}}), 0, 0, lim);
  assert_false(st.ok());

  std::vector<std::pair<std::string, std::string>> labels = {{"__name__", "m"}};
  for (int i = 0; i < 29; i++) labels.emplace_back("l" + std::to_string(i), "v");
  ASSERT_OK(mn.FromSeriesKey(SeriesKey(labels), 0, 0, lim));
  assert_int_equal(mn.tags.size(), 29);
  labels.emplace_back("empty", "");
  ASSERT_OK(mn.FromSeriesKey(SeriesKey(labels), 0, 0, lim));
  labels.emplace_back("l29", "v");
  st = mn.FromSeriesKey(SeriesKey(labels), 0, 0, lim);
  assert_int_equal(static_cast<int>(st.code()), static_cast<int>(vme::Code::kInvalidArgument));
  assert_non_null(strstr(st.message().c_str(), "too many labels"));

  std::string key = SeriesKey({{"", "m"}, {"abc", "value"}});
  for (size_t n = 1; n < key.size(); n++) {
    st = mn.FromSeriesKey(std::string_view(key).substr(0, n), 0, 0, lim);
    if (n == 5) {
      ASSERT_OK(st);
    } else {
      assert_int_equal(static_cast<int>(st.code()), static_cast<int>(vme::Code::kInvalidArgument));
      assert_non_null(strstr(st.message().c_str(), "truncated"));
    }
  }
  st = mn.FromSeriesKey("", 0, 0, lim);
  assert_false(st.ok());
  st = mn.FromSeriesKey(SeriesKey({{"", ""}, {"a", ""}}), 0, 0, lim);
  assert_false(st.ok());
  // Any bytes are allowed in names and values.
  ASSERT_OK(mn.FromSeriesKey(SeriesKey({{"\xff\x01", std::string("\x00\x02", 2)}}), 0, 0, lim));
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
  assert_true(in.good());
  std::string line;
  std::getline(in, line);
  size_t rows = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (column == 1) line = line.substr(line.find(',') + 1);
    std::string metric = CsvFirstField(line);
    vme::storage::TagFilters tfs;
    ASSERT_OK(vme::storage::ParseSelector(metric, &tfs));
    MetricName mn;
    for (const auto& tf : tfs.filters()) {
      assert_false(tf.is_negative() || tf.is_regexp());
      mn.AddTag(tf.key(), tf.value());
    }
    mn.SortTags();
    assert_string_equal(mn.ToPrometheusText().c_str(), metric.c_str());
    std::string key;
    mn.ToSeriesKey(&key);
    MetricName back;
    ASSERT_OK(back.FromSeriesKey(key, 0, 0, LabelLimits()));
    assert_string_equal(back.ToPrometheusText().c_str(), metric.c_str());
    assert_true(tfs.Matches(back));
    rows++;
  }
  assert_true(rows > 100);
}

static void TestGoldenCsv(void**) {
  const std::string dir = std::string(VME_TESTDATA_DIR) + "/vm172/";
  CheckGolden(dir + "special/input.csv", 1);
  CheckGolden(dir + "special/expected.csv", 0);
  CheckGolden(dir + "small/input.csv", 1);
  CheckGolden(dir + "small/expected.csv", 0);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(TestCanonicalMarshal),    cmocka_unit_test(TestRawFormAndSeriesKey),
      cmocka_unit_test(TestUpExample),           cmocka_unit_test(TestSortTags),
      cmocka_unit_test(TestTagValueEscaping),    cmocka_unit_test(TestUnmarshalCorruption),
      cmocka_unit_test(TestPrometheusText),      cmocka_unit_test(TestGoQuote),
      cmocka_unit_test(TestFromSeriesKeyLimits), cmocka_unit_test(TestGoldenCsv),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
