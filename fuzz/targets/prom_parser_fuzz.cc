// Fuzz target `prom_parser`: the Prometheus text exposition parser of the library's importer
// (src/import/prom_parser.h, vme_import_prometheus) and the series-key packing it feeds
// (src/import/series_key.h).
//
// Input: Prometheus text, split into lines at '\n'.
// Properties: the labels of a sample line pack into a series key that unpacks to the same
// labels; a finite sample value printed with 17 significant digits parses back to the same
// value.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "fuzz_target.h"
#include "import/prom_parser.h"
#include "import/series_key.h"

VME_FUZZ_TARGET(prom_parser) {
  using namespace vme::prom;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error, key;
  std::vector<Label> labels, back;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    PromLine pl;
    if (ParsePromLine(line, &pl, &error) != PromLineKind::kSample) continue;
    if (std::isfinite(pl.value)) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.17g", pl.value);
      double v;
      VME_FUZZ_CHECK(ParsePromValue(buf, &v) && v == pl.value, "value round trip");
    }
    labels.clear();
    if (!ParsePromSeries(pl.series, &labels, &error)) continue;
    key.clear();
    if (!PackSeriesKey(labels, &key, &error)) continue;
    back.clear();
    VME_FUZZ_CHECK(UnpackSeriesKey(key, &back, &error), "packed key does not unpack");
    VME_FUZZ_CHECK(back == labels, "unpack(pack(labels)) != labels");
  }
}
