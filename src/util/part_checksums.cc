#include "util/part_checksums.h"

#include <xxhash.h>

#include <algorithm>
#include <cstring>

#include "util/fs.h"

namespace vme {
namespace {

constexpr char kMagic[] = "VMECSUM1";
constexpr size_t kMagicSize = 8;
constexpr size_t kMaxFiles = 16;
constexpr size_t kMaxNameSize = 64;
constexpr size_t kReadChunk = size_t{1} << 20;

void PutU32(std::string* dst, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; i++) b[i] = static_cast<char>(v >> (8 * i));
  dst->append(b, 4);
}

void PutU64(std::string* dst, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; i++) b[i] = static_cast<char>(v >> (8 * i));
  dst->append(b, 8);
}

uint64_t GetLE(const char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++) v |= uint64_t{static_cast<uint8_t>(p[i])} << (8 * i);
  return v;
}

std::string PartOf(const std::string& part_dir) { return "part " + part_dir; }

}  // namespace

const PartFileChecksum* PartChecksums::Find(std::string_view name) const {
  for (const PartFileChecksum& f : files) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

void PartChecksums::AddFile(std::string name, std::string_view data) {
  files.push_back(PartFileChecksum{std::move(name), data.size(), FileChecksum(data)});
}

Status PartChecksums::AddFileFromDisk(const std::string& part_dir, const std::string& name) {
  VME_ASSIGN_OR_RETURN(std::string data, fs::ReadFile(fs::Join(part_dir, name)));
  AddFile(name, data);
  return Status::OK();
}

uint64_t FileChecksum(std::string_view data) { return XXH3_64bits(data.data(), data.size()); }

uint32_t IndexBlockChecksum(std::string_view data) {
  return static_cast<uint32_t>(XXH3_64bits(data.data(), data.size()));
}

uint32_t BlockChecksum(std::string_view a, std::string_view b) {
  const uint64_t seed = XXH3_64bits(a.data(), a.size());
  return static_cast<uint32_t>(XXH3_64bits_withSeed(b.data(), b.size(), seed));
}

struct FileHasher::State {
  XXH3_state_t* s = XXH3_createState();
  ~State() { XXH3_freeState(s); }
};

FileHasher::FileHasher() : state_(std::make_unique<State>()) { XXH3_64bits_reset(state_->s); }
FileHasher::~FileHasher() = default;

void FileHasher::Update(std::string_view data) {
  XXH3_64bits_update(state_->s, data.data(), data.size());
  size_ += data.size();
}

uint64_t FileHasher::Digest() const { return XXH3_64bits_digest(state_->s); }

void MarshalPartChecksums(const PartChecksums& sums, std::string* dst) {
  const size_t start = dst->size();
  dst->append(kMagic, kMagicSize);
  dst->push_back(static_cast<char>(sums.kind));
  dst->push_back(static_cast<char>(sums.files.size()));
  for (const PartFileChecksum& f : sums.files) {
    dst->push_back(static_cast<char>(f.name.size()));
    dst->append(f.name);
    PutU64(dst, f.size);
    PutU64(dst, f.xxh3);
  }
  PutU32(dst, static_cast<uint32_t>(sums.index_blocks.size()));
  for (uint32_t c : sums.index_blocks) PutU32(dst, c);
  PutU32(dst, static_cast<uint32_t>(sums.blocks.size()));
  for (uint32_t c : sums.blocks) PutU32(dst, c);
  PutU64(dst, XXH3_64bits(dst->data() + start, dst->size() - start));
}

Status UnmarshalPartChecksums(std::string_view data, const std::string& path, PartChecksums* out) {
  auto bad = [&](size_t offset, const std::string& what) {
    return Status::Corruption("invalid checksum sidecar " + path + " at offset " +
                              std::to_string(offset) + ": " + what);
  };
  if (data.size() < kMagicSize + 2 + 4 + 4 + 8) {
    return bad(0, "too short (" + std::to_string(data.size()) + " bytes)");
  }
  const size_t body = data.size() - 8;
  const uint64_t want = GetLE(data.data() + body, 8);
  if (XXH3_64bits(data.data(), body) != want) {
    return bad(body, "checksum of the sidecar does not match its contents");
  }
  if (std::memcmp(data.data(), kMagic, kMagicSize) != 0) return bad(0, "bad magic");
  size_t pos = kMagicSize;
  const uint8_t kind = static_cast<uint8_t>(data[pos]);
  if (kind != static_cast<uint8_t>(PartKind::kData) &&
      kind != static_cast<uint8_t>(PartKind::kMergeset)) {
    return bad(pos, "unknown part kind " + std::to_string(kind));
  }
  out->kind = static_cast<PartKind>(kind);
  pos++;
  const size_t files = static_cast<uint8_t>(data[pos]);
  if (files == 0 || files > kMaxFiles) return bad(pos, "files count " + std::to_string(files));
  pos++;
  out->files.clear();
  for (size_t i = 0; i < files; i++) {
    if (pos >= body) return bad(pos, "truncated file entry");
    const size_t n = static_cast<uint8_t>(data[pos]);
    if (n == 0 || n > kMaxNameSize || body - pos - 1 < n + 16) {
      return bad(pos, "bad file entry (name length " + std::to_string(n) + ")");
    }
    PartFileChecksum f;
    f.name.assign(data.data() + pos + 1, n);
    if (f.name.find('/') != std::string::npos || f.name == "." || f.name == "..") {
      return bad(pos, "bad file name");
    }
    pos += 1 + n;
    f.size = GetLE(data.data() + pos, 8);
    f.xxh3 = GetLE(data.data() + pos + 8, 8);
    pos += 16;
    out->files.push_back(std::move(f));
  }
  for (std::vector<uint32_t>* v : {&out->index_blocks, &out->blocks}) {
    if (body - pos < 4) return bad(pos, "truncated count");
    const uint64_t n = GetLE(data.data() + pos, 4);
    pos += 4;
    if ((body - pos) / 4 < n) return bad(pos - 4, "count " + std::to_string(n) + " too large");
    v->resize(n);
    for (uint64_t i = 0; i < n; i++, pos += 4)
      (*v)[i] = static_cast<uint32_t>(GetLE(data.data() + pos, 4));
  }
  if (pos != body) return bad(pos, std::to_string(body - pos) + " trailing bytes");
  return Status::OK();
}

Status WritePartChecksums(const std::string& part_dir, const PartChecksums& sums) {
  std::string data;
  MarshalPartChecksums(sums, &data);
  return fs::WriteFileAtomically(fs::Join(part_dir, kPartChecksumsFileName), data, true);
}

Status ReadPartChecksums(const std::string& part_dir, PartChecksums* out, bool* present) {
  const std::string path = fs::Join(part_dir, kPartChecksumsFileName);
  *present = false;
  if (!fs::Exists(path)) return Status::OK();
  VME_ASSIGN_OR_RETURN(std::string data, fs::ReadFile(path));
  VME_RETURN_IF_ERROR(UnmarshalPartChecksums(data, path, out));
  *present = true;
  return Status::OK();
}

Status CheckPartFileSize(const std::string& part_dir, const PartChecksums& sums,
                         const std::string& name, uint64_t size) {
  const PartFileChecksum* f = sums.Find(name);
  const std::string path = fs::Join(part_dir, name);
  if (f == nullptr) {
    return Status::Corruption(PartOf(part_dir) + ": " + path + " is not listed in " +
                              kPartChecksumsFileName + " (offset 0)");
  }
  if (f->size != size) {
    return Status::Corruption(PartOf(part_dir) + ": " + path + " has " + std::to_string(size) +
                              " bytes; " + kPartChecksumsFileName + " says " +
                              std::to_string(f->size) + " (offset " +
                              std::to_string(std::min(size, f->size)) + ")");
  }
  return Status::OK();
}

Status CheckPartFile(const std::string& part_dir, const PartChecksums& sums,
                     const std::string& name, std::string_view data) {
  VME_RETURN_IF_ERROR(CheckPartFileSize(part_dir, sums, name, data.size()));
  if (sums.Find(name)->xxh3 != FileChecksum(data)) {
    return Status::Corruption(PartOf(part_dir) + ": checksum mismatch in " +
                              fs::Join(part_dir, name) + " (offset 0, " +
                              std::to_string(data.size()) + " bytes checked)");
  }
  return Status::OK();
}

Result<bool> VerifyPartChecksums(const std::string& part_dir) {
  PartChecksums sums;
  bool present = false;
  VME_RETURN_IF_ERROR(ReadPartChecksums(part_dir, &sums, &present));
  if (!present) return false;
  for (const PartFileChecksum& f : sums.files) {
    const std::string path = fs::Join(part_dir, f.name);
    VME_ASSIGN_OR_RETURN(auto file, fs::RandomAccessFile::Open(path));
    VME_RETURN_IF_ERROR(CheckPartFileSize(part_dir, sums, f.name, file->size()));
    FileHasher h;
    std::string buf;
    for (uint64_t off = 0; off < f.size; off += kReadChunk) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(kReadChunk, f.size - off));
      buf.clear();
      VME_RETURN_IF_ERROR(file->ReadAt(off, n, &buf));
      h.Update(buf);
    }
    if (h.Digest() != f.xxh3) {
      return Status::Corruption(PartOf(part_dir) + ": checksum mismatch in " + path +
                                " (offset 0, " + std::to_string(f.size) + " bytes checked)");
    }
  }
  return true;
}

}  // namespace vme
