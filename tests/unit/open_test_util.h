// Helpers for the tests of opening data directories (txn_test, read_only_open_test,
// open_validation_test): a temporary directory, small file writes, and a snapshot of a
// directory tree (names, types, sizes, mtimes) to prove that an open wrote nothing.
#pragma once

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace vme::test {

class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vme_open_XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

inline void WriteText(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
}

inline bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// One line per entry under root (symlinks not followed): relative path, type, size, mtime
// in ns. Directories report no size (it depends on the file system).
inline std::string TreeSnapshot(const std::string& root) {
  std::map<std::string, std::string> lines;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const std::string p = it->path().string();
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) continue;
    std::ostringstream o;
    o << (S_ISDIR(st.st_mode)   ? "d"
          : S_ISLNK(st.st_mode) ? "l"
                                : "f")
      << " " << (S_ISDIR(st.st_mode) ? 0 : st.st_size) << " " << st.st_mtim.tv_sec << "."
      << st.st_mtim.tv_nsec;
    lines[p.substr(root.size())] = o.str();
  }
  std::string out;
  for (const auto& [k, v] : lines) out += k + " " + v + "\n";
  return out;
}

}  // namespace vme::test
