#include "encoding/zstd.h"

#include <zstd.h>

#include <memory>

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
  return ctx.get();
}
ZSTD_DCtx* ThreadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> ctx(ZSTD_createDCtx());
  return ctx.get();
}

}  // namespace

void CompressZstd(std::string* dst, std::string_view src, int level) {
  const size_t bound = ZSTD_compressBound(src.size());
  const size_t old = dst->size();
  dst->resize(old + bound);
  const size_t n =
      ZSTD_compressCCtx(ThreadCCtx(), dst->data() + old, bound, src.data(), src.size(), level);
  if (ZSTD_isError(n)) throw std::bad_alloc();  // only allocation can fail with a valid bound
  dst->resize(old + n);
}

Status DecompressZstd(std::string* dst, std::string_view src, size_t max_size) {
  const size_t old = dst->size();
  const unsigned long long content = ZSTD_getFrameContentSize(src.data(), src.size());
  if (content == ZSTD_CONTENTSIZE_ERROR) {
    return Status::Corruption("invalid zstd frame header");
  }
  if (content != ZSTD_CONTENTSIZE_UNKNOWN) {
    if (content > max_size) return Status::Corruption("zstd frame content size too large");
    // Single frame with a known size: decompress in one call.
    dst->resize(old + content);
    const size_t n =
        ZSTD_decompressDCtx(ThreadDCtx(), dst->data() + old, content, src.data(), src.size());
    if (ZSTD_isError(n) || n != content) {
      dst->resize(old);
      if (!ZSTD_isError(n) || ZSTD_getErrorCode(n) != ZSTD_error_dstSize_tooSmall) {
        if (ZSTD_isError(n)) {
          return Status::Corruption(std::string("zstd: ") + ZSTD_getErrorName(n));
        }
        return Status::Corruption("zstd: content size mismatch");
      }
    } else {
      return Status::OK();
    }
  }
  // Unknown size (or several frames): stream.
  ZSTD_DCtx* d = ThreadDCtx();
  ZSTD_DCtx_reset(d, ZSTD_reset_session_only);
  ZSTD_inBuffer in{src.data(), src.size(), 0};
  size_t ret = 1;
  while (in.pos < in.size) {
    size_t chunk = ZSTD_DStreamOutSize();
    const size_t pos = dst->size();
    if (pos - old + chunk > max_size) chunk = max_size - (pos - old);
    if (chunk == 0) {
      dst->resize(old);
      return Status::Corruption("zstd: decompressed data too large");
    }
    dst->resize(pos + chunk);
    ZSTD_outBuffer out{dst->data() + pos, chunk, 0};
    ret = ZSTD_decompressStream(d, &out, &in);
    dst->resize(pos + out.pos);
    if (ZSTD_isError(ret)) {
      dst->resize(old);
      return Status::Corruption(std::string("zstd: ") + ZSTD_getErrorName(ret));
    }
    if (out.pos == 0 && in.pos < in.size && ret != 0 && chunk == 0) break;
  }
  if (ret != 0) {
    // Flush remaining output.
    for (;;) {
      const size_t pos = dst->size();
      size_t chunk = ZSTD_DStreamOutSize();
      if (pos - old + chunk > max_size) chunk = max_size - (pos - old);
      if (chunk == 0) break;
      dst->resize(pos + chunk);
      ZSTD_outBuffer out{dst->data() + pos, chunk, 0};
      ret = ZSTD_decompressStream(d, &out, &in);
      dst->resize(pos + out.pos);
      if (ZSTD_isError(ret)) {
        dst->resize(old);
        return Status::Corruption(std::string("zstd: ") + ZSTD_getErrorName(ret));
      }
      if (ret == 0 || out.pos == 0) break;
    }
    if (ret != 0) {
      dst->resize(old);
      return Status::Corruption("zstd: truncated frame");
    }
  }
  return Status::OK();
}

}  // namespace vme::enc
