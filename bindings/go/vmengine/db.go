package vmengine

/*
#cgo pkg-config: vmengine
#include <stdlib.h>
#include "vmengine.h"
*/
import "C"

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// abiOK records whether the loaded library has the ABI this package was compiled against
// (vme_abi_version() == VME_ABI_VERSION); Open fails with ErrMisuse otherwise.
var abiOK = C.vme_abi_version() == C.VME_ABI_VERSION

// Version returns the loaded library's version, "MAJOR.MINOR.PATCH" (vme_version_string).
func Version() string { return C.GoString(C.vme_version_string()) }

// VersionNumber returns MAJOR*10000 + MINOR*100 + PATCH of the loaded library
// (vme_version_number).
func VersionNumber() uint32 { return uint32(C.vme_version_number()) }

// ABIVersion returns the ABI version (SOVERSION) of the loaded library (vme_abi_version).
func ABIVersion() uint32 { return uint32(C.vme_abi_version()) }

// Options configures Open. The zero value (or a nil *Options) gives the library defaults:
// keep everything, tenant 0:0, 256 MiB of caches, no deduplication. Options are copied by
// Open and may be reused afterwards.
type Options struct {
	// Retention: rows older than now-Retention are rejected at ingest (counted in
	// AddResult.RejectedOutOfRetention). 0 keeps everything; it is passed in whole
	// milliseconds (vme_options_set_retention_ms).
	Retention time.Duration
	// AccountID and ProjectID are the default tenant of ingest and queries
	// (vme_options_set_tenant).
	AccountID, ProjectID uint32
	// CacheBytes is the memory budget of the TSID and metric-name caches in bytes; 0 keeps
	// the default (vme_options_set_cache_bytes; minimum 1 MiB).
	CacheBytes uint64
	// DedupInterval is the minimum scrape interval for deduplication; 0 turns it off
	// (key "dedup_interval_ms" of vme_options_set). Whole milliseconds.
	DedupInterval time.Duration

	extra []kv
}

type kv struct{ key, value string }

// Set records a generic key/value option, passed to vme_options_set at Open in the order of
// the Set calls and after the typed fields (so it overrides them). See vmengine.h for the
// keys, e.g. "background" = "0", "read_only" = "1", "retention" = "30d". Unknown keys and
// unparsable values make Open fail with ErrInvalidArgument naming the key. Returns o for
// chaining.
func (o *Options) Set(key, value string) *Options {
	o.extra = append(o.extra, kv{key, value})
	return o
}

// DB is an open vmengine data directory (a vme_db handle).
//
// A DB is safe for concurrent use by any number of goroutines. Close is explicit and
// idempotent: it waits for the calls in flight, makes every added row durable and releases the
// directory lock; afterwards every method returns an error matching ErrClosed. No finalizer is
// relied upon: a DB that becomes unreachable without Close is closed by a runtime cleanup only
// as a safety net against leaks (its errors are lost), so always call Close.
type DB struct {
	mu      sync.RWMutex // RLock: a native call in flight; Lock: Close
	h       *C.vme_db    // nil once closed
	path    string
	cleanup runtime.Cleanup
}

