// Package vmengine is the Go binding of vmengine, an embeddable time-series storage engine
// that keeps its data in the on-disk format of VictoriaMetrics 1.72 (cluster flavour). It
// wraps the C API of include/vmengine.h through cgo (`#cgo pkg-config: vmengine`).
//
// Units: timestamps are int64 milliseconds since the Unix epoch, UTC (see Millis); values are
// float64; time ranges are inclusive on both ends.
//
// Import path and package name agree: import "github.com/vmengine/vmengine/bindings/go/vmengine"
// and call vmengine.Open (no alias needed).
//
// Ingest: fill a reusable Batch (Add, or Ref + AddRef) and write it with one native call
// (DB.Write or Batch.Commit), which empties it on success; DB.AddSeries writes one series'
// columns; DB.ImportPrometheus and DB.ImportPrometheusFile load Prometheus text exposition
// (plain or zstd). Rows become searchable within about a second, or at once after DB.Flush.
//
// Queries: one Query value selects series for DB.Search, DB.SearchSeq, DB.LabelNames,
// DB.LabelValues, DB.SeriesCount and DB.DeleteSeries. Build it with Select (a PromQL series
// selector) or Match (matchers), both over all time, and narrow it with Between(start, end)
// or Since(start); Unbounded is the explicit open end. The zero time range is rejected rather
// than read as "no end". DB.Search returns a SeriesIterator (Next / Series / Err / Close, or
// All for range-over-func); DB.SearchSeq returns an iter.Seq2.
//
// Contexts: every call that can block (write, import, flush, search, label names and values,
// series count, delete, force merge, snapshots) takes a context.Context first. It is checked
// before the native call and, in a search, between series; a native call in progress is not
// interrupted (cgo cannot preempt C code), so cancellation takes effect at the next check.
//
// Errors: every failure is an *Error carrying the status code and the message of the native
// call that failed; test the kind with errors.Is(err, ErrNotFound) etc.
//
// Lifetimes and threads: a DB is safe for concurrent use; Close is explicit and idempotent
// and makes later calls (on any goroutine) return ErrClosed. Iterators and Batches are for
// one goroutine at a time. Go memory handed to C (batch buffers, sample slices, strings) is
// only borrowed for the duration of a call.
package vmengine
