#include "util/quarantine.h"

#include <filesystem>

#include "util/fs.h"

namespace vme {

Status MovePartToQuarantine(const std::string& data_dir, const std::string& part_dir,
                            std::string* dst) {
  namespace stdfs = std::filesystem;
  const stdfs::path rel = stdfs::path(part_dir).lexically_relative(data_dir);
  if (rel.empty() || rel.is_absolute() || *rel.begin() == ".." || *rel.begin() == ".") {
    return Status::InvalidArgument("cannot quarantine " + part_dir + ": it is not inside " +
                                   data_dir);
  }
  const stdfs::path base = stdfs::path(data_dir) / kQuarantineDirName / rel;
  std::string target = base.string();
  for (int n = 1; fs::Exists(target); n++) target = base.string() + "." + std::to_string(n);
  const std::string parent = stdfs::path(target).parent_path().string();
  VME_RETURN_IF_ERROR(fs::MkdirAllSync(parent));
  if (Status st = fs::Rename(part_dir, target); !st.ok()) {
    return Status::IoError("cannot quarantine " + part_dir + ": " + st.message());
  }
  VME_RETURN_IF_ERROR(fs::FsyncDir(stdfs::path(part_dir).parent_path().string()));
  VME_RETURN_IF_ERROR(fs::FsyncDir(parent));
  *dst = target;
  return Status::OK();
}

Status QuarantineParts(const QuarantineFn& quarantine, const std::vector<std::string>& paths,
                       const Status& why) {
  Status first;
  for (const std::string& path : paths) {
    Status st = quarantine(path, why);
    if (first.ok()) first = st;
  }
  return first;
}

}  // namespace vme
