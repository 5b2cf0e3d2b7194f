// TSID: the series identifier of VictoriaMetrics 1.72, cluster flavour (docs/format.md,
// "TSID (32 bytes)", lib/storage/tsid.go).
//
// Marshaled form, 32 bytes, all big-endian, no padding:
//   u32 AccountID | u32 ProjectID | u64 MetricGroupID | u32 JobID | u32 InstanceID | u64 MetricID
// Ordering is lexicographic over the fields in this order, which equals the byte order of the
// marshaled form. Only MetricID identifies a series; the other fields are locality hints.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "encoding/int.h"

namespace vme::storage {

struct TSID {
  static constexpr size_t kMarshaledSize = 32;

  uint32_t account_id = 0;
  uint32_t project_id = 0;
  uint64_t metric_group_id = 0;
  uint32_t job_id = 0;
  uint32_t instance_id = 0;
  uint64_t metric_id = 0;

  auto operator<=>(const TSID&) const = default;

  void Marshal(std::string* dst) const {
    enc::AppendU32(dst, account_id);
    enc::AppendU32(dst, project_id);
    enc::AppendU64(dst, metric_group_id);
    enc::AppendU32(dst, job_id);
    enc::AppendU32(dst, instance_id);
    enc::AppendU64(dst, metric_id);
  }
  // Decodes from exactly the first 32 bytes of p (caller checks the length).
  static TSID Load(const char* p) {
    TSID t;
    t.account_id = enc::LoadU32(p);
    t.project_id = enc::LoadU32(p + 4);
    t.metric_group_id = enc::LoadU64(p + 8);
    t.job_id = enc::LoadU32(p + 16);
    t.instance_id = enc::LoadU32(p + 20);
    t.metric_id = enc::LoadU64(p + 24);
    return t;
  }
};

}  // namespace vme::storage
