// Structural verification of one mergeset (indexdb) file part, for `vmengine check`
// (docs/format.md, "mergeset tables"; the invariants VictoriaMetrics' lib/mergeset
// blockStreamReader and part open rely on). Also the problem and option types shared with the
// data part verifier (storage/part_check.h) and the directory walk (storage/storage_check.h).
//
// CheckPart tests, streaming one index block and one item block at a time:
//   - the name <itemsCount>_<blocksCount>_<mergeIdx> and metadata.json agree;
//   - metaindex.bin decodes, its rows are sorted, count the part's blocks, point inside index.bin
//     and tile it from offset 0 (index blocks contiguous, index.bin has no trailing bytes);
//   - every index block decodes to exactly its row's header count, headers sorted by first item,
//     the first equal to the row's first item;
//   - items and lens payloads tile items.bin and lens.bin from offset 0 in header order;
//   - every block decodes, its items are sorted, its first item is the header's, and it starts
//     at or after the end of the previous block;
//   - the items and blocks read equal metadata.json's, and so do FirstItem and LastItem;
//   - when PartCheckOptions::verify_checksums is set, the part's checksum sidecar.
// Problems name the part directory, the file and, where known, the byte offset. The walk of a
// part stops at its first problem in a stream (later offsets would be meaningless).
//
// Thread-safety: the functions are reentrant; nothing is cached and nothing is written.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace vme {

// One finding of a check.
struct CheckProblem {
  std::string path;     // the part (or other) directory the problem is in
  std::string file;     // a file name inside path; "" = the directory or its name
  int64_t offset = -1;  // byte offset in file; -1 = not applicable
  std::string message;  // one line, names what is wrong
};

struct PartCheckOptions {
  // Verifies the checksum sidecar of a part directory (after the merge: the checksums helper's
  // VerifyPartChecksums of util/part_checksums.h). Returns true when the sidecar matched, false
  // when the part has none (then only the structural checks apply), an error naming the file
  // and offset on a mismatch. Unset: sidecars are not verified.
  std::function<Result<bool>(const std::string& part_dir)> verify_checksums;
};

// The outcome of checking one part.
struct PartCheckResult {
  std::string path;
  uint64_t items = 0;   // mergeset items, or data rows, read
  uint64_t blocks = 0;  // blocks read
  bool checksums_verified = false;
  std::vector<CheckProblem> problems;
  bool ok() const { return problems.empty(); }
};

// A problem from a Status of code that names files in its message: the file is the first of
// `files` named in the message ("" if none), the offset the first "offset N" after it.
CheckProblem ProblemFromStatus(const std::string& path, const std::vector<std::string>& files,
                               const Status& st);

// Runs opts.verify_checksums (if set) on the part at dir: an error becomes a problem (its file
// one of `files`), success sets out->checksums_verified to whether the part had a sidecar.
void VerifyChecksumsInto(const std::string& dir, const PartCheckOptions& opts,
                         const std::vector<std::string>& files, PartCheckResult* out);

}  // namespace vme

namespace vme::mergeset {

// Checks the mergeset part at dir. on_item, if set, receives every item in order (for the
// index <-> data consistency of storage_check.h); it is called only for decoded blocks.
PartCheckResult CheckPart(const std::string& dir, const PartCheckOptions& opts,
                          const std::function<void(std::string_view item)>& on_item = nullptr);

}  // namespace vme::mergeset
