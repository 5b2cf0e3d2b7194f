// zstd frames as VictoriaMetrics uses them (VictoriaMetrics CompressZSTDLevel,
// lib/encoding/compress.go).
//
// CompressZstd appends one complete zstd frame of src, compressed at `level` (negative levels
// allowed), to dst. DecompressZstd appends the decompressed content of one or more frames,
// with or without the content-size field; it fails with Corruption on malformed input or when
// the output would exceed max_size bytes.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace vme::enc {

void CompressZstd(std::string* dst, std::string_view src, int level);
Status DecompressZstd(std::string* dst, std::string_view src, size_t max_size = 64u << 20);

}  // namespace vme::enc
