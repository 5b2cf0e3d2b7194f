// vme_import_prometheus and vme_import_prometheus_file (include/vmengine.h, "Import"): the C
// entry points of the Prometheus text importer (src/import/importer.h).
#include <string>

#include "capi/capi_internal.h"
#include "import/importer.h"
#include "import/line_reader.h"
#include "vmengine.h"

namespace {

using vme::Status;

// Checks the db handle (then null_arg: the name of a NULL input argument, or nullptr) and runs
// body(importer); stores the counters in *result.
template <typename Body>
vme_status RunImport(const char* fn, vme_db* db, const char* null_arg, int64_t default_ts_ms,
                     uint32_t flags, vme_import_result* result, vme_error** err, const Body& body) {
  if (result != nullptr) *result = vme_import_result{};
  vme_status st;
  auto s = vme::capi::AcquireStorage(db, err, fn, &st);
  if (!s) return st;
  if (null_arg != nullptr) return vme::capi::NullArg(err, fn, null_arg);
  if ((flags & ~static_cast<uint32_t>(VME_IMPORT_STRICT)) != 0) {
    return vme::capi::Fail(
        err, VME_ERR_INVALID_ARGUMENT,
        std::string(fn) + ": argument 'flags' has unknown bits (" + std::to_string(flags) + ")");
  }
  if (s->options().read_only) {
    return vme::capi::Fail(err, VME_ERR_MISUSE,
                           std::string(fn) + ": the db was opened read-only; nothing is imported");
  }
  vme::prom::Importer importer(s.get(), default_ts_ms, (flags & VME_IMPORT_STRICT) != 0);
  Status status = body(&importer);
  // The rows of the lines before a failure are stored too.
  Status finish = importer.Finish();
  if (status.ok()) status = std::move(finish);
  if (result != nullptr) {
    const vme::prom::ImportCounters& c = importer.counters();
    result->rows = vme::capi::ToCAddResult(c.rows);
    result->lines_read = c.lines_read;
    result->lines_skipped = c.lines_skipped;
    result->first_skipped_line = c.first_skipped_line;
  }
  return vme::capi::FromStatus(status.WithContext(fn), err);
}

}  // namespace

extern "C" {

vme_status vme_import_prometheus(vme_db* db, const char* text, size_t len, int64_t default_ts_ms,
                                 uint32_t flags, vme_import_result* result,
                                 vme_error** err) noexcept try {
  const char* fn = "vme_import_prometheus";
  const char* null_arg = text == nullptr && len > 0 ? "text" : nullptr;
  return RunImport(
      fn, db, null_arg, default_ts_ms, flags, result, err, [&](vme::prom::Importer* imp) {
        return imp->ImportText(std::string_view(text == nullptr ? "" : text, len), std::string());
      });
}
VME_CAPI_CATCH_ALL(err)

vme_status vme_import_prometheus_file(vme_db* db, const char* path, int64_t default_ts_ms,
                                      uint32_t flags, vme_import_result* result,
                                      vme_error** err) noexcept try {
  const char* fn = "vme_import_prometheus_file";
  return RunImport(fn, db, path == nullptr ? "path" : nullptr, default_ts_ms, flags, result, err,
                   [&](vme::prom::Importer* imp) {
                     vme::prom::LineReader reader;
                     VME_RETURN_IF_ERROR(reader.Open(path));
                     return imp->ImportReader(&reader);
                   });
}
VME_CAPI_CATCH_ALL(err)

}  // extern "C"
