#include "storage/part.h"

#include <algorithm>
#include <atomic>

#include "encoding/int.h"
#include "encoding/zstd.h"
#include "storage/search_caches.h"

namespace vme::storage {
namespace {

const char* const kFileNames[] = {"timestamps.bin", "values.bin", "index.bin"};
constexpr size_t kMaxMetaindexSize = size_t{256} << 20;
constexpr size_t kMaxIndexBlockUncompressed = size_t{64} << 20;

std::atomic<uint64_t> next_part_id{1};

}  // namespace

Part::Part() : id_(next_part_id.fetch_add(1, std::memory_order_relaxed)) {}

Part::~Part() {
  for (size_t i = 0; i < metaindex_.size(); i++) IndexBlockCache().Erase(IndexBlockCacheKey(i));
}

std::string Part::IndexBlockCacheKey(size_t i) const {
  std::string key;
  key.reserve(16);
  enc::AppendU64(&key, id_);
  enc::AppendU64(&key, i);
  return key;
}

Result<std::shared_ptr<const std::vector<BlockHeader>>> Part::IndexBlock(size_t i) const {
  const std::string key = IndexBlockCacheKey(i);
  auto& cache = IndexBlockCache();
  if (auto hit = cache.Get(key)) return hit;
  auto bhs = std::make_shared<std::vector<BlockHeader>>();
  VME_RETURN_IF_ERROR(ReadIndexBlock(i, bhs.get()));
  const size_t bytes = bhs->capacity() * sizeof(BlockHeader);
  std::shared_ptr<const std::vector<BlockHeader>> out = std::move(bhs);
  cache.Put(key, out, bytes);
  return out;
}

Status Part::LoadMetaindex(std::string_view compressed, const std::string& name) {
  std::string data;
  Status st = enc::DecompressZstd(&data, compressed, kMaxMetaindexSize);
  if (!st.ok()) return Status::Corruption("cannot decompress " + name + ": " + st.message());
  st = UnmarshalMetaindexRows(data, &metaindex_);
  if (!st.ok()) return Status::Corruption("invalid " + name + ": " + st.message());
  const uint64_t index_size = FileSize(File::kIndex);
  for (size_t i = 0; i < metaindex_.size(); i++) {
    const MetaindexRow& mr = metaindex_[i];
    if (mr.index_block_offset > index_size ||
        mr.index_block_size > index_size - mr.index_block_offset) {
      return Status::Corruption(
          "invalid " + name + ": metaindex row #" + std::to_string(i) + " points past the end of " +
          FileName(File::kIndex) + " (offset " + std::to_string(mr.index_block_offset) + ", size " +
          std::to_string(mr.index_block_size) + ", file size " + std::to_string(index_size) + ")");
    }
  }
  // The rows together describe the whole part (lib/storage/part_header.go): their block
  // counts add up to BlocksCount and their time ranges to [MinTimestamp, MaxTimestamp].
  uint64_t blocks = 0;
  int64_t min_ts = INT64_MAX, max_ts = INT64_MIN;
  for (const MetaindexRow& mr : metaindex_) {
    blocks += mr.block_headers_count;
    min_ts = std::min(min_ts, mr.min_timestamp);
    max_ts = std::max(max_ts, mr.max_timestamp);
  }
  if (blocks != ph_.blocks_count) {
    return Status::Corruption("invalid " + name + ": its rows count " + std::to_string(blocks) +
                              " block headers; the part header says " +
                              std::to_string(ph_.blocks_count));
  }
  if (min_ts != ph_.min_timestamp || max_ts != ph_.max_timestamp) {
    return Status::Corruption("invalid " + name + ": its rows span [" + std::to_string(min_ts) +
                              ", " + std::to_string(max_ts) + "]; the part header says [" +
                              std::to_string(ph_.min_timestamp) + ", " +
                              std::to_string(ph_.max_timestamp) + "]");
  }
  return Status::OK();
}

Result<PartPtr> Part::OpenFile(const std::string& dir) {
  std::shared_ptr<Part> p(new Part());
  p->path_ = dir;
  while (p->path_.size() > 1 && p->path_.back() == '/') p->path_.pop_back();
  Status st = PartHeader::ParseFromDirName(p->path_, &p->ph_);
  if (!st.ok()) return st.WithContext("cannot open part " + dir);
  for (int i = 0; i < 3; i++) {
    VME_ASSIGN_OR_RETURN(p->files_[i],
                         fs::RandomAccessFile::Open(fs::Join(p->path_, kFileNames[i])));
    p->size_bytes_ += p->files_[i]->size();
  }
  const std::string metaindex_path = fs::Join(p->path_, "metaindex.bin");
  VME_ASSIGN_OR_RETURN(std::string compressed, fs::ReadFile(metaindex_path));
  p->size_bytes_ += compressed.size();
  VME_RETURN_IF_ERROR(p->LoadChecksums(compressed));
  VME_RETURN_IF_ERROR(p->ph_.ReadMinDedupInterval(p->path_));
  VME_RETURN_IF_ERROR(p->LoadMetaindex(compressed, metaindex_path));
  if (p->has_sums_) {
    // The sidecar must describe this metaindex: one checksum per index block and per block.
    if (p->sums_.index_blocks.size() != p->metaindex_.size() ||
        p->sums_.blocks.size() != p->ph_.blocks_count) {
      return Status::Corruption(
          "part " + p->path_ + ": " + fs::Join(p->path_, kPartChecksumsFileName) + " lists " +
          std::to_string(p->sums_.index_blocks.size()) + " index blocks and " +
          std::to_string(p->sums_.blocks.size()) + " blocks; " + metaindex_path + " has " +
          std::to_string(p->metaindex_.size()) + " and " + std::to_string(p->ph_.blocks_count) +
          " (offset 0)");
    }
    p->block_base_.resize(p->metaindex_.size());
    uint64_t base = 0;
    for (size_t i = 0; i < p->metaindex_.size(); i++) {
      p->block_base_[i] = base;
      base += p->metaindex_[i].block_headers_count;
    }
  }
  return PartPtr(std::move(p));
}

Status Part::LoadChecksums(std::string_view metaindex) {
  VME_RETURN_IF_ERROR(ReadPartChecksums(path_, &sums_, &has_sums_));
  if (!has_sums_) return Status::OK();
  if (sums_.kind != PartKind::kData) {
    return Status::Corruption("part " + path_ + ": " + fs::Join(path_, kPartChecksumsFileName) +
                              " is not the sidecar of a data part (offset 8)");
  }
  for (int i = 0; i < 3; i++) {
    VME_RETURN_IF_ERROR(CheckPartFileSize(path_, sums_, kFileNames[i], files_[i]->size()));
  }
  VME_RETURN_IF_ERROR(CheckPartFile(path_, sums_, "metaindex.bin", metaindex));
  const std::string dedup_path = fs::Join(path_, kMinDedupIntervalFileName);
  if (sums_.Find(kMinDedupIntervalFileName) != nullptr || fs::Exists(dedup_path)) {
    VME_ASSIGN_OR_RETURN(std::string data, fs::ReadFile(dedup_path));
    VME_RETURN_IF_ERROR(CheckPartFile(path_, sums_, kMinDedupIntervalFileName, data));
  }
  return Status::OK();
}

Status Part::MarkCorrupt(Status st) const {
  corrupt_.store(true, std::memory_order_relaxed);
  return st;
}

Status Part::CheckBlockPayloads(const BlockHeader& bh, std::string_view ts,
                                std::string_view values) const {
  if (!bh.checksum.present || BlockChecksum(ts, values) == bh.checksum.value) return Status::OK();
  return MarkCorrupt(Status::Corruption(
      "part " + path_ + ": checksum mismatch in the block of MetricID " +
      std::to_string(bh.tsid.metric_id) + " (timestamps at offset " +
      std::to_string(bh.timestamps_block_offset) + " of " + FileName(File::kTimestamps) +
      ", values at offset " + std::to_string(bh.values_block_offset) + " of " +
      FileName(File::kValues) + ")"));
}

Result<PartPtr> Part::FromInmemory(std::shared_ptr<const InmemoryPart> mp) {
  std::shared_ptr<Part> p(new Part());
  p->mem_ = std::move(mp);
  p->ph_ = p->mem_->ph;
  p->size_bytes_ = p->mem_->size_bytes();
  if (p->ph_.blocks_count == 0) return PartPtr(std::move(p));
  VME_RETURN_IF_ERROR(p->LoadMetaindex(p->mem_->metaindex, "in-memory metaindex.bin"));
  return PartPtr(std::move(p));
}

Result<PartPtr> Part::CreateInmemory(std::vector<RawRow>* rows, int64_t dedup_interval_ms) {
  auto mp = std::make_shared<InmemoryPart>();
  VME_RETURN_IF_ERROR(mp->InitFromRows(rows, dedup_interval_ms));
  return FromInmemory(std::move(mp));
}

uint64_t Part::FileSize(File f) const {
  if (mem_ != nullptr) {
    switch (f) {
      case File::kTimestamps:
        return mem_->timestamps.size();
      case File::kValues:
        return mem_->values.size();
      case File::kIndex:
        return mem_->index.size();
    }
    return 0;
  }
  return files_[static_cast<int>(f)]->size();
}

std::string Part::FileName(File f) const {
  const char* name = kFileNames[static_cast<int>(f)];
  if (mem_ != nullptr) return std::string("in-memory ") + name;
  return fs::Join(path_, name);
}

Status Part::ReadAt(File f, uint64_t offset, size_t n, std::string* dst) const {
  const uint64_t size = FileSize(f);
  if (offset > size || n > size - offset) {
    return Status::Corruption("cannot read " + std::to_string(n) + " bytes at offset " +
                              std::to_string(offset) + " from " + FileName(f) + " of size " +
                              std::to_string(size));
  }
  if (mem_ == nullptr) return files_[static_cast<int>(f)]->ReadAt(offset, n, dst);
  const std::string& buf = f == File::kTimestamps ? mem_->timestamps
                           : f == File::kValues   ? mem_->values
                                                  : mem_->index;
  dst->append(buf, offset, n);
  return Status::OK();
}

Status Part::ReadIndexBlock(size_t i, std::vector<BlockHeader>* dst) const {
  const MetaindexRow& mr = metaindex_[i];
  std::string compressed;
  VME_RETURN_IF_ERROR(
      ReadAt(File::kIndex, mr.index_block_offset, mr.index_block_size, &compressed));
  if (has_sums_ && IndexBlockChecksum(compressed) != sums_.index_blocks[i]) {
    return MarkCorrupt(Status::Corruption(
        "part " + path_ + ": checksum mismatch in the index block at offset " +
        std::to_string(mr.index_block_offset) + " of " + FileName(File::kIndex)));
  }
  std::string data;
  const size_t want = size_t{mr.block_headers_count} * BlockHeader::kMarshaledSize;
  Status st =
      enc::DecompressZstd(&data, compressed, std::min(want + 1, kMaxIndexBlockUncompressed));
  if (st.ok()) st = UnmarshalBlockHeaders(data, mr.block_headers_count, dst);
  if (!st.ok()) {
    return MarkCorrupt(Status::Corruption("invalid index block at offset " +
                                          std::to_string(mr.index_block_offset) + " of " +
                                          FileName(File::kIndex) + ": " + st.message()));
  }
  if (has_sums_) {
    const uint32_t* sum = sums_.blocks.data() + block_base_[i];
    for (BlockHeader& bh : *dst) bh.checksum = {*sum++, true};
  }
  st = CheckMetaindexRow(i, *dst);
  if (!st.ok()) return MarkCorrupt(std::move(st));
  return Status::OK();
}

std::string Part::MetaindexName() const {
  return mem_ != nullptr ? "in-memory metaindex.bin" : fs::Join(path_, "metaindex.bin");
}

// As the mergeset side does: the row must describe its index block, so that a flipped byte
// in metaindex.bin is an error instead of a series a search silently skips.
Status Part::CheckMetaindexRow(size_t i, const std::vector<BlockHeader>& bhs) const {
  const MetaindexRow& mr = metaindex_[i];
  auto mismatch = [&](const std::string& what) {
    return Status::Corruption(
        "part " + (mem_ != nullptr ? std::string("in-memory") : path_) + ": metaindex row #" +
        std::to_string(i) + " at offset " + std::to_string(i * MetaindexRow::kMarshaledSize) +
        " of " + MetaindexName() + " does not match its index block at offset " +
        std::to_string(mr.index_block_offset) + " of " + FileName(File::kIndex) + ": " + what);
  };
  if (bhs.empty()) return mismatch("no block headers");
  if (bhs[0].tsid != mr.tsid) {
    return mismatch(
        "row TSID has MetricID " + std::to_string(mr.tsid.metric_id) + ", the first block header " +
        std::to_string(bhs[0].tsid.metric_id) +
        (bhs[0].tsid.metric_id == mr.tsid.metric_id ? " (other TSID fields differ)" : ""));
  }
  int64_t min_ts = bhs[0].min_timestamp, max_ts = bhs[0].max_timestamp;
  for (const BlockHeader& bh : bhs) {
    min_ts = std::min(min_ts, bh.min_timestamp);
    max_ts = std::max(max_ts, bh.max_timestamp);
  }
  if (min_ts != mr.min_timestamp || max_ts != mr.max_timestamp) {
    return mismatch("row time range [" + std::to_string(mr.min_timestamp) + ", " +
                    std::to_string(mr.max_timestamp) + "], block headers [" +
                    std::to_string(min_ts) + ", " + std::to_string(max_ts) + "]");
  }
  if (i + 1 < metaindex_.size() && !(bhs.back().tsid < metaindex_[i + 1].tsid) &&
      bhs.back().tsid != metaindex_[i + 1].tsid) {
    return mismatch("the last block header's TSID is above the next row's TSID");
  }
  return Status::OK();
}

Status Part::ReadBlockData(const BlockHeader& bh, std::string* ts, std::string* values) const {
  ts->clear();
  values->clear();
  VME_RETURN_IF_ERROR(
      ReadAt(File::kTimestamps, bh.timestamps_block_offset, bh.timestamps_block_size, ts));
  return ReadAt(File::kValues, bh.values_block_offset, bh.values_block_size, values);
}

Status Part::BlockPayloads(const BlockHeader& bh, enc::ScratchBuffer* ts_buf,
                           enc::ScratchBuffer* values_buf, std::string_view* ts,
                           std::string_view* values) const {
  auto one = [&](File f, uint64_t offset, size_t n, enc::ScratchBuffer* buf,
                 std::string_view* out) -> Status {
    const uint64_t size = FileSize(f);
    if (offset > size || n > size - offset) {
      return Status::Corruption("cannot read " + std::to_string(n) + " bytes at offset " +
                                std::to_string(offset) + " from " + FileName(f) + " of size " +
                                std::to_string(size));
    }
    if (mem_ != nullptr) {
      const std::string& s = f == File::kTimestamps ? mem_->timestamps : mem_->values;
      *out = std::string_view(s).substr(offset, n);
      return Status::OK();
    }
    buf->Resize(n);
    VME_RETURN_IF_ERROR(files_[static_cast<int>(f)]->ReadAt(offset, n, buf->data()));
    *out = buf->view();
    return Status::OK();
  };
  VME_RETURN_IF_ERROR(
      one(File::kTimestamps, bh.timestamps_block_offset, bh.timestamps_block_size, ts_buf, ts));
  return one(File::kValues, bh.values_block_offset, bh.values_block_size, values_buf, values);
}

Status Part::ReadDecodedBlock(const BlockHeader& bh, std::vector<int64_t>* ts,
                              std::vector<int64_t>* mantissas) const {
  std::string ts_data, values_data;
  VME_RETURN_IF_ERROR(ReadBlockData(bh, &ts_data, &values_data));
  VME_RETURN_IF_ERROR(CheckBlockPayloads(bh, ts_data, values_data));
  const Status st = DecodeBlockPayloads(bh, ts_data, values_data, ts, mantissas);
  if (!st.ok()) return BlockDecodeError(bh, st);
  return Status::OK();
}

Status Part::BlockDecodeError(const BlockHeader& bh, const Status& cause) const {
  corrupt_.store(true, std::memory_order_relaxed);
  return Status::Corruption("cannot decode block of MetricID " + std::to_string(bh.tsid.metric_id) +
                            " (timestamps at offset " + std::to_string(bh.timestamps_block_offset) +
                            " of " + FileName(File::kTimestamps) + ", values at offset " +
                            std::to_string(bh.values_block_offset) + " of " +
                            FileName(File::kValues) + "): " + cause.message());
}

Status Part::ForEachBlockHeader(const std::function<Status(const BlockHeader&)>& fn) const {
  std::vector<BlockHeader> bhs;
  for (size_t i = 0; i < metaindex_.size(); i++) {
    VME_RETURN_IF_ERROR(ReadIndexBlock(i, &bhs));
    for (const BlockHeader& bh : bhs) VME_RETURN_IF_ERROR(fn(bh));
  }
  return Status::OK();
}

}  // namespace vme::storage
