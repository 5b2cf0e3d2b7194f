// Tag filters: Prometheus matching semantics, regexp analysis (VictoriaMetrics TagFilters.Add in
// lib/storage/tag_filters.go, tests in lib/storage/index_db_test.go, tag_filters_test.go).
#include <re2/re2.h>

#include <random>
#include <string>
#include <vector>

#include "storage/metric_name.h"
#include "storage/tag_filters.h"
#include "test_util.h"

using vme::storage::MetricName;
using vme::storage::TagFilter;
using vme::storage::TagFilters;

namespace {

TagFilter MustCreate(std::string_view key, std::string_view value, bool neg, bool re) {
  auto r = TagFilter::Create(key, value, neg, re);
  if (!r.ok()) FAIL("Create(%s): %s", std::string(value).c_str(), r.status().message().c_str());
  return std::move(r).value();
}

std::string Join(const std::vector<std::string>* v) {
  if (v == nullptr) return "<none>";
  std::string out;
  for (const auto& s : *v) out += "[" + s + "]";
  return out;
}

void CheckOrValues(const char* re, const char* want) {
  TagFilter tf = MustCreate("k", re, false, true);
  std::string got = Join(tf.or_values());
  if (got != want) FAIL("or_values(%s) = %s, want %s", re, got.c_str(), want);
}

void CheckPrefix(const char* re, const char* want) {
  TagFilter tf = MustCreate("k", re, false, true);
  if (tf.literal_prefix() != want) {
    FAIL("literal_prefix(%s) = %s, want %s", re, tf.literal_prefix().c_str(), want);
  }
}

void CheckMatch(const char* re, std::vector<std::string> yes, std::vector<std::string> no) {
  TagFilter tf = MustCreate("k", re, false, true);
  TagFilter neg = MustCreate("k", re, true, true);
  for (const auto& v : yes) {
    if (!tf.Matches(v)) FAIL("%s should match %s", re, v.c_str());
    if (neg.Matches(v)) FAIL("!~%s should not match %s", re, v.c_str());
  }
  for (const auto& v : no) {
    if (tf.Matches(v)) FAIL("%s should not match %s", re, v.c_str());
    if (!neg.Matches(v)) FAIL("!~%s should match %s", re, v.c_str());
  }
}

MetricName FoobarMetric() {
  MetricName mn;
  mn.account_id = 123;
  mn.project_id = 456;
  mn.metric_group = "foobar_metric";
  for (int i = 0; i < 10; i++) {
    mn.tags.push_back({"key " + std::to_string(i), "value " + std::to_string(i)});
  }
  mn.SortTags();
  return mn;
}

bool Passes(const MetricName& mn,
            std::vector<std::tuple<std::string, std::string, bool, bool>> fs) {
  TagFilters tfs;
  for (const auto& [k, v, neg, re] : fs) {
    vme::Status st = tfs.Add(k, v, neg, re);
    if (!st.ok()) FAIL("Add: %s", st.message().c_str());
  }
  return tfs.Matches(mn);
}

}  // namespace

static void TestOrValues() {
  CheckOrValues("z|x|c", "[c][x][z]");
  CheckOrValues("foo(bar|baz)", "[foobar][foobaz]");
  CheckOrValues("x[a-d]we", "[xawe][xbwe][xcwe][xdwe]");
  CheckOrValues("foo(bar||baz)", "[foo][foobar][foobaz]");
  CheckOrValues("foobar|foobaz", "[foobar][foobaz]");
  CheckOrValues("foo(?:bar|baz|bana)", "[foobana][foobar][foobaz]");
  CheckOrValues("^foobar|foobaz", "[foobar][foobaz]");
  CheckOrValues("foo$|^foobar", "[foo][foobar]");
  CheckOrValues("foo$bar", "");
  CheckOrValues("", "[]");
  CheckOrValues("^", "[]");
  CheckOrValues("$", "[]");
  CheckOrValues("^()$", "[]");
  CheckOrValues("^(?:)$", "[]");
  CheckOrValues("(fo|(zar|bazz)|x)", "[bazz][fo][x][zar]");
  CheckOrValues("(тестЧЧ|тест)", "[тест][тестЧЧ]");
  CheckOrValues("ab?c", "[abc][ac]");
  CheckOrValues("a\\.b|a\\-b", "[a-b][a.b]");
  CheckOrValues("[-a]|[b-]", "[-][a][b]");
  CheckOrValues("foo", "[foo]");
  CheckOrValues("[a-z]", "<none>");
  CheckOrValues("foo.+", "<none>");
  CheckOrValues("(?i)foo", "<none>");
  CheckOrValues("foo\\d", "<none>");
  CheckOrValues("[^a]", "<none>");
  CheckOrValues("a{2}", "<none>");
  CheckOrValues("(a|b|c|d|e)(f|g|h|i|j)", "<none>");
  CheckOrValues("[a-t]", "[a][b][c][d][e][f][g][h][i][j][k][l][m][n][o][p][q][r][s][t]");
  CheckOrValues("[a-u]", "<none>");

  TagFilter eq = MustCreate("k", "v", false, false);
  REQUIRE_EQ(Join(eq.or_values()).c_str(), "[v]");
  REQUIRE_EQ(eq.literal_prefix().c_str(), "v");
}

