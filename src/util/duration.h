// Go duration strings (time.Duration.String / time.ParseDuration, plus VictoriaMetrics'
// d, w, y units from lib/metricsql): the `min_dedup_interval` file of data parts and the
// duration options of the C API.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace vme {

// Go time.Duration.String() of a millisecond duration: 0 -> "0s", 500 -> "500ms",
// 1500 -> "1.5s", 60000 -> "1m0s", 3600000 -> "1h0m0s".
std::string FormatGoDuration(int64_t ms);
// Accepts compound durations with units ns, us, µs, ms, s, m, h, d, w, y ("1m0s", "1h30m",
// "1.5s", "500ms"), an optional leading sign, and a bare number meaning seconds; surrounding
// blanks and a trailing newline are ignored. Rounds to ms. Iterative (no recursion).
Status ParseGoDuration(std::string_view s, int64_t* ms);

}  // namespace vme
