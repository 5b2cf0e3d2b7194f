// File-system fault injection for tests: in-process, without privileges (docs/testing.md,
// "Fault injection").
//
// Every file-system call that writes (util/fs.h, and any other writer that asks) first calls
// fault::Before(op, path). While no rule is armed this is one relaxed atomic load and returns
// 0. An armed rule names an operation kind (or any), which of its matching calls it hits (the
// Nth from arming, or every one), an optional path substring, and an effect:
//   - kEnospc / kEio: the call does nothing and fails with that errno;
//   - kShortWrite: a write of n > 1 bytes writes n - 1 bytes, and the next write of the same
//     thread fails with ENOSPC (a write of 1 byte, or another operation kind, fails with ENOSPC);
//   - kCountOnly: nothing is injected; the rule only counts its matching calls (matches()), so
//     that a test can learn how many calls an operation makes and then fail each in turn.
//
// Arming from the environment (read once, when the library is loaded): VME_FS_FAULTS holds
// rules separated by ';', each `OP[:nth=N|:every][:path=SUBSTR][:EFFECT]`: OP is one of create,
// write, sync, rename, mkdir, link, truncate, remove, any; `every` is the default; EFFECT is
// one of ENOSPC (the default), EIO, short, count. Examples: VME_FS_FAULTS="write:nth=5:ENOSPC",
// "sync:every:path=/indexdb/:EIO", "any:every:count". SUBSTR cannot hold ':' or ';'. A rule
// with effect `count` prints its count to stderr at exit. A malformed value is reported on
// stderr and arms nothing.
//
// Thread-safety: every function may be called from any thread; rules are matched under one
// mutex, so the Nth call is exactly one call even with concurrent writers.
//
// Not part of the public API: nothing here is exported from libvmengine.so (tests link the
// static library).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace vme::fault {

enum class Op : uint8_t {
  kCreate,    // open of a file for writing (O_CREAT, O_WRONLY, O_RDWR)
  kWrite,     // write / pwrite / append
  kSync,      // fsync / fdatasync of a file or directory
  kRename,    // rename
  kMkdir,     // mkdir (one call per directory path created, even with parents)
  kLink,      // hard link or symbolic link
  kTruncate,  // ftruncate / truncate
  kRemove,    // unlink / rmdir / remove_all
  kAny,       // in a Rule: every kind above
};

enum class Effect : uint8_t { kEnospc, kEio, kShortWrite, kCountOnly };

// "create", "write", ...; "any".
const char* OpName(Op op);

struct Rule {
  Op op = Op::kAny;
  // 0: every matching call; N > 0: only the Nth matching call counted from arming.
  uint64_t nth = 0;
  // Matches only paths containing this substring (empty: every path).
  std::string path_contains;
  Effect effect = Effect::kEnospc;
};

// Arms a rule; returns its id (> 0).
int Arm(const Rule& rule);
// Disarms one rule (unknown ids are ignored), or all.
void Disarm(int id);
void DisarmAll();
// Calls that matched rule `id` (op and path) since it was armed; faults it injected.
uint64_t Matches(int id);
uint64_t Injected(int id);

// Parses a VME_FS_FAULTS value (see the top of the file) and arms its rules; ids go to *ids
// (nullable). InvalidArgument names the bad rule and field; then nothing is armed.
Status ArmFromSpec(std::string_view spec, std::vector<int>* ids = nullptr);

// Arms a rule for the lifetime of the object.
class ScopedRule {
 public:
  explicit ScopedRule(const Rule& rule) : id_(Arm(rule)) {}
  ~ScopedRule() { Disarm(id_); }
  ScopedRule(const ScopedRule&) = delete;
  ScopedRule& operator=(const ScopedRule&) = delete;
  uint64_t matches() const { return Matches(id_); }
  uint64_t injected() const { return Injected(id_); }
  int id() const { return id_; }

 private:
  int id_;
};

namespace internal {
extern std::atomic<int> armed_rules;
int Slow(Op op, std::string_view path, size_t* len);
}  // namespace internal

// Called by a writer before the operation `op` on `path` (for rename and link: the new name).
// Returns 0 to go ahead, or the errno to fail with: the operation must then not be done, and
// the caller reports the errno as if the system call had failed. For kWrite, pass the byte
// count in *len: a short write lowers it (write *len bytes, then report the short count as the
// OS would; the next write of the thread fails). Example, a writer outside util/fs.h:
//   size_t n = data.size();
//   if (const int e = fault::Before(fault::Op::kWrite, path, &n)) { errno = e; return error; }
//   ssize_t w = ::write(fd, data.data(), n);
inline int Before(Op op, std::string_view path, size_t* len = nullptr) {
  if (internal::armed_rules.load(std::memory_order_relaxed) == 0) return 0;
  return internal::Slow(op, path, len);
}

}  // namespace vme::fault
