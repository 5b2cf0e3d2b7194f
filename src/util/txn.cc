#include "util/txn.h"

#include <filesystem>

#include "util/fs.h"
#include "util/quote.h"

namespace vme::txn {
namespace {

std::string Parent(const std::string& p) {
  const size_t slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return p.substr(0, slash);
}

std::string BaseName(const std::string& p) {
  const size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

bool IsReservedName(const std::string& name) {
  return name.empty() || name == "." || name == ".." || name == "tmp" || name == "txn" ||
         name == "snapshots";
}

struct Checker {
  const std::vector<std::string>& roots;  // normalised
  const std::string& txn_path;

  Status Bad(size_t line, const std::string& what) const {
    return Status::Corruption("transaction file " + txn_path + ", line " + std::to_string(line) +
                              ": " + what);
  }

  // Index of the root of which `path` (normalised into *out) is a direct child, or an error.
  Status Child(const std::string& raw, size_t line, const std::string& dir_suffix, std::string* out,
               size_t* root_idx) const {
    if (raw.empty()) return Bad(line, "empty path");
    if (raw.find('\0') != std::string::npos) return Bad(line, "path contains a NUL byte");
    const std::string p = NormalizePath(raw);
    const std::string parent = Parent(p);
    const std::string name = BaseName(p);
    for (size_t i = 0; i < roots.size(); i++) {
      const std::string want = dir_suffix.empty() ? roots[i] : roots[i] + "/" + dir_suffix;
      if (parent == want && !IsReservedName(name)) {
        *out = p;
        *root_idx = i;
        return Status::OK();
      }
    }
    std::string allowed;
    for (const auto& r : roots) {
      allowed += (allowed.empty() ? "" : " or ") + (dir_suffix.empty() ? r : r + "/" + dir_suffix);
    }
    return Bad(line, "path " + QuoteForMessage(raw) + " is not a part directory directly inside " +
                         allowed);
  }
};

}  // namespace

std::string NormalizePath(const std::string& p) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(p, ec);
  if (ec) abs = std::filesystem::path(p);
  std::string out = abs.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string Format(const Transaction& t) {
  std::string out;
  for (const auto& s : t.sources) out += s + "\n";
  out += t.tmp + " -> " + t.dst + "\n";
  return out;
}

Result<Transaction> Parse(std::string_view text, const std::vector<std::string>& roots_in,
                          const std::string& txn_path) {
  std::vector<std::string> roots;
  for (const auto& r : roots_in) roots.push_back(NormalizePath(r));
  const Checker c{roots, txn_path};
  if (text.empty()) return Status::Corruption("empty transaction file " + txn_path);
  if (text.back() == '\n') text.remove_suffix(1);
  std::vector<std::string> lines;
  for (size_t start = 0;;) {
    const size_t nl = text.find('\n', start);
    lines.emplace_back(text.substr(start, nl == std::string_view::npos ? nl : nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  Transaction t;
  for (size_t i = 0; i + 1 < lines.size(); i++) {
    std::string p;
    size_t root = 0;
    VME_RETURN_IF_ERROR(c.Child(lines[i], i + 1, "", &p, &root));
    t.sources.push_back(std::move(p));
  }
  const size_t last_no = lines.size();
  const std::string& last = lines.back();
  const size_t arrow = last.find(" -> ");
  if (arrow == std::string::npos || last.find(" -> ", arrow + 4) != std::string::npos) {
    return c.Bad(last_no, "want `tmpPath -> dstPath`");
  }
  const std::string tmp = last.substr(0, arrow);
  const std::string dst = last.substr(arrow + 4);
  size_t tmp_root = 0, dst_root = 0;
  VME_RETURN_IF_ERROR(c.Child(tmp, last_no, "tmp", &t.tmp, &tmp_root));
  if (!dst.empty()) {
    VME_RETURN_IF_ERROR(c.Child(dst, last_no, "", &t.dst, &dst_root));
    if (dst_root != tmp_root) {
      return c.Bad(last_no, "tmp path " + QuoteForMessage(tmp) + " and final path " +
                                QuoteForMessage(dst) + " are in different directories");
    }
  }
  // Normalising can move " -> " into view: "x ->/" becomes "x ->", which Format would write as
  // "x -> -> y". The last line must read back as the same two paths.
  const std::string line = t.tmp + " -> " + t.dst;
  if (line.find(" -> ") != t.tmp.size() ||
      line.find(" -> ", t.tmp.size() + 4) != std::string::npos) {
    return c.Bad(last_no, "tmp path " + QuoteForMessage(tmp) + " holds \" -> \" once normalised");
  }
  return t;
}

Status CheckRoots(const std::vector<std::string>& roots, const std::string& txn_path) {
  for (const auto& r : roots) {
    for (const std::string& p : {r, fs::Join(r, "tmp")}) {
      if (fs::IsSymlink(p)) {
        return Status::Corruption("transaction file " + txn_path + ": " + p +
                                  " is a symbolic link; refusing to delete or rename through "
                                  "it (replace it with the directory it points to)");
      }
    }
  }
  return Status::OK();
}

Status Commit(const Transaction& t, const std::vector<std::string>& roots) {
  if (t.dst.empty()) {
    VME_RETURN_IF_ERROR(fs::RemoveAllSync(t.tmp));
  } else if (fs::Exists(t.tmp)) {
    if (fs::Exists(t.dst)) {
      return Status::IoError("cannot rename " + t.tmp + " to " + t.dst + ": destination exists");
    }
    VME_RETURN_IF_ERROR(fs::Rename(t.tmp, t.dst));
  }
  for (const auto& r : roots) {
    if (fs::IsDir(r)) VME_RETURN_IF_ERROR(fs::FsyncDir(r));
  }
  return Status::OK();
}

Status RollBack(const Transaction& t, const std::string& txn_path) {
  if (!t.dst.empty() && fs::Exists(t.dst) && !fs::Exists(t.tmp)) {
    VME_RETURN_IF_ERROR(fs::Rename(t.dst, t.tmp));
  }
  // A failed fsync of the parent after the removal still counts as removed.
  Status st = fs::RemoveAllSync(txn_path);
  if (!st.ok() && fs::Exists(txn_path)) return st;
  fs::RemoveAllSync(t.tmp).IgnoreError();  // a leftover in tmp/ is removed at the next open
  return Status::OK();
}

Status RemoveSource(const std::string& path) {
  // std::filesystem::remove_all removes a symlink itself, never what it points to.
  return fs::RemoveAllSync(path);
}

Status Replay(const std::vector<std::string>& roots, const std::string& txn_path) {
  VME_ASSIGN_OR_RETURN(std::string text, fs::ReadFile(txn_path));
  VME_RETURN_IF_ERROR(CheckRoots(roots, txn_path));
  VME_ASSIGN_OR_RETURN(Transaction t, Parse(text, roots, txn_path));
  VME_RETURN_IF_ERROR(Commit(t, roots));
  for (const auto& s : t.sources) VME_RETURN_IF_ERROR(RemoveSource(s));
  return fs::RemoveAllSync(txn_path);
}

bool IsTemporaryFileName(std::string_view name) {
  const size_t p = name.rfind(".tmp.");
  if (p == std::string_view::npos || p + 5 == name.size()) return false;
  for (size_t i = p + 5; i < name.size(); i++) {
    if (name[i] < '0' || name[i] > '9') return false;
  }
  return true;
}

Result<std::vector<std::string>> PendingFiles(const std::string& txn_dir) {
  std::vector<std::string> out;
  if (!fs::IsDir(txn_dir)) return out;
  VME_ASSIGN_OR_RETURN(auto names, fs::ListDir(txn_dir));
  for (const auto& n : names) {
    if (!IsTemporaryFileName(n)) out.push_back(fs::Join(txn_dir, n));
  }
  return out;
}

}  // namespace vme::txn
