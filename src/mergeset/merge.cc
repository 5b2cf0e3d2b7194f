#include "mergeset/merge.h"

#include <algorithm>

#include "mergeset/block_stream_reader.h"

namespace vme::mergeset {

Status BlockBuilder::Flush() {
  if (block_.empty()) return Status::OK();
  const InmemoryBlock* out = &block_;
  if (prepare_ != nullptr && *prepare_) {
    prepared_.Clear();
    (*prepare_)(block_, &prepared_);
    const size_t n = prepared_.size();
    if (n > 0 && prepared_.first() == block_.first() && prepared_.last() == block_.last() &&
        prepared_.data_size() <= kMaxInmemoryBlockSize && n <= kMaxItemsPerBlock &&
        prepared_.IsSorted()) {
      out = &prepared_;
    }
  }
  Status st = w_->WriteBlock(*out);
  block_.Clear();
  return st;
}

namespace {

struct Cursor {
  BlockStreamReader* reader;
  size_t pos;
  std::string_view current() const { return reader->block().item(pos); }
};

}  // namespace

Status MergeParts(const std::vector<std::shared_ptr<const Part>>& parts, BlockStreamWriter* w,
                  const PrepareBlockFn* prepare) {
  std::vector<std::unique_ptr<BlockStreamReader>> readers;
  std::vector<Cursor> heap;
  auto greater = [](const Cursor& a, const Cursor& b) { return a.current() > b.current(); };
  for (const auto& p : parts) {
    readers.push_back(std::make_unique<BlockStreamReader>(p));
    BlockStreamReader* r = readers.back().get();
    if (r->NextBlock()) {
      heap.push_back(Cursor{r, 0});
    } else if (!r->status().ok()) {
      return r->status();
    }
  }
  std::make_heap(heap.begin(), heap.end(), greater);
  BlockBuilder builder(w, prepare);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), greater);
    Cursor c = heap.back();
    heap.pop_back();
    const InmemoryBlock& b = c.reader->block();
    if (heap.empty()) {
      while (c.pos < b.size()) VME_RETURN_IF_ERROR(builder.Add(b.item(c.pos++)));
    } else {
      const std::string_view next = heap.front().current();
      while (c.pos < b.size() && b.item(c.pos) <= next) {
        VME_RETURN_IF_ERROR(builder.Add(b.item(c.pos++)));
      }
    }
    if (c.pos == b.size()) {
      if (!c.reader->NextBlock()) {
        if (!c.reader->status().ok()) return c.reader->status();
        continue;
      }
      c.pos = 0;
    }
    heap.push_back(c);
    std::push_heap(heap.begin(), heap.end(), greater);
  }
  return builder.Finish();
}

}  // namespace vme::mergeset
