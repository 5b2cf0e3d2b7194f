// Merged search over the parts of a mergeset table (VictoriaMetrics TableSearch.Seek,
// lib/mergeset/table_search.go): one PartSearch per part and a min-heap over their current
// items.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mergeset/part_search.h"
#include "mergeset/table.h"

namespace vme::mergeset {

// Searches the parts present when it was created (ref-counted: merges may replace parts
// meanwhile). Items still buffered (not flushed) are NOT visible. Not thread-safe; one per
// thread.
class TableSearch {
 public:
  explicit TableSearch(const Table& table);
  explicit TableSearch(std::vector<std::shared_ptr<const Part>> parts);
  TableSearch(const TableSearch&) = delete;
  TableSearch& operator=(const TableSearch&) = delete;

  void Seek(std::string_view key);  // position at the first item >= key
  bool NextItem();                  // false at end or on error (then status() is not OK)
  std::string_view Item() const { return item_; }  // valid until the next Seek/NextItem
  const Status& status() const { return status_; }
  // Seek(prefix) + NextItem + prefix check; NotFound if no item has the prefix.
  Status FirstItemWithPrefix(std::string_view prefix, std::string* item);

 private:
  void SiftDown(size_t i);

  std::vector<PartSearch> searches_;
  std::vector<PartSearch*> heap_;
  std::string_view item_;
  bool sought_ = false;
  bool need_next_ = false;
  Status status_;
};

}  // namespace vme::mergeset
