// Error messages built from untrusted input stay short and printable: at most about 128 bytes
// of the input are quoted, control bytes and invalid UTF-8 are escaped, and every message that
// leaves the C API (vme_error_message, vme_last_error_message) is valid UTF-8 without control
// bytes and at most a few KiB, whatever the input.
#include <cstring>
#include <string>
#include <string_view>

#include "check.h"
#include "storage/selector_parser.h"
#include "storage/tag_filters.h"
#include "vmengine.h"

namespace {

using vme::storage::ParseSelector;
using vme::storage::TagFilters;

constexpr size_t kFourMiB = 4 << 20;

// "" when s is valid UTF-8 (RFC 3629) without C0/C1 control characters or DEL; else why not.
std::string PrintableUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x20 || b == 0x7f) return "control byte at " + std::to_string(i);
    if (b < 0x80) {
      i++;
      continue;
    }
    size_t n = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 ? 2 : 0;
    if (n == 0 || b > 0xf4 || i + n > s.size()) return "invalid UTF-8 at " + std::to_string(i);
    char32_t cp = b & (0x7f >> n);
    for (size_t k = 1; k < n; k++) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xc0) != 0x80) return "invalid UTF-8 at " + std::to_string(i);
      cp = (cp << 6) | (c & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp < 0xe000)) {
      return "invalid UTF-8 at " + std::to_string(i);
    }
    if (cp >= 0x80 && cp <= 0x9f) return "C1 control at " + std::to_string(i);
    i += n;
  }
  return "";
}

// "" when a message is short (< max) and printable.
std::string CheckMessage(const char* what, std::string_view msg, size_t max) {
  if (msg.empty()) return std::string(what) + ": empty message";
  if (msg.size() >= max) {
    return std::string(what) + ": message of " + std::to_string(msg.size()) +
           " bytes: " + std::string(msg.substr(0, 200)) + "...";
  }
  std::string bad = PrintableUtf8(msg);
  if (!bad.empty()) return std::string(what) + ": " + bad + " in: " + std::string(msg);
  return "";
}

// Adds a regexp matcher through the C API; checks the status and both message channels.
std::string CheckCapiMatcher(const std::string& value, size_t max) {
  vme_query* q = vme_query_create(0, INT64_MAX);
  if (q == nullptr) return "vme_query_create failed";
  vme_error* err = nullptr;
  const vme_status st =
      vme_query_add_matcher(q, VME_MATCH_RE, "a", 1, value.data(), value.size(), &err);
  vme_query_destroy(q);
  std::string msg = err != nullptr ? vme_error_message(err) : "";
  vme_error_free(err);
  if (st != VME_ERR_INVALID_ARGUMENT) return "vme_query_add_matcher: status " + std::to_string(st);
  std::string e = CheckMessage("vme_query_add_matcher", msg, max);
  if (e.empty()) e = CheckMessage("vme_last_error_message", vme_last_error_message(), max);
  return e;
}

std::string CheckCapiSelector(const std::string& selector, size_t max) {
  vme_query* q = vme_query_create(0, INT64_MAX);
  if (q == nullptr) return "vme_query_create failed";
  vme_error* err = nullptr;
  const vme_status st = vme_query_add_selector(q, selector.c_str(), &err);
  vme_query_destroy(q);
  std::string msg = err != nullptr ? vme_error_message(err) : "";
  vme_error_free(err);
  if (st != VME_ERR_INVALID_ARGUMENT) return "vme_query_add_selector: status " + std::to_string(st);
  std::string e = CheckMessage("vme_query_add_selector", msg, max);
  if (e.empty()) e = CheckMessage("vme_last_error_message", vme_last_error_message(), max);
  return e;
}

std::string CheckStorageRegexp(const std::string& regexp, size_t max) {
  TagFilters tfs;
  vme::Status st = tfs.Add("a", regexp, false, true);
  if (st.ok()) return "TagFilters::Add accepted the regexp";
  std::string e = CheckMessage("TagFilters::Add", st.message(), max);
  if (!e.empty()) return e;
  st = ParseSelector("up{a=~`" + regexp + "`}", &tfs);
  if (st.ok()) return "ParseSelector accepted the regexp";
  return CheckMessage("ParseSelector", st.message(), max);
}

void TestHugeRegexpGivesShortMessage() {
  const std::string missing_paren = "(" + std::string(kFourMiB, 'a');
  const std::string missing_bracket = std::string(kFourMiB, 'a') + "[";
  const std::string too_large = std::string(kFourMiB, 'a') + "+";
  for (const std::string* re : {&missing_paren, &missing_bracket, &too_large}) {
    RUN(CheckStorageRegexp(*re, 1024));
    RUN(CheckCapiMatcher(*re, 1024));
    RUN(CheckCapiSelector("up{a=~`" + *re + "`}", 1024));
  }
  // The quoted part of the pattern is its start, with how much was left out.
  TagFilters tfs;
  vme::Status st = tfs.Add("a", missing_paren, false, true);
  REQUIRE(st.message().find("more bytes") != std::string::npos, "%s", st.message().c_str());
  REQUIRE(st.message().find("(aaaa") != std::string::npos, "%s", st.message().c_str());
}

void TestControlAndInvalidBytesAreEscaped() {
  static constexpr char kNasty[] = "x\x00y\xff\n\x01\x7f\xc2\x85\xed\xa0\x80(";
  const std::string nasty(kNasty, sizeof kNasty - 1);
  RUN(CheckStorageRegexp(nasty, 1024));
  RUN(CheckCapiMatcher(nasty, 1024));
  {
    // The escapes say which bytes they were.
    TagFilters tfs;
    vme::Status st = tfs.Add("a", nasty, false, true);
    REQUIRE(st.message().find("\\xff") != std::string::npos, "%s", st.message().c_str());
    REQUIRE(st.message().find("\\n") != std::string::npos, "%s", st.message().c_str());
    REQUIRE(st.message().find("\\x00") != std::string::npos, "%s", st.message().c_str());
  }
  // Selectors: raw bytes in an unknown escape, after a bad character, in a regexp.
  RUN(CheckCapiSelector("up{a=\"\\\xff\"}", 1024));
  RUN(CheckCapiSelector("up{a=\"x\"\x01\xff}", 1024));
  RUN(CheckCapiSelector("up{a=~\"\xff\\n\x01(\"}", 1024));
  RUN(CheckCapiSelector("up{a=\"x\"} \xc3", 1024));
  RUN(CheckCapiSelector(std::string(kFourMiB, '\x01'), 1024));
}

void TestEveryCapiMessageIsSanitized() {
  // vme_options_set echoes the value it rejects; whatever the value, the message that leaves
  // the C API is printable and a few KiB at most.
  vme_options* o = vme_options_create();
  REQUIRE(o != nullptr);
  std::string value = "\xff\n\x01 not a duration ";
  value += std::string(1 << 20, 'z');
  vme_error* err = nullptr;
  const vme_status st = vme_options_set(o, "retention", value.c_str(), &err);
  vme_options_destroy(o);
  REQUIRE_EQ(st, VME_ERR_INVALID_ARGUMENT);
  const std::string msg = err != nullptr ? vme_error_message(err) : "";
  vme_error_free(err);
  RUN(CheckMessage("vme_options_set", msg, 8192));
  RUN(CheckMessage("vme_last_error_message", vme_last_error_message(), 8192));
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestHugeRegexpGivesShortMessage), VME_TEST(TestControlAndInvalidBytesAreEscaped),
       VME_TEST(TestEveryCapiMessageIsSanitized)},
      argc, argv);
}
