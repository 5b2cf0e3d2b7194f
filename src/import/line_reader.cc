#include "import/line_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace vme::prom {

namespace {

constexpr size_t kChunkBytes = 1 << 20;

// The first four bytes of a zstd frame (0xFD2FB528, little-endian) or of a skippable frame
// (0x184D2A50..0x184D2A5F), as RFC 8878 defines them.
bool IsZstdMagic(const char* p) {
  const uint32_t m = static_cast<uint32_t>(static_cast<uint8_t>(p[0])) |
                     static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 8 |
                     static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 16 |
                     static_cast<uint32_t>(static_cast<uint8_t>(p[3])) << 24;
  return m == 0xFD2FB528u || (m & 0xFFFFFFF0u) == 0x184D2A50u;
}

}  // namespace

LineReader::~LineReader() {
  if (owns_fd_) close(fd_);
}

Status LineReader::Open(const std::string& path) {
  display_name_ = path;
  fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    const int e = errno;
    std::string msg = "cannot open " + path + ": " + std::strerror(e);
    if (e == ENOENT || e == ENOTDIR) return Status::NotFound(std::move(msg));
    return Status::IoError(std::move(msg));
  }
  owns_fd_ = true;
  struct stat st;
  if (fstat(fd_, &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::IoError("cannot read " + path + ": is a directory");
    if (S_ISREG(st.st_mode)) total_bytes_ = static_cast<uint64_t>(st.st_size);
  }
  return Status::OK();
}

void LineReader::OpenFd(int fd, std::string name) {
  fd_ = fd;
  owns_fd_ = false;
  display_name_ = std::move(name);
}

Status LineReader::ReadError() const {
  return Status::IoError("reading " + display_name_ + ": " + std::strerror(errno));
}

bool LineReader::Feed(const char* p, size_t n, const LineFn& fn) {
  while (n > 0) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', n));
    const size_t len = nl ? static_cast<size_t>(nl - p) : n;
    if (dropping_) {
      // Discard the rest of a too-long line.
    } else if (carry_.size() + len > kMaxLineBytes) {
      carry_.clear();
      dropping_ = true;
      if (!fn(std::string_view(), true)) return false;
    } else if (nl && carry_.empty()) {
      if (!fn(std::string_view(p, len), false)) return false;
    } else {
      carry_.append(p, len);
      if (nl) {
        const bool go_on = fn(carry_, false);
        carry_.clear();
        if (!go_on) return false;
      }
    }
    if (!nl) return true;
    dropping_ = false;
    n -= len + 1;
    p = nl + 1;
  }
  return true;
}

Status LineReader::ForEachLine(const LineFn& fn) {
  if (fd_ < 0) return Status::Internal("LineReader::ForEachLine before Open");
  std::vector<char> in(kChunkBytes);
  // Reads up to in.size() bytes into in[0..]; 0 at the end of the input.
  size_t have = 0;
  const auto fill = [&](size_t min_bytes, bool* eof) -> Status {
    *eof = false;
    while (have < min_bytes) {
      const ssize_t got = read(fd_, in.data() + have, in.size() - have);
      if (got < 0) {
        if (errno == EINTR) continue;
        return ReadError();
      }
      if (got == 0) {
        *eof = true;
        break;
      }
      have += static_cast<size_t>(got);
      bytes_read_ += static_cast<uint64_t>(got);
    }
    return Status::OK();
  };

  // The first bytes decide between plain text and zstd.
  bool eof = false;
  VME_RETURN_IF_ERROR(fill(4, &eof));
  zstd_ = have >= 4 && IsZstdMagic(in.data());

  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(nullptr, ZSTD_freeDCtx);
  std::vector<char> out;
  size_t last_ret = 0;
  if (zstd_) {
    dctx.reset(ZSTD_createDCtx());
    if (!dctx) return Status(Code::kNoMemory, "out of memory (zstd decoder)");
    out.resize(ZSTD_DStreamOutSize());
  }
  // Compressed bytes consumed by the decoder before the current chunk.
  uint64_t consumed = 0;
  while (have > 0) {
    if (!zstd_) {
      if (!Feed(in.data(), have, fn)) return Status::OK();
    } else {
      ZSTD_inBuffer input = {in.data(), have, 0};
      while (input.pos < input.size) {
        ZSTD_outBuffer output = {out.data(), out.size(), 0};
        last_ret = ZSTD_decompressStream(dctx.get(), &output, &input);
        if (ZSTD_isError(last_ret)) {
          return Status::Corruption(display_name_ + ": malformed zstd stream (" +
                                    ZSTD_getErrorName(last_ret) + ") at compressed byte offset " +
                                    std::to_string(consumed + input.pos));
        }
        if (!Feed(out.data(), output.pos, fn)) return Status::OK();
      }
      consumed += have;
    }
    have = 0;
    if (eof) break;
    VME_RETURN_IF_ERROR(fill(1, &eof));
  }
  if (zstd_) {
    // Drain output the decoder still holds for the input it has consumed.
    while (last_ret != 0) {
      ZSTD_inBuffer input = {nullptr, 0, 0};
      ZSTD_outBuffer output = {out.data(), out.size(), 0};
      last_ret = ZSTD_decompressStream(dctx.get(), &output, &input);
      if (ZSTD_isError(last_ret)) {
        return Status::Corruption(display_name_ + ": malformed zstd stream (" +
                                  ZSTD_getErrorName(last_ret) + ") at compressed byte offset " +
                                  std::to_string(consumed));
      }
      if (!Feed(out.data(), output.pos, fn)) return Status::OK();
      if (output.pos == 0 && last_ret != 0) {
        return Status::Corruption(display_name_ +
                                  ": truncated zstd stream: the input ends inside a frame, at "
                                  "compressed byte offset " +
                                  std::to_string(consumed));
      }
    }
  }
  if (!carry_.empty()) {
    std::string last;
    last.swap(carry_);
    fn(last, false);
  }
  return Status::OK();
}

}  // namespace vme::prom
