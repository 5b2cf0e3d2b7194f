// Fuzz target `mergeset_part`: a whole mergeset (indexdb) part directory (src/mergeset/part.h)
// written from the input, opened, read completely through every index block and block, and
// searched with PartSearch from the start and from a key taken from the input.
//
// Input (fuzz/part_dir.h framing): the part directory name, then metadata.json,
// metaindex.bin, index.bin, items.bin, lens.bin, and last a seek key (a chunk too).
// Properties: no crash, leak or undefined behaviour; a block that decodes has itemsCount items,
// starting with firstItem; a search returns items in non-decreasing order, each >= its key.
#include <fstream>
#include <iterator>
#include <string>

#include "fuzz_input.h"
#include "fuzz_target.h"
#include "mergeset/block_cache.h"
#include "mergeset/part.h"
#include "mergeset/part_search.h"
#include "part_dir.h"

VME_FUZZ_TARGET(mergeset_part) {
  using namespace vme::mergeset;
  static const std::vector<const char*> kFiles = {"metadata.json", "metaindex.bin", "index.bin",
                                                  "items.bin",     "lens.bin",      "seek_key"};
  // The block caches are process-wide and outlive the part: emptied after every input, so
  // that each input starts alike and frees what it allocated (libFuzzer runs LeakSanitizer
  // over every input whose allocations and frees do not balance, which is slow).
  struct EmptyCaches {
    ~EmptyCaches() {
      ConfigureBlockCaches(0);
      ConfigureBlockCaches(uint64_t{256} << 20);
    }
  } empty_caches;
  const std::string dir = vme::fuzz::WritePartDir(data, size, kFiles);
  if (dir.empty()) return;
  auto part = Part::Open(dir);
  if (!part.ok()) return;
  const std::shared_ptr<const Part> p = *part;
  for (size_t i = 0; i < p->metaindex().size(); i++) {
    auto bhs = p->ReadIndexBlock(i, i % 2 == 0);
    if (!bhs.ok()) continue;
    for (const BlockHeader& bh : **bhs) {
      auto block = p->ReadBlock(bh, false);
      if (!block.ok()) continue;
      VME_FUZZ_CHECK((*block)->size() == bh.items_count, "block has itemsCount items");
      VME_FUZZ_CHECK((*block)->first() == bh.first_item, "block starts with firstItem");
    }
  }
  std::string key;
  {
    std::ifstream f(dir + "/seek_key", std::ios::binary);
    key.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  for (const std::string& k : {std::string(), key}) {
    PartSearch ps(p);
    std::string prev = k;
    size_t n = 0;
    for (bool ok = ps.Seek(k); ok && n < 100000; ok = ps.Next(), n++) {
      const std::string_view item = ps.Item();
      VME_FUZZ_CHECK(item >= std::string_view(prev), "search order");
      prev.assign(item);
    }
  }
}
