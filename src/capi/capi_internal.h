// Helpers of the C API entry points shared between the files of src/capi (vmengine.cc defines
// them): recording an error for a vme_error**, and looking up the storage of a live handle.
#pragma once

#include <memory>
#include <new>
#include <stdexcept>
#include <string>

#include "storage/storage.h"
#include "util/status.h"
#include "vmengine.h"

namespace vme::capi {

// Records an error for *err (when err is not NULL) and vme_last_error_message(); returns code.
vme_status Fail(vme_error** err, vme_status code, std::string message) noexcept;
vme_status FailNoMemory(vme_error** err) noexcept;
vme_status FailInternal(vme_error** err, const char* what) noexcept;
// VME_OK for an OK status, else Fail with its code and message.
vme_status FromStatus(const Status& st, vme_error** err);
// VME_ERR_INVALID_ARGUMENT "fn: argument 'arg' is NULL".
vme_status NullArg(vme_error** err, const char* fn, const char* arg);
// The storage of a live handle, or nullptr with *st set (and err filled) for a NULL
// (VME_ERR_INVALID_ARGUMENT), closed or unknown (VME_ERR_CLOSED) handle.
std::shared_ptr<storage::Storage> AcquireStorage(const vme_db* db, vme_error** err, const char* fn,
                                                 vme_status* st);
vme_add_result ToCAddResult(const storage::AddRowsResult& r);

}  // namespace vme::capi

// Ends `vme_status f(...) noexcept try { ... }`: no exception crosses the C ABI.
#define VME_CAPI_CATCH_ALL(err)                                 \
  catch (const std::bad_alloc&) {                               \
    return ::vme::capi::FailNoMemory(err);                      \
  }                                                             \
  catch (const std::exception& e) {                             \
    return ::vme::capi::FailInternal(err, e.what());            \
  }                                                             \
  catch (...) {                                                 \
    return ::vme::capi::FailInternal(err, "unknown exception"); \
  }
