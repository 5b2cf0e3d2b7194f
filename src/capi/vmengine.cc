// The C API of include/vmengine.h: thin wrappers over vme::storage::Storage. This is the
// only place where C++ exceptions are caught: every entry point is noexcept, and every one
// that can fail runs its body inside try/VME_CATCH_ALL, which turns std::bad_alloc into
// VME_ERR_NO_MEMORY and any other exception into VME_ERR_INTERNAL. Recording an error never
// throws (Fail): when even its message cannot be allocated, the caller gets the status code
// with a static message or none.
//
// Live vme_db handles are kept in a registry, so a closed or foreign pointer is detected
// (VME_ERR_CLOSED) instead of being dereferenced.
#include "vmengine.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <unordered_set>
#include <vector>

#include "capi/capi_internal.h"
#include "capi/db_handle.h"
#include "storage/background_workers.h"
#include "storage/part_header.h"
#include "storage/search.h"
#include "storage/selector_parser.h"
#include "storage/storage.h"
#include "storage/tag_filters.h"
#include "util/duration.h"
#include "util/quote.h"
#include "util/status.h"

struct vme_error {
  vme_status code;
  std::string message;
};

struct vme_options {
  vme::storage::StorageOptions opts;
};

struct vme_db {
  std::shared_ptr<vme::storage::Storage> storage;
};

std::shared_ptr<vme::storage::Storage> vme::capi::StorageOf(const vme_db* db) {
  return db == nullptr ? nullptr : db->storage;
}

struct vme_query {
  vme::storage::SearchQuery q;
  bool tenant_set = false;
};

struct vme_series_iter {
  std::unique_ptr<vme::storage::SeriesIterator> it;
  bool has_current = false;
};

struct vme_strlist {
  std::vector<std::string> items;
};

struct vme_stats {
  std::vector<std::pair<std::string, double>> entries;
  std::map<size_t, std::string> texts;  // entry index -> text, for entries that have one
};

namespace {

using vme::Code;
using vme::Status;

thread_local std::string tls_last_error;

// Records an error for *err (when err is not NULL) and vme_last_error_message(). The message is
// made valid UTF-8 without control bytes and at most a few KiB long. Never throws: without
// memory the message is left empty, and if the vme_error cannot be allocated *err is NULL.
vme_status Fail(vme_error** err, vme_status code, std::string message) noexcept {
  try {
    message = vme::SanitizeMessage(message);
    tls_last_error = message;
  } catch (...) {
    message.clear();
    tls_last_error.clear();
  }
  if (err != nullptr) *err = new (std::nothrow) vme_error{code, std::move(message)};
  return code;
}

// The two errors of VME_CATCH_ALL; they build their messages without throwing.
vme_status FailNoMemory(vme_error** err) noexcept {
  try {
    return Fail(err, VME_ERR_NO_MEMORY, "out of memory");
  } catch (...) {
    return Fail(err, VME_ERR_NO_MEMORY, std::string());
  }
}

vme_status FailInternal(vme_error** err, const char* what) noexcept {
  try {
    return Fail(err, VME_ERR_INTERNAL, std::string("internal error: ") + what);
  } catch (const std::bad_alloc&) {
    return FailNoMemory(err);
  } catch (...) {
    return Fail(err, VME_ERR_INTERNAL, std::string());
  }
}

vme_status FromStatus(const Status& st, vme_error** err) {
  if (st.ok()) return VME_OK;
  return Fail(err, static_cast<vme_status>(st.code()), st.message());
}

// The C counters of one add-rows call.
vme_add_result ToCResult(const vme::storage::AddRowsResult& r) {
  return vme_add_result{r.rows_added,
                        r.rejected_invalid_labels,
                        r.rejected_nan,
                        r.rejected_out_of_retention,
                        r.rejected_too_far_future,
                        r.rejected_invalid_timestamp};
}

vme_status NullArg(vme_error** err, const char* fn, const char* arg) {
  return Fail(err, VME_ERR_INVALID_ARGUMENT, std::string(fn) + ": argument '" + arg + "' is NULL");
}

std::mutex& RegistryMutex() {
  static std::mutex* mu = new std::mutex;
  return *mu;
}
std::unordered_set<const vme_db*>& Registry() {
  static auto* set = new std::unordered_set<const vme_db*>;
  return *set;
}

// Returns the storage of a live handle, or nullptr (and fills err) for a NULL, closed or
// unknown handle.
std::shared_ptr<vme::storage::Storage> Acquire(const vme_db* db, vme_error** err, const char* fn,
                                               vme_status* st) {
  if (db == nullptr) {
    *st = NullArg(err, fn, "db");
    return nullptr;
  }
  std::lock_guard<std::mutex> l(RegistryMutex());
  if (Registry().count(db) == 0) {
    *st = Fail(err, VME_ERR_CLOSED, std::string(fn) + ": the db handle is closed or invalid");
    return nullptr;
  }
  return db->storage;
}

// Retention text as VictoriaMetrics' -retentionPeriod: a bare number is months of 31 days,
// otherwise a duration with units (ParseGoDuration: ms, s, m, h, d, w, y; compound forms).
bool ParseRetentionMs(const char* s, int64_t* out) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s, &end);
  if (end != s && *end == '\0') {
    if (errno != 0 || v < 0 || !std::isfinite(v) || v * 31.0 * 86400000 > 9.2e18) return false;
    *out = static_cast<int64_t>(v * 31.0 * 86400000);
    return true;
  }
  int64_t ms = 0;
  if (!vme::ParseGoDuration(s, &ms).ok() || ms < 0) return false;
  *out = ms;
  return true;
}

