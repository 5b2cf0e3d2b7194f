#include "encoding/zstd.h"

#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>

namespace vme::enc {
namespace {

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

ZSTD_CCtx* ThreadCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> ctx(ZSTD_createCCtx());
  if (!ctx) throw std::bad_alloc();
  return ctx.get();
}
ZSTD_DCtx* ThreadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> ctx(ZSTD_createDCtx());
  if (!ctx) throw std::bad_alloc();
  return ctx.get();
}

// Parts hold frames of the zstd format (magic 0xFD2FB528, RFC 8878) only. libzstd also decodes
// the legacy pre-1.0 formats, whose frames can state a content size they do not hold (found by
// the zstd fuzz target): anything not starting with the zstd magic is refused.
Status CheckFrameMagic(std::string_view src) {
  if (src.size() < 4) return Status::OK();  // ZSTD_getFrameContentSize reports it
  uint32_t magic = 0;
  for (int i = 3; i >= 0; i--) magic = (magic << 8) | static_cast<uint8_t>(src[i]);
  if (magic == ZSTD_MAGICNUMBER) return Status::OK();
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08X", magic);
  return Status::Corruption(std::string("zstd: not a zstd frame (magic 0x") + hex +
                            ", want 0xFD2FB528)");
}

Status ZstdError(size_t code) {
  return Status::Corruption(std::string("zstd: ") + ZSTD_getErrorName(code));
}

}  // namespace

void CompressZstd(std::string* dst, std::string_view src, int level) {
  const size_t bound = ZSTD_compressBound(src.size());
  const size_t old = dst->size();
  dst->resize(old + bound);
  const size_t n =
      ZSTD_compressCCtx(ThreadCCtx(), dst->data() + old, bound, src.data(), src.size(), level);
  if (ZSTD_isError(n)) throw std::bad_alloc();  // with a full bound only allocation can fail
  dst->resize(old + n);
}

Status DecompressZstd(std::string* dst, std::string_view src, size_t max_size) {
  VME_RETURN_IF_ERROR(CheckFrameMagic(src));
  const size_t old = dst->size();
  const unsigned long long content = ZSTD_getFrameContentSize(src.data(), src.size());
  if (content == ZSTD_CONTENTSIZE_ERROR) return Status::Corruption("zstd: invalid frame header");
  if (content != ZSTD_CONTENTSIZE_UNKNOWN && content > max_size) {
    return Status::Corruption("zstd: frame content size exceeds the limit");
  }
  ZSTD_DCtx* d = ThreadDCtx();
  ZSTD_DCtx_reset(d, ZSTD_reset_session_only);
  ZSTD_inBuffer in{src.data(), src.size(), 0};
  const auto too_big = [&] {
    dst->resize(old);
    return Status::Corruption("zstd: decompressed data exceeds the limit of " +
                              std::to_string(max_size) + " bytes");
  };
  // Output room stops one byte past the limit: content of exactly max_size bytes is accepted
  // (an empty frame under a limit of 0 was refused), and one byte more proves it too big.
  const size_t room = max_size == SIZE_MAX ? max_size : max_size + 1;
  size_t ret = 0;
  size_t chunk =
      content != ZSTD_CONTENTSIZE_UNKNOWN && content > 0 ? content : ZSTD_DStreamOutSize();
  for (;;) {
    const size_t pos = dst->size();
    if (pos - old + chunk > room) chunk = room - (pos - old);
    if (chunk == 0) return too_big();
    dst->resize(pos + chunk);
    ZSTD_outBuffer out{dst->data() + pos, chunk, 0};
    ret = ZSTD_decompressStream(d, &out, &in);
    dst->resize(pos + out.pos);
    if (ZSTD_isError(ret)) {
      dst->resize(old);
      return ZstdError(ret);
    }
    if (dst->size() - old > max_size) return too_big();
    if (ret == 0 && in.pos == in.size) return Status::OK();
    if (in.pos == in.size && out.pos < chunk) break;  // input exhausted mid-frame
    chunk = ZSTD_DStreamOutSize();
  }
  dst->resize(old);
  return Status::Corruption("zstd: truncated frame");
}

void ScratchBuffer::Resize(size_t n) {
  if (n > cap_) {
    const size_t cap = std::max(n, cap_ * 2);
    buf_.reset(new char[cap]);
    cap_ = cap;
  }
  size_ = n;
}

Status DecompressZstdTo(ScratchBuffer* dst, std::string_view src, size_t max_size) {
  VME_RETURN_IF_ERROR(CheckFrameMagic(src));
  // One frame covering src, with its content size: one call. Anything else (several frames,
  // no size, malformed, too big) takes the streaming path, which gives the precise error.
  const unsigned long long content = ZSTD_getFrameContentSize(src.data(), src.size());
  const bool one_frame = content != ZSTD_CONTENTSIZE_ERROR && content != ZSTD_CONTENTSIZE_UNKNOWN &&
                         content <= max_size &&
                         ZSTD_findFrameCompressedSize(src.data(), src.size()) == src.size();
  if (!one_frame) {
    std::string out;
    VME_RETURN_IF_ERROR(DecompressZstd(&out, src, max_size));
    dst->Resize(out.size());
    if (!out.empty()) std::memcpy(dst->data(), out.data(), out.size());
    return Status::OK();
  }
  dst->Resize(static_cast<size_t>(content));
  const size_t n =
      ZSTD_decompressDCtx(ThreadDCtx(), dst->data(), dst->size(), src.data(), src.size());
  if (ZSTD_isError(n)) {
    dst->Resize(0);
    return ZstdError(n);
  }
  if (n != content) {
    dst->Resize(0);
    return Status::Corruption("zstd: truncated frame");
  }
  return Status::OK();
}

}  // namespace vme::enc
