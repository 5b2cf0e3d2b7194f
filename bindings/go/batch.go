package vmengine

/*
#include "vmengine.h"
*/
import "C"

import (
	"hash/maphash"
	"math"
	"sync/atomic"
	"unsafe"
)

// AddResult holds the per-call ingest counters of vme_add_result. A rejected row is never
// stored; every rejection is counted, and rejections are not errors.
type AddResult struct {
	RowsAdded                uint64 // rows accepted
	RejectedInvalidLabels    uint64 // malformed key, over the label limits, or no metric name
	RejectedNaN              uint64 // NaN other than the Prometheus staleness marker
	RejectedOutOfRetention   uint64 // timestamp older than now - retention
	RejectedTooFarFuture     uint64 // timestamp later than now + 2 days
	RejectedInvalidTimestamp uint64 // timestamp < 0
}

// Rejected returns the total number of rejected rows.
func (r AddResult) Rejected() uint64 {
	return r.RejectedInvalidLabels + r.RejectedNaN + r.RejectedOutOfRetention +
		r.RejectedTooFarFuture + r.RejectedInvalidTimestamp
}

// Add accumulates o into r.
func (r *AddResult) Add(o AddResult) {
	r.RowsAdded += o.RowsAdded
	r.RejectedInvalidLabels += o.RejectedInvalidLabels
	r.RejectedNaN += o.RejectedNaN
	r.RejectedOutOfRetention += o.RejectedOutOfRetention
	r.RejectedTooFarFuture += o.RejectedTooFarFuture
	r.RejectedInvalidTimestamp += o.RejectedInvalidTimestamp
}

func fromC(c *C.vme_add_result) AddResult {
	return AddResult{
		RowsAdded:                uint64(c.rows_added),
		RejectedInvalidLabels:    uint64(c.rejected_invalid_labels),
		RejectedNaN:              uint64(c.rejected_nan),
		RejectedOutOfRetention:   uint64(c.rejected_out_of_retention),
		RejectedTooFarFuture:     uint64(c.rejected_too_far_future),
		RejectedInvalidTimestamp: uint64(c.rejected_invalid_timestamp),
	}
}

// SeriesRef is a handle to a label set whose packed key is cached in one Batch (see
// Batch.Ref). It stays valid across Reset, until ClearCache; using it with another Batch or
// after ClearCache panics.
type SeriesRef struct {
	id  uint32
	gen uint32
}

// Batch accumulates rows in Go memory and writes them with one native call (DB.Write or
// Commit, wrapping vme_add_rows): the packed series keys go into one byte buffer with uint32
// offsets, the timestamps (ms since the Unix epoch, UTC) and values (float64) into two
// arrays. The packed key of each distinct label set is computed once and cached in the batch
// across Reset, so steady-state ingest of known series allocates nothing.
//
// A Batch is not safe for concurrent use; use one per goroutine. The zero value is ready to
// use. Reuse it: Reset keeps the buffers and the key cache.
type Batch struct {
	keys []byte
	offs []uint32 // len(ts)+1 entries once a row is added
	ts   []int64
	vals []float64

	seed     maphash.Seed
	seeded   bool
	index    map[uint64][]uint32 // label-set hash -> ids
	refKeys  []byte
	refOffs  []uint32 // ids -> refKeys span (len = ids+1)
	refLabs  []Label  // every cached label set, concatenated
	refLabOf []uint32 // ids -> refLabs span (len = ids+1)
	gen      uint32
	next     uint32 // id predicted for the next Ref (the one after the last hit)
}

// NewBatch returns a Batch with room for capacity rows.
func NewBatch(capacity int) *Batch {
	b := &Batch{}
	b.keys = make([]byte, 0, capacity*48)
	b.offs = make([]uint32, 1, capacity+1)
	b.ts = make([]int64, 0, capacity)
	b.vals = make([]float64, 0, capacity)
	return b
}

// Len returns the number of rows in the batch.
func (b *Batch) Len() int { return len(b.ts) }

