// zstd frames as VictoriaMetrics uses them (VictoriaMetrics CompressZSTDLevel,
// lib/encoding/compress.go).
//
// CompressZstd appends one complete zstd frame of src, compressed at `level` (negative levels
// allowed), to dst. DecompressZstd appends the decompressed content of one or more frames,
// with or without the content-size field; it fails with Corruption on malformed input or when
// the output would exceed max_size bytes.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

namespace vme::enc {

void CompressZstd(std::string* dst, std::string_view src, int level);
Status DecompressZstd(std::string* dst, std::string_view src, size_t max_size = 64u << 20);

// A growable byte buffer whose bytes are never initialised (for decompression scratch).
class ScratchBuffer {
 public:
  char* data() { return buf_.get(); }
  size_t size() const { return size_; }
  std::string_view view() const { return {buf_.get(), size_}; }
  // Makes room for n bytes (contents unspecified) and sets the size to n.
  void Resize(size_t n);

 private:
  std::unique_ptr<char[]> buf_;
  size_t size_ = 0;
  size_t cap_ = 0;
};

// DecompressZstd into *dst (replacing its contents): one call into zstd when the frames state
// their content sizes, else the streaming path of DecompressZstd. Same errors.
Status DecompressZstdTo(ScratchBuffer* dst, std::string_view src, size_t max_size);

}  // namespace vme::enc
