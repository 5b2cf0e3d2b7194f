// A one-line progress display on stderr for long imports, drawn only when stderr is a
// terminal. With a known total it shows a bar and bytes read / total, otherwise the lines
// read; both with the ingest rate in rows/s.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace vme::cli {

class Progress {
 public:
  // label: shown before the bar (e.g. the file name). total_bytes: 0 if unknown.
  Progress(std::string label, uint64_t total_bytes);
  ~Progress();

  // Cheap to call often; redraws at most a few times per second.
  void Update(uint64_t bytes, uint64_t lines, uint64_t rows);
  // Erases the line (before other output on stderr); the next Update redraws it.
  void Clear();

  static bool StderrIsTerminal();

 private:
  void Draw(uint64_t bytes, uint64_t lines, uint64_t rows);

  bool enabled_;
  bool drawn_ = false;
  std::string label_;
  uint64_t total_bytes_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  uint32_t calls_ = 0;
};

// "12.3 MiB" style.
std::string FormatBytes(uint64_t bytes);

}  // namespace vme::cli
