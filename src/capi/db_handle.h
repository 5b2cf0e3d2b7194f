// The storage behind a vme_db handle, for the library's own tests (the unit tests link the
// static library; the symbol is not exported from libvmengine.so, whose map exports vme_*).
#pragma once

#include <memory>

#include "storage/storage.h"

struct vme_db;

namespace vme::capi {

// The storage of a live handle, or nullptr for NULL.
std::shared_ptr<storage::Storage> StorageOf(const vme_db* db);

}  // namespace vme::capi