bool ParseU64(const char* s, uint64_t* out) {
  if (s == nullptr || *s == '\0' || *s == '-') return false;
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

// vme_status values are vme::Code values (FromStatus and vme_status_string cast between them).
static_assert(VME_OK == static_cast<int>(vme::Code::kOk));
static_assert(VME_ERR_INVALID_ARGUMENT == static_cast<int>(vme::Code::kInvalidArgument));
static_assert(VME_ERR_NOT_FOUND == static_cast<int>(vme::Code::kNotFound));
static_assert(VME_ERR_CORRUPTION == static_cast<int>(vme::Code::kCorruption));
static_assert(VME_ERR_IO == static_cast<int>(vme::Code::kIo));
static_assert(VME_ERR_NO_MEMORY == static_cast<int>(vme::Code::kNoMemory));
static_assert(VME_ERR_CLOSED == static_cast<int>(vme::Code::kClosed));
static_assert(VME_ERR_BUSY == static_cast<int>(vme::Code::kBusy));
static_assert(VME_ERR_BUFFER_TOO_SMALL == static_cast<int>(vme::Code::kBufferTooSmall));
static_assert(VME_ERR_MISUSE == static_cast<int>(vme::Code::kMisuse));
static_assert(VME_ERR_INTERNAL == static_cast<int>(vme::Code::kInternal));
static_assert(VME_ERR_LOCKED == static_cast<int>(vme::Code::kLocked));
static_assert(VME_ERR_LIMIT == static_cast<int>(vme::Code::kLimit));

}  // namespace

// The helpers of capi_internal.h, for the other files of src/capi.
vme_status vme::capi::Fail(vme_error** err, vme_status code, std::string message) noexcept {
  return ::Fail(err, code, std::move(message));
}
vme_status vme::capi::FailNoMemory(vme_error** err) noexcept { return ::FailNoMemory(err); }
vme_status vme::capi::FailInternal(vme_error** err, const char* what) noexcept {
  return ::FailInternal(err, what);
}
vme_status vme::capi::FromStatus(const Status& st, vme_error** err) {
  return ::FromStatus(st, err);
}
vme_status vme::capi::NullArg(vme_error** err, const char* fn, const char* arg) {
  return ::NullArg(err, fn, arg);
}
std::shared_ptr<vme::storage::Storage> vme::capi::AcquireStorage(const vme_db* db, vme_error** err,
                                                                 const char* fn, vme_status* st) {
  return ::Acquire(db, err, fn, st);
}
vme_add_result vme::capi::ToCAddResult(const vme::storage::AddRowsResult& r) {
  return ::ToCResult(r);
}

// Ends `vme_status f(...) noexcept try { ... }`: no exception crosses the C ABI.
#define VME_CATCH_ALL(err)                         \
  catch (const std::bad_alloc&) {                  \
    return FailNoMemory(err);                      \
  }                                                \
  catch (const std::exception& e) {                \
    return FailInternal(err, e.what());            \
  }                                                \
  catch (...) {                                    \
    return FailInternal(err, "unknown exception"); \
  }

