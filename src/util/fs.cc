#include "util/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "util/fault_injection.h"

namespace vme::fs {
namespace {

Status Errno(const std::string& what, const std::string& path) {
  return Status::IoError(what + " " + path + ": " + std::strerror(errno));
}

// True, with errno set, when an armed fault rule fails this operation (util/fault_injection.h);
// the caller then skips the system call and reports errno as if the call had failed.
bool Injected(fault::Op op, const std::string& path) {
  const int e = fault::Before(op, path);
  if (e == 0) return false;
  errno = e;
  return true;
}

// fsync(fd) of `path`, or the injected failure; -1 with errno set on failure.
int Fsync(int fd, const std::string& path) {
  if (Injected(fault::Op::kSync, path)) return -1;
  return ::fsync(fd);
}

std::string Parent(const std::string& path) {
  const auto p = std::filesystem::path(path).parent_path();
  return p.empty() ? "." : p.string();
}

std::atomic<uint64_t> tmp_counter{0};

}  // namespace

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool IsDir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool IsSymlink(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

std::string Join(std::string_view a, std::string_view b) {
  std::string out(a);
  while (!out.empty() && out.back() == '/') out.pop_back();
  while (!b.empty() && b.front() == '/') b.remove_prefix(1);
  out += '/';
  out += b;
  return out;
}

Status FsyncDir(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open directory", path);
  const int rc = Fsync(fd, path);
  const int e = errno;
  ::close(fd);
  errno = e;
  if (rc != 0) return Errno("cannot fsync directory", path);
  return Status::OK();
}

Status FsyncFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", path);
  const int rc = Fsync(fd, path);
  const int e = errno;
  ::close(fd);
  errno = e;
  if (rc != 0) return Errno("cannot fsync", path);
  return Status::OK();
}

Status MkdirAllSync(const std::string& path) {
  if (IsDir(path)) return Status::OK();
  if (Injected(fault::Op::kMkdir, path)) return Errno("cannot create directory", path);
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::IoError("cannot create directory " + path + ": " + ec.message());
  return FsyncDir(Parent(path));
}

Status WriteFileAtomically(const std::string& path, std::string_view data, bool overwrite) {
  if (!overwrite && Exists(path)) return Status::IoError("cannot create " + path + ": file exists");
  const std::string tmp = path + ".tmp." + std::to_string(tmp_counter.fetch_add(1) + 1);
  Status st = [&]() -> Status {
    VME_ASSIGN_OR_RETURN(auto f, WritableFile::Create(tmp));
    VME_RETURN_IF_ERROR(f->Append(data));
    return f->Close();
  }();
  if (st.ok()) st = Rename(tmp, path);
  if (!st.ok()) {
    // No half-written tmp file is left behind (it may exist after a failed write or fsync).
    ::unlink(tmp.c_str());
    return st;
  }
  return FsyncDir(Parent(path));
}

Result<std::string> ReadFile(const std::string& path) {
  VME_ASSIGN_OR_RETURN(auto f, RandomAccessFile::Open(path));
  std::string out;
  VME_RETURN_IF_ERROR(f->ReadAt(0, f->size(), &out));
  return out;
}

Status RemoveAllSync(const std::string& path) {
  if (Injected(fault::Op::kRemove, path)) return Errno("cannot remove", path);
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return Status::IoError("cannot remove " + path + ": " + ec.message());
  const std::string parent = Parent(path);
  if (IsDir(parent)) return FsyncDir(parent);
  return Status::OK();
}

Result<std::vector<std::string>> ListDir(const std::string& path) {
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) return Errno("cannot open directory", path);
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    names.emplace_back(e->d_name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

Result<uint64_t> FreeSpace(const std::string& path) {
  struct statvfs st;
  if (::statvfs(path.c_str(), &st) != 0) return Errno("cannot statfs", path);
  return uint64_t{st.f_bavail} * st.f_frsize;
}

Result<uint64_t> FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Errno("cannot stat", path);
  return static_cast<uint64_t>(st.st_size);
}

uint64_t DirSizeBytes(const std::string& path) {
  uint64_t total = 0;
  std::set<std::pair<uint64_t, uint64_t>> seen;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st;
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (!seen.insert({st.st_dev, st.st_ino}).second) continue;
    total += static_cast<uint64_t>(st.st_size);
  }
  return total;
}

