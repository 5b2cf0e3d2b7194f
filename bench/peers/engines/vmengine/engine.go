package main

import (
	"context"
	"fmt"

	"github.com/vmengine/vmengine/bench/peers/workload"
	"github.com/vmengine/vmengine/bindings/go/vmengine"
)

// batch is the rows of one DB.Write call: a vmengine.Batch, and the SeriesRefs of the series it
// has seen (a SeriesRef is valid only with the Batch whose key cache made it).
//
// The refs sit in a ring indexed by series mod slots. When the Batch's key cache holds more than
// 4×slots label sets (W2 and W3, where series come and go), the cache is cleared and the ring
// starts over, as a scrape loop with series churn would do.
type batch struct {
	b       *vmengine.Batch
	slots   []refSlot
	epoch   uint32
	scratch vmengine.Labels
}

type refSlot struct {
	series int
	epoch  uint32
	ref    vmengine.SeriesRef
}

// vme drives a vmengine DB through the Go binding (bindings/go/vmengine), default options.
type vme struct {
	db     *vmengine.DB
	labels func(series int) []workload.Label
	slots  int
}

func (v *vme) Name() string    { return "vmengine" }
func (v *vme) Version() string { return vmengine.Version() }

func (v *vme) Open(dir string) error {
	db, err := vmengine.Open(dir, nil)
	if err != nil {
		return err
	}
	v.db = db
	return nil
}

// close makes every row durable (DB.Close flushes) and closes the DB.
func (v *vme) Close() error {
	err := v.db.Close()
	v.db = nil
	return err
}

func (v *vme) SetWorkload(labels func(series int) []workload.Label, slots int) {
	v.labels = labels
	v.slots = slots
}

// ref returns the SeriesRef of series in b, calling Batch.Ref (which packs and caches the key)
// only the first time b sees the series.
func (v *vme) ref(b *batch, series int) vmengine.SeriesRef {
	sl := &b.slots[series%len(b.slots)]
	if sl.epoch == b.epoch && sl.series == series {
		return sl.ref
	}
	b.scratch = b.scratch[:0]
	for _, l := range v.labels(series) {
		b.scratch = append(b.scratch, vmengine.Label{Name: l.Name, Value: l.Value})
	}
	ref, err := b.b.Ref(b.scratch)
	if err != nil {
		panic(fmt.Sprintf("Batch.Ref(%v): %v", b.scratch, err))
	}
	*sl = refSlot{series: series, epoch: b.epoch, ref: ref}
	return ref
}

func (v *vme) Prepare(b *batch, rows []workload.Row) {
	if b.b == nil {
		b.b = vmengine.NewBatch(len(rows))
		b.slots = make([]refSlot, v.slots)
		b.epoch = 1
	}
	b.b.Reset() // empty already after a successful Write; a failed one left rows behind
	if b.b.CachedSeries() > 4*len(b.slots) {
		b.b.ClearCache()
		b.epoch++
	}
	for _, r := range rows {
		b.b.AddRef(v.ref(b, r.Series), r.TS, r.V)
	}
}

// write stores the batch with one DB.Write (vme_add_rows_ref / vme_add_rows), which empties
// it; a rejected row is an error.
func (v *vme) Write(b *batch) error {
	n := b.b.Len()
	res, err := v.db.Write(context.Background(), b.b)
	if err != nil {
		return err
	}
	if res.RowsAdded != uint64(n) || res.Rejected() != 0 {
		return fmt.Errorf("DB.Write added %d of %d rows: %+v", res.RowsAdded, n, res)
	}
	return nil
}

func (v *vme) SeriesCount() (int64, error) {
	n, err := v.db.SeriesCount(context.Background(), vmengine.Match())
	return int64(n), err
}

// merge force-merges every partition into one part, and the indexdb (DB.ForceMerge(ctx, "")).
func (v *vme) Merge() error { return v.db.ForceMerge(context.Background(), "") }

func matchers(q workload.Query) []vmengine.Matcher {
	out := make([]vmengine.Matcher, len(q.Matchers))
	for i, m := range q.Matchers {
		if m.Regex {
			out[i] = vmengine.Re(m.Name, m.Value)
		} else {
			out[i] = vmengine.Eq(m.Name, m.Value)
		}
	}
	return out
}

func (v *vme) each(q workload.Query, fn func(s *vmengine.Series) error) error {
	it, err := v.db.Search(context.Background(), vmengine.Match(matchers(q)...).Between(q.Start, q.End))
	if err != nil {
		return err
	}
	defer it.Close()
	for it.Next() {
		if err := fn(it.Series()); err != nil {
			return err
		}
	}
	return it.Err()
}

func (v *vme) Query(q workload.Query) (series, samples int, sum float64, err error) {
	err = v.each(q, func(s *vmengine.Series) error {
		if len(s.Values) > 0 {
			series++
		}
		samples += len(s.Values)
		for _, x := range s.Values {
			sum += x
		}
		return nil
	})
	return series, samples, sum, err
}

func (v *vme) Visit(q workload.Query, fn func(ls []workload.Label, ts []int64, vs []float64) error) error {
	var ls []workload.Label
	return v.each(q, func(s *vmengine.Series) error {
		ls = ls[:0]
		for _, l := range s.Labels {
			ls = append(ls, workload.Label{Name: l.Name, Value: l.Value})
		}
		return fn(ls, s.Timestamps, s.Values)
	})
}

// Classify: the VictoriaMetrics layout (data/ and indexdb/).
func (v *vme) Classify(rel string) string { return workload.ClassifyVMLayout(rel) }
