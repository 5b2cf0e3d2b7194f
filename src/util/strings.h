// Small string helpers shared by the data and indexdb sides: part-name hex suffixes and
// strict unsigned decimal parsing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vme {

// 16 upper-case hex digits (Go's %016X): merge indexes in part, tmp and txn names and
// indexdb generation names.
std::string Hex16(uint64_t v);

// Parses a non-empty string of ASCII decimal digits that fits in uint64 (no sign, no spaces).
bool ParseUint64(std::string_view s, uint64_t* v);

}  // namespace vme
