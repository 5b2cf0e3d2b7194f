package vmengine

/*
#include <stdlib.h>
#include "vmengine.h"

// One cgo call per series: advance, view the key, copy the samples out.
static vme_status vmego_iter_next(vme_series_iter* it, int64_t* ts, double* vals, size_t cap,
                                  size_t* n, const uint8_t** key, size_t* key_len,
                                  vme_error** err) {
  vme_status st = vme_series_iter_next(it, err);
  if (st != VME_OK) return st;
  vme_series_iter_key(it, key, key_len);
  return vme_series_iter_copy_samples(it, ts, vals, cap, n, NULL);
}
*/
import "C"

import (
	"context"
	"iter"
	"math"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// MatchType is the kind of a Matcher (vme_match_type).
type MatchType int

// Matcher types, with Prometheus semantics.
const (
	MatchEqual     MatchType = C.VME_MATCH_EQ  // label = value
	MatchNotEqual  MatchType = C.VME_MATCH_NEQ // label != value
	MatchRegexp    MatchType = C.VME_MATCH_RE  // label =~ regex (fully anchored, RE2 syntax)
	MatchNotRegexp MatchType = C.VME_MATCH_NRE // label !~ regex
)

// Matcher is one label matcher; the matchers of a query are AND-ed. The metric name is the
// label "__name__"; a missing label has the value "", so {label=""} matches series without
// it. Regexes are compiled when the query is built, so a bad one fails the call with
// ErrInvalidArgument and RE2's message.
type Matcher struct {
	Type  MatchType
	Name  string
	Value string
}

// Eq returns the matcher name="value".
func Eq(name, value string) Matcher { return Matcher{MatchEqual, name, value} }

// Neq returns the matcher name!="value".
func Neq(name, value string) Matcher { return Matcher{MatchNotEqual, name, value} }

// Re returns the matcher name=~"regex" (fully anchored, RE2 syntax).
func Re(name, regex string) Matcher { return Matcher{MatchRegexp, name, regex} }

// Nre returns the matcher name!~"regex".
func Nre(name, regex string) Matcher { return Matcher{MatchNotRegexp, name, regex} }

// Tenant is a cluster tenant (AccountID:ProjectID).
type Tenant struct {
	AccountID, ProjectID uint32
}

// Unbounded is the open upper time bound: Between(start, Unbounded) has no end. It is
// math.MaxInt64, the largest millisecond timestamp.
const Unbounded int64 = math.MaxInt64

// TimeRange is an inclusive range of timestamps in ms since the Unix epoch (UTC). Build one
// with Between, Since or AllTime; the zero TimeRange is "not set" and every call that takes
// a Query rejects it with ErrInvalidArgument, so a forgotten range never silently selects
// nothing (or everything).
type TimeRange struct {
	start, end int64
	set        bool
}

// Between returns the inclusive range [start, end] in ms since the Unix epoch (UTC); pass
// Unbounded as end for no upper bound. start > end is reported by the call that uses it
// (ErrInvalidArgument).
func Between(start, end int64) TimeRange { return TimeRange{start, end, true} }

// Since returns [start, Unbounded].
func Since(start int64) TimeRange { return TimeRange{start, Unbounded, true} }

// AllTime returns [0, Unbounded]: every sample (the engine stores no negative timestamps).
func AllTime() TimeRange { return TimeRange{0, Unbounded, true} }

// Start returns the inclusive lower bound in ms.
func (r TimeRange) Start() int64 { return r.start }

// End returns the inclusive upper bound in ms (Unbounded for an open range).
func (r TimeRange) End() int64 { return r.end }

// IsSet reports whether r was built by Between, Since or AllTime (the zero TimeRange is not).
func (r TimeRange) IsSet() bool { return r.set }

// String returns "[start, end]" in ms, "[start, +inf]" for an open range, or "unset".
func (r TimeRange) String() string {
	if !r.set {
		return "unset"
	}
	end := strconv.FormatInt(r.end, 10)
	if r.end == Unbounded {
		end = "+inf"
	}
	return "[" + strconv.FormatInt(r.start, 10) + ", " + end + "]"
}

// Query selects series: it is the one argument of DB.Search, DB.SearchSeq, DB.LabelNames,
// DB.LabelValues, DB.SeriesCount and DB.DeleteSeries (a vme_query). Build it with Select
// (a PromQL series selector) or Match (matchers), both over AllTime, and narrow the time with
// Between or Since:
//
//	q := vmengine.Select(`node_cpu_seconds_total{mode="idle"}`).Between(start, end)
//	q := vmengine.Match(vmengine.Eq("job", "node")).Since(start)
//	q := vmengine.Match() // every series of the default tenant, all time
//
// A Query literal must set Range (the zero TimeRange is rejected). A Query is a value: the
// methods return modified copies and the calls copy what they need.
type Query struct {
	// Matchers, AND-ed with each other and with Selector's. None (and no Selector) matches
	// every series of the tenant.
	Matchers []Matcher
	// Selector is an optional PromQL series selector, e.g. `up{job=~"a|b"}`. As in
	// Prometheus it must hold a matcher that does not match the empty string
	// (vme_query_add_selector).
	Selector string
	// Range is the inclusive time range; required (see TimeRange).
	Range TimeRange
	// Tenant overrides the DB's default tenant when not nil.
	Tenant *Tenant
	// MaxSeries makes a search that matches more series fail with ErrLimit (0 = unlimited;
	// -search.maxUniqueTimeseries).
	MaxSeries uint64
}

// Select returns the Query of a PromQL series selector over AllTime.
func Select(selector string) Query { return Query{Selector: selector, Range: AllTime()} }

// Match returns the Query of the matchers (AND-ed) over AllTime; with none it matches every
// series of the tenant.
func Match(matchers ...Matcher) Query {
	return Query{Matchers: append([]Matcher(nil), matchers...), Range: AllTime()}
}

// Between returns a copy of q over the inclusive range [start, end] (ms; end may be
// Unbounded).
func (q Query) Between(start, end int64) Query { q.Range = Between(start, end); return q }

// Since returns a copy of q over [start, Unbounded].
func (q Query) Since(start int64) Query { q.Range = Since(start); return q }

// In returns a copy of q over r.
func (q Query) In(r TimeRange) Query { q.Range = r; return q }

// String returns a readable form of q for messages, e.g. `{job="node"} [0, +inf]`.
func (q Query) String() string {
	var sb strings.Builder
	sb.WriteString(q.Selector)
	if len(q.Matchers) > 0 || q.Selector == "" {
		sb.WriteByte('{')
		for i, m := range q.Matchers {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(m.String())
		}
		sb.WriteByte('}')
	}
	sb.WriteByte(' ')
	sb.WriteString(q.Range.String())
	return sb.String()
}

// String returns the matcher in PromQL form, e.g. `job=~"a|b"`.
func (m Matcher) String() string {
	op := [...]string{"=", "!=", "=~", "!~"}
	s := "?"
	if m.Type >= 0 && int(m.Type) < len(op) {
		s = op[m.Type]
	}
	return m.Name + s + strconv.Quote(m.Value)
}

// Millis converts t to ms since the Unix epoch, the unit of every timestamp of this package.
func Millis(t time.Time) int64 { return t.UnixMilli() }

var emptyCString = [1]byte{0}

func cstr(s string) *C.char {
	if len(s) == 0 {
		return (*C.char)(unsafe.Pointer(&emptyCString[0]))
	}
	return (*C.char)(unsafe.Pointer(unsafe.StringData(s)))
}

// newQuery builds a vme_query; the caller destroys it.
func newQuery(op string, q *Query) (*C.vme_query, error) {
	if !q.Range.set {
		return nil, errInvalid(op, "Query.Range is not set (build the Query with Select or Match, or set Range with Between, Since or AllTime)")
	}
	if q.Range.start > q.Range.end {
		return nil, errInvalid(op, "time range start %d is after end %d", q.Range.start, q.Range.end)
	}
	cq := C.vme_query_create(C.int64_t(q.Range.start), C.int64_t(q.Range.end))
	if cq == nil {
		return nil, &Error{Code: CodeNoMemory, Op: op, Message: "vme_query_create failed"}
	}
	fail := func(st C.vme_status, cerr *C.vme_error) (*C.vme_query, error) {
		C.vme_query_destroy(cq)
		return nil, newError(op, st, cerr)
	}
	var cerr *C.vme_error
	for _, m := range q.Matchers {
		if st := C.vme_query_add_matcher(cq, C.vme_match_type(m.Type), cstr(m.Name), C.size_t(len(m.Name)),
			cstr(m.Value), C.size_t(len(m.Value)), &cerr); st != C.VME_OK {
			return fail(st, cerr)
		}
	}
	if q.Selector != "" {
		if strings.IndexByte(q.Selector, 0) >= 0 {
			C.vme_query_destroy(cq)
			return nil, errInvalid(op, "selector contains a NUL byte")
		}
		sel := C.CString(q.Selector)
		st := C.vme_query_add_selector(cq, sel, &cerr)
		C.free(unsafe.Pointer(sel))
		if st != C.VME_OK {
			return fail(st, cerr)
		}
	}
	if q.Tenant != nil {
		if st := C.vme_query_set_tenant(cq, C.uint32_t(q.Tenant.AccountID), C.uint32_t(q.Tenant.ProjectID), &cerr); st != C.VME_OK {
			return fail(st, cerr)
		}
	}
	if q.MaxSeries != 0 {
		if st := C.vme_query_set_limit(cq, C.uint64_t(q.MaxSeries), &cerr); st != C.VME_OK {
			return fail(st, cerr)
		}
	}
	return cq, nil
}

// Series is one search result: the labels (metric name first as "__name__", then the other
// labels in canonical order) and the samples sorted by timestamp (ms since the Unix epoch,
// UTC) with their float64 values. A *Series from an iterator, and its slices, are reused by
// the next Next: call Clone to keep it.
type Series struct {
	Labels     Labels
	Timestamps []int64
	Values     []float64
}

// Clone returns a deep copy that stays valid after the iterator moves on.
func (s *Series) Clone() *Series {
	return &Series{Labels: s.Labels.Copy(), Timestamps: append([]int64(nil), s.Timestamps...),
		Values: append([]float64(nil), s.Values...)}
}

// SeriesIterator walks the series of a search (a vme_series_iter). Use it as
//
//	it, err := db.Search(ctx, vmengine.Select(`up`).Between(start, end))
//	if err != nil { ... }
//	defer it.Close()
//	for it.Next() { s := it.Series(); ... }
//	if err := it.Err(); err != nil { ... }
//
// or with range-over-func through All. An iterator is not safe for concurrent use (one
// goroutine at a time). It must be closed (Close is idempotent; All closes it); a leaked one is
// freed by a runtime cleanup only as a safety net. After DB.Close, Next stops with ErrClosed.
type SeriesIterator struct {
	db      *DB
	h       *C.vme_series_iter
	ctx     context.Context
	cur     Series
	ts      []int64
	vals    []float64
	err     error
	done    bool
	cleanup runtime.Cleanup
}

type iterCleanupArg struct {
	db *DB
	h  *C.vme_series_iter
}

// Search starts a search for the series matching q with samples in q.Range (see Query).
// Only rows already flushed are seen (see Flush). ctx is checked before the search and by
// every Next (between series); a native call in progress is not interrupted. Errors:
// ErrInvalidArgument (bad regex or selector, unset or reversed Range), ErrClosed, ErrLimit
// (q.MaxSeries), ErrCorruption, ErrIO, or ctx.Err(). Wraps vme_query_* and vme_search
// (VictoriaMetrics Search.Init).
func (db *DB) Search(ctx context.Context, q Query) (*SeriesIterator, error) {
	const op = "Search"
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	cq, err := newQuery(op, &q)
	if err != nil {
		return nil, err
	}
	defer C.vme_query_destroy(cq)
	h, err := db.acquire(op)
	if err != nil {
		return nil, err
	}
	defer db.mu.RUnlock()
	var ch *C.vme_series_iter
	var cerr *C.vme_error
	if st := C.vme_search(h, cq, &ch, &cerr); st != C.VME_OK {
		return nil, newError(op, st, cerr)
	}
	it := &SeriesIterator{db: db, h: ch, ctx: ctx}
	it.cleanup = runtime.AddCleanup(it, func(a iterCleanupArg) {
		a.db.mu.RLock()
		C.vme_series_iter_close(a.h)
		a.db.mu.RUnlock()
	}, iterCleanupArg{db, ch})
	return it, nil
}

// ctxErr is ctx.Err(), with a nil ctx reported as a misuse instead of a panic.
func ctxErr(ctx context.Context) error {
	if ctx == nil {
		return &Error{Code: CodeMisuse, Message: "nil context.Context (use context.Background())"}
	}
	return ctx.Err()
}

// SearchSeq runs Search and returns its series as a range-over-func sequence. A failure
// (of the search or during iteration) is yielded once as (nil, err), after which the
// sequence ends. The *Series is reused between iterations (Clone it to keep it). The native
// iterator is closed when the loop ends, also on break.
func (db *DB) SearchSeq(ctx context.Context, q Query) iter.Seq2[*Series, error] {
	return func(yield func(*Series, error) bool) {
		it, err := db.Search(ctx, q)
		if err != nil {
			yield(nil, err)
			return
		}
		it.All()(yield)
	}
}

// All returns the remaining series as a range-over-func sequence and closes the iterator
// when the loop ends (also on break). An error ends the sequence as (nil, err).
func (it *SeriesIterator) All() iter.Seq2[*Series, error] {
	return func(yield func(*Series, error) bool) {
		defer it.Close()
		for it.Next() {
			if !yield(&it.cur, nil) {
				return
			}
		}
		if err := it.Err(); err != nil {
			yield(nil, err)
		}
	}
}

// Next advances to the next series and reports whether there is one. It returns false at
// the end, on error (see Err), when ctx is done, or after Close.
func (it *SeriesIterator) Next() bool {
	if it.done {
		return false
	}
	if err := ctxErr(it.ctx); err != nil {
		it.fail(err)
		return false
	}
	it.db.mu.RLock()
	defer it.db.mu.RUnlock()
	if it.db.h == nil {
		it.fail(errClosed("SeriesIterator.Next"))
		return false
	}
	var n, keyLen C.size_t
	var key *C.uint8_t
	var cerr *C.vme_error
	st := C.vmego_iter_next(it.h, ptrI64(it.ts), ptrF64(it.vals), C.size_t(cap(it.ts)), &n, &key, &keyLen, &cerr)
	if st == C.VME_DONE {
		it.done = true
		return false
	}
	if st != C.VME_OK && st != C.VME_ERR_BUFFER_TOO_SMALL {
		it.fail(newError("SeriesIterator.Next", st, cerr))
		return false
	}
	var ok bool
	it.cur.Labels, ok = decodeKey(it.cur.Labels[:0], it.cur.Labels, unsafe.Slice((*byte)(key), int(keyLen)))
	if !ok {
		it.fail(&Error{Code: CodeCorruption, Op: "SeriesIterator.Next", Message: "malformed series key from the library"})
		return false
	}
	if st == C.VME_ERR_BUFFER_TOO_SMALL {
		c := int(n) + int(n)/4
		it.ts = make([]int64, c)
		it.vals = make([]float64, c)
		if st = C.vme_series_iter_copy_samples(it.h, ptrI64(it.ts), ptrF64(it.vals), C.size_t(c), &n, &cerr); st != C.VME_OK {
			it.fail(newError("SeriesIterator.Next", st, cerr))
			return false
		}
	}
	it.cur.Timestamps = it.ts[:n:n]
	it.cur.Values = it.vals[:n:n]
	return true
}

func ptrI64(s []int64) *C.int64_t {
	if cap(s) == 0 {
		return nil
	}
	return (*C.int64_t)(unsafe.Pointer(unsafe.SliceData(s)))
}

func ptrF64(s []float64) *C.double {
	if cap(s) == 0 {
		return nil
	}
	return (*C.double)(unsafe.Pointer(unsafe.SliceData(s)))
}

func (it *SeriesIterator) fail(err error) {
	it.err = err
	it.done = true
}

// Series returns the current series. It and its slices are valid until the next call to
// Next or Close (use Clone to keep them).
func (it *SeriesIterator) Series() *Series { return &it.cur }

// Err returns the error that ended the iteration, or nil at a normal end. A ctx error is
// returned as is (context.Canceled or context.DeadlineExceeded).
func (it *SeriesIterator) Err() error { return it.err }

// Close releases the native iterator (vme_series_iter_close); valid also after DB.Close.
// Idempotent; always returns nil.
func (it *SeriesIterator) Close() error {
	if it.h == nil {
		return nil
	}
	it.cleanup.Stop()
	it.db.mu.RLock()
	C.vme_series_iter_close(it.h)
	it.db.mu.RUnlock()
	it.h = nil
	it.done = true
	return nil
}

// withQuery checks ctx, converts q, takes the handle's read lock and runs fn with the
// native handle and query; the query is destroyed afterwards.
func (db *DB) withQuery(ctx context.Context, op string, q *Query, fn func(h *C.vme_db, cq *C.vme_query) error) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	cq, err := newQuery(op, q)
	if err != nil {
		return err
	}
	defer C.vme_query_destroy(cq)
	h, err := db.acquire(op)
	if err != nil {
		return err
	}
	defer db.mu.RUnlock()
	return fn(h, cq)
}