Status HardLinkFiles(const std::string& src_dir, const std::string& dst_dir) {
  VME_RETURN_IF_ERROR(MkdirAllSync(dst_dir));
  VME_ASSIGN_OR_RETURN(auto names, ListDir(src_dir));
  for (const auto& n : names) {
    const std::string src = Join(src_dir, n);
    struct stat st;
    if (::lstat(src.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    VME_RETURN_IF_ERROR(HardLink(src, Join(dst_dir, n)));
  }
  return FsyncDir(dst_dir);
}

Status Rename(const std::string& from, const std::string& to) {
  if (Injected(fault::Op::kRename, to) || ::rename(from.c_str(), to.c_str()) != 0) {
    return Errno("cannot rename " + from + " to", to);
  }
  return Status::OK();
}

Status HardLink(const std::string& src, const std::string& dst) {
  if (Injected(fault::Op::kLink, dst) || ::link(src.c_str(), dst.c_str()) != 0) {
    return Errno("cannot link " + src + " to", dst);
  }
  return Status::OK();
}

Status Symlink(const std::string& target, const std::string& link) {
  if (Injected(fault::Op::kLink, link) || ::symlink(target.c_str(), link.c_str()) != 0) {
    return Status::IoError("cannot create symlink " + link + " -> " + target + ": " +
                           std::strerror(errno));
  }
  return Status::OK();
}

Result<std::unique_ptr<FileLock>> FileLock::Acquire(const std::string& path) {
  const int fd = Injected(fault::Op::kCreate, path)
                     ? -1
                     : ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot open lock file", path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    ::close(fd);
    if (e == EWOULDBLOCK) {
      return Status::Locked("cannot lock " + path +
                            ": the directory is in use by another process or handle");
    }
    errno = e;
    return Errno("cannot lock", path);
  }
  return std::unique_ptr<FileLock>(new FileLock(fd, path));
}

FileLock::~FileLock() {
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

Result<std::unique_ptr<WritableFile>> WritableFile::Create(const std::string& path) {
  const int fd = Injected(fault::Op::kCreate, path)
                     ? -1
                     : ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot create", path);
  return std::unique_ptr<WritableFile>(new WritableFile(fd, path));
}

WritableFile::~WritableFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status WritableFile::FlushBuffer() {
  size_t off = 0;
  while (off < buf_.size()) {
    size_t len = buf_.size() - off;
    const int injected = fault::Before(fault::Op::kWrite, path_, &len);
    if (injected != 0) errno = injected;
    const ssize_t n = injected != 0 ? -1 : ::write(fd_, buf_.data() + off, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write", path_);
    }
    off += static_cast<size_t>(n);
  }
  buf_.clear();
  return Status::OK();
}

Status WritableFile::Append(std::string_view data) {
  if (fd_ < 0) return Status::Internal("write to closed file " + path_);
  size_ += data.size();
  if (buf_.size() + data.size() > (256u << 10)) {
    VME_RETURN_IF_ERROR(FlushBuffer());
    if (data.size() > (128u << 10)) {
      buf_.assign(data);
      return FlushBuffer();
    }
  }
  buf_.append(data);
  return Status::OK();
}

Status WritableFile::Close() {
  if (fd_ < 0) return Status::OK();
  Status st = FlushBuffer();
  if (st.ok() && Fsync(fd_, path_) != 0) st = Errno("cannot fsync", path_);
  if (::close(fd_) != 0 && st.ok()) st = Errno("cannot close", path_);
  fd_ = -1;
  return st;
}

Result<std::unique_ptr<RandomAccessFile>> RandomAccessFile::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Errno("cannot stat", path);
  }
  return std::unique_ptr<RandomAccessFile>(
      new RandomAccessFile(fd, path, static_cast<uint64_t>(st.st_size)));
}

