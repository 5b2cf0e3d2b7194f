// Reads the lines of an input in fixed-size chunks, in constant memory: a file given by its
// path or an open file descriptor (e.g. standard input), plain or zstd-compressed. zstd is
// recognised by the magic number of its first frame (a zstd frame or a skippable frame), not by
// the file's name, and decompressed as a stream with ZSTD_decompressStream (several frames
// allowed). A line longer than kMaxLineBytes is reported as too long and skipped.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace vme::prom {

class LineReader {
 public:
  static constexpr size_t kMaxLineBytes = 8 << 20;

  // fn(line, too_long) gets each line without its '\n' (too_long: the line was longer than
  // kMaxLineBytes and dropped, and `line` is empty). fn returns false to stop reading.
  using LineFn = std::function<bool(std::string_view line, bool too_long)>;

  LineReader() = default;
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Opens a file. Errors: NotFound (no such file: the message names the path and the OS
  // error), IoError (any other refusal, or a directory).
  Status Open(const std::string& path);
  // Reads from an open descriptor, which stays the caller's; name is used in messages.
  void OpenFd(int fd, std::string name);

  // Reads to the end (or until fn returns false). Errors: IoError (a read failed), Corruption
  // (a malformed or truncated zstd stream: the message names the input and the byte offset in
  // the compressed stream). The lines before the error have been passed to fn.
  Status ForEachLine(const LineFn& fn);

  // The name used in messages: the path, or the name given to OpenFd.
  const std::string& display_name() const { return display_name_; }
  // Bytes read from the input (compressed bytes for zstd).
  uint64_t bytes_read() const { return bytes_read_; }
  // Size of a regular file, or 0 when unknown (pipes).
  uint64_t total_bytes() const { return total_bytes_; }
  // Whether the input is zstd-compressed (known once ForEachLine has started).
  bool zstd() const { return zstd_; }

 private:
  bool Feed(const char* p, size_t n, const LineFn& fn);
  Status ReadError() const;

  std::string display_name_;
  int fd_ = -1;
  bool owns_fd_ = false;
  bool zstd_ = false;
  uint64_t bytes_read_ = 0;
  uint64_t total_bytes_ = 0;
  std::string carry_;
  bool dropping_ = false;
};

}  // namespace vme::prom
