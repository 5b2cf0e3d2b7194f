// Writing a fuzz input out as one part directory, for the targets that open whole parts
// (data_part, mergeset_part).
//
// Framing (fuzz/build_corpus.py writes the same):
//   <part directory name> '\n'
//   then, for each file of the target's list in order: u32be length, that many bytes.
// A file whose length field is past the end of the input is not written (a missing file);
// a length past the end is clamped to what is left. The directory name must be one path
// component (no '/', no NUL, not "." or ".."), else the input is skipped.
//
// The directory is created under $TMPDIR (default /tmp), in a per-process scratch directory,
// replaced on every call and removed at exit.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.h"

namespace vme::fuzz {

// Writes the part; returns its path, or "" when the input names no usable directory.
inline std::string WritePartDir(const uint8_t* data, size_t size,
                                const std::vector<const char*>& files) {
  namespace stdfs = std::filesystem;
  // Removed at exit (the last input's directory stays until then).
  struct Scratch {
    std::string path;
    ~Scratch() {
      std::error_code ec;
      stdfs::remove_all(path, ec);
    }
  };
  static const Scratch scratch_dir{[] {
    const char* base = std::getenv("TMPDIR");
    return std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/vme-fuzz-part." +
           std::to_string(getpid());
  }()};
  const std::string& scratch = scratch_dir.path;
  std::error_code ec;
  stdfs::remove_all(scratch, ec);
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const size_t nl = all.find('\n');
  if (nl == std::string_view::npos) return "";
  const std::string_view name = all.substr(0, nl);
  if (name.empty() || name == "." || name == ".." ||
      name.find_first_of(std::string_view("/\0", 2)) != std::string_view::npos) {
    return "";
  }
  const std::string dir = scratch + "/" + std::string(name);
  stdfs::create_directories(dir, ec);
  if (ec) return "";
  Input in(data + nl + 1, size - nl - 1);
  for (const char* file : files) {
    if (in.empty()) break;
    const std::string_view bytes = in.Chunk();
    std::ofstream out(dir + "/" + file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return "";
  }
  return dir;
}

}  // namespace vme::fuzz
