package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/tsdb/chunkenc"

	"github.com/vmengine/vmengine/bench/peers/workload"
)

const (
	module = "github.com/prometheus/prometheus"
	// tenYears is the retention and the out-of-order window, in ms: every sample of the workloads
	// is accepted (with several writers, batches of later timestamps may commit first) and kept.
	tenYears = int64(3650 * 24 * time.Hour / time.Millisecond)
)

// series is one series as the writers see it: its labels and the SeriesRef that the head gave
// it (0 until its first Append).
type series struct {
	ls  labels.Labels
	ref atomic.Uint64
}

type sample struct {
	s *series
	t int64
	v float64
}

// batch is the samples of one Append...Commit transaction.
type batch struct{ samples []sample }

// prom drives a Prometheus TSDB.
type prom struct {
	db     *tsdb.DB
	logger *slog.Logger
	// The series that the producer saw last, in a ring indexed by series mod len(slotSeries):
	// slotSeries[i] is the series index of slot[i].
	labels     func(series int) []workload.Label
	slotSeries []int
	slot       []*series
}

func (p *prom) Name() string { return "prometheus" }

func (p *prom) Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == module {
				return d.Version
			}
		}
	}
	return "unknown"
}

func options() *tsdb.Options {
	o := tsdb.DefaultOptions()
	o.RetentionDuration = tenYears
	o.OutOfOrderTimeWindow = tenYears
	return o
}

