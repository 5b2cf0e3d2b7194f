#include "storage/part_check.h"

#include <vector>

#include "encoding/zstd.h"
#include "storage/block.h"
#include "storage/part.h"

namespace vme::storage {
namespace {

const std::vector<std::string> kFiles = {"metaindex.bin",           "index.bin",
                                         "timestamps.bin",          "values.bin",
                                         kMinDedupIntervalFileName, "vmengine_checksums.bin"};

class Checker {
 public:
  Checker(const std::string& dir, const BlockVisitor& on_block, PartCheckResult* out)
      : dir_(dir), on_block_(on_block), out_(out) {}

  // Returns false at the first problem (recorded).
  bool Run();

 private:
  bool Fail(const std::string& file, uint64_t offset, const std::string& message) {
    out_->problems.push_back(CheckProblem{dir_, file, static_cast<int64_t>(offset), message});
    return false;
  }
  bool FailStatus(const Status& st) {
    out_->problems.push_back(ProblemFromStatus(dir_, kFiles, st));
    return false;
  }
  bool CheckBlock(const BlockHeader& bh, uint64_t index_block_offset);

  const std::string& dir_;
  const BlockVisitor& on_block_;
  PartCheckResult* out_;
  PartPtr part_;
  bool have_prev_ = false;
  BlockHeader prev_;
  uint64_t values_offset_ = 0;
  uint64_t timestamps_offset_ = 0;
  bool have_prev_ts_ = false;
  uint64_t prev_ts_offset_ = 0;
  uint32_t prev_ts_size_ = 0;
  enc::ScratchBuffer ts_buf_, values_buf_;
  std::vector<int64_t> ts_, mantissas_;
};

bool Checker::CheckBlock(const BlockHeader& bh, uint64_t index_block_offset) {
  const PartHeader& ph = part_->header();
  const std::string at = "block #" + std::to_string(out_->blocks) + " (MetricID " +
                         std::to_string(bh.tsid.metric_id) + ", index block at offset " +
                         std::to_string(index_block_offset) + " of index.bin): ";
  if (have_prev_ && BlockHeaderLess(bh, prev_)) {
    return Fail("index.bin", index_block_offset,
                at + "sorts before the previous block (MetricID " +
                    std::to_string(prev_.tsid.metric_id) +
                    "); blocks must be in (TSID, "
                    "MinTimestamp) order");
  }
  if (bh.min_timestamp < ph.min_timestamp || bh.max_timestamp > ph.max_timestamp) {
    return Fail("index.bin", index_block_offset,
                at + "time range [" + std::to_string(bh.min_timestamp) + ", " +
                    std::to_string(bh.max_timestamp) + "] is outside the part's [" +
                    std::to_string(ph.min_timestamp) + ", " + std::to_string(ph.max_timestamp) +
                    "]");
  }
  if (bh.values_block_offset != values_offset_) {
    return Fail("values.bin", bh.values_block_offset,
                at + "values payload at offset " + std::to_string(bh.values_block_offset) +
                    "; the previous payload ends at " + std::to_string(values_offset_));
  }
  // An empty payload (a one-row block) is never shared: the next payload starts at its offset.
  const bool shared =
      have_prev_ts_ && prev_ts_size_ > 0 && bh.timestamps_block_offset == prev_ts_offset_;
  if (shared && bh.timestamps_block_size != prev_ts_size_) {
    return Fail("timestamps.bin", bh.timestamps_block_offset,
                at + "reuses the timestamps payload at offset " + std::to_string(prev_ts_offset_) +
                    " with size " + std::to_string(bh.timestamps_block_size) +
                    "; that payload has " + std::to_string(prev_ts_size_) + " bytes");
  }
  if (!shared && bh.timestamps_block_offset != timestamps_offset_) {
    return Fail("timestamps.bin", bh.timestamps_block_offset,
                at + "timestamps payload at offset " + std::to_string(bh.timestamps_block_offset) +
                    "; the previous payload ends at " + std::to_string(timestamps_offset_) +
                    " (and it is not the previous block's shared payload at " +
                    std::to_string(prev_ts_offset_) + ")");
  }
  std::string_view ts_data, values_data;
  Status st = part_->BlockPayloads(bh, &ts_buf_, &values_buf_, &ts_data, &values_data);
  if (!st.ok()) return FailStatus(st);
  values_offset_ += bh.values_block_size;
  if (!shared) {
    have_prev_ts_ = true;
    prev_ts_offset_ = bh.timestamps_block_offset;
    prev_ts_size_ = bh.timestamps_block_size;
    timestamps_offset_ += bh.timestamps_block_size;
  }
  st = DecodeBlockPayloads(bh, ts_data, values_data, &ts_, &mantissas_);
  if (!st.ok()) {
    // Name the payload the decoder failed on.
    const bool in_values = st.message().find("cannot decode values") != std::string::npos;
    return Fail(in_values ? "values.bin" : "timestamps.bin",
                in_values ? bh.values_block_offset : bh.timestamps_block_offset,
                at + part_->BlockDecodeError(bh, st).message());
  }
  if (ts_.front() != bh.min_timestamp ||
      (bh.precision_bits == 64 && ts_.back() != bh.max_timestamp)) {
    return Fail("timestamps.bin", bh.timestamps_block_offset,
                at + "decoded timestamps span [" + std::to_string(ts_.front()) + ", " +
                    std::to_string(ts_.back()) + "]; the block header says [" +
                    std::to_string(bh.min_timestamp) + ", " + std::to_string(bh.max_timestamp) +
                    "]");
  }
  if (on_block_) on_block_(bh.tsid, bh.min_timestamp, bh.max_timestamp);
  out_->items += bh.rows_count;
  out_->blocks++;
  prev_ = bh;
  have_prev_ = true;
  return true;
}

bool Checker::Run() {
  auto p = Part::OpenFile(dir_);
  if (!p.ok()) return FailStatus(p.status());
  part_ = std::move(p).value();
  const PartHeader& ph = part_->header();
  const auto& mrs = part_->metaindex();
  uint64_t index_offset = 0;
  std::vector<BlockHeader> bhs;
  for (size_t i = 0; i < mrs.size(); i++) {
    const MetaindexRow& mr = mrs[i];
    if (mr.index_block_offset != index_offset) {
      return Fail("metaindex.bin", i * MetaindexRow::kMarshaledSize,
                  "metaindex row #" + std::to_string(i) + " (offset " +
                      std::to_string(i * MetaindexRow::kMarshaledSize) +
                      " of the decompressed metaindex) has IndexBlockOffset " +
                      std::to_string(mr.index_block_offset) +
                      "; the previous index block ends at " + std::to_string(index_offset) +
                      " of index.bin");
    }
    const Status st = part_->ReadIndexBlock(i, &bhs);
    if (!st.ok()) return FailStatus(st);
    index_offset += mr.index_block_size;
    for (const BlockHeader& bh : bhs) {
      if (!CheckBlock(bh, mr.index_block_offset)) return false;
    }
  }
  const struct {
    Part::File f;
    const char* name;
    uint64_t end;
  } ends[] = {{Part::File::kIndex, "index.bin", index_offset},
              {Part::File::kTimestamps, "timestamps.bin", timestamps_offset_},
              {Part::File::kValues, "values.bin", values_offset_}};
  for (const auto& e : ends) {
    const uint64_t size = part_->FileSize(e.f);
    if (size != e.end) {
      return Fail(e.name, e.end,
                  std::string(e.name) + " has " + std::to_string(size) +
                      " bytes; its blocks end at offset " + std::to_string(e.end));
    }
  }
  if (out_->items != ph.rows_count || out_->blocks != ph.blocks_count) {
    return Fail("", static_cast<uint64_t>(-1),
                "read " + std::to_string(out_->items) + " rows in " + std::to_string(out_->blocks) +
                    " blocks; the part name says " + std::to_string(ph.rows_count) + " rows in " +
                    std::to_string(ph.blocks_count) + " blocks");
  }
  return true;
}

}  // namespace

PartCheckResult CheckDataPart(const std::string& dir, const PartCheckOptions& opts,
                              const BlockVisitor& on_block) {
  PartCheckResult out;
  out.path = dir;
  Checker(dir, on_block, &out).Run();
  VerifyChecksumsInto(dir, opts, kFiles, &out);
  return out;
}

}  // namespace vme::storage