// Reset empties the batch and keeps its buffers and key cache (and so its SeriesRefs).
func (b *Batch) Reset() {
	b.keys = b.keys[:0]
	b.offs = b.offs[:0]
	b.ts = b.ts[:0]
	b.vals = b.vals[:0]
}

// ClearCache drops the cached series keys (use it when the set of series churns); every
// SeriesRef obtained before becomes invalid. Rows already in the batch are kept.
func (b *Batch) ClearCache() {
	b.index = nil
	b.refKeys = b.refKeys[:0]
	b.refOffs = b.refOffs[:0]
	clear(b.refLabs)
	b.refLabs = b.refLabs[:0]
	b.refLabOf = b.refLabOf[:0]
	b.next = 0
	b.gen = 0
}

// batchGens hands out cache generations, unique across batches, so a SeriesRef of another
// batch or of a cleared cache is detected.
var batchGens atomic.Uint32

func (b *Batch) generation() uint32 {
	for b.gen == 0 {
		b.gen = batchGens.Add(1)
	}
	return b.gen
}

// CachedSeries returns the number of label sets in the key cache.
func (b *Batch) CachedSeries() int {
	if len(b.refOffs) == 0 {
		return 0
	}
	return len(b.refOffs) - 1
}

func (b *Batch) cached(id uint32) Labels { return b.refLabs[b.refLabOf[id]:b.refLabOf[id+1]] }

func (b *Batch) hash(ls Labels) uint64 {
	if !b.seeded {
		b.seed = maphash.MakeSeed()
		b.seeded = true
	}
	h := uint64(len(ls))
	for _, l := range ls {
		h = (h^maphash.String(b.seed, l.Name))*0x9E3779B97F4A7C15 + 1
		h = (h^maphash.String(b.seed, l.Value))*0xC2B2AE3D27D4EB4F + 1
	}
	return h
}

// Ref returns the handle of labels in this batch's key cache, packing and caching the key the
// first time a label set is seen. Rows that come in a repeating order (as from a scrape loop)
// are found without hashing. Errors: ErrInvalidArgument (a name or value longer than 65535
// bytes; the engine's own limits are enforced at ingest).
func (b *Batch) Ref(labels Labels) (SeriesRef, error) {
	b.generation()
	if int(b.next) < b.CachedSeries() && sameLabels(b.cached(b.next), labels) {
		id := b.next
		b.next++
		return SeriesRef{id, b.gen}, nil
	}
	h := b.hash(labels)
	for _, id := range b.index[h] {
		if sameLabels(b.cached(id), labels) {
			b.next = id + 1
			return SeriesRef{id, b.gen}, nil
		}
	}
	if len(b.refOffs) == 0 {
		b.refOffs = append(b.refOffs, 0)
		b.refLabOf = append(b.refLabOf, 0)
	}
	keys, err := AppendSeriesKey(b.refKeys, labels)
	if err != nil {
		return SeriesRef{}, err
	}
	if len(keys) > math.MaxUint32 {
		return SeriesRef{}, errInvalid("Batch.Ref", "the key cache exceeds 4 GiB; call ClearCache")
	}
	id := uint32(b.CachedSeries())
	b.refKeys = keys
	b.refOffs = append(b.refOffs, uint32(len(keys)))
	b.refLabs = append(b.refLabs, labels...)
	b.refLabOf = append(b.refLabOf, uint32(len(b.refLabs)))
	if b.index == nil {
		b.index = make(map[uint64][]uint32)
	}
	b.index[h] = append(b.index[h], id)
	b.next = id + 1
	return SeriesRef{id, b.gen}, nil
}

// AddRef appends one row of the series ref: timestamp ts in ms since the Unix epoch (UTC)
// and value v. It panics if ref does not come from this batch's current cache (a programming
// error, like an index out of range).
func (b *Batch) AddRef(ref SeriesRef, ts int64, v float64) {
	if ref.gen != b.gen || ref.gen == 0 || int(ref.id) >= b.CachedSeries() {
		panic("vmengine: Batch.AddRef: SeriesRef from another batch or from before ClearCache")
	}
	if len(b.offs) == 0 {
		b.offs = append(b.offs, 0)
	}
	b.keys = append(b.keys, b.refKeys[b.refOffs[ref.id]:b.refOffs[ref.id+1]]...)
	if uint64(len(b.keys)) > math.MaxUint32 {
		panic("vmengine: Batch exceeds 4 GiB of series keys; commit smaller batches")
	}
	b.offs = append(b.offs, uint32(len(b.keys)))
	b.ts = append(b.ts, ts)
	b.vals = append(b.vals, v)
}

