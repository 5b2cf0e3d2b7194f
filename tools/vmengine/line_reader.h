// Reads the lines of an input file in fixed-size chunks: a plain file, standard input ("-"),
// or a zstd-compressed file (name ending in ".zst", decompressed as a stream with
// ZSTD_decompressStream, several frames allowed). Nothing is loaded whole into memory; a
// line longer than kMaxLineBytes is reported as too long and skipped.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "cli_common.h"

namespace vme::cli {

class LineReader {
 public:
  static constexpr size_t kMaxLineBytes = 8 << 20;

  // fn(line, too_long) gets each line without its '\n' (too_long: the line was dropped and
  // `line` is empty). fn returns false to stop reading.
  using LineFn = std::function<bool(std::string_view line, bool too_long)>;

  explicit LineReader(std::string path) : path_(std::move(path)) {}
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  CommandStatus Open();
  // Reads to the end (or until fn returns false).
  CommandStatus ForEachLine(const LineFn& fn);

  // The name used in messages: the path, or "<stdin>".
  const std::string& display_name() const { return display_name_; }
  // Bytes read from the file (compressed bytes for .zst).
  uint64_t bytes_read() const { return bytes_read_; }
  // Size of a plain regular file, or 0 when unknown (stdin, pipes, .zst).
  uint64_t total_bytes() const { return total_bytes_; }

 private:
  bool Feed(const char* p, size_t n, const LineFn& fn);
  CommandStatus ReadError();

  std::string path_;
  std::string display_name_;
  int fd_ = -1;
  bool owns_fd_ = false;
  bool zstd_ = false;
  uint64_t bytes_read_ = 0;
  uint64_t total_bytes_ = 0;
  std::string carry_;
  bool dropping_ = false;
};

}  // namespace vme::cli
