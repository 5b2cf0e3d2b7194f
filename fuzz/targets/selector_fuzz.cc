// Fuzz target `selector`: the PromQL series-selector parser (src/storage/selector_parser.h),
// with the tag filters it creates (regexps included, src/storage/tag_filters.h).
//
// Input: the selector text.
// Properties: a selector that parses prints (TagFilters::ToString) as a selector that parses to
// the same filters, and both filter sets agree on whether a series made of the filters' own
// labels and values matches.
#include <string>

#include "fuzz_target.h"
#include "storage/metric_name.h"
#include "storage/selector_parser.h"

VME_FUZZ_TARGET(selector) {
  using namespace vme::storage;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  TagFilters tfs;
  if (!ParseSelector(text, &tfs).ok()) return;
  VME_FUZZ_CHECK(!tfs.AllMatchEmpty(), "a selector matching everything was accepted");
  const std::string printed = tfs.ToString();
  TagFilters back;
  VME_FUZZ_CHECK(ParseSelector(printed, &back).ok(), "printed selector does not parse");
  VME_FUZZ_CHECK(back.ToString() == printed, "parse(print(s)) prints differently");
  MetricName mn;
  for (const TagFilter& tf : tfs.filters()) mn.AddTag(tf.key(), tf.value());
  mn.SortTags();
  VME_FUZZ_CHECK(tfs.Matches(mn) == back.Matches(mn), "reparsed filters match differently");
}