func (p *prom) Open(dir string) error {
	if p.logger == nil {
		p.logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	db, err := tsdb.Open(dir, p.logger, nil, options(), nil)
	if err != nil {
		return err
	}
	p.db = db
	return nil
}

func (p *prom) Close() error {
	err := p.db.Close()
	p.db = nil
	return err
}

func (p *prom) SetWorkload(labelsOf func(series int) []workload.Label, slots int) {
	p.labels = labelsOf
	p.slotSeries = make([]int, slots)
	p.slot = make([]*series, slots)
	for i := range p.slotSeries {
		p.slotSeries[i] = -1
	}
}

func promLabels(ls []workload.Label) labels.Labels {
	b := labels.NewScratchBuilder(len(ls))
	for _, l := range ls {
		b.Add(l.Name, l.Value)
	}
	b.Sort()
	return b.Labels()
}

func (p *prom) Prepare(b *batch, rows []workload.Row) {
	b.samples = b.samples[:0]
	for _, r := range rows {
		i := r.Series % len(p.slotSeries)
		if p.slotSeries[i] != r.Series {
			p.slotSeries[i] = r.Series
			p.slot[i] = &series{ls: promLabels(p.labels(r.Series))}
		}
		b.samples = append(b.samples, sample{s: p.slot[i], t: r.TS, v: r.V})
	}
}

func (p *prom) Write(b *batch) error {
	app := p.db.Appender(context.Background())
	for _, x := range b.samples {
		ref := storage.SeriesRef(x.s.ref.Load())
		got, err := app.Append(ref, x.s.ls, x.t, x.v)
		if err != nil {
			return errors.Join(fmt.Errorf("append %s at %d: %w", x.s.ls, x.t, err), app.Rollback())
		}
		if got != ref {
			x.s.ref.Store(uint64(got))
		}
	}
	return app.Commit()
}

func allSeries() *labels.Matcher {
	return labels.MustNewMatcher(labels.MatchRegexp, labels.MetricName, ".+")
}

func (p *prom) SeriesCount() (int64, error) {
	q, err := p.db.Querier(math.MinInt64, math.MaxInt64)
	if err != nil {
		return 0, err
	}
	defer q.Close()
	ss := q.Select(context.Background(), false, &storage.SelectHints{Start: math.MinInt64, End: math.MaxInt64, Func: "series"}, allSeries())
	var n int64
	for ss.Next() {
		n++
	}
	return n, ss.Err()
}

// merge persists the head (in-order and out-of-order samples) into blocks, then compacts the
// blocks into one.
func (p *prom) Merge() error {
	h := p.db.Head()
	if h.NumSeries() > 0 {
		if err := p.db.CompactHead(tsdb.NewRangeHead(h, h.MinTime(), h.MaxTime())); err != nil {
			return err
		}
	}
	if err := p.db.CompactOOOHead(context.Background()); err != nil {
		return err
	}
	blocks := p.db.Blocks()
	if len(blocks) <= 1 {
		return nil
	}
	dir := p.db.Dir()
	var dirs []string
	for _, b := range blocks {
		dirs = append(dirs, b.Dir())
	}
	if err := p.Close(); err != nil {
		return err
	}
	c, err := tsdb.NewLeveledCompactor(context.Background(), nil, p.logger, []int64{tsdb.DefaultBlockDuration}, nil, nil)
	if err != nil {
		return err
	}
	if _, err := c.Compact(dir, dirs, nil); err != nil {
		return fmt.Errorf("compact %d blocks: %w", len(dirs), err)
	}
	for _, d := range dirs {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
	}
	return p.Open(dir)
}

func matchers(q workload.Query) ([]*labels.Matcher, error) {
	var ms []*labels.Matcher
	for _, m := range q.Matchers {
		t := labels.MatchEqual
		if m.Regex {
			t = labels.MatchRegexp
		}
		lm, err := labels.NewMatcher(t, m.Name, m.Value)
		if err != nil {
			return nil, err
		}
		ms = append(ms, lm)
	}
	return ms, nil
}

// search runs q and calls fn with every returned series and an iterator over its samples.
func (p *prom) search(q workload.Query, fn func(s storage.Series, it chunkenc.Iterator) error) error {
	ms, err := matchers(q)
	if err != nil {
		return err
	}
	qr, err := p.db.Querier(q.Start, q.End)
	if err != nil {
		return err
	}
	defer qr.Close()
	ss := qr.Select(context.Background(), false, nil, ms...)
	var it chunkenc.Iterator
	for ss.Next() {
		s := ss.At()
		it = s.Iterator(it)
		if err := fn(s, it); err != nil {
			return err
		}
	}
	return ss.Err()
}

// floatsEnd checks that an iterator ended (ValNone) without error, on no other kind of sample.
func floatsEnd(vt chunkenc.ValueType, it chunkenc.Iterator) error {
	if vt != chunkenc.ValNone {
		return fmt.Errorf("unexpected %s sample", vt)
	}
	return it.Err()
}

func (p *prom) Query(q workload.Query) (nseries, samples int, sum float64, err error) {
	err = p.search(q, func(_ storage.Series, it chunkenc.Iterator) error {
		n := 0
		vt := it.Next()
		for ; vt == chunkenc.ValFloat; vt = it.Next() {
			_, v := it.At()
			sum += v
			n++
		}
		if n > 0 {
			nseries++
			samples += n
		}
		return floatsEnd(vt, it)
	})
	return nseries, samples, sum, err
}

func (p *prom) Visit(q workload.Query, fn func(ls []workload.Label, ts []int64, vs []float64) error) error {
	var ts []int64
	var vs []float64
	return p.search(q, func(s storage.Series, it chunkenc.Iterator) error {
		ts, vs = ts[:0], vs[:0]
		vt := it.Next()
		for ; vt == chunkenc.ValFloat; vt = it.Next() {
			t, v := it.At()
			ts = append(ts, t)
			vs = append(vs, v)
		}
		if err := floatsEnd(vt, it); err != nil {
			return err
		}
		var ls []workload.Label
		s.Labels().Range(func(l labels.Label) {
			ls = append(ls, workload.Label{Name: l.Name, Value: l.Value})
		})
		return fn(ls, ts, vs)
	})
}

// classify: the chunk files of the blocks (ULID/chunks/) and of the head (chunks_head/) hold the
// samples, the blocks' index files the inverted index; the WAL, the out-of-order WBL and the
// blocks' meta.json and tombstones are "other".
func (p *prom) Classify(rel string) string {
	parts := strings.Split(rel, "/")
	switch {
	case parts[0] == "chunks_head", len(parts) == 3 && parts[1] == "chunks":
		return "data"
	case len(parts) == 2 && parts[1] == "index":
		return "index"
	}
	return "other"
}
