// Tag filters with Prometheus semantics (VictoriaMetrics lib/storage/tag_filters.go).
//
// A TagFilter is (key, value, is_negative, is_regexp); key "" is the metric name. A series whose
// label is missing is matched as if the label value were "". Regexps use RE2 with Go/Prometheus
// semantics: fully anchored (`^(?:re)$`), `.` does not match `\n` unless (?s), Perl classes.
// Cheap matchers replace RE2 for literal sets (or-values), `.*`, `.+`, `lit.*`, `.*lit`,
// `.*lit.*`, their `.+` variants and the same forms after a leading `(?s)` (`(?s).*` accepts
// every value); these follow Go, where `.` also matches invalid UTF-8 bytes.
//
// TagFilters is a conjunction. Differences from VictoriaMetrics' TagFilters.Add: a positive
// `=~".*"` is dropped (as in VM, so it also matches values containing '\n'); every other filter
// is kept as written and evaluated exactly (VM rewrites `k=""` to `k!~".+"` and `k!~".*"` to
// `k!~".+"`; here `k!~".*"` matches nothing, as in Prometheus). Use MatchesEmpty() to decide
// whether a filter also accepts series without the label.
//
// Regexps nested more than kMaxRegexpNesting groups deep are rejected before anything parses
// them, with Go's words "expression nests too deeply" (Go's regexp/syntax limits the height of
// the parse tree to 1000; here the count is of groups, capturing or not). Nothing here recurses
// over a regexp's structure.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/metric_name.h"
#include "util/status.h"

namespace re2 {
class RE2;
}

namespace vme::storage {

class TagFilter {
 public:
  static Result<TagFilter> Create(std::string_view key, std::string_view value, bool is_negative,
                                  bool is_regexp);

  const std::string& key() const { return key_; }
  const std::string& value() const { return value_; }
  bool is_negative() const { return is_negative_; }
  bool is_regexp() const { return is_regexp_; }

  bool Matches(std::string_view v) const { return MatchesPositive(v) != is_negative_; }
  bool MatchesEmpty() const { return matches_empty_; }
  bool MatchesPositive(std::string_view v) const;

  // The finite sorted set of values accepted by the positive predicate, or nullptr.
  const std::vector<std::string>* or_values() const {
    return has_or_values_ ? &or_values_ : nullptr;
  }
  // Every value accepted by the positive predicate starts with it.
  const std::string& literal_prefix() const { return literal_prefix_; }

  // Prometheus form, e.g. `job=~"a.*"` (`__name__` for the metric name).
  std::string ToString() const;

 private:
  enum class Kind {
    kEqual,
    kOrValues,
    kDotStar,  // lit.* / .*lit / .*lit.* and .+ variants, see Pieces
    kRegexp,
  };

  TagFilter() = default;

  std::string key_;
  std::string value_;
  bool is_negative_ = false;
  bool is_regexp_ = false;
  bool matches_empty_ = false;
  Kind kind_ = Kind::kEqual;
  // kDotStar: pattern = [head] lit [tail], head/tail: 0 none, 1 `.*`, 2 `.+`.
  int head_ = 0;
  int tail_ = 0;
  bool dot_nl_ = false;  // (?s): `.` also matches '\n'.
  std::string lit_;
  bool has_or_values_ = false;
  std::vector<std::string> or_values_;
  std::string literal_prefix_;
  std::shared_ptr<const re2::RE2> re_;
};

class TagFilters {
 public:
  Status Add(std::string_view key, std::string_view value, bool is_negative, bool is_regexp);
  // Appends an already created filter (a positive `=~".*"` is dropped).
  void AddFilter(TagFilter tf);
  void Reset() { filters_.clear(); }
  const std::vector<TagFilter>& filters() const { return filters_; }
  bool empty() const { return filters_.empty(); }

  // True when every filter matches the empty string, and so also every series without the
  // filter's label (true for no filters). Such a conjunction selects every series that has
  // none of the labels: `{a=""}`, `{a!="x"}`, `{__name__=~".*"}`, `{}`. Prometheus refuses it
  // as a selector ("vector selector must contain at least one non-empty matcher"), so does
  // ParseSelector, and an operation that destroys what it selects (deleting series) must
  // refuse it too rather than treat it as "everything".
  bool AllMatchEmpty() const;

  // Does a MetricName pass all filters? A missing tag counts as "".
  bool Matches(const MetricName& mn) const;

  // `{f1,f2,...}` in Prometheus form.
  std::string ToString() const;

 private:
  std::vector<TagFilter> filters_;
};

// Deepest group nesting a regexp may have, as Go's regexp/syntax maxHeight.
inline constexpr size_t kMaxRegexpNesting = 1000;

// InvalidArgument ("expression nests too deeply") when groups in `regexp` nest more than
// kMaxRegexpNesting deep. One linear pass, no recursion; escapes, \Q...\E and character
// classes are skipped, so their parentheses do not count.
Status CheckRegexpNesting(std::string_view regexp);

// Analysis of a regexp accepted by RE2 (VictoriaMetrics getRegexpPrefix / getOrValues). Returns
// true and the sorted distinct values when the regexp matches a finite set of at most
// `max_values` strings that a conservative expansion can enumerate (literals, concatenation,
// alternation, groups, `?`, small ASCII classes, anchors); `re` (compiled as (?:regexp)) is used
// to drop values the regexp does not fully match.
bool RegexpOrValues(std::string_view regexp, const re2::RE2& re, size_t max_values,
                    std::vector<std::string>* values);
// A literal prefix shared by every full match of `re`, derived from RE2::PossibleMatchRange.
std::string RegexpLiteralPrefix(const re2::RE2& re);

inline constexpr size_t kMaxOrValues = 20;

}  // namespace vme::storage
