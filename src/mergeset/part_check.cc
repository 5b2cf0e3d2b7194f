#include "mergeset/part_check.h"

#include <cctype>
#include <memory>

#include "mergeset/part.h"
#include "util/fs.h"

namespace vme {

namespace {

bool IsNameByte(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

// The number after "offset " at pos, or -1.
int64_t NumberAt(const std::string& m, size_t pos) {
  int64_t v = 0;
  bool any = false;
  for (size_t i = pos; i < m.size() && std::isdigit(static_cast<unsigned char>(m[i])); i++) {
    if (v > (INT64_MAX - 9) / 10) return -1;
    v = v * 10 + (m[i] - '0');
    any = true;
  }
  return any ? v : -1;
}

}  // namespace

CheckProblem ProblemFromStatus(const std::string& path, const std::vector<std::string>& files,
                               const Status& st) {
  CheckProblem p;
  p.path = path;
  p.message = st.message();
  const std::string& m = st.message();
  // The file named last: messages name the outer context first ("invalid metaindex.bin: row
  // #3 points past the end of index.bin").
  size_t at = std::string::npos;
  for (const std::string& f : files) {
    for (size_t pos = m.find(f); pos != std::string::npos; pos = m.find(f, pos + 1)) {
      const size_t end = pos + f.size();
      const bool start_ok = pos == 0 || m[pos - 1] == '/' || m[pos - 1] == ' ';
      const bool end_ok = end == m.size() || !IsNameByte(m[end]);
      if (start_ok && end_ok && (at == std::string::npos || pos > at)) {
        at = pos;
        p.file = f;
      }
    }
  }
  if (p.file.empty()) return p;
  // "offset N of <dir>/<file>" before the name, else the first "offset N" after it.
  size_t token = m.rfind(' ', at);
  token = token == std::string::npos ? 0 : token + 1;
  const std::string of = " of ";
  if (token >= of.size() && m.compare(token - of.size(), of.size(), of) == 0) {
    const size_t off = m.rfind("offset ", token);
    if (off != std::string::npos) {
      size_t digits_end = off + 7;
      while (digits_end < m.size() && std::isdigit(static_cast<unsigned char>(m[digits_end]))) {
        digits_end++;
      }
      if (digits_end + of.size() == token) {
        p.offset = NumberAt(m, off + 7);
        return p;
      }
    }
  }
  const size_t off = m.find("offset ", at);
  if (off != std::string::npos) p.offset = NumberAt(m, off + 7);
  return p;
}

void VerifyChecksumsInto(const std::string& dir, const PartCheckOptions& opts,
                         const std::vector<std::string>& files, PartCheckResult* out) {
  if (!opts.verify_checksums) return;
  auto r = opts.verify_checksums(dir);
  if (!r.ok()) {
    out->problems.push_back(ProblemFromStatus(dir, files, r.status()));
  } else {
    out->checksums_verified = *r;
  }
}

}  // namespace vme

namespace vme::mergeset {
namespace {

const std::vector<std::string> kFiles = {"metadata.json", "metaindex.bin",
                                         "index.bin",     "items.bin",
                                         "lens.bin",      "vmengine_checksums.bin"};

class Checker {
 public:
  Checker(const std::string& dir, const std::function<void(std::string_view)>& on_item,
          PartCheckResult* out)
      : dir_(dir), on_item_(on_item), out_(out) {}

  // Returns false at the first problem (recorded).
  bool Run();

 private:
  bool Fail(const std::string& file, int64_t offset, const std::string& message) {
    out_->problems.push_back(CheckProblem{dir_, file, offset, message});
    return false;
  }
  bool FailStatus(const Status& st) {
    out_->problems.push_back(ProblemFromStatus(dir_, kFiles, st));
    return false;
  }
  bool CheckBlock(const BlockHeader& bh, uint64_t block_no);