// Open opens (creating it if needed) the data directory path, which has the layout of a
// VictoriaMetrics 1.72 storage directory. opts may be nil for defaults.
//
// Errors: ErrInvalidArgument (bad option), ErrLocked (another process or open DB holds
// path/flock.lock), ErrCorruption (a part or index file is malformed; the message names it),
// ErrIO. Wraps vme_options_* and vme_open.
func Open(path string, opts *Options) (*DB, error) {
	const op = "Open"
	if !abiOK {
		return nil, &Error{Code: CodeMisuse, Op: op, Message: "the loaded libvmengine has ABI version " +
			strconv.Itoa(int(ABIVersion())) + ", this package was built for " + strconv.Itoa(int(C.VME_ABI_VERSION))}
	}
	if strings.IndexByte(path, 0) >= 0 {
		return nil, errInvalid(op, "path contains a NUL byte")
	}
	copts := C.vme_options_create()
	if copts == nil {
		return nil, &Error{Code: CodeNoMemory, Op: op, Message: "vme_options_create failed"}
	}
	defer C.vme_options_destroy(copts)
	if opts != nil {
		if err := applyOptions(copts, opts); err != nil {
			return nil, err
		}
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var h *C.vme_db
	var cerr *C.vme_error
	if st := C.vme_open(cpath, copts, &h, &cerr); st != C.VME_OK {
		return nil, newError(op, st, cerr)
	}
	db := &DB{h: h, path: path}
	db.cleanup = runtime.AddCleanup(db, func(h *C.vme_db) { C.vme_close(h, nil) }, h)
	return db, nil
}

func applyOptions(copts *C.vme_options, o *Options) error {
	const op = "Open"
	var cerr *C.vme_error
	if o.Retention != 0 {
		if st := C.vme_options_set_retention_ms(copts, C.int64_t(o.Retention.Milliseconds()), &cerr); st != C.VME_OK {
			return newError(op, st, cerr)
		}
	}
	if o.AccountID != 0 || o.ProjectID != 0 {
		if st := C.vme_options_set_tenant(copts, C.uint32_t(o.AccountID), C.uint32_t(o.ProjectID), &cerr); st != C.VME_OK {
			return newError(op, st, cerr)
		}
	}
	if o.CacheBytes != 0 {
		if st := C.vme_options_set_cache_bytes(copts, C.uint64_t(o.CacheBytes), &cerr); st != C.VME_OK {
			return newError(op, st, cerr)
		}
	}
	set := func(key, value string) error {
		if strings.IndexByte(key, 0) >= 0 || strings.IndexByte(value, 0) >= 0 {
			return errInvalid(op, "option %q contains a NUL byte", key)
		}
		ck, cv := C.CString(key), C.CString(value)
		defer C.free(unsafe.Pointer(ck))
		defer C.free(unsafe.Pointer(cv))
		var cerr *C.vme_error
		if st := C.vme_options_set(copts, ck, cv, &cerr); st != C.VME_OK {
			return newError(op, st, cerr)
		}
		return nil
	}
	if o.DedupInterval != 0 {
		if o.DedupInterval < 0 {
			return errInvalid(op, "negative DedupInterval %v", o.DedupInterval)
		}
		if err := set("dedup_interval_ms", strconv.FormatInt(o.DedupInterval.Milliseconds(), 10)); err != nil {
			return err
		}
	}
	for _, e := range o.extra {
		if err := set(e.key, e.value); err != nil {
			return err
		}
	}
	return nil
}

// Path returns the data directory passed to Open.
func (db *DB) Path() string { return db.path }

// acquire read-locks the handle for one native call; the caller must call db.mu.RUnlock().
func (db *DB) acquire(op string) (*C.vme_db, error) {
	db.mu.RLock()
	if db.h == nil {
		db.mu.RUnlock()
		return nil, errClosed(op)
	}
	return db.h, nil
}

// Close makes every row added so far durable, stops background work, releases the directory
// lock and frees the handle (vme_close). It waits for calls in flight on other goroutines;
// calls that start afterwards return ErrClosed, and so does Next on open iterators (which
// still need their own Close). Close is idempotent: later calls return nil.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.h == nil {
		return nil
	}
	h := db.h
	db.h = nil
	db.cleanup.Stop()
	var cerr *C.vme_error
	if st := C.vme_close(h, &cerr); st != C.VME_OK {
		return newError("Close", st, cerr)
	}
	return nil
}

// Flush makes every row added before the call durable and searchable (vme_flush). Without
// it, rows become searchable within about a second (background raw-row flush). ctx is
// checked before the native call, which is not interrupted. Errors: ErrClosed, ErrIO,
// ctx.Err().
func (db *DB) Flush(ctx context.Context) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	h, err := db.acquire("Flush")
	if err != nil {
		return err
	}
	defer db.mu.RUnlock()
	var cerr *C.vme_error
	if st := C.vme_flush(h, &cerr); st != C.VME_OK {
		return newError("Flush", st, cerr)
	}
	return nil
}

// ForceMerge merges all parts of every partition whose name (YYYY_MM) starts with
// partitionPrefix ("" = all partitions) into one part per partition, applying deletions,
// retention and deduplication, then merges the indexdb. Blocks until done (Close waits for
// it). ctx is checked before the native call, which is not interrupted (a merge can take
// minutes on a large partition). Errors: ErrMisuse (read-only DB), ErrClosed, ErrIO,
// ctx.Err(). Wraps vme_force_merge (VictoriaMetrics ForceMergePartitions).
func (db *DB) ForceMerge(ctx context.Context, partitionPrefix string) error {
	const op = "ForceMerge"
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if strings.IndexByte(partitionPrefix, 0) >= 0 {
		return errInvalid(op, "partition prefix contains a NUL byte")
	}
	cp := C.CString(partitionPrefix)
	defer C.free(unsafe.Pointer(cp))
	h, err := db.acquire(op)
	if err != nil {
		return err
	}
	defer db.mu.RUnlock()
	var cerr *C.vme_error
	if st := C.vme_force_merge(h, cp, &cerr); st != C.VME_OK {
		return newError(op, st, cerr)
	}
	return nil
}

