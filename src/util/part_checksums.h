// The checksum sidecar of a part (docs/format.md, "Checksums"): a file that vmengine writes into
// every data part and every indexdb (mergeset) part directory, next to the VictoriaMetrics 1.72
// files, which VictoriaMetrics ignores (it opens the files of a part by name). Parts written by
// VictoriaMetrics have no sidecar and keep only the structural checks of their readers.
//
// File name: vmengine_checksums.bin. Layout (integers little-endian):
//
//   offset  size        field
//   0       8           magic "VMECSUM1"
//   8       1           part kind: 1 = data part, 2 = mergeset part
//   9       1           files_count F (1..16)
//   10      ...         F file entries, each:
//                         1        name length L (1..64)
//                         L        file name (no '/'), e.g. "values.bin"
//                         8        file size in bytes (u64)
//                         8        xxh3-64 of the whole file (u64)
//           4           index_blocks_count I (u32): one per metaindex row
//           4 x I       index block checksums (u32): the low 32 bits of xxh3-64 of the index
//                       block as stored in index.bin (compressed bytes)
//           4           blocks_count B (u32): one per block, in part order (the order of the
//                       block headers through the metaindex rows)
//           4 x B       block checksums (u32): the low 32 bits of BlockChecksum over the block's
//                       two payloads (data: timestamps then values; mergeset: items then lens)
//           8           xxh3-64 of every byte before it (u64)
//
// The listed files are, for data parts: timestamps.bin, values.bin, index.bin, metaindex.bin
// and min_dedup_interval; for mergeset parts: items.bin, lens.bin, index.bin, metaindex.bin and
// metadata.json. The sidecar is written (fsync'ed, atomically) after every other file of the
// part and before the part directory is renamed into place.
//
// Readers check the small files (metaindex.bin, min_dedup_interval, metadata.json) and every
// file size when the part is opened, an index block when it is read from index.bin (before it
// enters a decoded-block cache), and a block's payloads when they are read. VerifyPartChecksums
// checks every byte of every listed file (the `check` command).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace vme {

inline constexpr char kPartChecksumsFileName[] = "vmengine_checksums.bin";

enum class PartKind : uint8_t { kData = 1, kMergeset = 2 };

struct PartFileChecksum {
  std::string name;
  uint64_t size = 0;
  uint64_t xxh3 = 0;
};

struct PartChecksums {
  PartKind kind = PartKind::kData;
  std::vector<PartFileChecksum> files;
  std::vector<uint32_t> index_blocks;
  std::vector<uint32_t> blocks;

  // The entry of file `name`, or nullptr.
  const PartFileChecksum* Find(std::string_view name) const;
  void AddFile(std::string name, std::string_view data);
  // AddFile with the content of <part_dir>/<name> (a small file).
  Status AddFileFromDisk(const std::string& part_dir, const std::string& name);
};

// xxh3-64 of data.
uint64_t FileChecksum(std::string_view data);
// The stored checksum of an index block (its compressed bytes).
uint32_t IndexBlockChecksum(std::string_view data);
// The stored checksum of a block's two payloads (a, then b).
uint32_t BlockChecksum(std::string_view a, std::string_view b);

// Streaming xxh3-64 of a file being written.
class FileHasher {
 public:
  FileHasher();
  ~FileHasher();
  FileHasher(const FileHasher&) = delete;
  FileHasher& operator=(const FileHasher&) = delete;
  void Update(std::string_view data);
  uint64_t Digest() const;
  uint64_t size() const { return size_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  uint64_t size_ = 0;
};

void MarshalPartChecksums(const PartChecksums& sums, std::string* dst);
// Parses a sidecar; `path` names it in errors (Corruption with the offset).
Status UnmarshalPartChecksums(std::string_view data, const std::string& path, PartChecksums* out);

// Writes <part_dir>/vmengine_checksums.bin atomically (tmp file, fsync, rename, fsync of the
// directory).
Status WritePartChecksums(const std::string& part_dir, const PartChecksums& sums);

// Reads and parses <part_dir>/vmengine_checksums.bin. *present = false (and OK) when the part
// has none.
Status ReadPartChecksums(const std::string& part_dir, PartChecksums* out, bool* present);

// Checks that file `name` of part_dir is listed and that `data` (its whole content) matches
// its size and checksum (Corruption naming the part, the file and offset 0 otherwise).
Status CheckPartFile(const std::string& part_dir, const PartChecksums& sums,
                     const std::string& name, std::string_view data);
// Checks that file `name` is listed with this size.
Status CheckPartFileSize(const std::string& part_dir, const PartChecksums& sums,
                         const std::string& name, uint64_t size);

// The full verification of a part directory, data or mergeset, for `vmengine check`: false if it
// has no sidecar; true when every listed file has its size and xxh3-64 (read in full); an error
// (Corruption naming the part, the file and the offset of the first differing 64 KiB chunk
// when the size matches, else the file size) otherwise. Thread-safe; reads only.
Result<bool> VerifyPartChecksums(const std::string& part_dir);

}  // namespace vme
