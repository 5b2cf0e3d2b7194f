package vmengine

/*
#include <stdlib.h>
#include "vmengine.h"
*/
import "C"

import (
	"context"
	"strings"
	"time"
	"unsafe"
)

// ImportOptions configures ImportPrometheus and ImportPrometheusFile. A nil *ImportOptions
// gives the defaults: lenient parsing, and the time of the call for lines without a
// timestamp.
type ImportOptions struct {
	// DefaultTime is the timestamp of lines that carry none; the zero time.Time means the
	// time of the call. It is passed in whole milliseconds.
	DefaultTime time.Time
	// Strict makes the first malformed line fail the call with ErrInvalidArgument naming
	// the line (VME_IMPORT_STRICT); otherwise malformed lines are skipped and counted in
	// ImportResult.LinesSkipped.
	Strict bool
}

// ImportResult holds the counters of one import (vme_import_result).
type ImportResult struct {
	// Rows is what the engine did with the parsed samples, as for DB.Write.
	Rows AddResult
	// LinesRead counts the lines seen, comments and blank lines included.
	LinesRead uint64
	// LinesSkipped counts the malformed lines skipped (always 0 with Strict).
	LinesSkipped uint64
	// FirstSkippedLine is the 1-based number of the first skipped line; 0 when none.
	FirstSkippedLine uint64
}

func importArgs(opts *ImportOptions) (C.int64_t, C.uint32_t) {
	var o ImportOptions
	if opts != nil {
		o = *opts
	}
	t := o.DefaultTime
	if t.IsZero() {
		t = time.Now()
	}
	var flags C.uint32_t
	if o.Strict {
		flags |= C.VME_IMPORT_STRICT
	}
	return C.int64_t(t.UnixMilli()), flags
}

func importResult(r *C.vme_import_result) ImportResult {
	return ImportResult{
		Rows:             fromC(&r.rows),
		LinesRead:        uint64(r.lines_read),
		LinesSkipped:     uint64(r.lines_skipped),
		FirstSkippedLine: uint64(r.first_skipped_line),
	}
}

// ImportPrometheus parses text in the Prometheus text exposition format (`name{labels} value
// [timestamp_ms]` per line; # HELP, # TYPE and comments are ignored) and adds its samples,
// as /api/v1/import/prometheus of VictoriaMetrics does. text is plain text (not compressed)
// and only read during the call. Rows become searchable as after Write (Flush makes them
// searchable at once). ctx is checked before the native call, which is not interrupted.
// Errors: ErrInvalidArgument (with Strict: the first malformed line, named by number),
// ErrMisuse (read-only DB), ErrClosed, ErrIO, ctx.Err(); on an error the result counts what
// was stored before it. Wraps vme_import_prometheus.
func (db *DB) ImportPrometheus(ctx context.Context, text []byte, opts *ImportOptions) (ImportResult, error) {
	const op = "ImportPrometheus"
	if err := ctxErr(ctx); err != nil {
		return ImportResult{}, err
	}
	ts, flags := importArgs(opts)
	h, err := db.acquire(op)
	if err != nil {
		return ImportResult{}, err
	}
	defer db.mu.RUnlock()
	p := (*C.char)(unsafe.Pointer(&zeroByte))
	if len(text) > 0 {
		p = (*C.char)(unsafe.Pointer(unsafe.SliceData(text)))
	}
	var res C.vme_import_result
	var cerr *C.vme_error
	st := C.vme_import_prometheus(h, p, C.size_t(len(text)), ts, flags, &res, &cerr)
	if st != C.VME_OK {
		return importResult(&res), newError(op, st, cerr)
	}
	return importResult(&res), nil
}

// ImportPrometheusFile is ImportPrometheus streaming the file at path: plain text, or
// zstd-compressed (recognised by the zstd magic, not by the name), e.g. the node_exporter
// capture examples/data/node_exporter_1s_1200.prom.zst of the repository. The file is read
// in one native call that ctx does not interrupt (ctx is checked before it). Errors name the
// file (and line): ErrNotFound or ErrIO (cannot open or read it), ErrCorruption (a bad zstd
// frame), ErrInvalidArgument (with Strict, the first malformed line), ErrMisuse, ErrClosed,
// ctx.Err(). Wraps vme_import_prometheus_file.
func (db *DB) ImportPrometheusFile(ctx context.Context, path string, opts *ImportOptions) (ImportResult, error) {
	const op = "ImportPrometheusFile"
	if err := ctxErr(ctx); err != nil {
		return ImportResult{}, err
	}
	if strings.IndexByte(path, 0) >= 0 {
		return ImportResult{}, errInvalid(op, "path contains a NUL byte")
	}
	ts, flags := importArgs(opts)
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	h, err := db.acquire(op)
	if err != nil {
		return ImportResult{}, err
	}
	defer db.mu.RUnlock()
	var res C.vme_import_result
	var cerr *C.vme_error
	st := C.vme_import_prometheus_file(h, cpath, ts, flags, &res, &cerr)
	if st != C.VME_OK {
		return importResult(&res), newError(op, st, cerr)
	}
	return importResult(&res), nil
}