// Add appends one row: the series labels (whose packed key is cached, see Ref), the timestamp
// ts in ms since the Unix epoch (UTC) and the value v. Errors as Ref; the engine's
// per-row checks (label limits, NaN, retention, timestamps) happen at Write and are counted
// in AddResult.
func (b *Batch) Add(labels Labels, ts int64, v float64) error {
	ref, err := b.Ref(labels)
	if err != nil {
		return err
	}
	b.AddRef(ref, ts, v)
	return nil
}

// Commit is db.Write(b).
func (b *Batch) Commit(db *DB) (AddResult, error) { return db.Write(b) }

// Write adds every row of the batch with one vme_add_rows call and returns its counters.
// The batch is not reset (call Reset to reuse it). The batch's buffers are passed to C only
// for the duration of the call. Errors: ErrClosed, ErrMisuse (read-only DB), ErrIO,
// ErrInvalidArgument. Safe to call from many goroutines with different batches.
func (db *DB) Write(b *Batch) (AddResult, error) {
	const op = "Write"
	h, err := db.acquire(op)
	if err != nil {
		return AddResult{}, err
	}
	defer db.mu.RUnlock()
	n := len(b.ts)
	if n == 0 {
		return AddResult{}, nil
	}
	var keys *C.uint8_t
	if cap(b.keys) > 0 {
		keys = (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(b.keys)))
	} else {
		keys = (*C.uint8_t)(unsafe.Pointer(&zeroByte))
	}
	var res C.vme_add_result
	var cerr *C.vme_error
	st := C.vme_add_rows(h, keys, C.size_t(len(b.keys)),
		(*C.uint32_t)(unsafe.Pointer(unsafe.SliceData(b.offs))),
		(*C.int64_t)(unsafe.Pointer(unsafe.SliceData(b.ts))),
		(*C.double)(unsafe.Pointer(unsafe.SliceData(b.vals))),
		C.size_t(n), &res, &cerr)
	if st != C.VME_OK {
		return fromC(&res), newError(op, st, cerr)
	}
	return fromC(&res), nil
}

// AddSeries adds the samples of one series with one vme_add_series call: timestamps ts (ms
// since the Unix epoch, UTC) and values, which must have the same length. The slices are
// only read during the call. Errors as Write, plus ErrInvalidArgument for unequal lengths or
// an unencodable label.
func (db *DB) AddSeries(labels Labels, ts []int64, values []float64) (AddResult, error) {
	const op = "AddSeries"
	if len(ts) != len(values) {
		return AddResult{}, errInvalid(op, "%d timestamps but %d values", len(ts), len(values))
	}
	key, err := AppendSeriesKey(make([]byte, 0, 64), labels)
	if err != nil {
		return AddResult{}, err
	}
	h, err := db.acquire(op)
	if err != nil {
		return AddResult{}, err
	}
	defer db.mu.RUnlock()
	if len(ts) == 0 {
		return AddResult{}, nil
	}
	var res C.vme_add_result
	var cerr *C.vme_error
	st := C.vme_add_series(h, (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(key))), C.size_t(len(key)),
		(*C.int64_t)(unsafe.Pointer(unsafe.SliceData(ts))),
		(*C.double)(unsafe.Pointer(unsafe.SliceData(values))),
		C.size_t(len(ts)), &res, &cerr)
	if st != C.VME_OK {
		return fromC(&res), newError(op, st, cerr)
	}
	return fromC(&res), nil
}

var zeroByte byte

// sameLabels is Labels.Equal with a fast path for strings that share their bytes (the cached
// copy shares them with the caller's labels).
func sameLabels(a, b Labels) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameString(a[i].Name, b[i].Name) || !sameString(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}

func sameString(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}
