package main

import (
	"bytes"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/VictoriaMetrics/VictoriaMetrics/lib/prompb"
	"github.com/VictoriaMetrics/VictoriaMetrics/lib/storage"

	"github.com/vmengine/vmengine/bench/peers/workload"
)

const (
	module = "github.com/VictoriaMetrics/VictoriaMetrics"
	// retentionMsecs is the retention of the workloads' storage: 3650 days.
	retentionMsecs = 3650 * 24 * 3600 * 1000
	// precisionBits keeps every value exact.
	precisionBits = 64
	// maxMetrics is the limit on the series one query may return: far above every workload.
	maxMetrics = 1 << 30
)

// batch is the rows of one AddRows call.
type batch struct{ mrs []storage.MetricRow }

// vm drives a VictoriaMetrics v1.73 Storage.
type vm struct {
	s *storage.Storage
	// The raw metric names of the series that the producer saw last, in a ring indexed by
	// series mod len(slotSeries): slotSeries[i] is the series whose name slotName[i] holds.
	labels     func(series int) []workload.Label
	slotSeries []int
	slotName   [][]byte
}

func (v *vm) Name() string { return "vm173" }

func (v *vm) Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == module {
				return d.Version
			}
		}
	}
	return "unknown"
}

func (v *vm) Open(dir string) error {
	s, err := storage.OpenStorage(dir, retentionMsecs, 0, 0)
	if err != nil {
		return err
	}
	v.s = s
	return nil
}

// close flushes and closes the storage, after checking that it stored every row it was given.
func (v *vm) Close() error {
	var m storage.Metrics
	v.s.UpdateMetrics(&m)
	if n := m.TooSmallTimestampRows + m.TooBigTimestampRows; n > 0 {
		return fmt.Errorf("the storage dropped %d rows as out of its time range", n)
	}
	v.s.DebugFlush()
	v.s.MustClose()
	v.s = nil
	return nil
}

func (v *vm) SetWorkload(labels func(series int) []workload.Label, slots int) {
	v.labels = labels
	v.slotSeries = make([]int, slots)
	v.slotName = make([][]byte, slots)
	for i := range v.slotSeries {
		v.slotSeries[i] = -1
	}
}

// metricNameRaw returns the raw metric name of the labels, in their order.
func metricNameRaw(ls []workload.Label) []byte {
	pl := make([]prompb.Label, len(ls))
	for i, l := range ls {
		pl[i] = prompb.Label{Name: []byte(l.Name), Value: []byte(l.Value)}
	}
	return storage.MarshalMetricNameRaw(nil, pl)
}

func (v *vm) Prepare(b *batch, rows []workload.Row) {
	b.mrs = b.mrs[:0]
	for _, r := range rows {
		slot := r.Series % len(v.slotSeries)
		if v.slotSeries[slot] != r.Series {
			v.slotSeries[slot] = r.Series
			v.slotName[slot] = metricNameRaw(v.labels(r.Series))
		}
		b.mrs = append(b.mrs, storage.MetricRow{MetricNameRaw: v.slotName[slot], Timestamp: r.TS, Value: r.V})
	}
}

func (v *vm) Write(b *batch) error { return v.s.AddRows(b.mrs, precisionBits) }

func deadline() uint64 { return uint64(time.Now().Add(time.Hour).Unix()) }

func (v *vm) SeriesCount() (int64, error) {
	n, err := v.s.GetSeriesCount(deadline())
	return int64(n), err
}

func (v *vm) Merge() error { return v.s.ForceMergePartitions("") }

// search runs q and calls fn with the metric name and the samples in range of every block.
func (v *vm) search(q workload.Query, fn func(metricName []byte, ts []int64, vs []float64) error) error {
	tfs := storage.NewTagFilters()
	for _, m := range q.Matchers {
		var key []byte // the metric name is the tag with the empty key
		if m.Name != "__name__" {
			key = []byte(m.Name)
		}
		if err := tfs.Add(key, []byte(m.Value), false, m.Regex); err != nil {
			return fmt.Errorf("tag filter %s: %w", m.Name, err)
		}
	}
	tr := storage.TimeRange{MinTimestamp: q.Start, MaxTimestamp: q.End}
	var sr storage.Search
	sr.Init(v.s, []*storage.TagFilters{tfs}, tr, maxMetrics, deadline())
	defer sr.MustClose()
	var blk storage.Block
	var ts []int64
	var vs []float64
	for sr.NextMetricBlock() {
		mbr := &sr.MetricBlockRef
		mbr.BlockRef.MustReadBlock(&blk, true)
		if err := blk.UnmarshalData(); err != nil {
			return err
		}
		ts, vs = blk.AppendRowsWithTimeRangeFilter(ts[:0], vs[:0], tr)
		if len(ts) == 0 {
			continue
		}
		if err := fn(mbr.MetricName, ts, vs); err != nil {
			return err
		}
	}
	return sr.Error()
}

func (v *vm) Query(q workload.Query) (series, samples int, sum float64, err error) {
	var prev []byte
	err = v.search(q, func(metricName []byte, ts []int64, vs []float64) error {
		if series == 0 || !bytes.Equal(prev, metricName) {
			series++
			prev = append(prev[:0], metricName...)
		}
		samples += len(ts)
		for _, x := range vs {
			sum += x
		}
		return nil
	})
	return series, samples, sum, err
}

func (v *vm) Visit(q workload.Query, fn func(ls []workload.Label, ts []int64, vs []float64) error) error {
	var mn storage.MetricName
	return v.search(q, func(metricName []byte, ts []int64, vs []float64) error {
		if err := mn.Unmarshal(metricName); err != nil {
			return err
		}
		ls := []workload.Label{{Name: "__name__", Value: string(mn.MetricGroup)}}
		for _, t := range mn.Tags {
			ls = append(ls, workload.Label{Name: string(t.Key), Value: string(t.Value)})
		}
		return fn(ls, ts, vs)
	})
}

// Classify: the VictoriaMetrics layout (data/ and indexdb/).
func (v *vm) Classify(rel string) string { return workload.ClassifyVMLayout(rel) }
