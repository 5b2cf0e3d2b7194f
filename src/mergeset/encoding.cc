#include "mergeset/encoding.h"

#include <algorithm>
#include <numeric>

#include "encoding/int.h"
#include "encoding/zstd.h"
#include "mergeset/block_header.h"
#include "mergeset/item_sort.h"

namespace vme::mergeset {
namespace {

constexpr size_t kMinZstdRawLen = 64;
constexpr size_t kMaxDecompressedSize = 16u << 20;

Status TooLarge(size_t items, uint64_t bytes) {
  return Status::Corruption("block of " + std::to_string(items) + " items would decode to " +
                            std::to_string(bytes) + " bytes; the limit is " +
                            std::to_string(kMaxDecodedBlockSize));
}

}  // namespace

size_t CommonPrefixLen(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) i++;
  return i;
}

int CompressLevelForPartItems(uint64_t items_count) {
  if (items_count <= (uint64_t{1} << 16)) return -5;
  if (items_count <= (uint64_t{1} << 17)) return -4;
  if (items_count <= (uint64_t{1} << 18)) return -3;
  if (items_count <= (uint64_t{1} << 19)) return -2;
  if (items_count <= (uint64_t{1} << 20)) return -1;
  if (items_count <= (uint64_t{1} << 22)) return 1;
  if (items_count <= (uint64_t{1} << 25)) return 2;
  if (items_count <= (uint64_t{1} << 28)) return 3;
  return 4;
}

bool InmemoryBlock::IsSorted() const {
  for (size_t i = 1; i < size(); i++) {
    if (item(i - 1) > item(i)) return false;
  }
  return true;
}

void InmemoryBlock::Sort() {
  if (IsSorted()) return;
  std::vector<std::string_view> v(size());
  for (size_t i = 0; i < size(); i++) v[i] = item(i);
  SortItems(v.data(), v.size());
  InmemoryBlock out;
  out.Reserve(data_.size(), v.size());
  for (auto s : v) out.Append(s);
  *this = std::move(out);
}

std::vector<std::string> InmemoryBlock::ToStrings() const {
  std::vector<std::string> out;
  out.reserve(size());
  for (size_t i = 0; i < size(); i++) out.emplace_back(item(i));
  return out;
}

void InmemoryBlock::AssignStrings(const std::vector<std::string>& items) {
  Clear();
  size_t total = 0;
  for (const auto& s : items) total += s.size();
  Reserve(total, items.size());
  for (const auto& s : items) Append(s);
}

void InmemoryBlock::MarshalSortedData(int compress_level, BlockHeader* bh, std::string* items_data,
                                      std::string* lens_data) const {
  const size_t n = size();
  const std::string_view first = item(0);
  size_t cp = first.size();
  for (size_t i = 1; i < n && cp > 0; i++) cp = CommonPrefixLen(first.substr(0, cp), item(i));
  bh->common_prefix.assign(first.substr(0, cp));
  bh->first_item.assign(first);
  bh->items_count = static_cast<uint32_t>(n);
  items_data->clear();
  lens_data->clear();

  const size_t raw_len = data_.size() - cp * n;
  auto marshal_plain = [&] {
    items_data->clear();
    lens_data->clear();
    for (size_t i = 1; i < n; i++) {
      const std::string_view s = item(i).substr(cp);
      items_data->append(s);
      enc::AppendU64(lens_data, s.size());
    }
    bh->marshal_type = kMarshalTypePlain;
  };
  if (n < 2 || raw_len < kMinZstdRawLen) {
    marshal_plain();
    return;
  }

  std::string items_stream, lens_stream;
  items_stream.reserve(raw_len);
  lens_stream.reserve(2 * n);
  std::string_view prev = first.substr(cp);
  uint64_t prev_prefix = 0;
  for (size_t i = 1; i < n; i++) {
    const std::string_view s = item(i).substr(cp);
    const uint64_t p = CommonPrefixLen(prev, s);
    items_stream.append(s.substr(p));
    enc::AppendVarUint64(&lens_stream, p ^ prev_prefix);
    prev_prefix = p;
    prev = s;
  }
  uint64_t prev_len = first.size() - cp;
  for (size_t i = 1; i < n; i++) {
    const uint64_t len = item(i).size() - cp;
    enc::AppendVarUint64(&lens_stream, len ^ prev_len);
    prev_len = len;
  }
  enc::CompressZstd(items_data, items_stream, compress_level);
  if (static_cast<double>(items_data->size()) > 0.9 * static_cast<double>(raw_len)) {
    marshal_plain();
    return;
  }
  enc::CompressZstd(lens_data, lens_stream, compress_level);
  bh->marshal_type = kMarshalTypeZstd;
}

