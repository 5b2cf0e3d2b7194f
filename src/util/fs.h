// File-system primitives with VictoriaMetrics' durability rules (VictoriaMetrics
// fs.WriteFileAtomically in lib/fs/fs.go, lib/fs): atomic small files (tmp name, fsync, rename,
// fsync parent), directory creation and removal followed by an fsync of the parent, buffered
// writers that fsync on close, pread readers, and flock(LOCK_EX|LOCK_NB) directory locks
// (docs/format.md, "Other files").
//
// Every error message names the path (and offset for reads). Every operation that writes asks
// util/fault_injection.h first, so that tests can make it fail (ENOSPC, EIO, short writes).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace vme::fs {

bool Exists(const std::string& path);
bool IsDir(const std::string& path);
// The entry itself is a symbolic link (lstat; a dangling link counts).
bool IsSymlink(const std::string& path);

// Joins two path components with exactly one '/'.
std::string Join(std::string_view a, std::string_view b);

// mkdir -p (mode 0755), then fsync the parent of `path`.
Status MkdirAllSync(const std::string& path);
Status FsyncDir(const std::string& path);
Status FsyncFile(const std::string& path);

// Writes `data` to `path` atomically: fails if path exists (unless overwrite), writes
// `path.tmp.<n>`, fsyncs it, renames it over path, fsyncs the parent directory.
Status WriteFileAtomically(const std::string& path, std::string_view data, bool overwrite = false);

Result<std::string> ReadFile(const std::string& path);

// rm -rf path (missing is fine), then fsync the parent.
Status RemoveAllSync(const std::string& path);

// Names of the entries of a directory (no "." and ".."), sorted.
Result<std::vector<std::string>> ListDir(const std::string& path);

Result<uint64_t> FreeSpace(const std::string& path);
Result<uint64_t> FileSize(const std::string& path);

// Sum of the sizes of regular files under path (hard links counted once per inode).
uint64_t DirSizeBytes(const std::string& path);

// Hard-links every regular file of src_dir into dst_dir (created).
Status HardLinkFiles(const std::string& src_dir, const std::string& dst_dir);

// rename(2), link(2) and symlink(2); IoError naming both paths and the OS error. No fsync: the
// caller fsyncs the parent directories it changed.
Status Rename(const std::string& from, const std::string& to);
Status HardLink(const std::string& src, const std::string& dst);
Status Symlink(const std::string& target, const std::string& link);

// An exclusive, non-blocking flock on a file (created if missing). Released on destruction.
class FileLock {
 public:
  // Returns Status::Locked naming the path if another process (or another open handle of this
  // process) holds the lock.
  static Result<std::unique_ptr<FileLock>> Acquire(const std::string& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  FileLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

// Buffered append-only writer. Close() flushes, fsyncs and closes; the destructor closes
// without fsync if Close() was not called.
class WritableFile {
 public:
  static Result<std::unique_ptr<WritableFile>> Create(const std::string& path);
  ~WritableFile();
  Status Append(std::string_view data);
  Status Close();
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  WritableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  Status FlushBuffer();
  int fd_;
  std::string path_;
  std::string buf_;
  uint64_t size_ = 0;
};

// Random-access reader (pread). Thread-safe.
class RandomAccessFile {
 public:
  static Result<std::unique_ptr<RandomAccessFile>> Open(const std::string& path);
  ~RandomAccessFile();
  // Appends exactly n bytes at offset to dst, or fails with Corruption (short file) / IoError.
  Status ReadAt(uint64_t offset, size_t n, std::string* dst) const;
  // Reads exactly n bytes at offset into dst[0..n); same errors.
  Status ReadAt(uint64_t offset, size_t n, char* dst) const;
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  RandomAccessFile(int fd, std::string path, uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  int fd_;
  std::string path_;
  uint64_t size_;
};

}  // namespace vme::fs

namespace vme::fs {

// Append-only file for logs (the write-ahead log, storage/wal_writer.h): unbuffered write(2)
// appends, fdatasync(2) and ftruncate(2), each error an IoError naming the path (and offset).
// Self-contained: uses the system calls directly. Thread-safety: Append and Truncate need
// external serialisation; Sync may run concurrently with them (fdatasync of the same fd).
class AppendOnlyFile {
 public:
  // Opens path for appending, creating it if missing (exclusive: fails if it exists).
  static Result<std::unique_ptr<AppendOnlyFile>> Create(const std::string& path);
  ~AppendOnlyFile();
  AppendOnlyFile(const AppendOnlyFile&) = delete;
  AppendOnlyFile& operator=(const AppendOnlyFile&) = delete;

  // Writes all of data at the end (retrying short writes). On error the file may hold a
  // prefix of data: Truncate(size()) cuts it.
  Status Append(std::string_view data);
  Status Sync();
  // Cuts the file to n bytes (n <= size()).
  Status Truncate(uint64_t n);
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  AppendOnlyFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
  uint64_t size_ = 0;
};

// A whole file mapped read-only (mmap), for one sequential pass (the WAL replay): the pages of
// a consumed prefix can be dropped from memory, so a pass keeps little of the file resident.
// Not thread-safe.
class MappedFile {
 public:
  static Result<std::unique_ptr<MappedFile>> Open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view data() const { return {static_cast<const char*>(base_), size_}; }
  // Releases the resident pages wholly before offset (they are read again if touched).
  void DropBefore(uint64_t offset);

 private:
  MappedFile(void* base, size_t size) : base_(base), size_(size) {}
  void* base_;
  size_t size_;
};

}  // namespace vme::fs
