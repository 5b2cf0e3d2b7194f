// Helpers shared by the fault-injection loop programs (docs/fault-loops.md): the public C API
// only, so the programs exercise exactly what an application sees. Errors in the programs' own
// set-up end the process with Die(); results are printed as `key=value` lines for the driver
// (scripts/fault_loops.sh).
#pragma once

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "series_key_util.h"
#include "vmengine.h"

namespace fault {

namespace fs = std::filesystem;

// Format, Labels, PackKey and UnpackKey of the C API unit tests (tests/unit/series_key_util.h).
using vme::test::Format;
using vme::test::Labels;
using vme::test::PackKey;
using vme::test::UnpackKey;

// Prints "<program>: <message>" to stderr and exits with `code` without running destructors
// or atexit handlers (a child that fails must not flush or close its db).
[[noreturn]] inline void Die(int code, const std::string& msg) {
  std::fprintf(stderr, "%s\n", msg.c_str());
  std::fflush(stderr);
  _exit(code);
}

// Wall-clock time (CLOCK_REALTIME) in nanoseconds: comparable with the driver's kill time.
inline int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// One write(2) per call, so that a record is either wholly in the file or not at all after a
// SIGKILL (the kernel keeps what write returned; O_APPEND writes of a line do not interleave).
inline void WriteLine(int fd, const std::string& line) {
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    const ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) Die(6, Format("write to a log file: %s", std::strerror(errno)));
    p += n;
    left -= static_cast<size_t>(n);
  }
}

inline int OpenAppend(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) Die(6, Format("open %s: %s", path.c_str(), std::strerror(errno)));
  return fd;
}

inline std::string LabelValue(const Labels& labels, std::string_view name) {
  for (const auto& [n, v] : labels) {
    if (n == name) return v;
  }
  return "";
}

// Takes ownership of *err: "<status>: <message>".
inline std::string TakeError(vme_status st, vme_error* err) {
  std::string m = Format("%s: %s", vme_status_string(st), vme_error_message(err));
  vme_error_free(err);
  return m;
}

// Sets an option; returns "" or the error message.
inline std::string SetOption(vme_options* opts, const char* key, const std::string& value) {
  vme_error* err = nullptr;
  const vme_status st = vme_options_set(opts, key, value.c_str(), &err);
  if (st != VME_OK) return TakeError(st, err);
  return "";
}

// Sets "wal_mode". Before the WAL exists the key is unknown: "off" is then the only mode and
// is what the engine does anyway, so the unknown key is accepted for it and fatal otherwise.
inline void SetWalMode(vme_options* opts, const std::string& mode) {
  const std::string e = SetOption(opts, "wal_mode", mode);
  if (!e.empty() && mode != "off") Die(2, "option wal_mode=" + mode + ": " + e);
}

// SplitMix64: the programs derive every random choice from it, so a seed repeats a run.
inline uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline uint64_t Hash(uint64_t a, uint64_t b, uint64_t c, uint64_t d = 0) {
  return Mix(Mix(Mix(Mix(a) ^ b) ^ c) ^ d);
}

// Parses "--name value" pairs; unknown names are fatal.
struct Args {
  std::vector<std::pair<std::string, std::string>> kv;
  std::vector<std::string> flags;

  Args(int argc, char** argv, int first, const std::vector<std::string>& known_flags) {
    for (int i = first; i < argc; i++) {
      const std::string a = argv[i];
      if (a.rfind("--", 0) != 0) Die(2, "unexpected argument " + a);
      bool is_flag = false;
      for (const auto& f : known_flags) is_flag |= f == a.substr(2);
      if (is_flag) {
        flags.push_back(a.substr(2));
        continue;
      }
      if (i + 1 >= argc) Die(2, "missing value for " + a);
      kv.emplace_back(a.substr(2), argv[++i]);
    }
  }
  bool Has(const std::string& name) const {
    for (const auto& f : flags) {
      if (f == name) return true;
    }
    for (const auto& [k, v] : kv) {
      if (k == name) return true;
    }
    return false;
  }
  std::string Get(const std::string& name, const char* def = nullptr) const {
    for (const auto& [k, v] : kv) {
      if (k == name) return v;
    }
    if (def == nullptr) Die(2, "missing --" + name);
    return def;
  }
  std::vector<std::string> All(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : kv) {
      if (k == name) out.push_back(v);
    }
    return out;
  }
  int64_t Int(const std::string& name, const char* def = nullptr) const {
    return std::strtoll(Get(name, def).c_str(), nullptr, 10);
  }
};

}  // namespace fault
