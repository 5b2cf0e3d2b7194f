#include "mergeset/part.h"

#include <atomic>

#include "encoding/zstd.h"
#include "mergeset/block_cache.h"
#include "util/quote.h"

namespace vme::mergeset {
namespace {

std::atomic<uint64_t> next_part_id{1};

// Shares of the cache budget (ConfigureBlockCaches in block_cache.h).
constexpr uint64_t kDefaultCacheBytes = uint64_t{256} << 20;
constexpr uint64_t kItemBlocksShare = 16;
constexpr uint64_t kIndexBlocksShare = 32;

BlockCache<IndexBlock>& IndexBlockCache() {
  static auto* c = new BlockCache<IndexBlock>(kDefaultCacheBytes / kIndexBlocksShare);
  return *c;
}
BlockCache<InmemoryBlock>& ItemBlockCache() {
  static auto* c = new BlockCache<InmemoryBlock>(kDefaultCacheBytes / kItemBlocksShare);
  return *c;
}

std::string At(const std::string& file, uint64_t offset) {
  return file + " at offset " + std::to_string(offset);
}

bool StartsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

// Whether a block whose items lie in [first, last] may hold an item starting with p.
bool MayHoldPrefix(std::string_view first, std::string_view last, std::string_view p) {
  return last >= p && (first < p || StartsWith(first, p));
}

}  // namespace

void ConfigureBlockCaches(uint64_t cache_bytes) {
  ItemBlockCache().SetCapacity(cache_bytes / kItemBlocksShare);
  IndexBlockCache().SetCapacity(cache_bytes / kIndexBlocksShare);
}

Result<std::shared_ptr<Part>> Part::Open(const std::string& path_in) {
  std::string path = path_in;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  std::shared_ptr<Part> p(new Part());
  p->id_ = next_part_id.fetch_add(1);
  p->path_ = path;
  const size_t slash = path.rfind('/');
  p->name_ = slash == std::string::npos ? path : path.substr(slash + 1);

  uint64_t name_items = 0, name_blocks = 0;
  if (!ParsePartName(p->name_, &name_items, &name_blocks, &p->merge_idx_)) {
    return Status::Corruption("invalid mergeset part name " + QuoteForMessage(path, 4096) +
                              ": want <itemsCount>_<blocksCount>_<mergeIdx>");
  }
  const std::string meta_path = fs::Join(path, "metadata.json");
  VME_ASSIGN_OR_RETURN(std::string meta, fs::ReadFile(meta_path));
  const std::string metaindex_path = fs::Join(path, "metaindex.bin");
  VME_ASSIGN_OR_RETURN(std::string metaindex_data, fs::ReadFile(metaindex_path));
  VME_ASSIGN_OR_RETURN(p->items_file_, fs::RandomAccessFile::Open(fs::Join(path, "items.bin")));
  VME_ASSIGN_OR_RETURN(p->lens_file_, fs::RandomAccessFile::Open(fs::Join(path, "lens.bin")));
  VME_ASSIGN_OR_RETURN(p->index_file_, fs::RandomAccessFile::Open(fs::Join(path, "index.bin")));
  VME_RETURN_IF_ERROR(p->LoadChecksums(meta, metaindex_data));

  VME_ASSIGN_OR_RETURN(p->header_, PartHeader::FromJson(meta, meta_path));
  if (p->header_.items_count != name_items || p->header_.blocks_count != name_blocks) {
    return Status::Corruption(
        meta_path + ": ItemsCount/BlocksCount " + std::to_string(p->header_.items_count) + "/" +
        std::to_string(p->header_.blocks_count) + " do not match the part name " + p->name_);
  }

  Status st = UnmarshalMetaindexRows(metaindex_data, &p->metaindex_);
  if (!st.ok()) return st.WithContext(metaindex_path);

  uint64_t headers = 0;
  for (size_t i = 0; i < p->metaindex_.size(); i++) {
    const MetaindexRow& r = p->metaindex_[i];
    if (r.index_block_offset > p->index_file_->size() ||
        r.index_block_size > p->index_file_->size() - r.index_block_offset) {
      return Status::Corruption(metaindex_path + ": row " + std::to_string(i) +
                                " points past the end of index.bin (offset " +
                                std::to_string(r.index_block_offset) + ", size " +
                                std::to_string(r.index_block_size) + ")");
    }
    headers += r.block_headers_count;
  }
  if (headers != p->header_.blocks_count) {
    return Status::Corruption(metaindex_path + ": " + std::to_string(headers) +
                              " block headers, metadata.json says " +
                              std::to_string(p->header_.blocks_count));
  }
  if (p->metaindex_[0].first_item != p->header_.first_item) {
    return Status::Corruption(metaindex_path + ": first item does not match FirstItem of " +
                              meta_path);
  }
  if (p->has_sums_) {
    if (p->sums_.index_blocks.size() != p->metaindex_.size() ||
        p->sums_.blocks.size() != p->header_.blocks_count) {
      return Status::Corruption("part " + path + ": " + fs::Join(path, kPartChecksumsFileName) +
                                " lists " + std::to_string(p->sums_.index_blocks.size()) +
                                " index blocks and " + std::to_string(p->sums_.blocks.size()) +
                                " blocks; " + metaindex_path + " has " +
                                std::to_string(p->metaindex_.size()) + " and " +
                                std::to_string(p->header_.blocks_count) + " (offset 0)");
    }
    p->block_base_.resize(p->metaindex_.size());
    uint64_t base = 0;
    for (size_t i = 0; i < p->metaindex_.size(); i++) {
      p->block_base_[i] = base;
      base += p->metaindex_[i].block_headers_count;
    }
  }
  p->size_bytes_ = p->items_file_->size() + p->lens_file_->size() + p->index_file_->size() +
                   metaindex_data.size();
  return p;
}

// Before anything of metadata.json or metaindex.bin is trusted further than to find the part.
Status Part::LoadChecksums(const std::string& meta, const std::string& metaindex) {
  VME_RETURN_IF_ERROR(ReadPartChecksums(path_, &sums_, &has_sums_));
  if (!has_sums_) return Status::OK();
  if (sums_.kind != PartKind::kMergeset) {
    return Status::Corruption("part " + path_ + ": " + fs::Join(path_, kPartChecksumsFileName) +
                              " is not the sidecar of a mergeset part (offset 8)");
  }
  VME_RETURN_IF_ERROR(CheckPartFile(path_, sums_, "metadata.json", meta));
  VME_RETURN_IF_ERROR(CheckPartFile(path_, sums_, "metaindex.bin", metaindex));
  VME_RETURN_IF_ERROR(CheckPartFileSize(path_, sums_, "items.bin", items_file_->size()));
  VME_RETURN_IF_ERROR(CheckPartFileSize(path_, sums_, "lens.bin", lens_file_->size()));
  return CheckPartFileSize(path_, sums_, "index.bin", index_file_->size());
}

Status Part::MarkCorrupt(Status st) const {
  corrupt_.store(true, std::memory_order_relaxed);
  return st;
}

Result<std::shared_ptr<const IndexBlock>> Part::ReadIndexBlock(size_t i, bool use_cache) const {
  const MetaindexRow& r = metaindex_[i];
  if (use_cache) {
    if (auto hit = IndexBlockCache().Get(id_, r.index_block_offset)) return hit;
  }
  const std::string where = At(index_file_->path(), r.index_block_offset);
  std::string packed;
  VME_RETURN_IF_ERROR(index_file_->ReadAt(r.index_block_offset, r.index_block_size, &packed));
  if (has_sums_ && IndexBlockChecksum(packed) != sums_.index_blocks[i]) {
    return MarkCorrupt(
        Status::Corruption("part " + path_ + ": checksum mismatch in the index block in " + where));
  }
  std::string raw;
  Status st = enc::DecompressZstd(&raw, packed, 16u << 20);
  if (!st.ok()) return MarkCorrupt(st.WithContext(where));
  // The smallest marshaled block header: two empty byte strings (one length byte each),
  // marshalType, itemsCount, two offsets and two sizes. A count the block cannot hold is
  // refused before anything is reserved for it.
  constexpr size_t kMinBlockHeaderSize = 1 + 1 + 1 + 4 + 8 + 8 + 4 + 4;
  if (r.block_headers_count > raw.size() / kMinBlockHeaderSize) {
    return MarkCorrupt(Status::Corruption(
        where + ": the metaindex row states " + std::to_string(r.block_headers_count) +
        " block headers; the index block of " + std::to_string(raw.size()) +
        " bytes cannot hold that many"));
  }
  auto bhs = std::make_shared<IndexBlock>();
  bhs->reserve(r.block_headers_count);
  std::string_view src(raw);
  for (uint32_t k = 0; k < r.block_headers_count; k++) {
    BlockHeader bh;
    st = bh.Unmarshal(&src);
    if (!st.ok()) return MarkCorrupt(st.WithContext(where + ", block header " + std::to_string(k)));
    if (bh.items_block_offset > items_file_->size() ||
        bh.items_block_size > items_file_->size() - bh.items_block_offset) {
      return MarkCorrupt(Status::Corruption(where + ", block header " + std::to_string(k) +
                                            ": items block points past the end of items.bin"));
    }
    if (bh.lens_block_offset > lens_file_->size() ||
        bh.lens_block_size > lens_file_->size() - bh.lens_block_offset) {
      return MarkCorrupt(Status::Corruption(where + ", block header " + std::to_string(k) +
                                            ": lens block points past the end of lens.bin"));
    }
    if (!bhs->empty() && bh.first_item < bhs->back().first_item) {
      return MarkCorrupt(Status::Corruption(where + ": block headers are not sorted at header " +
                                            std::to_string(k)));
    }
    if (has_sums_) {
      bh.checksum = sums_.blocks[block_base_[i] + k];
      bh.has_checksum = true;
    }
    bhs->push_back(std::move(bh));
  }
  if (!src.empty()) {
    return MarkCorrupt(Status::Corruption(where + ": " + std::to_string(src.size()) +
                                          " unexpected trailing bytes in the index block"));
  }
  if ((*bhs)[0].first_item != r.first_item) {
    return MarkCorrupt(
        Status::Corruption(where + ": first block header does not match the metaindex row"));
  }
  std::shared_ptr<const IndexBlock> out = std::move(bhs);
  if (use_cache) IndexBlockCache().Put(id_, r.index_block_offset, out, raw.size() + 64);
  return out;
}

Result<std::shared_ptr<const InmemoryBlock>> Part::ReadBlock(const BlockHeader& bh,
                                                             bool use_cache) const {
  // Blocks with empty itemsData may share their offset with the next block: never cached.
  use_cache = use_cache && bh.items_block_size > 0;
  if (use_cache) {
    if (auto hit = ItemBlockCache().Get(id_, bh.items_block_offset)) return hit;
  }
  std::string items, lens;
  VME_RETURN_IF_ERROR(items_file_->ReadAt(bh.items_block_offset, bh.items_block_size, &items));
  VME_RETURN_IF_ERROR(lens_file_->ReadAt(bh.lens_block_offset, bh.lens_block_size, &lens));
  if (bh.has_checksum && BlockChecksum(items, lens) != bh.checksum) {
    return MarkCorrupt(Status::Corruption("part " + path_ + ": checksum mismatch in the block in " +
                                          At(items_file_->path(), bh.items_block_offset) +
                                          " (lens.bin offset " +
                                          std::to_string(bh.lens_block_offset) + ")"));
  }
  auto b = std::make_shared<InmemoryBlock>();
  Status st = b->UnmarshalData(bh, items, lens);
  if (!st.ok()) {
    return MarkCorrupt(st.WithContext(At(items_file_->path(), bh.items_block_offset) +
                                      " (lens.bin offset " + std::to_string(bh.lens_block_offset) +
                                      ")"));
  }
  std::shared_ptr<const InmemoryBlock> out = std::move(b);
  if (use_cache) {
    ItemBlockCache().Put(id_, bh.items_block_offset, out, out->data_size() + 4 * out->size());
  }
  return out;
}

}  // namespace vme::mergeset

