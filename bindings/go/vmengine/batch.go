package vmengine

/*
#include "vmengine.h"
*/
import "C"

import (
	"context"
	"hash/maphash"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
	"weak"
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
// after ClearCache panics. A cached label set that the batch writes again to the same DB is
// resolved once to an engine series reference (vme_series_refs_resolve), so rows of known
// series cross into the engine as 8-byte references (vme_add_rows_ref) and the engine skips its
// per-row series-key lookup (see DB.Write).
type SeriesRef struct {
	id  uint32
	gen uint32
}

// Batch accumulates rows in Go memory and writes them with one native call (DB.Write or
// Commit): each row holds the id of its label set in the batch's key cache, its timestamp (ms
// since the Unix epoch, UTC) and value (float64). The packed key of each distinct label set is
// computed once and cached in the batch across Reset; a label set written again to the same DB
// is resolved once to an engine series reference (vme_series_refs_resolve), so steady-state
// ingest of known series allocates nothing and passes 8 bytes of reference per row to
// vme_add_rows_ref (see Write). The engine references are released by ClearCache, when the
// batch becomes unreachable (a runtime cleanup), or when their DB is closed.
//
// A successful DB.Write empties the batch (keeping its buffers and key cache), so a scrape
// loop fills it, writes it, and fills it again without calling Reset; a failed Write keeps
// the rows for a retry. A Batch is not safe for concurrent use; use one per goroutine. The
// zero value is ready to use.
type Batch struct {
	ids  []uint32 // cache id of each row
	ts   []int64
	vals []float64
	eng  *engineRefs
	// Scratch of Write.
	scratch    writeScratch
	resolveIDs []uint32
	// Keys of rows added before a ClearCache (ids with carryBit), until Reset.
	carryKeys []byte
	carryOffs []uint32

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
	b.ids = make([]uint32, 0, capacity)
	b.ts = make([]int64, 0, capacity)
	b.vals = make([]float64, 0, capacity)
	return b
}

// Len returns the number of rows in the batch.
func (b *Batch) Len() int { return len(b.ts) }

// Reset empties the batch and keeps its buffers and key cache (and so its SeriesRefs).
func (b *Batch) Reset() {
	b.ids = b.ids[:0]
	b.carryKeys = b.carryKeys[:0]
	b.carryOffs = b.carryOffs[:0]
	b.ts = b.ts[:0]
	b.vals = b.vals[:0]
}

// ClearCache drops the cached series keys (use it when the set of series churns) and releases
// their engine series references (vme_series_refs_release, in every DB still open); every
// SeriesRef obtained before becomes invalid. Rows already in the batch are kept (their keys
// until the next Reset).
func (b *Batch) ClearCache() {
	// The keys of the rows in the batch move to the carry buffer, until the next Reset.
	if len(b.ids) > 0 {
		moved := make(map[uint32]uint32)
		for i, id := range b.ids {
			if id&carryBit != 0 {
				continue
			}
			c, ok := moved[id]
			if !ok {
				if len(b.carryOffs) == 0 {
					b.carryOffs = append(b.carryOffs, 0)
				}
				c = carryBit | uint32(len(b.carryOffs)-1)
				b.carryKeys = append(b.carryKeys, b.refKeys[b.refOffs[id]:b.refOffs[id+1]]...)
				b.carryOffs = append(b.carryOffs, uint32(len(b.carryKeys)))
				moved[id] = c
			}
			b.ids[i] = c
		}
	}
	if b.eng != nil {
		b.eng.releaseAll()
	}
	b.index = nil
	b.refKeys = b.refKeys[:0]
	b.refOffs = b.refOffs[:0]
	clear(b.refLabs)
	b.refLabs = b.refLabs[:0]
	b.refLabOf = b.refLabOf[:0]
	b.next = 0
	b.gen = 0
}

// carryBit marks a row id that indexes the carry buffer (keys of rows kept across ClearCache)
// instead of the key cache.
const carryBit = 1 << 31

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
	b.ids = append(b.ids, ref.id)
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

// Commit is db.Write(ctx, b).
func (b *Batch) Commit(ctx context.Context, db *DB) (AddResult, error) { return db.Write(ctx, b) }

// Write adds every row of the batch and returns the counters. Rows of label sets that this
// batch already wrote to db go in one vme_add_rows_ref call, as 8-byte engine series
// references: each label set is resolved once per DB (vme_series_refs_resolve) the second time
// it is written, so a series written once (high churn) costs no reference, and one written
// again and again (a scrape loop) skips the engine's per-row key lookup. The other rows go in
// one vme_add_rows call with their packed keys. The references are kept in the batch per DB (a
// DB reopened is a new DB). The engine checks the labels when the rows are added: rows of a
// label set over its limits are rejected and counted in AddResult.RejectedInvalidLabels.
//
// After a successful Write the batch is empty (its rows are dropped as by Reset; the key
// cache and SeriesRefs stay), so a loop that fills and writes the same Batch never writes a
// row twice. If Write fails, every row stays in the batch: retry, or Reset to drop them. The
// result then counts the rows stored before the failure (none when the DB is closed or ctx is
// done; after an I/O error some may be), which a retry writes again. The batch's buffers are passed to C only
// for the duration of the calls. ctx is checked before the native calls, which are not
// interrupted. Errors: ErrClosed, ErrMisuse (read-only DB), ErrIO, ErrInvalidArgument,
// ctx.Err(). Safe to call from many goroutines with different batches.
func (db *DB) Write(ctx context.Context, b *Batch) (AddResult, error) {
	const op = "Write"
	if err := ctxErr(ctx); err != nil {
		return AddResult{}, err
	}
	h, err := db.acquire(op)
	if err != nil {
		return AddResult{}, err
	}
	defer db.mu.RUnlock()
	n := len(b.ts)
	if n == 0 {
		return AddResult{}, nil
	}
	if b.eng == nil {
		b.eng = &engineRefs{}
		runtime.AddCleanup(b, func(e *engineRefs) { e.releaseAll() }, b.eng)
	}
	e := b.eng
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.forDB(db, h, b.CachedSeries())
	if err := b.resolveSeen(d, h, op); err != nil {
		return AddResult{}, err
	}
	// Split the rows: by reference, or by key (first write of a label set, or a row carried
	// across ClearCache).
	w := &b.scratch
	w.reset()
	for i, id := range b.ids {
		if id&carryBit == 0 && d.refs[id] >= minRef {
			w.refs = append(w.refs, d.refs[id])
			w.refTS = append(w.refTS, b.ts[i])
			w.refVals = append(w.refVals, b.vals[i])
			continue
		}
		if id&carryBit != 0 {
			c := id &^ carryBit
			w.keys = append(w.keys, b.carryKeys[b.carryOffs[c]:b.carryOffs[c+1]]...)
		} else {
			w.keys = append(w.keys, b.refKeys[b.refOffs[id]:b.refOffs[id+1]]...)
			d.refs[id] = seenOnce
		}
		if uint64(len(w.keys)) > math.MaxUint32 {
			return AddResult{}, errInvalid(op, "the batch exceeds 4 GiB of series keys; write smaller batches")
		}
		w.offs = append(w.offs, uint32(len(w.keys)))
		w.keyTS = append(w.keyTS, b.ts[i])
		w.keyVals = append(w.keyVals, b.vals[i])
	}
	var total AddResult
	if len(w.keyTS) > 0 {
		keys := (*C.uint8_t)(unsafe.Pointer(&zeroByte))
		if len(w.keys) > 0 {
			keys = (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(w.keys)))
		}
		var res C.vme_add_result
		var cerr *C.vme_error
		st := C.vme_add_rows(h, keys, C.size_t(len(w.keys)),
			(*C.uint32_t)(unsafe.Pointer(unsafe.SliceData(w.offs))),
			(*C.int64_t)(unsafe.Pointer(unsafe.SliceData(w.keyTS))),
			(*C.double)(unsafe.Pointer(unsafe.SliceData(w.keyVals))),
			C.size_t(len(w.keyTS)), &res, &cerr)
		total.Add(fromC(&res))
		if st != C.VME_OK {
			return total, newError(op, st, cerr)
		}
	}
	if len(w.refs) > 0 {
		var res C.vme_add_result
		var cerr *C.vme_error
		st := C.vme_add_rows_ref(h, (*C.uint64_t)(unsafe.Pointer(unsafe.SliceData(w.refs))),
			(*C.int64_t)(unsafe.Pointer(unsafe.SliceData(w.refTS))),
			(*C.double)(unsafe.Pointer(unsafe.SliceData(w.refVals))),
			C.size_t(len(w.refs)), nil, &res, &cerr)
		total.Add(fromC(&res))
		if st != C.VME_OK {
			return total, newError(op, st, cerr)
		}
	}
	b.Reset()
	return total, nil
}