static void TestLiteralPrefix() {
  CheckPrefix("foobar|foobaz", "fooba");
  CheckPrefix("foo(bar|baz|bana)", "fooba");
  CheckPrefix("^foobar|foobaz", "fooba");
  CheckPrefix("foo$|^foobar", "foo");
  CheckPrefix("foo.+bar", "foo");
  CheckPrefix("foo.*", "foo");
  CheckPrefix("foo.+", "foo");
  CheckPrefix("(?i)xyz", "");
  CheckPrefix("ab|ac", "a");
  CheckPrefix("(тестЧЧ|тест)", "тест");
  CheckPrefix("foo[bar]+", "foo");
  CheckPrefix("foo[x]*bar", "foo");
  CheckPrefix("a?(^ba|c)", "");
  CheckPrefix("(foo|bar$)x*", "");
  CheckPrefix(".*foo", "");
  CheckPrefix("fo+bar", "fo");
  CheckPrefix("foo\\d+", "foo");
  CheckPrefix("", "");
}

static void TestOptimizedMatchers() {
  CheckMatch("foo.*", {"foo", "foobar"}, {"xfoo", "", "fo", "foo\nbar"});
  CheckMatch(".*foo", {"foo", "xfoo"}, {"foox", "", "a\nfoo"});
  CheckMatch(".+foo", {"afoo"}, {"foo", "afoox", ""});
  CheckMatch(".*foo.+", {"foo1", "xfoodff", "foofoo"}, {"foo", "fox", ""});
  CheckMatch(".+foo.*", {"xfoo", "xfoodff", "foofoo"}, {"foo", "foox", ""});
  CheckMatch(".+foo.+", {"xfoox", "foofoox", "xfoofoo"}, {"foo", "xfoo", "foox", "foofoo"});
  CheckMatch(".*foo.*", {"foo", "xfooy"}, {"fo", "", "x\nfoo"});
  CheckMatch("(?i)foo", {"foo", "Foo", "FOO"}, {"xfoo", "foobar", ""});
  CheckMatch(".+", {"a", "foo", "тест"}, {"", "\n", "a\nb"});
  CheckMatch(".*", {"", "a", "foo"}, {"\n", "a\nb"});
  CheckMatch("(?s).*", {"", "a", "a\nb", "\xff", "\n"}, {});
  CheckMatch("(?s).+", {"a", "a\nb", "\n"}, {""});
  CheckMatch("(?s)foo.*", {"foo", "foo\n"}, {"fo", "\nfoo"});
  CheckMatch("(?s).*foo.+", {"\nfoo\n"}, {"foo"});
  CheckMatch("(?s:.+)", {"\n"}, {""});
  CheckMatch("a\\.b.*", {"a.b", "a.bc"}, {"axb", "a.", "xa.b"});
  CheckMatch("a.b", {"a.b", "axb", "aтb"}, {"ab", "a\nb", "a..b"});
  CheckMatch("\\d+", {"0", "123"}, {"", "1a", "a1"});
  CheckMatch("\\w+\\s\\w+", {"a b", "ab_1\tc"}, {"a  b", "ab"});
  CheckMatch("foo|bar", {"foo", "bar"}, {"foobar", "fo", "", "xfoo"});
  CheckMatch("bar|", {"bar", ""}, {"ba", "barx"});
  CheckMatch("^foo$", {"foo"}, {"xfoo", "foo\n"});
  CheckMatch("a$", {"a"}, {"a\n"});
  CheckMatch("(?m)a$", {"a"}, {"a\n"});
  CheckMatch("[[:alpha:]]+", {"abc"}, {"ab1"});
  CheckMatch("\\pL+", {"тест", "abc"}, {"1"});
  CheckMatch("(a)(b)", {"ab"}, {"a", "b"});
}

