// Timestamps given on the command line: RFC 3339 ("2026-01-01T00:00:00Z",
// "2026-01-01T01:00:00.5+01:00") or integer milliseconds since the Unix epoch ("1767225600000",
// may be negative).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vme::cli {

// Parses s into milliseconds since the epoch (UTC). Fractional seconds beyond milliseconds
// are truncated. On failure returns false and sets *error.
bool ParseTimestampMs(std::string_view s, int64_t* ms, std::string* error);

}  // namespace vme::cli