namespace vme::mergeset {

void Part::SetItemFilter(std::unique_ptr<const ItemFilter> f) const {
  std::lock_guard<std::mutex> l(item_filter_mu_);
  if (item_filter_owner_ != nullptr || f == nullptr) return;
  item_filter_owner_ = std::move(f);
  item_filter_.store(item_filter_owner_.get(), std::memory_order_release);
}

Result<const ItemFilter*> Part::BuildItemFilter(const ItemFilterKeys& keys) const {
  if (const ItemFilter* f = item_filter()) return f;
  std::unique_lock<std::mutex> l(item_filter_mu_, std::try_to_lock);
  if (!l.owns_lock()) return nullptr;
  if (const ItemFilter* f = item_filter()) return f;
  // The blocks that may hold keyed items (each block's items lie between its first item and
  // the next block's first item), and their item count as the estimate of the keys.
  std::vector<BlockHeader> blocks;
  uint64_t expected = 0;
  for (size_t i = 0; i < metaindex_.size(); i++) {
    VME_ASSIGN_OR_RETURN(auto bhs, ReadIndexBlock(i, false));
    for (size_t k = 0; k < bhs->size(); k++) {
      const BlockHeader& bh = (*bhs)[k];
      std::string_view last = header_.last_item;
      if (k + 1 < bhs->size()) {
        last = (*bhs)[k + 1].first_item;
      } else if (i + 1 < metaindex_.size()) {
        last = metaindex_[i + 1].first_item;
      }
      for (const std::string& p : keys.prefixes) {
        if (MayHoldPrefix(bh.first_item, last, p)) {
          blocks.push_back(bh);
          expected += bh.items_count;
          break;
        }
      }
    }
  }
  ItemFilterBuilder builder(&keys, expected);
  for (const BlockHeader& bh : blocks) {
    VME_ASSIGN_OR_RETURN(auto b, ReadBlock(bh, false));
    builder.AddBlock(*b);
  }
  item_filter_owner_ = builder.Finish();
  item_filter_.store(item_filter_owner_.get(), std::memory_order_release);
  return item_filter_owner_.get();
}

}  // namespace vme::mergeset