RandomAccessFile::~RandomAccessFile() { ::close(fd_); }

Status RandomAccessFile::ReadAt(uint64_t offset, size_t n, std::string* dst) const {
  if (offset > size_ || n > size_ - offset) return ReadAt(offset, n, static_cast<char*>(nullptr));
  const size_t old = dst->size();
  dst->resize(old + n);
  Status st = ReadAt(offset, n, dst->data() + old);
  if (!st.ok()) dst->resize(old);
  return st;
}

Status RandomAccessFile::ReadAt(uint64_t offset, size_t n, char* dst) const {
  if (offset > size_ || n > size_ - offset) {
    return Status::Corruption("read past the end of " + path_ + ": offset " +
                              std::to_string(offset) + ", " + std::to_string(n) +
                              " bytes, file size " + std::to_string(size_));
  }
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd_, dst + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot read at offset " + std::to_string(offset + done) + " of", path_);
    }
    if (r == 0) {
      return Status::Corruption("unexpected end of " + path_ + " at offset " +
                                std::to_string(offset + done));
    }
    done += static_cast<size_t>(r);
  }
  return Status::OK();
}

Result<std::unique_ptr<AppendOnlyFile>> AppendOnlyFile::Create(const std::string& path) {
  const int fd = Injected(fault::Op::kCreate, path)
                     ? -1
                     : ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IoError("cannot create " + path + ": " + std::strerror(errno));
  }
  return std::unique_ptr<AppendOnlyFile>(new AppendOnlyFile(fd, path));
}

AppendOnlyFile::~AppendOnlyFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status AppendOnlyFile::Append(std::string_view data) {
  while (!data.empty()) {
    size_t len = data.size();
    const int injected = fault::Before(fault::Op::kWrite, path_, &len);
    if (injected != 0) errno = injected;
    const ssize_t n =
        injected != 0 ? -1 : ::pwrite(fd_, data.data(), len, static_cast<off_t>(size_));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError("cannot write " + std::to_string(data.size()) + " bytes to " + path_ +
                             " at offset " + std::to_string(size_) + ": " + std::strerror(errno));
    }
    if (n == 0) {
      return Status::IoError("cannot write to " + path_ + " at offset " + std::to_string(size_) +
                             ": no progress");
    }
    size_ += static_cast<uint64_t>(n);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

Status AppendOnlyFile::Sync() {
  if (Injected(fault::Op::kSync, path_) || ::fdatasync(fd_) != 0) {
    return Status::IoError("cannot fdatasync " + path_ + ": " + std::strerror(errno));
  }
  return Status::OK();
}

Result<std::unique_ptr<MappedFile>> MappedFile::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status e = Status::IoError("cannot stat " + path + ": " + std::strerror(errno));
    ::close(fd);
    return e;
  }
  const size_t size = static_cast<size_t>(st.st_size);
  void* base = nullptr;
  if (size > 0) {
    base = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (base == MAP_FAILED) {
      Status e = Status::IoError("cannot mmap " + path + ": " + std::strerror(errno));
      ::close(fd);
      return e;
    }
    ::madvise(base, size, MADV_SEQUENTIAL);
  }
  ::close(fd);
  return std::unique_ptr<MappedFile>(new MappedFile(base, size));
}

MappedFile::~MappedFile() {
  if (base_ != nullptr) ::munmap(base_, size_);
}

void MappedFile::DropBefore(uint64_t offset) {
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t n = std::min<uint64_t>(offset, size_) / page * page;
  if (base_ != nullptr && n > 0) ::madvise(base_, n, MADV_DONTNEED);
}

Status AppendOnlyFile::Truncate(uint64_t n) {
  if (Injected(fault::Op::kTruncate, path_) || ::ftruncate(fd_, static_cast<off_t>(n)) != 0) {
    return Status::IoError("cannot truncate " + path_ + " to " + std::to_string(n) +
                           " bytes: " + std::strerror(errno));
  }
  size_ = n;
  return Status::OK();
}

}  // namespace vme::fs
