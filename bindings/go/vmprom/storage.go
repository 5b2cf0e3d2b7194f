package vmprom

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/prometheus/prometheus/model/exemplar"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/metadata"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/util/annotations"
	"github.com/vmengine/vmengine/bindings/go/vmengine"
)

// ErrUnsupported is returned for what vmengine does not store: native histograms,
// exemplars, metadata and start-timestamp zero samples.
var ErrUnsupported = errors.New("vmprom: vmengine stores float samples only")

// ErrAppenderDone is returned by an Appender used after Commit or Rollback (Prometheus
// appenders must not be reused).
var ErrAppenderDone = errors.New("vmprom: appender already committed or rolled back")

// RejectedError is returned by Commit when the engine rejected some rows (invalid labels,
// NaN, out of retention, too far in the future, negative timestamp). The other rows of the
// commit are stored; Result counts both.
type RejectedError struct {
	Result vmengine.AddResult
}

func (e *RejectedError) Error() string {
	r := e.Result
	return fmt.Sprintf("vmprom: commit stored %d rows and rejected %d (invalid labels %d, NaN %d, out of retention %d, too far in the future %d, invalid timestamp %d)",
		r.RowsAdded, r.Rejected(), r.RejectedInvalidLabels, r.RejectedNaN, r.RejectedOutOfRetention,
		r.RejectedTooFarFuture, r.RejectedInvalidTimestamp)
}

// Storage makes a *vmengine.DB usable as a Prometheus storage.Appendable and
// storage.Queryable. It does not own the DB: close the DB yourself after the appenders and
// queriers are done. A Storage is safe for concurrent use, as the DB is; each Appender and
// Querier is for one goroutine at a time.
type Storage struct {
	db *vmengine.DB
}

var (
	_ storage.Appendable = (*Storage)(nil)
	_ storage.Queryable  = (*Storage)(nil)
	_ storage.Appender   = (*Appender)(nil)
	_ storage.Querier    = (*Querier)(nil)
	_ storage.SeriesSet  = (*seriesSet)(nil)
	_ storage.Series     = (*series)(nil)
	_ chunkenc.Iterator  = (*floatIterator)(nil)
)

// New returns a Storage over db.
func New(db *vmengine.DB) *Storage { return &Storage{db: db} }

// DB returns the wrapped database.
func (s *Storage) DB() *vmengine.DB { return s.db }

// Appender returns a new Appender; ctx is used by its Commit (vmengine.DB.Write).
func (s *Storage) Appender(ctx context.Context) storage.Appender {
	return &Appender{ctx: ctx, db: s.db, b: vmengine.NewBatch(64)}
}

// Appender implements storage.Appender: Append buffers float samples in a vmengine.Batch,
// Commit writes them with one DB.Write, Rollback drops them. It must be finished with Commit
// or Rollback and not be reused afterwards (ErrAppenderDone). Not safe for concurrent use.
type Appender struct {
	ctx     context.Context
	db      *vmengine.DB
	b       *vmengine.Batch
	scratch vmengine.Labels
	done    bool
}

// Append buffers one sample of the series l at t (ms since the Unix epoch, UTC) with value
// v. It returns the reference 0 ("do not cache"): vmengine caches series keys itself, so the
// caller passes the labels on every Append. Errors: ErrAppenderDone, an empty label set, a
// label longer than 65535 bytes (vmengine.ErrInvalidArgument). The engine's own checks
// (label limits, retention, NaN) happen at Commit.
func (a *Appender) Append(_ storage.SeriesRef, l labels.Labels, t int64, v float64) (storage.SeriesRef, error) {
	if a.done {
		return 0, ErrAppenderDone
	}
	if l.IsEmpty() {
		return 0, fmt.Errorf("vmprom: Append at %d: empty label set", t)
	}
	a.scratch = AppendFromLabels(a.scratch[:0], l)
	if err := a.b.Add(a.scratch, t, v); err != nil {
		return 0, err
	}
	return 0, nil
}

// Commit writes the buffered samples with one vmengine.DB.Write. Errors: those of Write
// (vmengine.ErrClosed, ErrIO, ctx.Err(), ...), or a *RejectedError when the engine rejected
// some rows (the others are stored). The appender is done afterwards either way.
func (a *Appender) Commit() error {
	if a.done {
		return ErrAppenderDone
	}
	a.done = true
	res, err := a.db.Write(a.ctx, a.b)
	a.b.Reset()
	if err != nil {
		return err
	}
	if res.Rejected() != 0 {
		return &RejectedError{Result: res}
	}
	return nil
}

