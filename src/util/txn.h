// Transaction files: the one implementation used by data partitions and mergeset tables
// (docs/format.md, "Transaction files"; VictoriaMetrics `runTransaction` in
// lib/storage/partition.go and lib/mergeset/table.go).
//
// Layout of <dir>/txn/<mergeIdx %016X> (text; every line ends in '\n'):
//
//   <source part dir>                      zero or more lines: file parts to remove
//   <tmp part dir> -> <final part dir>     last line; the final path is empty when the new
//                                          part has no rows
//
// Path rule. Each path is normalised lexically (a relative path is taken relative to the
// working directory, "." and ".." are folded, trailing '/' dropped; symlinks are not
// resolved). Then every source and the final path must be a direct child of one of the
// transaction's roots (a partition: its small/YYYY_MM and big/YYYY_MM directories; a
// mergeset table: the table directory), and the tmp path a direct child of <root>/tmp of the
// root holding the final path (any root when the final path is empty). The names ".", "..",
// "tmp", "txn" and "snapshots" are never parts, and no path may contain a NUL byte. A path
// breaking the rule, or a malformed file, is VME_ERR_CORRUPTION naming the txn file and line.
//
// Symlink rule. A transaction is refused with VME_ERR_CORRUPTION naming the txn file when one
// of its roots, or <root>/tmp, is a symbolic link: running it would delete or rename inside
// the link's target. (Storage opens read-write refuse symlinked partition and table
// directories for the same reason; read-only opens read through them.) A source that is
// itself a symbolic link is removed as a link; its target is left alone.
//
// Empty destination rule. With an empty final path the tmp directory is removed.
//
// Source removal rule. Running a transaction first puts the new part in place (renames tmp
// to the final path if tmp still exists; an existing tmp AND an existing final path is an
// error; neither is fine, the part was already merged further) and fsyncs every root. Only
// then are the sources removed: at once during replay and in mergeset tables, once no search
// or snapshot references them in data partitions. The txn file is deleted after the last
// source is gone. A crash at any point is repaired by replaying the file (idempotent).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace vme::txn {

struct Transaction {
  std::vector<std::string> sources;  // part directories to remove
  std::string tmp;                   // the new part, written under <root>/tmp/
  std::string dst;                   // its final directory; empty: discard tmp
};

// Absolute, lexically normal form of p (no trailing '/'), resolved against the working
// directory; symlinks are not followed.
std::string NormalizePath(const std::string& p);

// The file text of t.
std::string Format(const Transaction& t);

// Parses and checks txn file text against the path rule. txn_path names the file in errors.
Result<Transaction> Parse(std::string_view text, const std::vector<std::string>& roots,
                          const std::string& txn_path);

// The symlink rule for roots (and <root>/tmp). txn_path names the file in errors.
Status CheckRoots(const std::vector<std::string>& roots, const std::string& txn_path);

// Puts the new part in place (empty destination rule) and fsyncs every root.
Status Commit(const Transaction& t, const std::vector<std::string>& roots);

// Undoes a transaction whose commit failed part way (writing its txn file, Commit, or opening
// the new part), so that the caller can keep its sources and retry: renames the final part back
// to tmp if Commit had put it in place, deletes the txn file, then removes tmp. A crash between
// these steps leaves a state that startup recovery completes consistently (the txn file is
// deleted only after the final part is gone). An error means the undo stopped half way; then
// the transaction may still be committed by the next startup recovery.
Status RollBack(const Transaction& t, const std::string& txn_path);

// Removes one source part directory (missing is fine; a symlink is removed as a link).
Status RemoveSource(const std::string& path);

// Startup recovery of one txn file: read, Parse, CheckRoots, Commit, remove every source,
// delete the txn file.
Status Replay(const std::vector<std::string>& roots, const std::string& txn_path);

// True for `<name>.tmp.<digits>`: a small file fs::WriteFileAtomically had not yet renamed.
// Such leftovers in txn/ are not transactions.
bool IsTemporaryFileName(std::string_view name);

// Paths of the transactions pending in txn_dir, in name order (missing directory: none).
Result<std::vector<std::string>> PendingFiles(const std::string& txn_dir);

}  // namespace vme::txn
