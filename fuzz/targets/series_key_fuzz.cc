// Fuzz target `series_key`: the packed series key of the C API (include/vmengine.h, "Labels"),
// decoded by MetricName::FromSeriesKey (src/storage/metric_name.h) as vme_add_rows does, and
// the canonical MetricName decoder of the indexdb (MetricName::Unmarshal).
//
// Input: u8 mode, then
//   even: the series key (label limits: the defaults, LabelLimits());
//   odd:  a marshaled MetricName (tenant, metric group, tags; the indexdb form).
// Properties: a key that decodes re-packs (ToSeriesKey) to a key that decodes to the same
// MetricName, whose canonical form (Marshal) unmarshals to it again; a marshaled MetricName that
// unmarshals marshals to bytes that unmarshal to the same name.
#include <string>

#include "fuzz_input.h"
#include "fuzz_target.h"
#include "storage/metric_name.h"

VME_FUZZ_TARGET(series_key) {
  using namespace vme::storage;
  vme::fuzz::Input in(data, size);
  const bool canonical = in.U8() % 2 == 1;
  const std::string_view src = in.Rest();
  MetricName mn;
  if (canonical) {
    if (!mn.Unmarshal(src).ok()) return;
  } else {
    if (!mn.FromSeriesKey(src, 7, 9, LabelLimits()).ok()) return;
    std::string key;
    mn.ToSeriesKey(&key);
    MetricName again;
    VME_FUZZ_CHECK(again.FromSeriesKey(key, 7, 9, LabelLimits()).ok(),
                   "re-packed series key does not decode");
    VME_FUZZ_CHECK(again == mn, "FromSeriesKey(ToSeriesKey(m)) != m");
  }
  std::string raw;
  mn.Marshal(&raw);
  MetricName back;
  VME_FUZZ_CHECK(back.Unmarshal(raw).ok(), "marshaled MetricName does not unmarshal");
  VME_FUZZ_CHECK(back == mn, "Unmarshal(Marshal(m)) != m");
  (void)mn.ToPrometheusText();
}