// Rollback drops the buffered samples; nothing was written. The appender is done afterwards.
func (a *Appender) Rollback() error {
	if a.done {
		return ErrAppenderDone
	}
	a.done = true
	a.b.Reset()
	return nil
}

// SetOptions accepts and ignores the options: vmengine accepts out-of-order samples.
func (a *Appender) SetOptions(*storage.AppendOptions) {}

// AppendExemplar returns ErrUnsupported.
func (a *Appender) AppendExemplar(storage.SeriesRef, labels.Labels, exemplar.Exemplar) (storage.SeriesRef, error) {
	return 0, ErrUnsupported
}

// AppendHistogram returns ErrUnsupported.
func (a *Appender) AppendHistogram(storage.SeriesRef, labels.Labels, int64, *histogram.Histogram, *histogram.FloatHistogram) (storage.SeriesRef, error) {
	return 0, ErrUnsupported
}

// AppendHistogramSTZeroSample returns ErrUnsupported.
func (a *Appender) AppendHistogramSTZeroSample(storage.SeriesRef, labels.Labels, int64, int64, *histogram.Histogram, *histogram.FloatHistogram) (storage.SeriesRef, error) {
	return 0, ErrUnsupported
}

// UpdateMetadata returns ErrUnsupported.
func (a *Appender) UpdateMetadata(storage.SeriesRef, labels.Labels, metadata.Metadata) (storage.SeriesRef, error) {
	return 0, ErrUnsupported
}

// AppendSTZeroSample returns ErrUnsupported.
func (a *Appender) AppendSTZeroSample(storage.SeriesRef, labels.Labels, int64, int64) (storage.SeriesRef, error) {
	return 0, ErrUnsupported
}

// Querier returns a Querier over the inclusive range [mint, maxt] (ms). Errors: mint > maxt.
func (s *Storage) Querier(mint, maxt int64) (storage.Querier, error) {
	if mint > maxt {
		return nil, fmt.Errorf("vmprom: Querier: mint %d is after maxt %d", mint, maxt)
	}
	return &Querier{db: s.db, mint: mint, maxt: maxt}, nil
}

// Querier implements storage.Querier over a time range: Select runs a vmengine search,
// LabelNames and LabelValues the matching index lookups. Rows become visible once flushed
// (vmengine.DB.Flush, or about a second after the write). Not safe for concurrent use; Close
// releases the searches still open.
type Querier struct {
	db         *vmengine.DB
	mint, maxt int64
	open       []*seriesSet
}

func (q *Querier) query(ms []*labels.Matcher, start, end int64) (vmengine.Query, error) {
	vm, err := FromMatchers(ms...)
	if err != nil {
		return vmengine.Query{}, err
	}
	return vmengine.Match(vm...).Between(max(start, q.mint), min(end, q.maxt)), nil
}

// Select returns the series matching every matcher with their samples in the querier's
// range (narrowed by hints.Start/End when hints is not nil). With sortSeries the series come
// sorted by labels (they are read in full first); otherwise in vmengine's TSID order, read
// one by one. hints.Limit > 0 caps the number of series; hints.Func "series" skips nothing
// (samples are read anyway). Errors come out of the SeriesSet's Err.
func (q *Querier) Select(ctx context.Context, sortSeries bool, hints *storage.SelectHints, matchers ...*labels.Matcher) storage.SeriesSet {
	start, end := q.mint, q.maxt
	limit := 0
	if hints != nil {
		start, end = hints.Start, hints.End
		limit = hints.Limit
	}
	vq, err := q.query(matchers, start, end)
	if err != nil {
		return storage.ErrSeriesSet(err)
	}
	if vq.Range.Start() > vq.Range.End() {
		return storage.EmptySeriesSet()
	}
	it, err := q.db.Search(ctx, vq)
	if err != nil {
		return storage.ErrSeriesSet(err)
	}
	ss := &seriesSet{it: it, limit: limit}
	if sortSeries {
		var all []*series
		for ss.Next() {
			all = append(all, ss.cur)
		}
		if ss.err != nil {
			return storage.ErrSeriesSet(ss.err)
		}
		slices.SortFunc(all, func(a, b *series) int { return labels.Compare(a.labels, b.labels) })
		return &seriesSet{list: all, fromList: true}
	}
	q.open = append(q.open, ss)
	return ss
}

func (q *Querier) limited(out []string, hints *storage.LabelHints) []string {
	if hints != nil && hints.Limit > 0 && len(out) > hints.Limit {
		out = out[:hints.Limit]
	}
	return out
}

