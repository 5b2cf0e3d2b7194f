// Quoting of untrusted bytes (user input, bytes read from disk) for error messages and text
// output, so that a message stays short, is valid UTF-8 and holds no control bytes.
//
// Escapes, in the style of Go's strconv.Quote: \a \b \f \n \r \t \v for those control bytes,
// \xNN for other C0 control bytes, DEL (0x7f) and every byte that is not part of a valid
// UTF-8 sequence (overlong forms, surrogates and code points above U+10FFFF are invalid),
// \u00NN for the C1 control characters U+0080..U+009F. Every other valid UTF-8 sequence is
// kept as it is.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vme {

// How many bytes of user input an error message quotes (QuoteForMessage's default).
inline constexpr size_t kMaxQuotedInputBytes = 128;
// The longest message SanitizeMessage returns, before its truncation marker.
inline constexpr size_t kMaxMessageBytes = 4096;

// Appends s in double quotes, '"' and '\\' escaped as \" and \\, the rest as described above.
// The result is one line of valid UTF-8.
void AppendQuoted(std::string* dst, std::string_view s);

// `input` quoted for an error message: the first max_bytes bytes (never splitting a UTF-8
// sequence) quoted as AppendQuoted does; when bytes were left out, the marker
// `... (N more bytes)` follows the closing quote. E.g. "abc" or "aaaa"... (4194176 more bytes).
std::string QuoteForMessage(std::string_view input, size_t max_bytes = kMaxQuotedInputBytes);

// Whether AppendQuoted would escape a byte of s other than '"' and '\\', i.e. whether s holds
// a control byte (a newline, say), a C1 control character or invalid UTF-8.
bool NeedsEscaping(std::string_view s);

// A whole message made safe to hand to other languages and terminals: control bytes, C1
// control characters and invalid UTF-8 escaped as above (quotes and backslashes are kept), and
// at most kMaxMessageBytes bytes long, then `... (N more bytes)` (N counts bytes of msg).
std::string SanitizeMessage(std::string_view msg);

}  // namespace vme
