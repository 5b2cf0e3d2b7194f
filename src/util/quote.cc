#include "util/quote.h"

#include <cstdint>

namespace vme {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence at the start of s (1..4) and its code point in *cp, or 0
// when s starts with a byte that is not part of a valid sequence (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF).
size_t ValidRuneLen(std::string_view s, char32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t n;
  unsigned char lo = 0x80;
  unsigned char hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    n = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    n = 3;
    if (b0 == 0xe0) lo = 0xa0;
    if (b0 == 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    n = 4;
    if (b0 == 0xf0) lo = 0x90;
    if (b0 == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  char32_t r = b0 & (0x7f >> n);
  for (size_t i = 1; i < n; i++) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xbf)) return 0;
    r = (r << 6) | (b & 0x3f);
  }
  *cp = r;
  return n;
}

void AppendHexByte(std::string* dst, unsigned char b) {
  dst->append("\\x");
  dst->push_back(kHex[b >> 4]);
  dst->push_back(kHex[b & 0xf]);
}

// Appends the escape of a control byte (< 0x20 or 0x7f).
void AppendControl(std::string* dst, unsigned char b) {
  switch (b) {
    case '\a':
      dst->append("\\a");
      return;
    case '\b':
      dst->append("\\b");
      return;
    case '\f':
      dst->append("\\f");
      return;
    case '\n':
      dst->append("\\n");
      return;
    case '\r':
      dst->append("\\r");
      return;
    case '\t':
      dst->append("\\t");
      return;
    case '\v':
      dst->append("\\v");
      return;
    default:
      AppendHexByte(dst, b);
  }
}

bool IsControl(char32_t cp) { return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f); }

// Appends the first rune (or invalid byte) of s, escaped; returns how many bytes it consumed.
// With quote, '"' and '\\' are escaped too.
size_t AppendEscapedRune(std::string* dst, std::string_view s, bool quote) {
  char32_t cp = 0;
  const size_t n = ValidRuneLen(s, &cp);
  if (n == 0) {
    AppendHexByte(dst, static_cast<unsigned char>(s[0]));
    return 1;
  }
  if (cp < 0x20 || cp == 0x7f) {
    AppendControl(dst, static_cast<unsigned char>(cp));
  } else if (IsControl(cp)) {
    dst->append("\\u00");
    dst->push_back(kHex[cp >> 4]);
    dst->push_back(kHex[cp & 0xf]);
  } else if (quote && (cp == '"' || cp == '\\')) {
    dst->push_back('\\');
    dst->push_back(static_cast<char>(cp));
  } else {
    dst->append(s.substr(0, n));
  }
  return n;
}

void AppendMoreBytes(std::string* dst, size_t left_out) {
  dst->append("... (");
  dst->append(std::to_string(left_out));
  dst->append(" more bytes)");
}

}  // namespace

void AppendQuoted(std::string* dst, std::string_view s) {
  dst->push_back('"');
  size_t pos = 0;
  while (pos < s.size()) pos += AppendEscapedRune(dst, s.substr(pos), /*quote=*/true);
  dst->push_back('"');
}

std::string QuoteForMessage(std::string_view input, size_t max_bytes) {
  // Cut at max_bytes, backing off to the start of a valid UTF-8 sequence that would be split.
  size_t cut = 0;
  while (cut < input.size()) {
    char32_t cp;
    size_t n = ValidRuneLen(input.substr(cut), &cp);
    if (n == 0) n = 1;
    if (n > max_bytes - cut) break;
    cut += n;
  }
  std::string out;
  out.reserve(cut + 2);
  AppendQuoted(&out, input.substr(0, cut));
  if (cut < input.size()) AppendMoreBytes(&out, input.size() - cut);
  return out;
}

bool NeedsEscaping(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    char32_t cp = 0;
    const size_t n = ValidRuneLen(s.substr(pos), &cp);
    if (n == 0 || IsControl(cp)) return true;
    pos += n;
  }
  return false;
}

std::string SanitizeMessage(std::string_view msg) {
  std::string out;
  out.reserve(msg.size() < kMaxMessageBytes ? msg.size() : kMaxMessageBytes);
  size_t pos = 0;
  std::string rune;
  while (pos < msg.size()) {
    rune.clear();
    const size_t n = AppendEscapedRune(&rune, msg.substr(pos), /*quote=*/false);
    if (out.size() + rune.size() > kMaxMessageBytes) break;
    out.append(rune);
    pos += n;
  }
  if (pos < msg.size()) AppendMoreBytes(&out, msg.size() - pos);
  return out;
}

}  // namespace vme
