/*
 * vmengine.h: the public C API of vmengine, an embeddable time-series storage engine that
 * keeps its data in the on-disk format of VictoriaMetrics 1.72 (cluster flavour, vmstorage).
 *
 * Conventions (docs/c-api.md has the long form):
 *
 * Units.   Timestamps are int64_t milliseconds since the Unix epoch, UTC. Values are IEEE-754
 *          binary64 (double). Time ranges are inclusive on both ends.
 *
 * Errors.  Every fallible call returns a vme_status: VME_OK (0), VME_DONE (1, end of an
 *          iteration) or a negative VME_ERR_* code. Its last parameter `vme_error** err` may be
 *          NULL; if it is not and the call fails, *err receives a new error object (code plus
 *          a message that names the file, offset, argument or line at fault), which the caller
 *          frees with vme_error_free(). The error belongs to this call only: bindings must use
 *          it, not vme_last_error_message(). Each function's "Errors:" line lists its codes;
 *          besides them, any call that returns a vme_status may return VME_ERR_NO_MEMORY
 *          (allocation failed) or VME_ERR_INTERNAL (a bug). No C++ exception ever leaves the
 *          library. Functions that cannot fail say "Errors: none" and what they return for a
 *          bad (e.g. NULL) argument.
 *
 * Memory.  Inputs are borrowed for the duration of the call; the library copies what it
 *          keeps. Outputs are (a) borrowed views, valid until the next call on the same
 *          iterator or list, or until it is freed, (b) owned handles with their own _free or
 *          _close, or (c) raw buffers freed with vme_free(). Every free/close function accepts
 *          NULL.
 *
 * Threads. A vme_db is fully thread-safe: any number of threads may add rows, search, flush
 *          and close concurrently. Iterators, queries, options, string lists and stats are not
 *          safe for concurrent use but have no thread affinity: they may move between threads
 *          when used by one thread at a time. vme_close() waits for calls in flight; afterwards
 *          every call on the db returns VME_ERR_CLOSED, and so does vme_series_iter_next() on
 *          its iterators (their accessors keep returning the series they already hold).
 *
 * Labels.  A series is identified by its labels, passed as one packed byte string (a "series
 *          key"): a sequence of label pairs, each
 *              u16 big-endian name length | name bytes | u16 big-endian value length | value bytes
 *          This is VictoriaMetrics' MetricNameRaw label encoding (MarshalMetricNameRaw in
 *          lib/storage/metric_name.go) without the tenant prefix. The metric name is the label
 *          "__name__" (an empty name also denotes it). Pairs may come in any order; they are
 *          canonicalised as VictoriaMetrics does (VictoriaMetrics MetricName.sortTags in
 *          lib/storage/metric_name.go: special-key order, last duplicate wins). Labels with an
 *          empty value are skipped. Limits (VictoriaMetrics MarshalMetricNameRaw in
 *          lib/storage/metric_name.go): a label name longer than 256 bytes, a value longer than
 *          16384 bytes or more than 30 labels make the row invalid: it is rejected and counted (see
 *          vme_add_result), never truncated silently. Every series needs a metric name: a key
 *          without "__name__" is rejected the same way. The labels as a whole have a size limit
 *          too: each index entry of a series holds its metric name with one label, or (the
 *          MetricName -> TSID entry) all of its labels, and no entry may exceed the 65536-byte
 *          limit of an indexdb item. In practice the total of the label names and values must stay
 *          below about 64 KiB (a little less when values contain the bytes 0x00-0x02, which take
 *          two bytes each); a row whose series breaks this limit is rejected the same way.
 *
 * Source.  Each declaration names the VictoriaMetrics 1.72 function it follows and its
 *          source file; byte layouts are described in docs/format.md.
 */
#ifndef VMENGINE_H_
#define VMENGINE_H_

#include <stddef.h>
#include <stdint.h>

