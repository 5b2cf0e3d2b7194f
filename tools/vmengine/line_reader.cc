#include "line_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace vme::cli {

namespace {

constexpr size_t kChunkBytes = 1 << 20;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

LineReader::~LineReader() {
  if (owns_fd_) close(fd_);
}

CommandStatus LineReader::Open() {
  zstd_ = EndsWith(path_, ".zst");
  if (path_ == "-") {
    display_name_ = "<stdin>";
    fd_ = STDIN_FILENO;
    return CommandStatus::Ok();
  }
  display_name_ = path_;
  fd_ = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return CommandStatus::Error("cannot open " + path_ + ": " + std::strerror(errno));
  owns_fd_ = true;
  struct stat st;
  if (fstat(fd_, &st) == 0) {
    if (S_ISDIR(st.st_mode))
      return CommandStatus::Error("cannot read " + path_ + ": is a directory");
    if (S_ISREG(st.st_mode) && !zstd_) total_bytes_ = static_cast<uint64_t>(st.st_size);
  }
  return CommandStatus::Ok();
}

CommandStatus LineReader::ReadError() {
  return CommandStatus::Error("reading " + display_name_ + ": " + std::strerror(errno));
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

CommandStatus LineReader::ForEachLine(const LineFn& fn) {
  std::vector<char> in(kChunkBytes);
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(nullptr, ZSTD_freeDCtx);
  std::vector<char> out;
  size_t last_ret = 0;
  if (zstd_) {
    dctx.reset(ZSTD_createDCtx());
    if (!dctx) return CommandStatus::Error("out of memory");
    out.resize(ZSTD_DStreamOutSize());
  }
  while (true) {
    const ssize_t got = read(fd_, in.data(), in.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      return ReadError();
    }
    if (got == 0) break;
    bytes_read_ += static_cast<uint64_t>(got);
    if (!zstd_) {
      if (!Feed(in.data(), static_cast<size_t>(got), fn)) return CommandStatus::Ok();
      continue;
    }
    ZSTD_inBuffer input = {in.data(), static_cast<size_t>(got), 0};
    while (input.pos < input.size) {
      ZSTD_outBuffer output = {out.data(), out.size(), 0};
      last_ret = ZSTD_decompressStream(dctx.get(), &output, &input);
      if (ZSTD_isError(last_ret)) {
        return CommandStatus::Error(display_name_ + ": zstd: " + ZSTD_getErrorName(last_ret) +
                                    " (after " + std::to_string(bytes_read_) + " bytes read)");
      }
      if (!Feed(out.data(), output.pos, fn)) return CommandStatus::Ok();
    }
  }
  if (zstd_) {
    // Drain output the decoder still holds for the input it has consumed.
    while (last_ret != 0) {
      ZSTD_inBuffer input = {nullptr, 0, 0};
      ZSTD_outBuffer output = {out.data(), out.size(), 0};
      last_ret = ZSTD_decompressStream(dctx.get(), &output, &input);
      if (ZSTD_isError(last_ret)) {
        return CommandStatus::Error(display_name_ + ": zstd: " + ZSTD_getErrorName(last_ret));
      }
      if (!Feed(out.data(), output.pos, fn)) return CommandStatus::Ok();
      if (output.pos == 0 && last_ret != 0) {
        return CommandStatus::Error(display_name_ + ": truncated zstd stream");
      }
    }
  }
  if (!carry_.empty()) {
    std::string last;
    last.swap(carry_);
    fn(last, false);
  }
  return CommandStatus::Ok();
}

}  // namespace vme::cli