// LabelNames returns the sorted label names of the series matching q ("__name__" included
// when any series matches; Match() = every series of the tenant). q.Range applies as in
// SeriesCount. ctx is checked before the native call, which is not interrupted. Errors:
// ErrInvalidArgument, ErrClosed, ErrCorruption, ErrIO, ctx.Err(). Wraps vme_label_names
// (VictoriaMetrics SearchTagKeys).
func (db *DB) LabelNames(ctx context.Context, q Query) ([]string, error) {
	const op = "LabelNames"
	var out []string
	err := db.withQuery(ctx, op, &q, func(h *C.vme_db, cq *C.vme_query) error {
		var list *C.vme_strlist
		var cerr *C.vme_error
		if st := C.vme_label_names(h, cq, &list, &cerr); st != C.VME_OK {
			return newError(op, st, cerr)
		}
		out = takeStrlist(list)
		return nil
	})
	return out, err
}

// LabelValues returns the sorted non-empty values of label name ("__name__" for metric
// names) over the series matching q; q.Range applies as in SeriesCount. Errors as
// LabelNames. Wraps vme_label_values (VictoriaMetrics SearchTagValues).
func (db *DB) LabelValues(ctx context.Context, name string, q Query) ([]string, error) {
	const op = "LabelValues"
	var out []string
	err := db.withQuery(ctx, op, &q, func(h *C.vme_db, cq *C.vme_query) error {
		var list *C.vme_strlist
		var cerr *C.vme_error
		if st := C.vme_label_values(h, cstr(name), C.size_t(len(name)), cq, &list, &cerr); st != C.VME_OK {
			return newError(op, st, cerr)
		}
		out = takeStrlist(list)
		return nil
	})
	return out, err
}