// LabelNames returns the sorted label names of the series matching the matchers (all series
// with none) that have samples in the querier's range, as vmengine.DB.LabelNames counts
// them; hints.Limit > 0 caps the count.
func (q *Querier) LabelNames(ctx context.Context, hints *storage.LabelHints, matchers ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	vq, err := q.query(matchers, q.mint, q.maxt)
	if err != nil {
		return nil, nil, err
	}
	out, err := q.db.LabelNames(ctx, vq)
	if err != nil {
		return nil, nil, err
	}
	return q.limited(out, hints), nil, nil
}

// LabelValues returns the sorted non-empty values of label name over the series matching
// the matchers, as vmengine.DB.LabelValues; hints.Limit > 0 caps the count.
func (q *Querier) LabelValues(ctx context.Context, name string, hints *storage.LabelHints, matchers ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	vq, err := q.query(matchers, q.mint, q.maxt)
	if err != nil {
		return nil, nil, err
	}
	out, err := q.db.LabelValues(ctx, name, vq)
	if err != nil {
		return nil, nil, err
	}
	return q.limited(out, hints), nil, nil
}

// Close releases the searches of unsorted Selects that were not read to the end. Always nil.
func (q *Querier) Close() error {
	for _, ss := range q.open {
		ss.close()
	}
	q.open = nil
	return nil
}

// seriesSet walks a vmengine search (it), or a sorted list.
type seriesSet struct {
	it       *vmengine.SeriesIterator
	limit, n int
	list     []*series
	fromList bool
	cur      *series
	err      error
}

func (s *seriesSet) Next() bool {
	if s.fromList {
		if len(s.list) == 0 {
			s.cur = nil
			return false
		}
		s.cur, s.list = s.list[0], s.list[1:]
		return true
	}
	if s.it == nil {
		return false
	}
	if s.limit > 0 && s.n >= s.limit {
		s.close()
		return false
	}
	if !s.it.Next() {
		s.err = s.it.Err()
		s.close()
		return false
	}
	s.n++
	v := s.it.Series()
	// The iterator reuses its slices: copy them, once, for the Series handed out.
	s.cur = &series{labels: ToLabels(v.Labels), ts: slices.Clone(v.Timestamps), vs: slices.Clone(v.Values)}
	return true
}

func (s *seriesSet) close() {
	if s.it != nil {
		s.it.Close()
		s.it = nil
	}
}

func (s *seriesSet) At() storage.Series                { return s.cur }
func (s *seriesSet) Err() error                        { return s.err }
func (s *seriesSet) Warnings() annotations.Annotations { return nil }

// series is one search result, owned (copied out of the vmengine iterator).
type series struct {
	labels labels.Labels
	ts     []int64
	vs     []float64
}

func (s *series) Labels() labels.Labels { return s.labels }

// Iterator returns an iterator over the samples, reusing it when it is one of ours.
func (s *series) Iterator(it chunkenc.Iterator) chunkenc.Iterator {
	if fi, ok := it.(*floatIterator); ok {
		*fi = floatIterator{ts: s.ts, vs: s.vs, i: -1}
		return fi
	}
	return &floatIterator{ts: s.ts, vs: s.vs, i: -1}
}

// floatIterator is a chunkenc.Iterator over float samples sorted by timestamp.
type floatIterator struct {
	ts []int64
	vs []float64
	i  int
}

func (it *floatIterator) Next() chunkenc.ValueType {
	if it.i+1 >= len(it.ts) {
		it.i = len(it.ts)
		return chunkenc.ValNone
	}
	it.i++
	return chunkenc.ValFloat
}

// Seek advances to the first sample at or after t; it never moves backwards.
func (it *floatIterator) Seek(t int64) chunkenc.ValueType {
	if it.i < 0 {
		it.i = 0
	}
	if it.i >= len(it.ts) {
		return chunkenc.ValNone
	}
	if it.ts[it.i] < t {
		j, _ := slices.BinarySearch(it.ts[it.i:], t)
		it.i += j
	}
	if it.i >= len(it.ts) {
		return chunkenc.ValNone
	}
	return chunkenc.ValFloat
}

func (it *floatIterator) At() (int64, float64) { return it.ts[it.i], it.vs[it.i] }

func (it *floatIterator) AtHistogram(*histogram.Histogram) (int64, *histogram.Histogram) {
	panic("vmprom: AtHistogram on a float series")
}

func (it *floatIterator) AtFloatHistogram(*histogram.FloatHistogram) (int64, *histogram.FloatHistogram) {
	panic("vmprom: AtFloatHistogram on a float series")
}

func (it *floatIterator) AtT() int64  { return it.ts[it.i] }
func (it *floatIterator) AtST() int64 { return 0 }
func (it *floatIterator) Err() error  { return nil }
