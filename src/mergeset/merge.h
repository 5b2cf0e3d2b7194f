// Block stream merge of mergeset parts (VictoriaMetrics mergeBlockStreams, lib/mergeset/merge.go).
//
// A min-heap of readers ordered by their current item: pop the smallest, copy its items while
// they are <= the next reader's current item, then push it back (or advance it to its next
// block). Identical items are kept. Output blocks hold up to 64 KiB of items; each is passed to
// the prepareBlock callback before it is written.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mergeset/block_stream_writer.h"
#include "mergeset/part.h"

namespace vme::mergeset {

// Called on every output block of every merge (and of the raw-items flush) with the block's
// sorted items and an empty *out: may write rewritten items into *out, which must keep the first
// and last item unchanged, stay sorted and within the block limits (checked; if violated, or if
// *out is left empty, the original items are written).
using PrepareBlockFn = std::function<void(const InmemoryBlock& block, InmemoryBlock* out)>;

// Accumulates sorted items into output blocks and writes them.
class BlockBuilder {
 public:
  BlockBuilder(BlockStreamWriter* w, const PrepareBlockFn* prepare) : w_(w), prepare_(prepare) {}
  Status Add(std::string_view item) {
    if (!block_.empty() && !block_.Fits(item.size())) VME_RETURN_IF_ERROR(Flush());
    block_.Append(item);
    return Status::OK();
  }
  Status Finish() { return Flush(); }

 private:
  Status Flush();

  BlockStreamWriter* w_;
  const PrepareBlockFn* prepare_;
  InmemoryBlock block_;
  InmemoryBlock prepared_;
};

// Merges all items of `parts` into w (not closed).
Status MergeParts(const std::vector<std::shared_ptr<const Part>>& parts, BlockStreamWriter* w,
                  const PrepareBlockFn* prepare);

}  // namespace vme::mergeset