  const std::string& dir_;
  const std::function<void(std::string_view)>& on_item_;
  PartCheckResult* out_;
  std::shared_ptr<Part> part_;
  uint64_t items_offset_ = 0;
  uint64_t lens_offset_ = 0;
  std::string prev_last_;
};

bool Checker::CheckBlock(const BlockHeader& bh, uint64_t block_no) {
  const std::string at = "block #" + std::to_string(block_no) + ": ";
  if (bh.items_block_offset != items_offset_) {
    return Fail("items.bin", static_cast<int64_t>(bh.items_block_offset),
                at + "items block at offset " + std::to_string(bh.items_block_offset) +
                    "; the previous block ends at " + std::to_string(items_offset_));
  }
  if (bh.lens_block_offset != lens_offset_) {
    return Fail("lens.bin", static_cast<int64_t>(bh.lens_block_offset),
                at + "lens block at offset " + std::to_string(bh.lens_block_offset) +
                    "; the previous block ends at " + std::to_string(lens_offset_));
  }
  auto b = part_->ReadBlock(bh, false);
  if (!b.ok()) {
    // The message names items.bin and lens.bin; the decoder says which payload failed.
    const std::string& m = b.status().message();
    const size_t c = m.find("): ");
    const std::string cause = c == std::string::npos ? m : m.substr(c + 3);
    const bool lens = cause.find("lens") != std::string::npos ||
                      cause.find("prefix length") != std::string::npos ||
                      cause.find("item length") != std::string::npos;
    return Fail(lens ? "lens.bin" : "items.bin",
                static_cast<int64_t>(lens ? bh.lens_block_offset : bh.items_block_offset),
                at + b.status().message());
  }
  const InmemoryBlock& blk = **b;
  items_offset_ += bh.items_block_size;
  lens_offset_ += bh.lens_block_size;
  if (blk.size() != bh.items_count) {
    return Fail("items.bin", static_cast<int64_t>(bh.items_block_offset),
                at + "decoded " + std::to_string(blk.size()) + " items; the header says " +
                    std::to_string(bh.items_count));
  }
  if (!blk.IsSorted()) {
    return Fail("items.bin", static_cast<int64_t>(bh.items_block_offset),
                at + "items are not sorted");
  }
  if (block_no > 0 && blk.first() < prev_last_) {
    return Fail("items.bin", static_cast<int64_t>(bh.items_block_offset),
                at + "its first item sorts before the last item of the previous block");
  }
  if (block_no == 0 && blk.first() != part_->header().first_item) {
    return Fail("metadata.json", -1, "FirstItem differs from the first item of block #0");
  }
  if (blk.last() > part_->header().last_item) {
    return Fail("metadata.json", -1,
                at + "holds items after LastItem of metadata.json (LastItem is wrong or the "
                     "block is)");
  }
  if (on_item_) {
    for (size_t i = 0; i < blk.size(); i++) on_item_(blk.item(i));
  }
  out_->items += blk.size();
  out_->blocks++;
  prev_last_.assign(blk.last());
  return true;
}

bool Checker::Run() {
  auto p = Part::Open(dir_);
  if (!p.ok()) return FailStatus(p.status());
  part_ = std::move(p).value();
  const PartHeader& ph = part_->header();
  const auto& mrs = part_->metaindex();
  uint64_t index_offset = 0;
  for (size_t i = 0; i < mrs.size(); i++) {
    const MetaindexRow& mr = mrs[i];
    if (mr.index_block_offset != index_offset) {
      return Fail("metaindex.bin", -1,
                  "metaindex row #" + std::to_string(i) + " has IndexBlockOffset " +
                      std::to_string(mr.index_block_offset) +
                      "; the previous index block ends at " + std::to_string(index_offset) +
                      " of index.bin");
    }
    if (i > 0 && mr.first_item < prev_last_) {
      return Fail("metaindex.bin", -1,
                  "metaindex row #" + std::to_string(i) +
                      ": its first item sorts before the last item of the previous index block");
    }
    auto bhs = part_->ReadIndexBlock(i, false);
    if (!bhs.ok()) return FailStatus(bhs.status());
    index_offset += mr.index_block_size;
    for (const BlockHeader& bh : **bhs) {
      if (!CheckBlock(bh, out_->blocks)) return false;
    }
  }
  const auto file_size = [&](const char* name) -> uint64_t {
    auto s = fs::FileSize(fs::Join(dir_, name));
    return s.ok() ? *s : 0;
  };
  const struct {
    const char* name;
    uint64_t end;
  } ends[] = {
      {"index.bin", index_offset}, {"items.bin", items_offset_}, {"lens.bin", lens_offset_}};
  for (const auto& e : ends) {
    const uint64_t size = file_size(e.name);
    if (size != e.end) {
      return Fail(e.name, static_cast<int64_t>(e.end),
                  std::string(e.name) + " has " + std::to_string(size) +
                      " bytes; its blocks end at offset " + std::to_string(e.end));
    }
  }
  if (out_->items != ph.items_count || out_->blocks != ph.blocks_count) {
    return Fail("", -1,
                "read " + std::to_string(out_->items) + " items in " +
                    std::to_string(out_->blocks) + " blocks; the part name and metadata.json say " +
                    std::to_string(ph.items_count) + " items in " +
                    std::to_string(ph.blocks_count) + " blocks");
  }
  if (prev_last_ != ph.last_item) {
    return Fail("metadata.json", -1, "LastItem differs from the last item of the part");
  }
  return true;
}

}  // namespace

PartCheckResult CheckPart(const std::string& dir, const PartCheckOptions& opts,
                          const std::function<void(std::string_view item)>& on_item) {
  PartCheckResult out;
  out.path = dir;
  Checker(dir, on_item, &out).Run();
  VerifyChecksumsInto(dir, opts, kFiles, &out);
  return out;
}

}  // namespace vme::mergeset