Status InmemoryBlock::UnmarshalData(const BlockHeader& bh, std::string_view items_data,
                                    std::string_view lens_data) {
  Clear();
  const size_t n = bh.items_count;
  const std::string_view cp = bh.common_prefix;
  const std::string_view first = bh.first_item;
  if (n == 0) return Status::Corruption("block has 0 items");
  if (first.substr(0, cp.size()) != cp || first.size() < cp.size()) {
    return Status::Corruption("commonPrefix is not a prefix of firstItem");
  }

  if (bh.marshal_type == kMarshalTypePlain) {
    if (lens_data.size() != 8 * (n - 1)) {
      return Status::Corruption("plain block with " + std::to_string(n) +
                                " items has lensData of " + std::to_string(lens_data.size()) +
                                " bytes; want " + std::to_string(8 * (n - 1)));
    }
    uint64_t total = 0;
    for (size_t i = 0; i + 1 < n; i++) {
      const uint64_t len = enc::LoadU64(lens_data.data() + 8 * i);
      if (len > items_data.size() - std::min<uint64_t>(total, items_data.size())) {
        return Status::Corruption("plain block item " + std::to_string(i + 1) +
                                  " extends past itemsData");
      }
      total += len;
    }
    if (total != items_data.size()) {
      return Status::Corruption("plain block itemsData has " +
                                std::to_string(items_data.size() - total) + " unused bytes");
    }
    const uint64_t data_total = first.size() + items_data.size() + uint64_t{cp.size()} * (n - 1);
    if (data_total > kMaxDecodedBlockSize) return TooLarge(n, data_total);
    Reserve(data_total, n);
    Append(first);
    size_t off = 0;
    for (size_t i = 0; i + 1 < n; i++) {
      const uint64_t len = enc::LoadU64(lens_data.data() + 8 * i);
      data_.append(cp);
      data_.append(items_data.substr(off, len));
      ends_.push_back(static_cast<uint32_t>(data_.size()));
      off += len;
    }
  } else if (bh.marshal_type == kMarshalTypeZstd) {
    std::string lens_stream;
    Status st = enc::DecompressZstd(&lens_stream, lens_data, kMaxDecompressedSize);
    if (!st.ok()) return st.WithContext("cannot decompress lensData");
    if (lens_stream.size() < 2 * (n - 1)) {
      return Status::Corruption("lens stream of " + std::to_string(lens_stream.size()) +
                                " bytes is too short for " + std::to_string(n) + " items");
    }
    std::vector<uint64_t> prefixes(n), lens(n);
    std::string_view ls(lens_stream);
    uint64_t x = 0;
    for (size_t i = 1; i < n; i++) {
      uint64_t v;
      if (!enc::ReadVarUint64(&ls, &v)) return Status::Corruption("cannot read prefix length");
      x ^= v;
      prefixes[i] = x;
    }
    x = first.size() - cp.size();
    lens[0] = x;
    uint64_t total = 0;
    for (size_t i = 1; i < n; i++) {
      uint64_t v;
      if (!enc::ReadVarUint64(&ls, &v)) return Status::Corruption("cannot read item length");
      x ^= v;
      lens[i] = x;
      if (prefixes[i] > lens[i] || prefixes[i] > lens[i - 1]) {
        return Status::Corruption("invalid prefix length " + std::to_string(prefixes[i]) +
                                  " for item " + std::to_string(i));
      }
      total += lens[i] - prefixes[i];
      if (total > kMaxDecompressedSize) return Status::Corruption("items stream too long");
    }
    if (!ls.empty()) {
      return Status::Corruption("lens stream has " + std::to_string(ls.size()) + " unused bytes");
    }
    std::string items_stream;
    st = enc::DecompressZstd(&items_stream, items_data, kMaxDecompressedSize);
    if (!st.ok()) return st.WithContext("cannot decompress itemsData");
    if (items_stream.size() != total) {
      return Status::Corruption("items stream has " + std::to_string(items_stream.size()) +
                                " bytes; want " + std::to_string(total));
    }
    uint64_t data_total = first.size();
    for (size_t i = 1; i < n; i++) data_total += cp.size() + lens[i];
    if (data_total > kMaxDecodedBlockSize) return TooLarge(n, data_total);
    Reserve(data_total, n);
    Append(first);
    size_t off = 0;
    for (size_t i = 1; i < n; i++) {
      const size_t prev_start = (i == 1 ? 0 : ends_[i - 2]) + cp.size();
      const size_t suffix = lens[i] - prefixes[i];
      data_.append(cp);
      data_.append(data_, prev_start, prefixes[i]);
      data_.append(items_stream, off, suffix);
      off += suffix;
      ends_.push_back(static_cast<uint32_t>(data_.size()));
    }
  } else {
    return Status::Corruption("unknown marshalType " + std::to_string(bh.marshal_type));
  }
  if (!IsSorted()) return Status::Corruption("block items are not sorted");
  return Status::OK();
}

}  // namespace vme::mergeset
