#include "progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iterator>

namespace vme::cli {

namespace {

constexpr int kBarWidth = 30;
constexpr auto kRedrawInterval = std::chrono::milliseconds(200);

}  // namespace

std::string FormatBytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  size_t unit = 0;
  while (v >= 1024 && unit + 1 < std::size(kUnits)) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), unit == 0 ? "%.0f %s" : "%.1f %s", v, kUnits[unit]);
  return buf;
}

bool Progress::StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

Progress::Progress(std::string label, uint64_t total_bytes)
    : enabled_(StderrIsTerminal()),
      label_(std::move(label)),
      total_bytes_(total_bytes),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { Clear(); }

void Progress::Update(uint64_t bytes, uint64_t lines, uint64_t rows) {
  if (!enabled_ || (++calls_ & 1023) != 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  Draw(bytes, lines, rows);
}

void Progress::Draw(uint64_t bytes, uint64_t lines, uint64_t rows) {
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = secs > 0 ? static_cast<double>(rows) / secs : 0;
  std::string line = "\r\033[K" + label_ + " ";
  char buf[160];
  if (total_bytes_ > 0) {
    const double frac =
        std::min(1.0, static_cast<double>(bytes) / static_cast<double>(total_bytes_));
    const int filled = static_cast<int>(frac * kBarWidth);
    // Appended piecewise: `"[" + std::string(...)` trips gcc 12's -Wrestrict at -O3.
    line.push_back('[');
    line.append(static_cast<size_t>(filled), '#');
    line.append(static_cast<size_t>(kBarWidth - filled), '.');
    line.push_back(']');
    std::snprintf(buf, sizeof(buf), " %3.0f%% %s / %s", frac * 100, FormatBytes(bytes).c_str(),
                  FormatBytes(total_bytes_).c_str());
  } else {
    std::snprintf(buf, sizeof(buf), "%llu lines", static_cast<unsigned long long>(lines));
  }
  line += buf;
  std::snprintf(buf, sizeof(buf), ", %.0f rows/s", rate);
  line += buf;
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::Clear() {
  if (!drawn_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace vme::cli
