// Snapshots (reference §10). Placeholder until the snapshot implementation lands.
#include "storage/storage.h"

namespace vme::storage {

Status Storage::CreateSnapshot(std::string*) {
  return Status::Internal("snapshots are not implemented yet");
}
Status Storage::ListSnapshots(std::vector<std::string>* names) {
  names->clear();
  return Status::OK();
}
Status Storage::DeleteSnapshot(const std::string& name) {
  return Status::NotFound("snapshot " + name + " does not exist");
}

}  // namespace vme::storage
