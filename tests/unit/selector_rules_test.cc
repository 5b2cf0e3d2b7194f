// The selector rule shared with Prometheus: a selector must not be empty and must contain at
// least one matcher that does not match the empty string; queries built with
// vme_query_add_matcher keep their semantics. TagFilters::AllMatchEmpty says whether a
// conjunction of filters has no such matcher.
#include <string>

#include "check.h"
#include "storage/selector_parser.h"
#include "storage/tag_filters.h"
#include "vmengine.h"

namespace {

using vme::storage::ParseSelector;
using vme::storage::TagFilters;

// Selectors that would select every series lacking their labels.
const char* const kAllMatchEmpty[] = {
    "{}",           "{duplex=\"\"}",    "{__name__=~\".*\"}", "{job!=\"a\"}",
    "{job!~\"a\"}", "{job=~\"a|\"}",    "{a=\"\",b!=\"x\"}",  "{a=~\"(?s).*\"}",
    "{a=~\"x?\"}",  " { a = \"\" , } ",
};
const char* const kEmpty[] = {"", " ", "\t\n"};
// Selectors with a matcher that does not match "".
const char* const kValid[] = {
    "up",          "{a=\"x\"}", "{__name__=~\".+\"}", "{a=\"\",b=\"x\"}", "{a!=\"x\",b=~\"y.*\"}",
    "{a!~\".*\"}",  // matches nothing, not everything
};

void TestParseSelectorRule() {
  for (const char* sel : kAllMatchEmpty) {
    TagFilters tfs;
    vme::Status st = ParseSelector(sel, &tfs);
    REQUIRE(!st.ok(), "%s was accepted", sel);
    REQUIRE_EQ(st.code(), vme::Code::kInvalidArgument);
    REQUIRE(st.message().find("at least one non-empty matcher") != std::string::npos, "%s: %s", sel,
            st.message().c_str());
    REQUIRE(st.message().find("__name__=~\".+\"") != std::string::npos, "%s: %s", sel,
            st.message().c_str());
    REQUIRE(tfs.empty());
  }
  for (const char* sel : kEmpty) {
    TagFilters tfs;
    vme::Status st = ParseSelector(sel, &tfs);
    REQUIRE(!st.ok(), "\"%s\" was accepted", sel);
    REQUIRE(st.message().find("the selector is empty") != std::string::npos, "%s",
            st.message().c_str());
  }
  for (const char* sel : kValid) {
    TagFilters tfs;
    REQUIRE_OK(ParseSelector(sel, &tfs));
    REQUIRE(!tfs.AllMatchEmpty(), "%s", sel);
  }
}

vme_status AddSelector(const char* sel, std::string* message) {
  vme_query* q = vme_query_create(0, INT64_MAX);
  REQUIRE(q != nullptr);
  vme_error* err = nullptr;
  const vme_status st = vme_query_add_selector(q, sel, &err);
  *message = err != nullptr ? vme_error_message(err) : "";
  vme_error_free(err);
  vme_query_destroy(q);
  return st;
}

void TestCapiSelectorRule() {
  std::string msg;
  for (const char* sel : kAllMatchEmpty) {
    REQUIRE_EQ(AddSelector(sel, &msg), VME_ERR_INVALID_ARGUMENT);
    REQUIRE(msg.find("at least one non-empty matcher") != std::string::npos, "%s: %s", sel,
            msg.c_str());
  }
  for (const char* sel : kEmpty) {
    REQUIRE_EQ(AddSelector(sel, &msg), VME_ERR_INVALID_ARGUMENT);
    REQUIRE(msg.find("empty") != std::string::npos, "%s", msg.c_str());
  }
  for (const char* sel : kValid) REQUIRE_EQ(AddSelector(sel, &msg), VME_OK);
}

void TestAddMatcherUnchanged() {
  // A query built from matchers may consist only of matchers that match "" (search semantics
  // as before: {a=""} selects the series without a).
  vme_query* q = vme_query_create(0, INT64_MAX);
  REQUIRE(q != nullptr);
  vme_error* err = nullptr;
  REQUIRE_EQ(vme_query_add_matcher(q, VME_MATCH_EQ, "duplex", 6, "", 0, &err), VME_OK);
  REQUIRE_EQ(vme_query_add_matcher(q, VME_MATCH_RE, "__name__", 8, ".*", 2, &err), VME_OK);
  REQUIRE_EQ(vme_query_add_matcher(q, VME_MATCH_NEQ, "job", 3, "a", 1, &err), VME_OK);
  vme_query_destroy(q);
}

void TestAllMatchEmpty() {
  TagFilters tfs;
  REQUIRE(tfs.AllMatchEmpty());  // no filter: every series
  REQUIRE_OK(tfs.Add("a", "", false, false));
  REQUIRE(tfs.AllMatchEmpty());
  REQUIRE_OK(tfs.Add("b", "x", true, false));
  REQUIRE(tfs.AllMatchEmpty());
  REQUIRE_OK(tfs.Add("", ".*", false, true));  // dropped, as in VictoriaMetrics
  REQUIRE(tfs.AllMatchEmpty());
  REQUIRE_OK(tfs.Add("c", "x|", false, true));
  REQUIRE(tfs.AllMatchEmpty());
  REQUIRE_OK(tfs.Add("d", "y", false, false));
  REQUIRE(!tfs.AllMatchEmpty());

  TagFilters nothing;
  REQUIRE_OK(nothing.Add("a", ".*", true, true));  // {a!~".*"} matches no series
  REQUIRE(!nothing.AllMatchEmpty());
  TagFilters name;
  REQUIRE_OK(name.Add("", ".+", false, true));
  REQUIRE(!name.AllMatchEmpty());
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests({VME_TEST(TestParseSelectorRule), VME_TEST(TestCapiSelectorRule),
                              VME_TEST(TestAddMatcherUnchanged), VME_TEST(TestAllMatchEmpty)},
                             argc, argv);
}