// SeriesCount returns the number of distinct live series matching q. When q.Range touches
// at most 41 UTC days only series with samples on those days are counted (per-day index);
// wider ranges (AllTime) count every matching series. Errors as LabelNames. Wraps
// vme_series_count.
func (db *DB) SeriesCount(ctx context.Context, q Query) (uint64, error) {
	const op = "SeriesCount"
	var out C.uint64_t
	err := db.withQuery(ctx, op, &q, func(h *C.vme_db, cq *C.vme_query) error {
		var cerr *C.vme_error
		if st := C.vme_series_count(h, cq, &out, &cerr); st != C.VME_OK {
			return newError(op, st, cerr)
		}
		return nil
	})
	return uint64(out), err
}

// DeleteSeries deletes the series matching q's matchers and selector over all time and
// returns how many were deleted. Deletion has no time range, so q.Range must be AllTime (what
// Select and Match give); any other range fails with ErrInvalidArgument rather than being
// ignored. At least one matcher or a selector is required. The series vanish from searches
// and counts at once; their samples are dropped at the next merge (ForceMerge applies it at
// once). ctx is checked before the native call. Errors: ErrInvalidArgument, ErrMisuse
// (read-only DB), ErrClosed, ErrIO, ctx.Err(). Wraps vme_delete_series (VictoriaMetrics
// DeleteSeries).
func (db *DB) DeleteSeries(ctx context.Context, q Query) (uint64, error) {
	const op = "DeleteSeries"
	if len(q.Matchers) == 0 && q.Selector == "" {
		return 0, errInvalid(op, "at least one matcher or a selector is required")
	}
	if q.Range.set && q.Range != AllTime() {
		return 0, errInvalid(op, "series are deleted over all time; Query.Range %v would be ignored (use AllTime)", q.Range)
	}
	q.Range = AllTime()
	var out C.uint64_t
	err := db.withQuery(ctx, op, &q, func(h *C.vme_db, cq *C.vme_query) error {
		var cerr *C.vme_error
		if st := C.vme_delete_series(h, cq, &out, &cerr); st != C.VME_OK {
			return newError(op, st, cerr)
		}
		return nil
	})
	return uint64(out), err
}