// writeScratch holds the two halves of a Write, reused across calls.
type writeScratch struct {
	refs             []uint64
	refTS, keyTS     []int64
	refVals, keyVals []float64
	keys             []byte
	offs             []uint32
}

func (w *writeScratch) reset() {
	w.refs, w.refTS, w.refVals = w.refs[:0], w.refTS[:0], w.refVals[:0]
	w.keys, w.keyTS, w.keyVals = w.keys[:0], w.keyTS[:0], w.keyVals[:0]
	w.offs = append(w.offs[:0], 0)
}

// States of a label set in dbRefs.refs besides an engine reference (always >= minRef: its top
// 16 bits are a non-zero handle tag, see vmengine.h).
const (
	notWritten = 0       // not written to this DB yet
	seenOnce   = 1       // written once by key: the next Write resolves it
	minRef     = 1 << 48 // engine references are at least this
)

// engineRefs are the engine series references of one batch's cached label sets, per DB. It is
// separate from the Batch so that a runtime cleanup of the batch can release them.
type engineRefs struct {
	mu  sync.Mutex // the cleanup runs on another goroutine
	dbs []dbRefs
}

type dbRefs struct {
	db   weak.Pointer[DB] // weak: a batch does not keep a DB alive
	h    *C.vme_db        // the handle they were resolved on
	refs []uint64         // by cache id: notWritten, seenOnce or an engine reference
}

