// mergeset block encoding (docs/format.md, "mergeset tables"; lib/mergeset/encoding.go).
//
// An InmemoryBlock is a list of items (opaque byte strings) stored back to back. A block of
// N >= 1 sorted items is stored as:
//   block header: commonPrefix (longest common prefix of all items), firstItem = items[0],
//                 marshalType, itemsCount = N (see block_header.h)
//   cp = len(commonPrefix), s_i = items[i][cp:]
//   plain (0):  itemsData = s_1 | ... | s_{N-1};  lensData = u64be(len(s_1)) | ... |
//   u64be(len(s_{N-1})) zstd  (1):  p_i = common prefix length of s_{i-1} and s_i (i = 1..N-1), p_0
//   = 0
//               items stream = s_1[p_1:] | ... | s_{N-1}[p_{N-1}:]
//               lens stream  = varuint(p_i ^ p_{i-1}) for i=1..N-1,
//                              then varuint(L_i ^ L_{i-1}) for i=1..N-1, L_i = len(s_i)
//               itemsData = zstd(items stream), lensData = zstd(lens stream)
// Plain is used when N < 2, rawLen = sum(len(items)) - cp*N < 64, or when
// len(zstd itemsData) > 0.9 * rawLen.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace vme::mergeset {

constexpr size_t kMaxInmemoryBlockSize = 64 * 1024;
// Items per output block are capped so that plain lensData stays well below its 1 MiB limit.
constexpr size_t kMaxItemsPerBlock = 64 * 1024;
// Upper bound on the decoded items of one block (UnmarshalData). Blocks are written with at most
// kMaxInmemoryBlockSize bytes of items (here and in VictoriaMetrics inmemoryBlock.Add); a block
// that would decode to more is corrupt, and is refused before its items are allocated (a
// commonPrefix is repeated in every item, so a small block can claim gigabytes).
constexpr size_t kMaxDecodedBlockSize = 16u << 20;
constexpr uint8_t kMarshalTypePlain = 0;
constexpr uint8_t kMarshalTypeZstd = 1;

struct BlockHeader;

class InmemoryBlock {
 public:
  void Clear() {
    data_.clear();
    ends_.clear();
  }
  bool empty() const { return ends_.empty(); }
  size_t size() const { return ends_.size(); }
  size_t data_size() const { return data_.size(); }
  std::string_view item(size_t i) const {
    const uint32_t start = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(data_).substr(start, ends_[i] - start);
  }
  std::string_view first() const { return item(0); }
  std::string_view last() const { return item(size() - 1); }
  void Append(std::string_view it) {
    data_.append(it);
    ends_.push_back(static_cast<uint32_t>(data_.size()));
  }
  // True if an item of n bytes can be appended without exceeding the block limits.
  bool Fits(size_t n) const {
    return data_.size() + n <= kMaxInmemoryBlockSize && ends_.size() < kMaxItemsPerBlock;
  }
  bool IsSorted() const;
  void Sort();
  void Reserve(size_t bytes, size_t items) {
    data_.reserve(bytes);
    ends_.reserve(items);
  }

  std::vector<std::string> ToStrings() const;
  void AssignStrings(const std::vector<std::string>& items);

  // Encodes the (sorted, non-empty) items. Fills bh->common_prefix, first_item, marshal_type
  // and items_count; offsets and sizes are left to the caller.
  void MarshalSortedData(int compress_level, BlockHeader* bh, std::string* items_data,
                         std::string* lens_data) const;

  // Decodes a block described by bh. Errors are Corruption without file context.
  Status UnmarshalData(const BlockHeader& bh, std::string_view items_data,
                       std::string_view lens_data);

 private:
  std::string data_;
  std::vector<uint32_t> ends_;
};

// Compression level of a mergeset file part by its item count (VictoriaMetrics
// getCompressLevelForPartItems in lib/mergeset/table.go).
int CompressLevelForPartItems(uint64_t items_count);

size_t CommonPrefixLen(std::string_view a, std::string_view b);

}  // namespace vme::mergeset
