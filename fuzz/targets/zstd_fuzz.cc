// Fuzz target `zstd`: zstd frames as parts store them (src/encoding/zstd.h): DecompressZstd
// (streaming) and DecompressZstdTo (one call when frames state their size), with an output bound.
//
// Input: u32be output bound (taken modulo 4 MiB), then the frames.
// Properties: both decoders agree (same error or same bytes) and never exceed the bound; a
// bound of exactly the content size accepts it, one byte less refuses it; the decompressed
// bytes compress (at a level from the input) to a frame that decompresses to them.
#include <string>

#include "encoding/zstd.h"
#include "fuzz_input.h"
#include "fuzz_target.h"

VME_FUZZ_TARGET(zstd) {
  using namespace vme::enc;
  vme::fuzz::Input in(data, size);
  const size_t max_size = in.U32() % (4u << 20);
  const std::string_view frames = in.Rest();
  std::string out;
  const vme::Status st = DecompressZstd(&out, frames, max_size);
  ScratchBuffer buf;
  const vme::Status st2 = DecompressZstdTo(&buf, frames, max_size);
  VME_FUZZ_CHECK(st.ok() == st2.ok(), "the two decoders disagree on validity");
  if (!st.ok()) return;
  VME_FUZZ_CHECK(out.size() <= max_size, "output bound exceeded");
  VME_FUZZ_CHECK(buf.view() == out, "the two decoders disagree on the content");
  std::string exact;
  VME_FUZZ_CHECK(DecompressZstd(&exact, frames, out.size()).ok() && exact == out,
                 "content of exactly the limit refused");
  if (!out.empty()) {
    VME_FUZZ_CHECK(!DecompressZstd(&exact, frames, out.size() - 1).ok(),
                   "content over the limit accepted");
  }
  std::string re;
  CompressZstd(&re, out, static_cast<int>(frames.size() % 7) - 2);
  std::string back;
  VME_FUZZ_CHECK(DecompressZstd(&back, re, out.size()).ok() && back == out,
                 "compress/decompress round trip");
}
