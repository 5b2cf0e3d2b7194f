// util/quote: QuoteForMessage, AppendQuoted, NeedsEscaping and SanitizeMessage.
#include "util/quote.h"

#include <string>

#include "check.h"

namespace {

using vme::AppendQuoted;
using vme::NeedsEscaping;
using vme::QuoteForMessage;
using vme::SanitizeMessage;

std::string Bytes(const char* s, size_t n) { return std::string(s, n); }

void TestQuoteEscapes() {
  REQUIRE_EQ(QuoteForMessage(""), "\"\"");
  REQUIRE_EQ(QuoteForMessage("abc"), "\"abc\"");
  REQUIRE_EQ(QuoteForMessage("say \"hi\" \\o/"), "\"say \\\"hi\\\" \\\\o/\"");
  REQUIRE_EQ(QuoteForMessage("a\nb\tc\r\a\b\f\v"), "\"a\\nb\\tc\\r\\a\\b\\f\\v\"");
  REQUIRE_EQ(QuoteForMessage(Bytes("\x00\x01\x1f\x7f", 4)), "\"\\x00\\x01\\x1f\\x7f\"");
  // Valid UTF-8 stays; C1 controls and invalid sequences are escaped.
  REQUIRE_EQ(QuoteForMessage("\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80"),
             "\"\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80\"");
  REQUIRE_EQ(QuoteForMessage("\xc2\x85"), "\"\\u0085\"");
  REQUIRE_EQ(QuoteForMessage("\xff\xfe"), "\"\\xff\\xfe\"");
  REQUIRE_EQ(QuoteForMessage("\xc0\xaf"), "\"\\xc0\\xaf\"");                    // overlong '/'
  REQUIRE_EQ(QuoteForMessage("\xed\xa0\x80"), "\"\\xed\\xa0\\x80\"");           // surrogate
  REQUIRE_EQ(QuoteForMessage("\xf4\x90\x80\x80"), "\"\\xf4\\x90\\x80\\x80\"");  // > U+10FFFF
  REQUIRE_EQ(QuoteForMessage("\xe2\x82"), "\"\\xe2\\x82\"");                    // truncated
  REQUIRE_EQ(QuoteForMessage("a\xe2\x82\xac"), "\"a\xe2\x82\xac\"");            // euro sign
}

void TestQuoteTruncates() {
  const std::string big(4 << 20, 'a');
  const std::string q = QuoteForMessage(big);
  REQUIRE_EQ(q, "\"" + std::string(128, 'a') + "\"... (" + std::to_string((4 << 20) - 128) +
                    " more bytes)");
  REQUIRE_EQ(QuoteForMessage("abcdef", 3), "\"abc\"... (3 more bytes)");
  REQUIRE_EQ(QuoteForMessage("abc", 3), "\"abc\"");
  // A UTF-8 sequence is never split: the cut backs off to its start.
  REQUIRE_EQ(QuoteForMessage("ab\xe2\x82\xac", 4), "\"ab\"... (3 more bytes)");
  REQUIRE_EQ(QuoteForMessage("ab\xe2\x82\xac", 5), "\"ab\xe2\x82\xac\"");
  // Escaping makes the quote longer than max_bytes, but bounded: 4 bytes per input byte.
  const std::string ff(1000, '\xff');
  REQUIRE(QuoteForMessage(ff).size() < 128 * 4 + 40, "%zu", QuoteForMessage(ff).size());
}

void TestAppendQuotedAndNeedsEscaping() {
  std::string out = "x=";
  AppendQuoted(&out, "a\nb");
  REQUIRE_EQ(out, "x=\"a\\nb\"");
  REQUIRE(!NeedsEscaping(""));
  REQUIRE(!NeedsEscaping("plain \"quoted\" \\ \xc3\xa9"));
  REQUIRE(NeedsEscaping("a\nb"));
  REQUIRE(NeedsEscaping("tab\there"));
  REQUIRE(NeedsEscaping(Bytes("\x00", 1)));
  REQUIRE(NeedsEscaping("\x7f"));
  REQUIRE(NeedsEscaping("\xc2\x85"));
  REQUIRE(NeedsEscaping("\xff"));
}

void TestSanitizeMessage() {
  REQUIRE_EQ(SanitizeMessage("plain \"text\" \\ \xc3\xa9"), "plain \"text\" \\ \xc3\xa9");
  REQUIRE_EQ(SanitizeMessage(Bytes("a\nb\x00\xff", 5)), "a\\nb\\x00\\xff");
  const std::string big(1 << 20, 'z');
  const std::string s = SanitizeMessage(big);
  REQUIRE_EQ(s, std::string(vme::kMaxMessageBytes, 'z') + "... (" +
                    std::to_string((1 << 20) - vme::kMaxMessageBytes) + " more bytes)");
  // Escapes count against the cap, and an escape is never cut in half.
  const std::string bad(1 << 20, '\x01');
  const std::string t = SanitizeMessage(bad);
  REQUIRE(t.size() < vme::kMaxMessageBytes + 40, "%zu", t.size());
  REQUIRE_EQ(t.substr(0, 8), "\\x01\\x01");
  const size_t marker = t.find("...");
  REQUIRE(marker != std::string::npos && marker % 4 == 0, "%zu", marker);
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestQuoteEscapes), VME_TEST(TestQuoteTruncates),
       VME_TEST(TestAppendQuotedAndNeedsEscaping), VME_TEST(TestSanitizeMessage)},
      argc, argv);
}