#if defined(VME_STATIC)
#define VME_API
#elif defined(_WIN32)
#if defined(VME_BUILDING_LIBRARY)
#define VME_API __declspec(dllexport)
#else
#define VME_API __declspec(dllimport)
#endif
#else
#define VME_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
#define VME_NOEXCEPT noexcept
extern "C" {
#else
#define VME_NOEXCEPT
#endif

/* ---------------------------------------------------------------------------------------- */
/* Versions                                                                                  */

#define VME_VERSION_MAJOR 0
#define VME_VERSION_MINOR 2
#define VME_VERSION_PATCH 0
#define VME_VERSION_NUMBER (VME_VERSION_MAJOR * 10000 + VME_VERSION_MINOR * 100 + VME_VERSION_PATCH)
#define VME_VERSION_STRING "0.2.0"
/* The ABI version equals the shared library's SOVERSION. */
#define VME_ABI_VERSION 0

/* Returns the library's version as "MAJOR.MINOR.PATCH" (static string, never freed).
 * Errors: none. */
VME_API const char* vme_version_string(void) VME_NOEXCEPT;
/* Returns MAJOR*10000 + MINOR*100 + PATCH of the loaded library. Errors: none. */
VME_API uint32_t vme_version_number(void) VME_NOEXCEPT;
/* Returns the ABI version (SOVERSION) of the loaded library; compare with VME_ABI_VERSION.
 * Errors: none. */
VME_API uint32_t vme_abi_version(void) VME_NOEXCEPT;
/* Ends oneTBB's worker threads, which run every db's background work. Call it after closing
 * every db and before dlclose(); the library may be used again afterwards (threads restart on
 * demand). Thread-safety: must not run concurrently with any other vme_ call. Errors: none. */
VME_API void vme_library_shutdown(void) VME_NOEXCEPT;

/* ---------------------------------------------------------------------------------------- */
/* Status codes and errors                                                                   */

typedef int32_t vme_status;

#define VME_OK 0
#define VME_DONE 1                    /* an iteration has no more items */
#define VME_ERR_INVALID_ARGUMENT (-1) /* NULL or malformed argument, selector, regex, label */
#define VME_ERR_NOT_FOUND (-2)        /* named snapshot, partition or file does not exist */
#define VME_ERR_CORRUPTION (-3)       /* a file on disk is malformed; message names file+offset */
#define VME_ERR_IO (-4)               /* the OS refused an operation (disk full, permissions) */
#define VME_ERR_NO_MEMORY (-5)        /* allocation failed */
#define VME_ERR_CLOSED (-6)           /* the db (or the db of this child handle) is closed */
#define VME_ERR_BUSY (-7)             /* reserved: the operation cannot run now; retry later */
#define VME_ERR_BUFFER_TOO_SMALL (-8) /* a caller buffer is too small; the needed size is set */
#define VME_ERR_MISUSE (-9)           /* API misuse, e.g. a handle used after it was freed */
#define VME_ERR_INTERNAL (-10)        /* a bug in vmengine; please report it */
#define VME_ERR_LOCKED (-11)          /* another process holds the data directory's flock.lock */
#define VME_ERR_LIMIT (-12)           /* a configured limit was exceeded (e.g. max series) */

typedef struct vme_error vme_error;

/* Returns a static, human-readable name for a status code ("OK", "invalid argument", ...).
 * Errors: none; "unknown status" for a value that is not a status code. */
VME_API const char* vme_status_string(vme_status status) VME_NOEXCEPT;
/* Returns the code of an error. Errors: none; VME_OK for NULL. */
VME_API vme_status vme_error_code(const vme_error* err) VME_NOEXCEPT;
/* Returns the message of an error (owned by err, valid until vme_error_free). Errors: none;
 * "" for NULL. */
VME_API const char* vme_error_message(const vme_error* err) VME_NOEXCEPT;
/* Frees an error. Accepts NULL. Errors: none. */
VME_API void vme_error_free(vme_error* err) VME_NOEXCEPT;
/* Returns the message of the last failed call on this thread, or "" (thread-local; valid until
 * the next vme_ call on this thread). A convenience for plain C only: bindings must use the
 * vme_error out-parameter, because goroutines and Java threads migrate between OS threads.
 * Errors: none ("" when the message could not be recorded for lack of memory). */
VME_API const char* vme_last_error_message(void) VME_NOEXCEPT;
/* Frees a raw buffer returned by the library (e.g. a snapshot name). Accepts NULL. Never pass
 * such a buffer to libc free(). Errors: none. */
VME_API void vme_free(void* p) VME_NOEXCEPT;

/* ---------------------------------------------------------------------------------------- */
/* Options                                                                                   */

typedef struct vme_options vme_options;

/* Creates options with the defaults: retention = keep everything, tenant 0:0, cache budget =
 * 256 MiB, deduplication off. Free with vme_options_destroy(). Errors: none; returns NULL
 * only when out of memory. */
VME_API vme_options* vme_options_create(void) VME_NOEXCEPT;
/* Frees options. Accepts NULL. Options may be freed right after vme_open(). Errors: none. */
VME_API void vme_options_destroy(vme_options* opts) VME_NOEXCEPT;
/* Sets the retention in milliseconds; rows older than now - retention are rejected at ingest
 * (counted in vme_add_result.rejected_out_of_retention). 0 (the default) keeps everything, and
 * so does INT64_MAX (how bindings say "forever"; no deadline derived from it can overflow).
 * Errors: VME_ERR_INVALID_ARGUMENT (NULL opts, a negative value). Source: VictoriaMetrics
 * table.retentionWatcher (lib/storage/table.go). */
VME_API vme_status vme_options_set_retention_ms(vme_options* opts, int64_t retention_ms,
                                                vme_error** err) VME_NOEXCEPT;
/* Sets the default tenant (AccountID, ProjectID) used by ingest and queries of this db.
 * Errors: VME_ERR_INVALID_ARGUMENT (NULL opts). Source: TSID AccountID / ProjectID (VictoriaMetrics
 * lib/storage/tsid.go, cluster flavour). */
VME_API vme_status vme_options_set_tenant(vme_options* opts, uint32_t account_id,
                                          uint32_t project_id, vme_error** err) VME_NOEXCEPT;
/* Sets the memory budget for caches in bytes. Minimum 1 MiB; default 256 MiB. It bounds this
 * db's TSID and metric-name caches, and 1/32 of it each bounds the two search caches, the
 * decoded index blocks of data parts and the tag filters -> MetricIDs answers (VictoriaMetrics'
 * indexBlockCache in lib/storage/part.go and tagFiltersCache in lib/storage/index_db.go).
 * The search caches are shared by every db of the process: the budget of the db that searched
 * last applies. The process-wide caches of decoded indexdb blocks take 1/16 (items blocks) and
 * 1/32 (index blocks) of the budget of the db opened last (VictoriaMetrics' mergeset
 * ibCache and idxbCache in lib/mergeset/part.go). The default "raw_rows_memory_bytes" is
 * derived from it too (see below).
 * Errors: VME_ERR_INVALID_ARGUMENT (NULL opts, less than 1 MiB). */
VME_API vme_status vme_options_set_cache_bytes(vme_options* opts, uint64_t bytes,
                                               vme_error** err) VME_NOEXCEPT;
/* Generic setter, for forward compatibility. Keys (values are decimal text unless noted):
 *   "retention_ms", "account_id", "project_id", "cache_bytes",
 *   "retention" (a number with a unit ms, s, m, h, d, w or y, e.g. "30d"; "0" keeps all; a
 *   bare number means months of 31 days, as VictoriaMetrics' -retentionPeriod),
 *   "dedup_interval_ms" (minimum scrape interval for deduplication; 0 = off),
 *   "read_only" ("0"/"1": ingest, delete, force merge and snapshot create/delete return
 *   VME_ERR_MISUSE and no background flushes or merges run. Nothing is written, from open to
 *   close: the data directory must exist (else vme_open returns VME_ERR_NOT_FOUND), no lock
 *   file is created or taken, no recovery is run and no missing directory, metadata or
 *   indexdb generation is created, so read-only media work. VictoriaMetrics has no
 *   read-only mode to follow: without the lock, a writer opened on the same directory may
 *   merge or remove files under the reader, whose queries may then fail or miss data;
 *   open read-only only directories no writer has open, such as snapshots and copies),
 *   "background" ("0"/"1", default 1: run background flushes and merges; with 0, rows
 *   reach disk only through vme_flush() and vme_close()),
 *   "background_threads" (threads of the db's oneTBB task arena; default: hardware threads),
 *   "raw_rows_flush_interval_ms" (default 1000, VictoriaMetrics partition.flushRawRows in
 *   lib/storage/partition.go),
 *   "inmemory_parts_flush_interval_ms" (default 5000, VictoriaMetrics partition.flushInmemoryParts
 *   in lib/storage/partition.go),
 *   "small_merge_workers", "big_merge_workers" (default (CPUs+1)/2 each, VictoriaMetrics
 *   partition.partsMerger in lib/storage/partition.go),
 *   "raw_rows_memory_bytes" (>= 1 MiB; default cache budget / 8: the memory for raw rows, the
 *   samples buffered before they become in-memory parts. It sizes the raw-row shards: rows per
 *   shard = budget / 56 / (shards + background threads + 1), within 10 000..500 000; a smaller
 *   budget means less memory and more, smaller in-memory parts to merge. VictoriaMetrics sizes
 *   them from system memory, getMaxRawRowsPerShard in lib/storage/partition.go),
 *   "max_raw_rows_per_shard" (rows buffered before a shard is handed to the arena; overrides
 *   the figure derived from "raw_rows_memory_bytes"),
 *   "max_small_parts" (default 256: above it a writer helps merge, VictoriaMetrics
 *   partition.addRowsPart in lib/storage/partition.go),
 *   "final_merge_delay_ms" (default 0 = off: after this long without merges, merge down to
 *   fewer parts, VictoriaMetrics partition.partsMerger in lib/storage/partition.go),
 *   "wal_mode" ("off" (default), "async" or "sync": the write-ahead log in <path>/wal/, which
 *   goes beyond VictoriaMetrics 1.72 (it has none; it ignores wal/, so the directory stays
 *   readable by it, without the rows not yet in parts). "off": rows are durable once their
 *   part is written, at most about 7 s after they were added or at vme_flush/vme_close.
 *   "async": vme_add_rows appends the rows to the log before returning (a killed process
 *   loses nothing) and the log is fdatasync'ed at least every "wal_sync_interval_ms" (an OS
 *   crash loses at most that window). "sync": vme_add_rows and vme_add_rows_ref return
 *   VME_OK only after the rows are fdatasync'ed; concurrent callers share fdatasyncs (group
 *   commit). A failed log write or fdatasync fails the call with VME_ERR_IO naming the
 *   segment. vme_open replays the log (in any mode, so a db reopened with "off" loses
 *   nothing), adding each acknowledged row exactly once; a read-only open ignores it),
 *   "wal_sync_interval_ms" (1..3600000 ms, default 100: the "async" sync period),
 *   "wal_max_bytes" (>= 1 MiB, default 512 MiB: a larger log forces a flush of the parts and
 *   the removal of its older segments instead of growing),
 *   "wal_recovery" ("strict" (default) or "skip_corrupt": a corrupt log record followed by
 *   valid ones fails vme_open with VME_ERR_CORRUPTION naming the segment and offset, or is
 *   skipped; a torn tail is always cut, with a line on stderr; docs/durability.md has the
 *   details; the log serves concurrent writers of the db with group commit),
 *   "quarantine" ("true"/"false" or "1"/"0", default false: a part that fails verification
 *   when the db opens, or whose block or index block fails its checksum or does not decode
 *   during a search or a merge, is moved to <path>/quarantine/<its path relative to path>
 *   (e.g. quarantine/data/small/2026_12/<part>), counted in the stat "quarantined_parts" and
 *   reported as the last background error naming the part and the reason; the db keeps
 *   serving the other parts. The search that met the corrupt bytes still returns
 *   VME_ERR_CORRUPTION; later searches no longer see the part, whose rows are gone from
 *   results. Off: VME_ERR_CORRUPTION (naming the part directory, the file and the offset)
 *   reaches the caller and nothing is moved. No effect with "read_only". vmengine-specific:
 *   VictoriaMetrics 1.72 has no part checksums; docs/format.md, "Checksums").
 * Errors: VME_ERR_INVALID_ARGUMENT (NULL opts, key or value; an unknown key or an unparsable
 * value, naming the key). */
VME_API vme_status vme_options_set(vme_options* opts, const char* key, const char* value,
                                   vme_error** err) VME_NOEXCEPT;

/* ---------------------------------------------------------------------------------------- */
/* Opening and closing                                                                       */

typedef struct vme_db vme_db;

/* Opens (creating if needed) the data directory `path`, which has the layout of a
 * VictoriaMetrics 1.72 storage directory (docs/format.md, "Directory tree"): directories written by
 * real VictoriaMetrics 1.72 open as they are; missing empty directories are recreated and cache/
 * is ignored. With the option "read_only" nothing is created or written: `path` must be an
 * existing data directory, no lock is taken (so a writer may change files meanwhile), and
 * the directory may be on read-only media. opts may be NULL for defaults. On success *out
 * receives the handle, to be closed with vme_close(). Errors: VME_ERR_INVALID_ARGUMENT (NULL
 * path/out), VME_ERR_NOT_FOUND (read-only open of a path with no data directory; the message
 * names the path), VME_ERR_LOCKED (another process holds flock.lock, docs/format.md,
 * "Other files"), VME_ERR_CORRUPTION (a part or index file is malformed; the message names it),
 * VME_ERR_IO. Source: Storage.OpenStorage (VictoriaMetrics lib/storage/storage.go). */
VME_API vme_status vme_open(const char* path, const vme_options* opts, vme_db** out,
                            vme_error** err) VME_NOEXCEPT;
/* Makes every row added so far durable (written as file parts and fsync'ed), stops background
 * work, releases the directory lock and frees the handle. Waits for calls in flight. Accepts
 * NULL (returns VME_OK). Live handles are tracked in a registry, so a second vme_close() of
 * the same pointer, or any later call with it, returns VME_ERR_CLOSED instead of touching
 * freed memory. Iterators still open keep what they need alive; their next call returns
 * VME_ERR_CLOSED. Errors: VME_ERR_CLOSED (a handle already closed or unknown), VME_ERR_IO (the
 * final flush failed; the handle is freed all the same). Source: Storage.MustClose (reference
 * VictoriaMetrics lib/storage/storage.go). */
VME_API vme_status vme_close(vme_db* db, vme_error** err) VME_NOEXCEPT;
/* Makes every row added before the call durable and searchable: raw rows become parts on
 * disk, new index entries are written, and directories are fsync'ed. Errors:
 * VME_ERR_INVALID_ARGUMENT (NULL db), VME_ERR_CLOSED, VME_ERR_IO. Source: Storage.DebugFlush
 * plus the in-memory-parts flush of VictoriaMetrics partition.flushInmemoryParts
 * (lib/storage/partition.go). */
VME_API vme_status vme_flush(vme_db* db, vme_error** err) VME_NOEXCEPT;
/* Runs, in the calling thread, one round of the background work as if every interval had
 * elapsed: writes new index entries, converts raw rows to in-memory parts and writes those to
 * disk, drops partitions and parts past retention, rotates indexdb when its deadline has
 * passed, then merges parts (small and big, in every partition, and indexdb) until the merge
 * policy picks none, with final merges once "final_merge_delay_ms" has passed since the last
 * merge. Meant for a db opened with "background" = 0, which it lets tests and applications
 * drive deterministically; safe from any thread, also while background work runs. Errors:
 * VME_ERR_INVALID_ARGUMENT (NULL db), VME_ERR_CLOSED, VME_ERR_MISUSE (a read-only db),
 * VME_ERR_IO or VME_ERR_CORRUPTION from a flush or merge (the message names the part),
 * VME_ERR_NO_MEMORY, VME_ERR_INTERNAL. Source: VictoriaMetrics lib/storage/partition.go
 * (rawRowsFlusher, inmemoryPartsFlusher, mergeWorker) and storage.go (retention watcher,
 * indexdb rotation). */
VME_API vme_status vme_background_run_once(vme_db* db, vme_error** err) VME_NOEXCEPT;

/* ---------------------------------------------------------------------------------------- */
/* Ingest                                                                                    */

/* Per-call ingest counters. A rejected row is never stored; every rejection is counted. */
typedef struct vme_add_result {
  uint64_t rows_added;                 /* rows accepted into the raw-row buffers */
  uint64_t rejected_invalid_labels;    /* malformed series key, over the label limits, no name */
  uint64_t rejected_nan;               /* NaN values other than the Prometheus staleness marker */
  uint64_t rejected_out_of_retention;  /* timestamp older than now - retention */
  uint64_t rejected_too_far_future;    /* timestamp later than now + 2 days (Storage.add) */
  uint64_t rejected_invalid_timestamp; /* timestamp < 0 */
} vme_add_result;

/* Adds n rows. Row i has the series key keys[key_offsets[i] .. key_offsets[i+1]) (so
 * key_offsets has n+1 entries, key_offsets[0] usually 0 and key_offsets[n] <= keys_len), the
 * timestamp ts_ms[i] and the value values[i]. Rows for the same series may repeat keys;
 * consecutive identical keys are resolved once. Invalid rows are rejected and counted in
 * *result (nullable), and the call still returns VME_OK for the valid rest; the first invalid
 * row's reason is not an error. Errors: VME_ERR_INVALID_ARGUMENT (NULL db; NULL arrays with
 * n > 0, offsets out of order or past keys_len), VME_ERR_MISUSE (a db opened read-only),
 * VME_ERR_CLOSED, VME_ERR_IO; nothing of the batch already stored is undone. NaN values are
 * rejected except the staleness marker 0x7ff0000000000002, which is stored exactly. Values are
 * stored as decimal mantissas with a per-block exponent, exactly as VictoriaMetrics does
 * (decimal.AppendFloatToDecimal in lib/decimal/decimal.go): about 12 significant digits survive.
 * Rows are searchable after the next raw-rows flush (within about 1 s) or after vme_flush(). A row
 * whose series key is over any limit of "Labels" above, including the total-size limit, is rejected
 * and counted in rejected_invalid_labels; the rest of the batch is stored. If the call fails part
 * way (VME_ERR_IO), *result still tells exactly what happened: rows_added counts the rows stored
 * before the failure (they stay stored) and the rejected_* fields the rows rejected; the rows
 * not reached are counted nowhere. With the option "wal_mode" "sync", VME_OK also means the
 * rows are fdatasync'ed in the write-ahead log ("async": written to it); a failed log write or
 * fdatasync returns VME_ERR_IO naming the segment, and the call acknowledges nothing
 * (docs/durability.md). Source: Storage.AddRows / Storage.add (VictoriaMetrics
 * lib/storage/storage.go). */
VME_API vme_status vme_add_rows(vme_db* db, const uint8_t* keys, size_t keys_len,
                                const uint32_t* key_offsets, const int64_t* ts_ms,
                                const double* values, size_t n, vme_add_result* result,
                                vme_error** err) VME_NOEXCEPT;
/* The outcome of one row of vme_add_rows_report (row_status[i]). */
#define VME_ROW_STORED 0            /* stored (counted in rows_added) */
#define VME_ROW_INVALID_LABELS 1    /* rejected: rejected_invalid_labels */
#define VME_ROW_NAN 2               /* rejected: rejected_nan */
#define VME_ROW_OUT_OF_RETENTION 3  /* rejected: rejected_out_of_retention */
#define VME_ROW_TOO_FAR_FUTURE 4    /* rejected: rejected_too_far_future */
#define VME_ROW_INVALID_TIMESTAMP 5 /* rejected: rejected_invalid_timestamp */
#define VME_ROW_FAILED 255          /* not stored because the call failed (counted nowhere) */
/* Same as vme_add_rows, plus the outcome of every row: row_status (nullable, n entries)
 * receives VME_ROW_* for row i in row_status[i], so that a caller can report which input
 * rows were rejected and why. When the call fails before it looks at the rows (invalid
 * arguments, VME_ERR_CLOSED, VME_ERR_MISUSE), every entry is VME_ROW_FAILED; when it fails
 * part way, the rows stored or rejected before the failure have their outcome and the others
 * are VME_ROW_FAILED. Errors: as vme_add_rows. Source: Storage.AddRows. */
VME_API vme_status vme_add_rows_report(vme_db* db, const uint8_t* keys, size_t keys_len,
                                       const uint32_t* key_offsets, const int64_t* ts_ms,
                                       const double* values, size_t n, uint8_t* row_status,
                                       vme_add_result* result, vme_error** err) VME_NOEXCEPT;
/* Columnar form: adds n samples of one series with the key key[0..key_len). Same semantics
 * as vme_add_rows. Errors: as vme_add_rows. */
VME_API vme_status vme_add_series(vme_db* db, const uint8_t* key, size_t key_len,
                                  const int64_t* ts_ms, const double* values, size_t n,
                                  vme_add_result* result, vme_error** err) VME_NOEXCEPT;

/* ---------------------------------------------------------------------------------------- */
/* Series references                                                                         */

/* A series reference is an opaque uint64_t that stands for one series key of one db handle,
 * so that a writer which adds the same series again and again (a scrape loop, a collector)
 * passes 8 bytes per row instead of the key, and the engine finds the series' TSID without
 * hashing and comparing the key. It follows Prometheus' SeriesRef (storage.SeriesRef in
 * storage/interface.go); VictoriaMetrics 1.72 resolves every row's raw name through its
 * tsidCache (Storage.add in lib/storage/storage.go), which is what vme_add_rows does.
 *
 * A reference is valid for the db handle that resolved it, until it is released with
 * vme_series_refs_release() or the handle is closed; a reopened db is a new handle with new
 * references. It keeps working across everything that changes a series' TSID: after an indexdb
 * rotation or the deletion of the series (vme_delete_series) the engine resolves it again from
 * its key, and a deleted series gets a new TSID, as with vme_add_rows. 0 is never a
 * reference. Each reference costs about 100 bytes plus its key until released. */

/* Resolves n series keys to references: refs[i] (caller array of n entries) receives the
 * reference of keys[key_offsets[i] .. key_offsets[i+1]) (the layout of vme_add_rows; n+1
 * offsets, non-decreasing, the last <= keys_len), in the db's default tenant. Resolving a key
 * that already has a live reference returns the same reference and counts one more use: every
 * successful resolution of a key must be balanced by one release. The call does not create the
 * series or check its labels: the series is created by the first row added with the reference,
 * and a key that breaks the rules of "Labels" above makes its rows rejected and counted in
 * rejected_invalid_labels, as vme_add_rows does. Thread-safety: any thread, concurrently with
 * every other call. Errors: VME_ERR_INVALID_ARGUMENT (NULL db; NULL keys with keys_len > 0,
 * NULL key_offsets or refs with n > 0; offsets out of order or past keys_len, naming the
 * offset), VME_ERR_MISUSE (a db opened read-only), VME_ERR_CLOSED; on error no reference is
 * returned. Source: Prometheus storage.SeriesRef (storage/interface.go). */
VME_API vme_status vme_series_refs_resolve(vme_db* db, const uint8_t* keys, size_t keys_len,
                                           const uint32_t* key_offsets, size_t n, uint64_t* refs,
                                           vme_error** err) VME_NOEXCEPT;
/* Releases n references (refs[i] == 0 is skipped): each drops one use, and a reference with no
 * use left is freed; using it afterwards is VME_ERR_INVALID_ARGUMENT (detected unless its slot
 * was reused 65536 times since). Thread-safety: any thread; a reference must not be released
 * while another thread still adds rows with it. Errors: VME_ERR_INVALID_ARGUMENT (NULL db, NULL
 * refs with n > 0, a value that is not a live reference of this db or is released more often
 * than resolved, naming its index; then nothing is released), VME_ERR_CLOSED. Source:
 * Prometheus storage.SeriesRef (storage/interface.go). */
VME_API vme_status vme_series_refs_release(vme_db* db, const uint64_t* refs, size_t n,
                                           vme_error** err) VME_NOEXCEPT;
/* Adds n rows: row i belongs to the series of reference refs[i] (from vme_series_refs_resolve
 * on this db handle), with timestamp ts_ms[i] and value values[i]. Everything else is
 * vme_add_rows: the same checks in the same order (NaN, timestamp, retention, future, labels),
 * the same counters in *result (nullable), per-day index entries for new days, and the same
 * meaning of a failure part way. row_status (nullable, n entries) receives the outcome of each
 * row as in vme_add_rows_report. Every reference is checked before any row is stored: a
 * reference of another db handle, a released one or any other value is
 * VME_ERR_INVALID_ARGUMENT naming the first bad index, and nothing of the call is stored.
 * Thread-safety: any number of threads may add rows with the same references concurrently.
 * Errors: VME_ERR_INVALID_ARGUMENT (NULL db; NULL refs, ts_ms or values with n > 0; a bad
 * reference), VME_ERR_MISUSE (a db opened read-only), VME_ERR_CLOSED, VME_ERR_IO. Source:
 * Storage.AddRows / Storage.add (VictoriaMetrics lib/storage/storage.go) with the TSID taken
 * from the reference instead of the tsidCache. */
VME_API vme_status vme_add_rows_ref(vme_db* db, const uint64_t* refs, const int64_t* ts_ms,
                                    const double* values, size_t n, uint8_t* row_status,
                                    vme_add_result* result, vme_error** err) VME_NOEXCEPT;

/* ---------------------------------------------------------------------------------------- */
/* Import (Prometheus text exposition format)                                                */

/* Loads samples written in the Prometheus text exposition format, as VictoriaMetrics'
 * /api/v1/import/prometheus does (its parser: lib/protoparser/prometheus, parser.go). One
 * sample per line:
 *     metric_name{label="value",...} value [timestamp_ms]
 * Blank lines and lines starting with '#' (HELP, TYPE, comments) carry no sample; a trailing
 * '\r' is ignored. Metric names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names
 * [a-zA-Z_][a-zA-Z0-9_]*; the metric name may also be given only as the label __name__. Label
 * values are double-quoted, with the escapes \\ \" \n; any other backslash is kept with the
 * byte after it. A label given twice is not an error: the last value wins, as "Labels" above
 * says. Values are decimal floats as Go's strconv.ParseFloat reads them (1.5e-05, NaN, +Inf,
 * -Inf; no hexadecimal; a NaN in text is an ordinary NaN, not the staleness marker); timestamps
 * are integer milliseconds since the Unix epoch, UTC. A line longer than 8 MiB is malformed.
 *
 * Every sample becomes a row of vme_add_rows (the labels, in the db's default tenant): the
 * engine's checks apply and its rejections (a NaN other than the staleness marker, a timestamp
 * out of the retention or too far in the future, labels over the limits of "Labels" above) are
 * counted in result->rows, not errors. Rows are added in batches of 10,000 while the input is
 * parsed, so they are stored as the import goes: when the call fails (a malformed line with
 * VME_IMPORT_STRICT, a read error, a corrupt zstd stream, VME_ERR_IO from the engine), the rows
 * of the lines before the failure stay stored and *result counts them; nothing is undone. */

/* Flags of vme_import_prometheus / vme_import_prometheus_file. VME_IMPORT_STRICT: the first
 * malformed line fails the call (VME_ERR_INVALID_ARGUMENT naming the line); without it,
 * malformed lines are skipped and counted. */
#define VME_IMPORT_STRICT 1u

/* What an import did. The caller owns it (stack or heap); the library only writes it. */
typedef struct vme_import_result {
  vme_add_result rows;         /* what the engine did with the parsed samples (as vme_add_rows) */
  uint64_t lines_read;         /* lines seen, comments and blank lines included */
  uint64_t lines_skipped;      /* malformed lines skipped (always 0 with VME_IMPORT_STRICT) */
  uint64_t first_skipped_line; /* 1-based number of the first skipped line; 0 when none */
} vme_import_result;

/* Parses text[0..len) (borrowed for the call; not NUL-terminated; lines end at '\n', the last
 * one needs none) in the Prometheus text exposition format and adds its samples; a line without
 * a timestamp gets default_ts_ms (milliseconds since the Unix epoch, UTC). flags: 0 or
 * VME_IMPORT_STRICT. *result (nullable) is set on success and on failure (zeroed first). With
 * VME_IMPORT_STRICT the first malformed line fails the call with VME_ERR_INVALID_ARGUMENT
 * "line N: reason" (N 1-based), after the rows of the lines before it were stored; without it,
 * malformed lines are skipped and counted in lines_skipped / first_skipped_line and the call
 * returns VME_OK. Thread-safety: any thread, concurrently with every other call on the db (as
 * vme_add_rows). Errors: VME_ERR_INVALID_ARGUMENT (NULL db; NULL text with len > 0; unknown
 * flags; a malformed line with VME_IMPORT_STRICT), VME_ERR_CLOSED, VME_ERR_MISUSE (a db opened
 * read-only), VME_ERR_IO (from the engine, as vme_add_rows). Source: VictoriaMetrics
 * lib/protoparser/prometheus (parser.go, Rows.Unmarshal) and the /api/v1/import/prometheus
 * handler (app/vminsert/prometheusimport). */
VME_API vme_status vme_import_prometheus(vme_db* db, const char* text, size_t len,
                                         int64_t default_ts_ms, uint32_t flags,
                                         vme_import_result* result /* nullable */,
                                         vme_error** err) VME_NOEXCEPT;
/* Same as vme_import_prometheus, streaming the file at path (NUL-terminated, borrowed) in
 * constant memory: plain text, or zstd-compressed (one or more frames), recognised by the zstd
 * magic number of its first bytes, not by the file's name. Line numbers count the lines of the
 * decompressed text; errors name the file (and the line: "PATH:N: reason"). Thread-safety: as
 * vme_import_prometheus. Errors: VME_ERR_INVALID_ARGUMENT (NULL db or path; unknown flags; a
 * malformed line with VME_IMPORT_STRICT), VME_ERR_NOT_FOUND (no file at path; the message names
 * the path and the OS error), VME_ERR_IO (the file cannot be opened or read, or is a directory:
 * the message names the path and the OS error; or from the engine), VME_ERR_CORRUPTION (a
 * malformed or truncated zstd stream: the message names the file and the byte offset in the
 * compressed file; the rows of the complete lines before it are stored), VME_ERR_CLOSED,
 * VME_ERR_MISUSE (a db opened read-only). Source: as vme_import_prometheus; VictoriaMetrics
 * reads a zstd-compressed body the same way (lib/protoparser/common, GetUncompressedReader). */
VME_API vme_status vme_import_prometheus_file(vme_db* db, const char* path, int64_t default_ts_ms,
                                              uint32_t flags,
                                              vme_import_result* result /* nullable */,
                                              vme_error** err) VME_NOEXCEPT;

/* ---------------------------------------------------------------------------------------- */
/* Queries                                                                                   */

typedef struct vme_query vme_query;

typedef enum vme_match_type {
  VME_MATCH_EQ = 0,  /* label = value */
  VME_MATCH_NEQ = 1, /* label != value */
  VME_MATCH_RE = 2,  /* label =~ regex, fully anchored, RE2 syntax */
  VME_MATCH_NRE = 3  /* label !~ regex */
} vme_match_type;

/* Creates a query over the inclusive time range [min_ts_ms, max_ts_ms] with no matchers
 * (matches every series). Free with vme_query_destroy(). Errors: none; returns NULL when out
 * of memory. */
VME_API vme_query* vme_query_create(int64_t min_ts_ms, int64_t max_ts_ms) VME_NOEXCEPT;
/* Frees a query. Accepts NULL. Errors: none. */
VME_API void vme_query_destroy(vme_query* q) VME_NOEXCEPT;
/* Sets the inclusive time range in ms. Errors: VME_ERR_INVALID_ARGUMENT (NULL q, min > max). */
VME_API vme_status vme_query_set_time_range(vme_query* q, int64_t min_ts_ms, int64_t max_ts_ms,
                                            vme_error** err) VME_NOEXCEPT;
/* Adds a matcher (AND-ed with the others), with Prometheus semantics: the metric name is the
 * label "__name__"; a missing label has the value "", so {label=""} matches series without
 * it; regexes are fully anchored and use RE2 syntax (compiled here, so a bad regex fails
 * now with VME_ERR_INVALID_ARGUMENT and RE2's message). name and value are byte strings of the
 * given lengths (not NUL-terminated). Errors: VME_ERR_INVALID_ARGUMENT (NULL q; NULL name or
 * value with a non-zero length; an unknown type; a bad regex). Source: TagFilters.Add
 * (VictoriaMetrics lib/storage/tag_filters.go). */
VME_API vme_status vme_query_add_matcher(vme_query* q, vme_match_type type, const char* name,
                                         size_t name_len, const char* value, size_t value_len,
                                         vme_error** err) VME_NOEXCEPT;
/* Parses a PromQL series selector, e.g. `up`, `{job="a"}`, `node_cpu_seconds_total{mode=~
 * "idle|user",cpu!="0"}`, and adds its matchers. Label values use PromQL string escapes.
 * As in Prometheus, each selector must contain at least one matcher that does not match the
 * empty string (a metric name, `job="a"`, `job=~".+"`, ...): an empty selector, `{}`,
 * `{duplex=""}`, `{job!="a"}` and `{__name__=~".*"}` are errors, since they would also select
 * every series without those labels. To select every series say so: `{__name__=~".+"}`.
 * (A query built only with vme_query_add_matcher has no such rule; with no matcher at all it
 * matches every series.) Regexes nested more than 1000 groups deep are rejected ("expression
 * nests too deeply").
 * Errors: VME_ERR_INVALID_ARGUMENT (NULL q or selector; a malformed selector, with the offset
 * of the first bad character, or one that breaks the rule above, saying so); the message
 * quotes at most 128 bytes of the selector. */
VME_API vme_status vme_query_add_selector(vme_query* q, const char* selector,
                                          vme_error** err) VME_NOEXCEPT;
/* Overrides the tenant of the db's options for this query. Errors: VME_ERR_INVALID_ARGUMENT
 * (NULL q). */
VME_API vme_status vme_query_set_tenant(vme_query* q, uint32_t account_id, uint32_t project_id,
                                        vme_error** err) VME_NOEXCEPT;
/* Sets the maximum number of series a search may match (0 = unlimited, the default), counted
 * over all time before the time range is applied. A search that matches more returns
 * VME_ERR_LIMIT. Errors: VME_ERR_INVALID_ARGUMENT (NULL q). Source:
 * -search.maxUniqueTimeseries. */
VME_API vme_status vme_query_set_limit(vme_query* q, uint64_t max_series,
                                       vme_error** err) VME_NOEXCEPT;

/* ---------------------------------------------------------------------------------------- */
/* Search results                                                                            */

typedef struct vme_series_iter vme_series_iter;

/* Starts a search. Series come in TSID order (metric name, then job/instance-like labels);
 * the samples of each series are merged from every part, sorted by timestamp (samples with
 * equal timestamps are all kept, in storage order). Only rows already flushed are seen (see
 * vme_add_rows). On success *out receives an iterator positioned before the first series;
 * close it with vme_series_iter_close(). Errors: VME_ERR_INVALID_ARGUMENT (NULL db, q or
 * out), VME_ERR_CLOSED,
 * VME_ERR_LIMIT, VME_ERR_CORRUPTION, VME_ERR_IO. Source: Search.Init / NextMetricBlock
 * (VictoriaMetrics lib/storage/search.go). */
VME_API vme_status vme_search(vme_db* db, const vme_query* q, vme_series_iter** out,
                              vme_error** err) VME_NOEXCEPT;
/* Advances to the next series. Returns VME_OK (a series is available), VME_DONE (no more),
 * or an error. Errors: VME_ERR_INVALID_ARGUMENT (NULL it), VME_ERR_CLOSED (the db was closed),
 * VME_ERR_CORRUPTION (with file and offset), VME_ERR_IO. */
VME_API vme_status vme_series_iter_next(vme_series_iter* it, vme_error** err) VME_NOEXCEPT;
/* Borrowed view of the current series key (packed labels, metric name first as "__name__",
 * then the labels in canonical order). Valid until the next call on the iterator. Errors:
 * none; sets *key = NULL, *len = 0 when there is no current series or it is NULL (key and len
 * may be NULL). */
VME_API void vme_series_iter_key(const vme_series_iter* it, const uint8_t** key,
                                 size_t* len) VME_NOEXCEPT;
/* Borrowed view of the current series in VictoriaMetrics' canonical text form, e.g.
 * `up{instance="h1",job="node"}`: labels sorted by name, values quoted as Go's strconv.Quote
 * does, and `{}` kept for a series without labels (`up{}`), as in VictoriaMetrics exports.
 * NUL-terminated; valid until the next call on the iterator. Errors: none; "" if there is no
 * current series or it is NULL. */
VME_API const char* vme_series_iter_name(const vme_series_iter* it) VME_NOEXCEPT;
/* Borrowed views of the current series' samples: *ts and *values point at arrays of the
 * returned length, valid until the next call on the iterator. Errors: none; returns 0 (and
 * NULL views) if there is no current series or it is NULL. */
VME_API size_t vme_series_iter_samples(const vme_series_iter* it, const int64_t** ts,
                                       const double** values) VME_NOEXCEPT;
/* Copy-out form: copies the current samples into caller arrays of capacity cap and sets
 * *n_out to the number of samples. If cap is too small nothing is copied, *n_out is the
 * needed count and VME_ERR_BUFFER_TOO_SMALL is returned. Errors: VME_ERR_BUFFER_TOO_SMALL,
 * VME_ERR_INVALID_ARGUMENT (NULL it or n_out; NULL ts or values when there are samples). */
VME_API vme_status vme_series_iter_copy_samples(const vme_series_iter* it, int64_t* ts,
                                                double* values, size_t cap, size_t* n_out,
                                                vme_error** err) VME_NOEXCEPT;
/* Closes an iterator and releases what it holds. Accepts NULL. Valid after vme_close(db).
 * Errors: none. */
VME_API void vme_series_iter_close(vme_series_iter* it) VME_NOEXCEPT;

/* ---------------------------------------------------------------------------------------- */
/* Labels and counts                                                                         */

typedef struct vme_strlist vme_strlist;

/* Label names of the series matching q (NULL = all series of the default tenant), sorted,
 * "__name__" included when any series matches. Artificial index keys are hidden. q's time
 * range applies as in vme_series_count().
 * *out is freed with vme_strlist_free(). Errors: VME_ERR_INVALID_ARGUMENT (NULL db or out),
 * VME_ERR_CLOSED, VME_ERR_CORRUPTION, VME_ERR_IO. Source: SearchTagKeys (VictoriaMetrics
 * lib/storage/index_db.go). */
VME_API vme_status vme_label_names(vme_db* db, const vme_query* q, vme_strlist** out,
                                   vme_error** err) VME_NOEXCEPT;
/* Values of label `name` (use "__name__" for metric names) over the series matching q (NULL =
 * all; q's time range applies as in vme_series_count()), sorted, without the empty value.
 * Errors: VME_ERR_INVALID_ARGUMENT (NULL db, name or out), VME_ERR_CLOSED, VME_ERR_CORRUPTION,
 * VME_ERR_IO. Source: SearchTagValues (VictoriaMetrics lib/storage/index_db.go). */
VME_API vme_status vme_label_values(vme_db* db, const char* name, size_t name_len,
                                    const vme_query* q, vme_strlist** out,
                                    vme_error** err) VME_NOEXCEPT;
/* Number of strings in a list. Errors: none; 0 for NULL. */
VME_API size_t vme_strlist_count(const vme_strlist* list) VME_NOEXCEPT;
/* Borrowed string i (NUL-terminated; *len gets its byte length if len is not NULL), valid
 * until vme_strlist_free(). Errors: none; NULL (and *len = 0) if i is out of range or list
 * is NULL. */
VME_API const char* vme_strlist_get(const vme_strlist* list, size_t i, size_t* len) VME_NOEXCEPT;
/* Frees a list. Accepts NULL. Errors: none. */
VME_API void vme_strlist_free(vme_strlist* list) VME_NOEXCEPT;
/* Number of distinct live (not deleted) series matching q (NULL = all), deduplicated across
 * indexdb generations. When q's time range touches at most 41 UTC days (last day - first day
 * <= 40), only series with samples on those days are counted (per-day index, docs/format.md,
 * "indexdb items"); wider ranges count every matching series. Errors: VME_ERR_INVALID_ARGUMENT
 * (NULL db or out), VME_ERR_CLOSED, VME_ERR_CORRUPTION, VME_ERR_IO. */
VME_API vme_status vme_series_count(vme_db* db, const vme_query* q, uint64_t* out,
                                    vme_error** err) VME_NOEXCEPT;

/* ---------------------------------------------------------------------------------------- */
/* Maintenance: force merge, deletion, snapshots                                             */

/* Merges all parts of every partition whose name (YYYY_MM) starts with partition_prefix (NULL
 * or "" = all partitions) into one part per partition, applying deletions, retention and
 * deduplication; then merges the current indexdb generation. Blocks until done. Needs free disk
 * space about the size of the largest partition. Errors: VME_ERR_INVALID_ARGUMENT (NULL db),
 * VME_ERR_MISUSE (a db opened read-only), VME_ERR_CLOSED, VME_ERR_CORRUPTION, VME_ERR_IO (e.g.
 * disk full: nothing already stored is lost). Source: Storage.ForceMergePartitions (reference
 * VictoriaMetrics lib/storage/storage.go). */
VME_API vme_status vme_force_merge(vme_db* db, const char* partition_prefix,
                                   vme_error** err) VME_NOEXCEPT;
/* Deletes the series matching q's matchers (over all time; q's time range is ignored; q must
 * have at least one matcher that does not match the empty string, the rule of
 * vme_query_add_selector: a query whose matchers all match "", such as {a=""}, would delete
 * every series and is refused with VME_ERR_INVALID_ARGUMENT). They vanish from searches, label
 * queries and counts at once; their samples are dropped from disk at the next merge of each part
 * (vme_force_merge() applies it at once). A later sample of the same labels creates a new series.
 * *deleted (nullable) receives the number of series deleted. Errors: VME_ERR_INVALID_ARGUMENT (NULL
 * db or q, a query whose matchers all match ""), VME_ERR_MISUSE (a db opened read-only),
 * VME_ERR_CLOSED, VME_ERR_IO. Source: Storage.DeleteMetrics (VictoriaMetrics indexDB.DeleteTSIDs in
 * lib/storage/index_db.go). */
VME_API vme_status vme_delete_series(vme_db* db, const vme_query* q, uint64_t* deleted,
                                     vme_error** err) VME_NOEXCEPT;
/* Creates a snapshot: flushes every added row, then hard-links every part into
 * <path>/snapshots/<name>/ with the same layout as VictoriaMetrics 1.72 (data/small, data/big
 * and indexdb are relative symlinks into the per-table snapshot directories; metadata/ is
 * copied). Parts being linked are pinned, so concurrent merges cannot remove them. *name_out
 * receives the NUL-terminated name (YYYYMMDDhhmmss-XXXXXXXXXXXXXXXX, UTC), freed with
 * vme_free(). Errors: VME_ERR_INVALID_ARGUMENT (NULL db or name_out), VME_ERR_MISUSE (a db
 * opened read-only), VME_ERR_CLOSED, VME_ERR_IO. Source: Storage.CreateSnapshot (docs/format.md,
 * "Snapshots"). */
VME_API vme_status vme_snapshot_create(vme_db* db, char** name_out, vme_error** err) VME_NOEXCEPT;
/* Lists snapshot names, sorted. Free *out with vme_strlist_free(). Errors:
 * VME_ERR_INVALID_ARGUMENT (NULL db or out), VME_ERR_CLOSED, VME_ERR_IO. */
VME_API vme_status vme_snapshot_list(vme_db* db, vme_strlist** out, vme_error** err) VME_NOEXCEPT;
/* Deletes a snapshot. Errors: VME_ERR_INVALID_ARGUMENT (NULL db or name; a name that is not a
 * valid snapshot name, so no name can reach outside the snapshots directory),
 * VME_ERR_NOT_FOUND (it does not exist), VME_ERR_MISUSE (a db opened read-only),
 * VME_ERR_CLOSED, VME_ERR_IO. */
VME_API vme_status vme_snapshot_delete(vme_db* db, const char* name, vme_error** err) VME_NOEXCEPT;

/* ---------------------------------------------------------------------------------------- */
/* Statistics                                                                                */

typedef struct vme_stats vme_stats;

/* Takes a point-in-time copy of the engine's statistics as (name, value) pairs, e.g.
 * "rows", "blocks", "parts", "series", "data_bytes", "indexdb_bytes", "partitions",
 * "rows_rejected_*", and per partition "partition.YYYY_MM.small_parts" etc. Background work
 * never fails silently: "background_errors" counts its errors since open and
 * "background_last_error" has the time of the last one (ms since the epoch, 0 = none) as
 * value and its message as text (vme_stats_text()). "quarantined_parts" counts the parts
 * moved to quarantine since open (option "quarantine"). Free with vme_stats_free(). Errors:
 * VME_ERR_INVALID_ARGUMENT (NULL db or out), VME_ERR_CLOSED. */
VME_API vme_status vme_stats_get(vme_db* db, vme_stats** out, vme_error** err) VME_NOEXCEPT;
/* Number of entries. Errors: none; 0 for NULL. */
VME_API size_t vme_stats_count(const vme_stats* stats) VME_NOEXCEPT;
/* Borrowed name of entry i (valid until vme_stats_free). Errors: none; NULL if i is out of
 * range or stats is NULL. */
VME_API const char* vme_stats_name(const vme_stats* stats, size_t i) VME_NOEXCEPT;
/* Value of entry i. Errors: none; 0 if i is out of range or stats is NULL. */
VME_API double vme_stats_value(const vme_stats* stats, size_t i) VME_NOEXCEPT;
/* Borrowed text of entry i (valid until vme_stats_free()). Today only "background_last_error"
 * has one: its message, "" when there was no error. Errors: none; NULL for an entry that has
 * only a value, if i is out of range or stats is NULL. */
VME_API const char* vme_stats_text(const vme_stats* stats, size_t i) VME_NOEXCEPT;
/* Frees statistics. Accepts NULL. Errors: none. */
VME_API void vme_stats_free(vme_stats* stats) VME_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* VMENGINE_H_ */