// CreateSnapshot flushes every added row and hard-links every part into
// <path>/snapshots/<name>/ (VictoriaMetrics 1.72 layout); it returns the name
// (YYYYMMDDhhmmss-XXXXXXXXXXXXXXXX, UTC). ctx is checked before the native call, which is
// not interrupted. Errors: ErrClosed, ErrIO, ctx.Err(). Wraps vme_snapshot_create
// (VictoriaMetrics Storage.CreateSnapshot).
func (db *DB) CreateSnapshot(ctx context.Context) (string, error) {
	const op = "CreateSnapshot"
	if err := ctxErr(ctx); err != nil {
		return "", err
	}
	h, err := db.acquire(op)
	if err != nil {
		return "", err
	}
	defer db.mu.RUnlock()
	var name *C.char
	var cerr *C.vme_error
	if st := C.vme_snapshot_create(h, &name, &cerr); st != C.VME_OK {
		return "", newError(op, st, cerr)
	}
	defer C.vme_free(unsafe.Pointer(name))
	return C.GoString(name), nil
}

// ListSnapshots returns the snapshot names, sorted (vme_snapshot_list). ctx is checked
// before the native call. Errors: ErrClosed, ErrIO, ctx.Err().
func (db *DB) ListSnapshots(ctx context.Context) ([]string, error) {
	const op = "ListSnapshots"
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	h, err := db.acquire(op)
	if err != nil {
		return nil, err
	}
	defer db.mu.RUnlock()
	var list *C.vme_strlist
	var cerr *C.vme_error
	if st := C.vme_snapshot_list(h, &list, &cerr); st != C.VME_OK {
		return nil, newError(op, st, cerr)
	}
	return takeStrlist(list), nil
}

// DeleteSnapshot deletes a snapshot (vme_snapshot_delete). Errors: ErrInvalidArgument for a
// name that is not a valid snapshot name, ErrNotFound if it does not exist, ErrClosed, ErrIO,
// ctx.Err() (checked before the native call).
func (db *DB) DeleteSnapshot(ctx context.Context, name string) error {
	const op = "DeleteSnapshot"
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if strings.IndexByte(name, 0) >= 0 {
		return errInvalid(op, "snapshot name contains a NUL byte")
	}
	cn := C.CString(name)
	defer C.free(unsafe.Pointer(cn))
	h, err := db.acquire(op)
	if err != nil {
		return err
	}
	defer db.mu.RUnlock()
	var cerr *C.vme_error
	if st := C.vme_snapshot_delete(h, cn, &cerr); st != C.VME_OK {
		return newError(op, st, cerr)
	}
	return nil
}

// Stats returns a point-in-time copy of the engine's statistics, e.g. "rows", "parts",
// "series", "data_bytes", "rows_rejected_*" and per partition "partition.YYYY_MM.small_parts"
// (vme_stats_get). Errors: ErrClosed.
func (db *DB) Stats() (map[string]float64, error) {
	const op = "Stats"
	h, err := db.acquire(op)
	if err != nil {
		return nil, err
	}
	defer db.mu.RUnlock()
	var stats *C.vme_stats
	var cerr *C.vme_error
	if st := C.vme_stats_get(h, &stats, &cerr); st != C.VME_OK {
		return nil, newError(op, st, cerr)
	}
	defer C.vme_stats_free(stats)
	n := int(C.vme_stats_count(stats))
	m := make(map[string]float64, n)
	for i := 0; i < n; i++ {
		m[C.GoString(C.vme_stats_name(stats, C.size_t(i)))] = float64(C.vme_stats_value(stats, C.size_t(i)))
	}
	return m, nil
}

// takeStrlist copies a vme_strlist into Go strings and frees it.
func takeStrlist(list *C.vme_strlist) []string {
	defer C.vme_strlist_free(list)
	n := int(C.vme_strlist_count(list))
	out := make([]string, n)
	for i := range out {
		var l C.size_t
		p := C.vme_strlist_get(list, C.size_t(i), &l)
		out[i] = C.GoStringN(p, C.int(l))
	}
	return out
}
