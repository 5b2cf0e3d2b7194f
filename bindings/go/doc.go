// Package vmengine is the Go binding of vmengine, an embeddable time-series storage engine
// that keeps its data in the on-disk format of VictoriaMetrics 1.72 (cluster flavour). It
// wraps the C API of include/vmengine.h through cgo (`#cgo pkg-config: vmengine`).
//
// Units: timestamps are int64 milliseconds since the Unix epoch, UTC (see Millis); values are
// float64; time ranges are inclusive on both ends.
//
// Ingest: fill a reusable Batch (Add, or Ref + AddRef) and write it with one native call
// (DB.Write or Batch.Commit); DB.AddSeries writes one series' columns. Rows become
// searchable within about a second, or at once after DB.Flush.
//
// Search: DB.Search, DB.SearchSelector and DB.SearchQuery return a SeriesIterator (Next /
// Series / Err / Close, or All for range-over-func); DB.SearchSeq returns an iter.Seq2.
//
// Errors: every failure is an *Error carrying the status code and the message of the native
// call that failed; test the kind with errors.Is(err, ErrNotFound) etc.
//
// Lifetimes and threads: a DB is safe for concurrent use; Close is explicit and idempotent
// and makes later calls (on any goroutine) return ErrClosed. Iterators and Batches are for
// one goroutine at a time. Go memory handed to C (batch buffers, sample slices, strings) is
// only borrowed for the duration of a call.
package vmengine
