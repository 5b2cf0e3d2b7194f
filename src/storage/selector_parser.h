// Parser for PromQL series selectors (`name`, `name{...}`, `{...}`), producing TagFilters.
//
// Grammar (whitespace ' ', \t, \r, \n allowed between tokens):
//   selector := [metric_name] ['{' [matcher {',' matcher} [',']] '}']
//   matcher  := label_name ('=' | '!=' | '=~' | '!~') string
//   metric_name [a-zA-Z_:][a-zA-Z0-9_:]*, label_name [a-zA-Z_][a-zA-Z0-9_]*
//   string: "..." or '...' with Go escapes (\a \b \f \n \r \t \v \\ \<quote> \NNN \xNN \uNNNN
//   \UNNNNNNNN), or `...` raw.
// As in Prometheus, at least one matcher must not match the empty string, and the metric name
// may not be given both before the braces and as a __name__ matcher. Errors are InvalidArgument
// and name the byte offset.
#pragma once

#include <string_view>

#include "storage/tag_filters.h"
#include "util/status.h"

namespace vme::storage {

// Resets `out`, then fills it with the selector's matchers.
Status ParseSelector(std::string_view selector, TagFilters* out);

}  // namespace vme::storage
