// Parser for PromQL series selectors (`name`, `name{...}`, `{...}`), producing TagFilters.
//
// Grammar (whitespace ' ', \t, \r, \n allowed between tokens):
//   selector := [metric_name] ['{' [matcher {',' matcher} [',']] '}']
//   matcher  := label_name ('=' | '!=' | '=~' | '!~') string
//   metric_name [a-zA-Z_:][a-zA-Z0-9_:]*, label_name [a-zA-Z_][a-zA-Z0-9_]*
//   string: "..." or '...' with Go escapes (\a \b \f \n \r \t \v \\ \<quote> \NNN \xNN \uNNNN
//   \UNNNNNNNN), or `...` raw.
// As in Prometheus, the selector must not be empty and at least one matcher must not match the
// empty string ("vector selector must contain at least one non-empty matcher"): `{a=""}`,
// `{a!="x"}`, `{__name__=~".*"}` and `{}` are errors, since they would select every series
// without the labels (see TagFilters::AllMatchEmpty). The metric name may not be given both
// before the braces and as a __name__ matcher. Errors are InvalidArgument, name the byte offset
// and quote at most 128 bytes of the input (QuoteForMessage). The parser does not recurse;
// regexps are checked by TagFilter::Create (nesting depth first).
#pragma once

#include <string_view>

#include "storage/tag_filters.h"
#include "util/status.h"

namespace vme::storage {

// Resets `out`, then fills it with the selector's matchers.
Status ParseSelector(std::string_view selector, TagFilters* out);

}  // namespace vme::storage