static void TestAnchoringAndPaperFacts() {
  MetricName mn = FoobarMetric();
  REQUIRE(!Passes(mn, {{"__name__", "foobar", false, false}}));
  REQUIRE(!Passes(mn, {{"", "foobar", false, false}}));
  REQUIRE(!Passes(mn, {{"__name__", "obar.+", false, true}}));
  REQUIRE(!Passes(mn, {{"__name__", "foobar_metric", true, false}}));
  REQUIRE(!Passes(mn, {{"__name__", ".+", true, true}}));
  REQUIRE(Passes(mn, {}));
  REQUIRE(Passes(mn, {{"__name__", "foobar_metric", false, false}}));
  REQUIRE(Passes(mn, {{"__name__", "foo.+", false, true}}));
  REQUIRE(Passes(mn, {{"__name__", ".+metric", false, true}}));
  REQUIRE(Passes(mn, {{"key 3", "value 3", false, false}, {"key 5", "value [0-5]", false, true}}));
  REQUIRE(
      !(Passes(mn, {{"key 3", "value 3", false, false}, {"key 5", "value [6-9]", false, true}})));
  REQUIRE(Passes(mn, {{"key 3", "value 4", true, false}}));
  REQUIRE(!Passes(mn, {{"key 3", "value 3", true, false}}));
  REQUIRE(Passes(mn, {{"key 3", "VALUE 3", false, true}, {"", "foo", true, true}}) == false);
  REQUIRE(Passes(mn, {{"key 3", "(?i)VALUE 3", false, true}}));
  REQUIRE(!Passes(mn, {{"key 3", "value", false, true}}));
  REQUIRE(!Passes(mn, {{"key 3", "value 3", true, true}}));
  REQUIRE(Passes(mn, {{"key 3", "x.*", true, true}}));
}

static void TestEmptyLabelSemantics() {
  MetricName with;
  with.metric_group = "m";
  with.tags = {{"foo", "bar"}};
  MetricName without;
  without.metric_group = "m";
  without.tags = {{"other", "x"}};

  REQUIRE(!Passes(with, {{"foo", "", false, false}}));
  REQUIRE(Passes(without, {{"foo", "", false, false}}));
  REQUIRE(Passes(with, {{"foo", "", true, false}}));
  REQUIRE(!Passes(without, {{"foo", "", true, false}}));
  REQUIRE(Passes(with, {{"foo", "bar|", false, true}}));
  REQUIRE(Passes(without, {{"foo", "bar|", false, true}}));
  REQUIRE(!Passes(with, {{"foo", "|bar", true, true}}));
  REQUIRE(!Passes(without, {{"foo", "|bar", true, true}}));
  REQUIRE(Passes(with, {{"foo", "|baz", true, true}}));
  REQUIRE(Passes(with, {{"foo", ".+", false, true}}));
  REQUIRE(!Passes(without, {{"foo", ".+", false, true}}));
  REQUIRE(Passes(without, {{"foo", ".+", true, true}}));
  REQUIRE(Passes(without, {{"foo", "bar", true, false}}));
  REQUIRE(Passes(without, {{"foo", "ba.*", true, true}}));
  REQUIRE(!Passes(without, {{"foo", "ba.*", false, true}}));
  // Prometheus: k!~".*" matches nothing; k=~".*" matches everything.
  REQUIRE(!Passes(with, {{"foo", ".*", true, true}}));
  REQUIRE(!Passes(without, {{"foo", ".*", true, true}}));
  REQUIRE(Passes(without, {{"foo", ".*", false, true}}));

  TagFilter eq_empty = MustCreate("foo", "", false, false);
  REQUIRE(eq_empty.MatchesEmpty());
  TagFilter ne_empty = MustCreate("foo", "", true, false);
  REQUIRE(!ne_empty.MatchesEmpty());
  REQUIRE(MustCreate("foo", "bar|", false, true).MatchesEmpty());
  REQUIRE(!MustCreate("foo", "|bar", true, true).MatchesEmpty());
  REQUIRE(MustCreate("foo", "bar", true, false).MatchesEmpty());
  REQUIRE(!MustCreate("foo", "bar", false, false).MatchesEmpty());

  TagFilters tfs;
  REQUIRE_OK(tfs.Add("foo", ".*", false, true));
  REQUIRE(tfs.empty());
  REQUIRE_OK(tfs.Add("__name__", "m", false, false));
  REQUIRE_EQ(tfs.filters().size(), 1);
  REQUIRE_EQ(tfs.filters()[0].key().c_str(), "");
  REQUIRE_EQ(tfs.ToString().c_str(), "{__name__=\"m\"}");
}

static void TestBadRegexp() {
  auto r = TagFilter::Create("k", "a(", false, true);
  REQUIRE(!r.ok());
  REQUIRE_EQ(static_cast<int>(r.status().code()), static_cast<int>(vme::Code::kInvalidArgument));
  REQUIRE(strstr(r.status().message().c_str(), "missing )") != nullptr);
  REQUIRE(!TagFilter::Create("k", "a)|(b", false, true).ok());
  REQUIRE(!TagFilter::Create("k", "*", false, true).ok());
  REQUIRE(!TagFilter::Create("k", "[a", false, true).ok());
  REQUIRE(!TagFilter::Create("k", "\\", false, true).ok());
  REQUIRE(!TagFilter::Create("k", "\xff", false, true).ok());
  TagFilters tfs;
  REQUIRE(!tfs.Add("k", "(", true, true).ok());
  REQUIRE(tfs.empty());
  REQUIRE(TagFilter::Create("k", "a(", false, false).ok());
}