// forDB returns the references of db (handle h), grown to cached entries; e.mu is held.
func (e *engineRefs) forDB(db *DB, h *C.vme_db, cached int) *dbRefs {
	// Forget the references of DBs that were garbage-collected (their handles are closed).
	e.dbs = slices.DeleteFunc(e.dbs, func(d dbRefs) bool { return d.db.Value() == nil })
	var d *dbRefs
	for i := range e.dbs {
		if e.dbs[i].db.Value() == db && e.dbs[i].h == h {
			d = &e.dbs[i]
			break
		}
	}
	if d == nil {
		e.dbs = append(e.dbs, dbRefs{db: weak.Make(db), h: h})
		d = &e.dbs[len(e.dbs)-1]
	}
	if len(d.refs) < cached {
		d.refs = append(d.refs, make([]uint64, cached-len(d.refs))...)
	}
	return d
}

// resolveSeen resolves, with one vme_series_refs_resolve call, the label sets of the batch's
// rows that were written once to d's DB before this Write.
func (b *Batch) resolveSeen(d *dbRefs, h *C.vme_db, op string) error {
	w := &b.scratch
	w.keys = w.keys[:0]
	w.offs = append(w.offs[:0], 0)
	ids := b.resolveIDs[:0]
	for _, id := range b.ids {
		if id&carryBit != 0 || d.refs[id] != seenOnce {
			continue
		}
		d.refs[id] = notWritten + 2 // marked: listed once
		ids = append(ids, id)
		w.keys = append(w.keys, b.refKeys[b.refOffs[id]:b.refOffs[id+1]]...)
		w.offs = append(w.offs, uint32(len(w.keys)))
	}
	b.resolveIDs = ids
	if len(ids) == 0 {
		return nil
	}
	refs := make([]uint64, len(ids))
	var cerr *C.vme_error
	st := C.vme_series_refs_resolve(h, (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(w.keys))),
		C.size_t(len(w.keys)), (*C.uint32_t)(unsafe.Pointer(unsafe.SliceData(w.offs))),
		C.size_t(len(ids)), (*C.uint64_t)(unsafe.Pointer(unsafe.SliceData(refs))), &cerr)
	if st != C.VME_OK {
		for _, id := range ids {
			d.refs[id] = seenOnce
		}
		return newError(op, st, cerr)
	}
	for k, id := range ids {
		d.refs[id] = refs[k]
	}
	return nil
}

// releaseAll releases the references in every DB still open and forgets them all.
func (e *engineRefs) releaseAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, d := range e.dbs {
		db := d.db.Value()
		if db == nil {
			continue
		}
		live := make([]uint64, 0, len(d.refs))
		for _, r := range d.refs {
			if r >= minRef {
				live = append(live, r)
			}
		}
		if len(live) == 0 {
			continue
		}
		if h, err := db.acquire("ClearCache"); err == nil {
			if h == d.h {
				C.vme_series_refs_release(h, (*C.uint64_t)(unsafe.Pointer(unsafe.SliceData(live))),
					C.size_t(len(live)), nil)
			}
			db.mu.RUnlock()
		}
	}
	e.dbs = nil
}

// AddSeries adds the samples of one series with one vme_add_series call: timestamps ts (ms
// since the Unix epoch, UTC) and values, which must have the same length. The slices are
// only read during the call. ctx is checked before the native call. Errors as Write, plus
// ErrInvalidArgument for unequal lengths or an unencodable label. Wraps vme_add_series.
func (db *DB) AddSeries(ctx context.Context, labels Labels, ts []int64, values []float64) (AddResult, error) {
	const op = "AddSeries"
	if err := ctxErr(ctx); err != nil {
		return AddResult{}, err
	}
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
