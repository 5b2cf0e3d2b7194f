#include "mergeset/table_search.h"

#include <algorithm>

namespace vme::mergeset {

TableSearch::TableSearch(const Table& table) : TableSearch(table.Parts()) {}

TableSearch::TableSearch(std::vector<std::shared_ptr<const Part>> parts) {
  searches_.reserve(parts.size());
  for (auto& p : parts) searches_.emplace_back(std::move(p));
}

void TableSearch::SiftDown(size_t i) {
  const size_t n = heap_.size();
  for (;;) {
    size_t smallest = i;
    const size_t l = 2 * i + 1, r = 2 * i + 2;
    if (l < n && heap_[l]->Item() < heap_[smallest]->Item()) smallest = l;
    if (r < n && heap_[r]->Item() < heap_[smallest]->Item()) smallest = r;
    if (smallest == i) return;
    std::swap(heap_[i], heap_[smallest]);
    i = smallest;
  }
}

void TableSearch::Seek(std::string_view key) {
  sought_ = true;
  need_next_ = false;
  item_ = {};
  if (!status_.ok()) return;
  heap_.clear();
  for (auto& ps : searches_) {
    if (ps.Seek(key)) {
      heap_.push_back(&ps);
    } else if (!ps.status().ok()) {
      status_ = ps.status();
      heap_.clear();
      return;
    }
  }
  for (size_t i = heap_.size() / 2; i-- > 0;) SiftDown(i);
}

bool TableSearch::NextItem() {
  if (!status_.ok()) return false;
  if (!sought_) Seek(std::string_view());
  if (need_next_ && !heap_.empty()) {
    PartSearch* top = heap_.front();
    if (!top->Next()) {
      if (!top->status().ok()) {
        status_ = top->status();
        heap_.clear();
        item_ = {};
        return false;
      }
      heap_.front() = heap_.back();
      heap_.pop_back();
    }
    if (!heap_.empty()) SiftDown(0);
  }
  need_next_ = true;
  if (heap_.empty()) {
    item_ = {};
    return false;
  }
  item_ = heap_.front()->Item();
  return true;
}

Status TableSearch::FirstItemWithPrefix(std::string_view prefix, std::string* item) {
  Seek(prefix);
  if (!NextItem()) {
    if (!status_.ok()) return status_;
    return Status::NotFound("no item with the given prefix");
  }
  if (item_.substr(0, prefix.size()) != prefix) {
    return Status::NotFound("no item with the given prefix");
  }
  item->assign(item_);
  return Status::OK();
}

}  // namespace vme::mergeset