// Random regexps and strings: the filter (fast paths, or-values, literal prefix) must agree with
// a plain RE2 full match of ^(?:re)$.
static void TestRandomConsistency() {
  std::mt19937 rng(12345);
  const std::vector<std::string> atoms = {"a",    "b",    "ab",    ".",      "[ab]", "[a-c]", "\\.",
                                          "^",    "$",    "(?i)a", "\\d",    "x",    "",      "\\-",
                                          "[-a]", "[b-]", "т",     "(?s:.)", "\\w"};
  const std::vector<std::string> quant = {"", "", "", "?", "*", "+", "{1,2}", "??"};
  const std::vector<std::string> alphabet = {"a",  "b", "c", ".", "x", "A",
                                             "\n", "-", "1", "т", "_"};
  auto gen = [&](auto& self, int depth) -> std::string {
    std::string out;
    int n = 1 + rng() % 3;
    for (int i = 0; i < n; i++) {
      std::string atom;
      if (depth < 2 && rng() % 4 == 0) {
        atom = "(" + self(self, depth + 1);
        if (rng() % 2) atom += "|" + self(self, depth + 1);
        atom += ")";
      } else {
        atom = atoms[rng() % atoms.size()];
      }
      if (!atom.empty() && atom != "^" && atom != "$") atom += quant[rng() % quant.size()];
      out += atom;
    }
    if (depth == 0 && rng() % 3 == 0) out += "|" + self(self, 1);
    if (depth == 0 && rng() % 5 == 0) out = ".*" + out;
    if (depth == 0 && rng() % 5 == 0) out += ".+";
    if (depth == 0 && rng() % 6 == 0) out = "(?s)" + out;
    return out;
  };
  std::vector<std::string> values;
  for (int i = 0; i < 300; i++) {
    std::string v;
    int n = rng() % 6;
    for (int j = 0; j < n; j++) v += alphabet[rng() % alphabet.size()];
    values.push_back(v);
  }
  for (const char* extra : {"", "a", "ab", "b", "abab", "a.b", "x", "a-", "т"})
    values.push_back(extra);
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  size_t checked = 0;
  size_t with_or_values = 0;
  for (int iter = 0; iter < 3000; iter++) {
    std::string re = gen(gen, 0);
    re2::RE2 ref("^(?:" + re + ")$", opts);
    auto tf = TagFilter::Create("k", re, false, true);
    if (!ref.ok()) {
      REQUIRE(!tf.ok());
      continue;
    }
    REQUIRE(tf.ok());
    checked++;
    const auto* ov = tf->or_values();
    if (ov != nullptr) {
      with_or_values++;
      for (const auto& v : *ov) {
        if (!re2::RE2::PartialMatch(v, ref))
          FAIL("%s: or-value %s does not match", re.c_str(), v.c_str());
        if (v.compare(0, tf->literal_prefix().size(), tf->literal_prefix()) != 0) {
          FAIL("%s: or-value %s lacks prefix", re.c_str(), v.c_str());
        }
      }
    }
    for (const auto& v : values) {
      bool want = re2::RE2::PartialMatch(v, ref);
      if (tf->MatchesPositive(v) != want) {
        FAIL("%s vs %s: got %d want %d", re.c_str(), v.c_str(), !want, want);
      }
      if (want) {
        if (v.compare(0, tf->literal_prefix().size(), tf->literal_prefix()) != 0) {
          FAIL("%s: match %s lacks prefix %s", re.c_str(), v.c_str(), tf->literal_prefix().c_str());
        }
        if (ov != nullptr && !std::binary_search(ov->begin(), ov->end(), v)) {
          FAIL("%s: match %s not among or-values", re.c_str(), v.c_str());
        }
      }
    }
    REQUIRE(tf->MatchesEmpty() == re2::RE2::PartialMatch("", ref));
  }
  REQUIRE(checked > 1000);
  REQUIRE(with_or_values > 100);
}

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestOrValues),
      VME_TEST(TestLiteralPrefix),
      VME_TEST(TestOptimizedMatchers),
      VME_TEST(TestAnchoringAndPaperFacts),
      VME_TEST(TestEmptyLabelSemantics),
      VME_TEST(TestBadRegexp),
      VME_TEST(TestRandomConsistency),
  };
  return vme::test::RunTests(tests, argc, argv);
}