extern "C" {

const char* vme_version_string(void) noexcept { return VME_VERSION_STRING; }
uint32_t vme_version_number(void) noexcept { return VME_VERSION_NUMBER; }
uint32_t vme_abi_version(void) noexcept { return VME_ABI_VERSION; }
void vme_library_shutdown(void) noexcept {
  try {
    vme::storage::ShutdownTaskScheduler();
  } catch (...) {
  }
}

const char* vme_status_string(vme_status status) noexcept {
  // VME_DONE is the only public status that is not a vme::Code; every other name, including
  // "unknown status" for values outside the enum, comes from vme::CodeName.
  if (status == VME_DONE) return "done";
  return vme::CodeName(static_cast<vme::Code>(status));
}

vme_status vme_error_code(const vme_error* err) noexcept { return err ? err->code : VME_OK; }
const char* vme_error_message(const vme_error* err) noexcept {
  return err ? err->message.c_str() : "";
}
void vme_error_free(vme_error* err) noexcept { delete err; }
const char* vme_last_error_message(void) noexcept { return tls_last_error.c_str(); }
void vme_free(void* p) noexcept { std::free(p); }

vme_options* vme_options_create(void) noexcept {
  try {
    return new vme_options();
  } catch (...) {
    return nullptr;
  }
}
void vme_options_destroy(vme_options* opts) noexcept { delete opts; }

vme_status vme_options_set_retention_ms(vme_options* opts, int64_t retention_ms,
                                        vme_error** err) noexcept try {
  if (opts == nullptr) return NullArg(err, "vme_options_set_retention_ms", "opts");
  if (retention_ms < 0) {
    return Fail(err, VME_ERR_INVALID_ARGUMENT,
                "vme_options_set_retention_ms: retention_ms must be >= 0, got " +
                    std::to_string(retention_ms));
  }
  opts->opts.retention_ms = retention_ms;
  return VME_OK;
}
VME_CATCH_ALL(err)

vme_status vme_options_set_tenant(vme_options* opts, uint32_t account_id, uint32_t project_id,
                                  vme_error** err) noexcept try {
  if (opts == nullptr) return NullArg(err, "vme_options_set_tenant", "opts");
  opts->opts.account_id = account_id;
  opts->opts.project_id = project_id;
  return VME_OK;
}
VME_CATCH_ALL(err)

vme_status vme_options_set_cache_bytes(vme_options* opts, uint64_t bytes, vme_error** err) noexcept
    try {
  if (opts == nullptr) return NullArg(err, "vme_options_set_cache_bytes", "opts");
  if (bytes < (1u << 20)) {
    return Fail(err, VME_ERR_INVALID_ARGUMENT,
                "vme_options_set_cache_bytes: the cache budget must be at least 1 MiB, got " +
                    std::to_string(bytes));
  }
  opts->opts.cache_bytes = bytes;
  return VME_OK;
}
VME_CATCH_ALL(err)

vme_status vme_options_set(vme_options* opts, const char* key, const char* value,
                           vme_error** err) noexcept try {
  if (opts == nullptr) return NullArg(err, "vme_options_set", "opts");
  if (key == nullptr) return NullArg(err, "vme_options_set", "key");
  if (value == nullptr) return NullArg(err, "vme_options_set", "value");
  const std::string k(key);
  uint64_t u = 0;
  auto bad = [&] {
    return Fail(
        err, VME_ERR_INVALID_ARGUMENT,
        "vme_options_set: invalid value '" + std::string(value) + "' for option '" + k + "'");
  };
  if (k == "retention_ms") {
    if (!ParseU64(value, &u) || u > static_cast<uint64_t>(INT64_MAX)) return bad();
    opts->opts.retention_ms = static_cast<int64_t>(u);
  } else if (k == "retention") {
    int64_t ms;
    if (!ParseRetentionMs(value, &ms)) return bad();
    opts->opts.retention_ms = ms;
  } else if (k == "account_id" || k == "project_id") {
    if (!ParseU64(value, &u) || u > UINT32_MAX) return bad();
    (k == "account_id" ? opts->opts.account_id : opts->opts.project_id) = static_cast<uint32_t>(u);
  } else if (k == "cache_bytes") {
    if (!ParseU64(value, &u) || u < (1u << 20)) return bad();
    opts->opts.cache_bytes = u;
  } else if (k == "dedup_interval_ms") {
    if (!ParseU64(value, &u) || u > static_cast<uint64_t>(INT64_MAX)) return bad();
    opts->opts.dedup_interval_ms = static_cast<int64_t>(u);
  } else if (k == "read_only") {
    if (std::strcmp(value, "0") != 0 && std::strcmp(value, "1") != 0) return bad();
    opts->opts.read_only = value[0] == '1';
  } else if (k == "background_threads" || k == "small_merge_workers" || k == "big_merge_workers") {
    if (!ParseU64(value, &u) || u > 1024) return bad();
    const int v = static_cast<int>(u);
    (k == "background_threads"    ? opts->opts.background_threads
     : k == "small_merge_workers" ? opts->opts.small_merge_workers
                                  : opts->opts.big_merge_workers) = v;
  } else if (k == "raw_rows_flush_interval_ms" || k == "inmemory_parts_flush_interval_ms" ||
             k == "final_merge_delay_ms") {
    if (!ParseU64(value, &u) || u > static_cast<uint64_t>(INT64_MAX)) return bad();
    if (k != "final_merge_delay_ms" && u == 0) return bad();
    (k == "raw_rows_flush_interval_ms"         ? opts->opts.raw_rows_flush_interval_ms
     : k == "inmemory_parts_flush_interval_ms" ? opts->opts.inmemory_parts_flush_interval_ms
                                               : opts->opts.final_merge_delay_ms) =
        static_cast<int64_t>(u);
  } else if (k == "raw_rows_memory_bytes") {
    if (!ParseU64(value, &u) || u < (1u << 20)) return bad();
    opts->opts.raw_rows_memory_bytes = u;
  } else if (k == "max_raw_rows_per_shard" || k == "max_small_parts") {
    if (!ParseU64(value, &u) || u == 0 || u > (1ull << 32)) return bad();
    (k == "max_raw_rows_per_shard" ? opts->opts.max_raw_rows_per_shard
                                   : opts->opts.max_small_parts) = static_cast<size_t>(u);
  } else if (k == "background") {
    if (std::strcmp(value, "0") != 0 && std::strcmp(value, "1") != 0) return bad();
    opts->opts.background = value[0] == '1';
  } else if (k == "wal_mode") {
    using M = vme::storage::StorageOptions::WalMode;
    const std::string v(value);
    if (v == "off") {
      opts->opts.wal_mode = M::kOff;
    } else if (v == "async") {
      opts->opts.wal_mode = M::kAsync;
    } else if (v == "sync") {
      opts->opts.wal_mode = M::kSync;
    } else {
      return bad();
    }
  } else if (k == "wal_sync_interval_ms") {
    if (!ParseU64(value, &u) || u == 0 || u > 3'600'000) return bad();
    opts->opts.wal_sync_interval_ms = static_cast<int64_t>(u);
  } else if (k == "wal_max_bytes") {
    if (!ParseU64(value, &u) || u < (1u << 20)) return bad();
    opts->opts.wal_max_bytes = u;
  } else if (k == "wal_recovery") {
    const std::string v(value);
    if (v == "strict") {
      opts->opts.wal_recovery = vme::storage::WalRecovery::kStrict;
    } else if (v == "skip_corrupt") {
      opts->opts.wal_recovery = vme::storage::WalRecovery::kSkipCorrupt;
    } else {
      return bad();
    }
  } else if (k == "quarantine") {
    const std::string v(value);
    if (v != "true" && v != "false" && v != "1" && v != "0") return bad();
    opts->opts.quarantine = v == "true" || v == "1";
  } else {
    return Fail(err, VME_ERR_INVALID_ARGUMENT, "vme_options_set: unknown option '" + k + "'");
  }
  return VME_OK;
}
VME_CATCH_ALL(err)

vme_status vme_open(const char* path, const vme_options* opts, vme_db** out,
                    vme_error** err) noexcept try {
  if (path == nullptr) return NullArg(err, "vme_open", "path");
  if (out == nullptr) return NullArg(err, "vme_open", "out");
  *out = nullptr;
  vme::storage::StorageOptions o = opts ? opts->opts : vme::storage::StorageOptions();
  auto r = vme::storage::Storage::Open(path, o);
  if (!r.ok()) return FromStatus(r.status(), err);
  auto* db = new vme_db{std::move(r).value()};
  {
    std::lock_guard<std::mutex> l(RegistryMutex());
    Registry().insert(db);
  }
  *out = db;
  return VME_OK;
}
VME_CATCH_ALL(err)

vme_status vme_close(vme_db* db, vme_error** err) noexcept try {
  if (db == nullptr) return VME_OK;
  {
    std::lock_guard<std::mutex> l(RegistryMutex());
    if (Registry().erase(db) == 0) {
      return Fail(err, VME_ERR_CLOSED, "vme_close: the db handle is already closed or invalid");
    }
  }
  Status st = db->storage->Close();
  delete db;
  return FromStatus(st, err);
}
VME_CATCH_ALL(err)

vme_status vme_flush(vme_db* db, vme_error** err) noexcept try {
  vme_status st;
  auto s = Acquire(db, err, "vme_flush", &st);
  if (!s) return st;
  return FromStatus(s->Flush(), err);
}
VME_CATCH_ALL(err)

vme_status vme_background_run_once(vme_db* db, vme_error** err) noexcept try {
  vme_status st;
  auto s = Acquire(db, err, "vme_background_run_once", &st);
  if (!s) return st;
  return FromStatus(s->RunBackgroundOnce(), err);
}
VME_CATCH_ALL(err)

namespace {

// The body of vme_add_rows and vme_add_rows_report (fn names the entry point in errors);
// row_status (nullable) gets every row's outcome.
vme_status AddRows(const char* fn, vme_db* db, const uint8_t* keys, size_t keys_len,
                   const uint32_t* key_offsets, const int64_t* ts_ms, const double* values,
                   size_t n, uint8_t* row_status, vme_add_result* result, vme_error** err) {
  static_assert(VME_ROW_STORED == vme::storage::kRowStored &&
                VME_ROW_INVALID_LABELS == vme::storage::kRowInvalidLabels &&
                VME_ROW_NAN == vme::storage::kRowNaN &&
                VME_ROW_OUT_OF_RETENTION == vme::storage::kRowOutOfRetention &&
                VME_ROW_TOO_FAR_FUTURE == vme::storage::kRowTooFarFuture &&
                VME_ROW_INVALID_TIMESTAMP == vme::storage::kRowInvalidTimestamp &&
                VME_ROW_FAILED == vme::storage::kRowFailed);
  if (result != nullptr) *result = vme_add_result{};
  if (row_status != nullptr && n > 0) std::memset(row_status, VME_ROW_FAILED, n);
  vme_status st;
  auto s = Acquire(db, err, fn, &st);
  if (!s) return st;
  if (n == 0) return VME_OK;
  if (keys == nullptr && keys_len > 0) return NullArg(err, fn, "keys");
  if (key_offsets == nullptr) return NullArg(err, fn, "key_offsets");
  if (ts_ms == nullptr) return NullArg(err, fn, "ts_ms");
  if (values == nullptr) return NullArg(err, fn, "values");
  static const uint8_t kEmpty = 0;
  vme::storage::AddRowsResult r;
  const auto& o = s->options();
  Status status = s->AddRows(keys ? keys : &kEmpty, keys_len, key_offsets, ts_ms, values, n,
                             o.account_id, o.project_id, &r, row_status);
  if (result != nullptr) *result = ToCResult(r);
  return FromStatus(status.WithContext(fn), err);
}

}  // namespace

vme_status vme_add_rows(vme_db* db, const uint8_t* keys, size_t keys_len,
                        const uint32_t* key_offsets, const int64_t* ts_ms, const double* values,
                        size_t n, vme_add_result* result, vme_error** err) noexcept try {
  return AddRows("vme_add_rows", db, keys, keys_len, key_offsets, ts_ms, values, n, nullptr, result,
                 err);
}
VME_CATCH_ALL(err)

vme_status vme_add_series(vme_db* db, const uint8_t* key, size_t key_len, const int64_t* ts_ms,
                          const double* values, size_t n, vme_add_result* result,
                          vme_error** err) noexcept try {
  if (result != nullptr) *result = vme_add_result{};
  vme_status st;
  auto s = Acquire(db, err, "vme_add_series", &st);
  if (!s) return st;
  if (n == 0) return VME_OK;
  if (key == nullptr && key_len > 0) return NullArg(err, "vme_add_series", "key");
  if (ts_ms == nullptr) return NullArg(err, "vme_add_series", "ts_ms");
  if (values == nullptr) return NullArg(err, "vme_add_series", "values");
  static const uint8_t kEmpty = 0;
  vme::storage::AddRowsResult r;
  const auto& o = s->options();
  Status status = s->AddRows(key ? key : &kEmpty, key_len, nullptr, ts_ms, values, n, o.account_id,
                             o.project_id, &r);
  if (result != nullptr) *result = ToCResult(r);
  return FromStatus(status.WithContext("vme_add_series"), err);
}
VME_CATCH_ALL(err)

vme_status vme_add_rows_report(vme_db* db, const uint8_t* keys, size_t keys_len,
                               const uint32_t* key_offsets, const int64_t* ts_ms,
                               const double* values, size_t n, uint8_t* row_status,
                               vme_add_result* result, vme_error** err) noexcept try {
  return AddRows("vme_add_rows_report", db, keys, keys_len, key_offsets, ts_ms, values, n,
                 row_status, result, err);
}
VME_CATCH_ALL(err)

vme_status vme_series_refs_resolve(vme_db* db, const uint8_t* keys, size_t keys_len,
                                   const uint32_t* key_offsets, size_t n, uint64_t* refs,
                                   vme_error** err) noexcept try {
  const char* fn = "vme_series_refs_resolve";
  vme_status st;
  auto s = Acquire(db, err, fn, &st);
  if (!s) return st;
  if (n == 0) return VME_OK;
  if (keys == nullptr && keys_len > 0) return NullArg(err, fn, "keys");
  if (key_offsets == nullptr) return NullArg(err, fn, "key_offsets");
  if (refs == nullptr) return NullArg(err, fn, "refs");
  static const uint8_t kEmpty = 0;
  const auto& o = s->options();
  return FromStatus(s->ResolveSeriesRefs(keys ? keys : &kEmpty, keys_len, key_offsets, n,
                                         o.account_id, o.project_id, refs)
                        .WithContext(fn),
                    err);
}
VME_CATCH_ALL(err)

vme_status vme_series_refs_release(vme_db* db, const uint64_t* refs, size_t n,
                                   vme_error** err) noexcept try {
  const char* fn = "vme_series_refs_release";
  vme_status st;
  auto s = Acquire(db, err, fn, &st);
  if (!s) return st;
  if (n == 0) return VME_OK;
  if (refs == nullptr) return NullArg(err, fn, "refs");
  return FromStatus(s->ReleaseSeriesRefs(refs, n).WithContext(fn), err);
}
VME_CATCH_ALL(err)

vme_status vme_add_rows_ref(vme_db* db, const uint64_t* refs, const int64_t* ts_ms,
                            const double* values, size_t n, uint8_t* row_status,
                            vme_add_result* result, vme_error** err) noexcept try {
  const char* fn = "vme_add_rows_ref";
  if (result != nullptr) *result = vme_add_result{};
  if (row_status != nullptr && n > 0) std::memset(row_status, VME_ROW_FAILED, n);
  vme_status st;
  auto s = Acquire(db, err, fn, &st);
  if (!s) return st;
  if (n == 0) return VME_OK;
  if (refs == nullptr) return NullArg(err, fn, "refs");
  if (ts_ms == nullptr) return NullArg(err, fn, "ts_ms");
  if (values == nullptr) return NullArg(err, fn, "values");
  vme::storage::AddRowsResult r;
  Status status = s->AddRowsRef(refs, ts_ms, values, n, &r, row_status);
  if (result != nullptr) *result = ToCResult(r);
  return FromStatus(status.WithContext(fn), err);
}
VME_CATCH_ALL(err)

vme_query* vme_query_create(int64_t min_ts_ms, int64_t max_ts_ms) noexcept {
  try {
    auto* q = new vme_query();
    q->q.tr = {min_ts_ms, max_ts_ms};
    return q;
  } catch (...) {
    return nullptr;
  }
}

void vme_query_destroy(vme_query* q) noexcept { delete q; }

vme_status vme_query_set_time_range(vme_query* q, int64_t min_ts_ms, int64_t max_ts_ms,
                                    vme_error** err) noexcept try {
  if (q == nullptr) return NullArg(err, "vme_query_set_time_range", "q");
  if (min_ts_ms > max_ts_ms) {
    return Fail(err, VME_ERR_INVALID_ARGUMENT,
                "vme_query_set_time_range: min_ts_ms " + std::to_string(min_ts_ms) +
                    " is greater than max_ts_ms " + std::to_string(max_ts_ms));
  }
  q->q.tr = {min_ts_ms, max_ts_ms};
  return VME_OK;
}
VME_CATCH_ALL(err)

vme_status vme_query_add_matcher(vme_query* q, vme_match_type type, const char* name,
                                 size_t name_len, const char* value, size_t value_len,
                                 vme_error** err) noexcept try {
  if (q == nullptr) return NullArg(err, "vme_query_add_matcher", "q");
  if (name == nullptr && name_len > 0) return NullArg(err, "vme_query_add_matcher", "name");
  if (value == nullptr && value_len > 0) return NullArg(err, "vme_query_add_matcher", "value");
  if (type < VME_MATCH_EQ || type > VME_MATCH_NRE) {
    return Fail(err, VME_ERR_INVALID_ARGUMENT,
                "vme_query_add_matcher: invalid matcher type " + std::to_string(type));
  }
  const bool neg = type == VME_MATCH_NEQ || type == VME_MATCH_NRE;
  const bool re = type == VME_MATCH_RE || type == VME_MATCH_NRE;
  Status st = q->q.filters.Add(std::string_view(name ? name : "", name_len),
                               std::string_view(value ? value : "", value_len), neg, re);
  return FromStatus(st.WithContext("vme_query_add_matcher"), err);
}
VME_CATCH_ALL(err)

vme_status vme_query_add_selector(vme_query* q, const char* selector, vme_error** err) noexcept
    try {
  if (q == nullptr) return NullArg(err, "vme_query_add_selector", "q");
  if (selector == nullptr) return NullArg(err, "vme_query_add_selector", "selector");
  vme::storage::TagFilters parsed;
  Status st = vme::storage::ParseSelector(selector, &parsed);
  if (!st.ok()) return FromStatus(st, err);
  for (const auto& f : parsed.filters()) q->q.filters.AddFilter(f);
  return VME_OK;
}
VME_CATCH_ALL(err)

vme_status vme_query_set_tenant(vme_query* q, uint32_t account_id, uint32_t project_id,
                                vme_error** err) noexcept try {
  if (q == nullptr) return NullArg(err, "vme_query_set_tenant", "q");
  q->q.account_id = account_id;
  q->q.project_id = project_id;
  q->tenant_set = true;
  return VME_OK;
}
VME_CATCH_ALL(err)

vme_status vme_query_set_limit(vme_query* q, uint64_t max_series, vme_error** err) noexcept try {
  if (q == nullptr) return NullArg(err, "vme_query_set_limit", "q");
  q->q.max_series = max_series;
  return VME_OK;
}
VME_CATCH_ALL(err)

static vme::storage::SearchQuery ResolveQuery(const vme::storage::Storage& s, const vme_query* q) {
  vme::storage::SearchQuery out;
  if (q != nullptr) out = q->q;
  if (q == nullptr || !q->tenant_set) {
    out.account_id = s.options().account_id;
    out.project_id = s.options().project_id;
  }
  return out;
}

vme_status vme_search(vme_db* db, const vme_query* q, vme_series_iter** out,
                      vme_error** err) noexcept try {
  vme_status st;
  auto s = Acquire(db, err, "vme_search", &st);
  if (!s) return st;
  if (q == nullptr) return NullArg(err, "vme_search", "q");
  if (out == nullptr) return NullArg(err, "vme_search", "out");
  *out = nullptr;
  auto r = s->Search(ResolveQuery(*s, q));
  if (!r.ok()) return FromStatus(r.status(), err);
  *out = new vme_series_iter{std::move(r).value(), false};
  return VME_OK;
}
VME_CATCH_ALL(err)

vme_status vme_series_iter_next(vme_series_iter* it, vme_error** err) noexcept try {
  if (it == nullptr) return NullArg(err, "vme_series_iter_next", "it");
  bool done = false;
  it->has_current = false;
  Status st = it->it->Next(&done);
  if (!st.ok()) return FromStatus(st, err);
  if (done) return VME_DONE;
  it->has_current = true;
  return VME_OK;
}
VME_CATCH_ALL(err)

void vme_series_iter_key(const vme_series_iter* it, const uint8_t** key, size_t* len) noexcept {
  const uint8_t* k = nullptr;
  size_t n = 0;
  try {
    if (it != nullptr && it->has_current) {
      const std::string& s = it->it->key();
      k = reinterpret_cast<const uint8_t*>(s.data());
      n = s.size();
    }
  } catch (...) {
    k = nullptr;
    n = 0;
  }
  if (key != nullptr) *key = k;
  if (len != nullptr) *len = n;
}

const char* vme_series_iter_name(const vme_series_iter* it) noexcept {
  try {
    if (it != nullptr && it->has_current) return it->it->text().c_str();
  } catch (...) {
  }
  return "";
}

size_t vme_series_iter_samples(const vme_series_iter* it, const int64_t** ts,
                               const double** values) noexcept {
  if (it == nullptr || !it->has_current) {
    if (ts != nullptr) *ts = nullptr;
    if (values != nullptr) *values = nullptr;
    return 0;
  }
  if (ts != nullptr) *ts = it->it->timestamps().data();
  if (values != nullptr) *values = it->it->values().data();
  return it->it->timestamps().size();
}

vme_status vme_series_iter_copy_samples(const vme_series_iter* it, int64_t* ts, double* values,
                                        size_t cap, size_t* n_out, vme_error** err) noexcept try {
  if (it == nullptr) return NullArg(err, "vme_series_iter_copy_samples", "it");
  if (n_out == nullptr) return NullArg(err, "vme_series_iter_copy_samples", "n_out");
  const size_t n = it->has_current ? it->it->timestamps().size() : 0;
  *n_out = n;
  if (n > cap) {
    return Fail(err, VME_ERR_BUFFER_TOO_SMALL,
                "vme_series_iter_copy_samples: the series has " + std::to_string(n) +
                    " samples but cap is " + std::to_string(cap));
  }
  if (n > 0 && (ts == nullptr || values == nullptr)) {
    return NullArg(err, "vme_series_iter_copy_samples", ts == nullptr ? "ts" : "values");
  }
  if (n > 0) {
    std::memcpy(ts, it->it->timestamps().data(), n * sizeof(int64_t));
    std::memcpy(values, it->it->values().data(), n * sizeof(double));
  }
  return VME_OK;
}
VME_CATCH_ALL(err)

void vme_series_iter_close(vme_series_iter* it) noexcept { delete it; }

vme_status vme_label_names(vme_db* db, const vme_query* q, vme_strlist** out,
                           vme_error** err) noexcept try {
  vme_status st;
  auto s = Acquire(db, err, "vme_label_names", &st);
  if (!s) return st;
  if (out == nullptr) return NullArg(err, "vme_label_names", "out");
  *out = nullptr;
  auto list = std::make_unique<vme_strlist>();
  vme::storage::SearchQuery sq = ResolveQuery(*s, q);
  Status status = s->LabelNames(q ? &sq : nullptr, &list->items);
  if (!status.ok()) return FromStatus(status, err);
  *out = list.release();
  return VME_OK;
}
VME_CATCH_ALL(err)

vme_status vme_label_values(vme_db* db, const char* name, size_t name_len, const vme_query* q,
                            vme_strlist** out, vme_error** err) noexcept try {
  vme_status st;
  auto s = Acquire(db, err, "vme_label_values", &st);
  if (!s) return st;
  if (name == nullptr) return NullArg(err, "vme_label_values", "name");
  if (out == nullptr) return NullArg(err, "vme_label_values", "out");
  *out = nullptr;
  auto list = std::make_unique<vme_strlist>();
  vme::storage::SearchQuery sq = ResolveQuery(*s, q);
  Status status = s->LabelValues(std::string_view(name, name_len), q ? &sq : nullptr, &list->items);
  if (!status.ok()) return FromStatus(status, err);
  *out = list.release();
  return VME_OK;
}
VME_CATCH_ALL(err)

size_t vme_strlist_count(const vme_strlist* list) noexcept { return list ? list->items.size() : 0; }

const char* vme_strlist_get(const vme_strlist* list, size_t i, size_t* len) noexcept {
  if (list == nullptr || i >= list->items.size()) {
    if (len != nullptr) *len = 0;
    return nullptr;
  }
  if (len != nullptr) *len = list->items[i].size();
  return list->items[i].c_str();
}

void vme_strlist_free(vme_strlist* list) noexcept { delete list; }

vme_status vme_series_count(vme_db* db, const vme_query* q, uint64_t* out, vme_error** err) noexcept
    try {
  vme_status st;
  auto s = Acquire(db, err, "vme_series_count", &st);
  if (!s) return st;
  if (out == nullptr) return NullArg(err, "vme_series_count", "out");
  vme::storage::SearchQuery sq = ResolveQuery(*s, q);
  return FromStatus(s->SeriesCount(q ? &sq : nullptr, out), err);
}
VME_CATCH_ALL(err)

vme_status vme_force_merge(vme_db* db, const char* partition_prefix, vme_error** err) noexcept try {
  vme_status st;
  auto s = Acquire(db, err, "vme_force_merge", &st);
  if (!s) return st;
  return FromStatus(s->ForceMerge(partition_prefix ? partition_prefix : ""), err);
}
VME_CATCH_ALL(err)

vme_status vme_delete_series(vme_db* db, const vme_query* q, uint64_t* deleted,
                             vme_error** err) noexcept try {
  if (deleted != nullptr) *deleted = 0;
  vme_status st;
  auto s = Acquire(db, err, "vme_delete_series", &st);
  if (!s) return st;
  if (q == nullptr) return NullArg(err, "vme_delete_series", "q");
  return FromStatus(s->DeleteSeries(ResolveQuery(*s, q), deleted), err);
}
VME_CATCH_ALL(err)

vme_status vme_snapshot_create(vme_db* db, char** name_out, vme_error** err) noexcept try {
  vme_status st;
  auto s = Acquire(db, err, "vme_snapshot_create", &st);
  if (!s) return st;
  if (name_out == nullptr) return NullArg(err, "vme_snapshot_create", "name_out");
  *name_out = nullptr;
  std::string name;
  Status status = s->CreateSnapshot(&name);
  if (!status.ok()) return FromStatus(status, err);
  char* out = static_cast<char*>(std::malloc(name.size() + 1));
  if (out == nullptr) return Fail(err, VME_ERR_NO_MEMORY, "out of memory");
  std::memcpy(out, name.c_str(), name.size() + 1);
  *name_out = out;
  return VME_OK;
}
VME_CATCH_ALL(err)

vme_status vme_snapshot_list(vme_db* db, vme_strlist** out, vme_error** err) noexcept try {
  vme_status st;
  auto s = Acquire(db, err, "vme_snapshot_list", &st);
  if (!s) return st;
  if (out == nullptr) return NullArg(err, "vme_snapshot_list", "out");
  *out = nullptr;
  auto list = std::make_unique<vme_strlist>();
  Status status = s->ListSnapshots(&list->items);
  if (!status.ok()) return FromStatus(status, err);
  *out = list.release();
  return VME_OK;
}
VME_CATCH_ALL(err)

vme_status vme_snapshot_delete(vme_db* db, const char* name, vme_error** err) noexcept try {
  vme_status st;
  auto s = Acquire(db, err, "vme_snapshot_delete", &st);
  if (!s) return st;
  if (name == nullptr) return NullArg(err, "vme_snapshot_delete", "name");
  return FromStatus(s->DeleteSnapshot(name), err);
}
VME_CATCH_ALL(err)

vme_status vme_stats_get(vme_db* db, vme_stats** out, vme_error** err) noexcept try {
  vme_status st;
  auto s = Acquire(db, err, "vme_stats_get", &st);
  if (!s) return st;
  if (out == nullptr) return NullArg(err, "vme_stats_get", "out");
  auto stats = std::make_unique<vme_stats>();
  s->Stats(&stats->entries);
  if (s->closed()) return Fail(err, VME_ERR_CLOSED, "vme_stats_get: the db is closed");
  const vme::storage::BackgroundError bg = s->LastBackgroundError();
  stats->texts[stats->entries.size()] = bg.message;
  stats->entries.emplace_back("background_last_error", static_cast<double>(bg.time_ms));
  *out = stats.release();
  return VME_OK;
}
VME_CATCH_ALL(err)

size_t vme_stats_count(const vme_stats* stats) noexcept {
  return stats ? stats->entries.size() : 0;
}
const char* vme_stats_name(const vme_stats* stats, size_t i) noexcept {
  if (stats == nullptr || i >= stats->entries.size()) return nullptr;
  return stats->entries[i].first.c_str();
}
double vme_stats_value(const vme_stats* stats, size_t i) noexcept {
  if (stats == nullptr || i >= stats->entries.size()) return 0;
  return stats->entries[i].second;
}
const char* vme_stats_text(const vme_stats* stats, size_t i) noexcept {
  if (stats == nullptr) return nullptr;
  const auto it = stats->texts.find(i);
  return it == stats->texts.end() ? nullptr : it->second.c_str();
}
void vme_stats_free(vme_stats* stats) noexcept { delete stats; }

}  // extern "C"
