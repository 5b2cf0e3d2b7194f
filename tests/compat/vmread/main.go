// vmread opens a storage data directory with the storage engine of VictoriaMetrics
// v1.72.0-cluster (package lib/storage) and prints every sample it returns for a search over
// all series, one CSV line per sample:
//
//	metric,timestamp_ms,value_bits
//
// metric is the canonical Prometheus text name{k="v",...} (labels sorted by key, values
// quoted with strconv.Quote, braces always present), value_bits the 16 lower-case hex digits
// of math.Float64bits. Lines come sorted by metric, then timestamp; samples with equal
// timestamps keep the engine's order (in-block order, then block order).
//
// OpenStorage writes into the directory (caches, metadata, empty directories): run vmread on
// a copy, never on the original.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/VictoriaMetrics/VictoriaMetrics/lib/logger"
	"github.com/VictoriaMetrics/VictoriaMetrics/lib/storage"
)

var (
	dataPath  = flag.String("data", "", "storage data directory to read (a copy: VictoriaMetrics writes into it)")
	minTs     = flag.Int64("min", 0, "inclusive lower bound of the time range, ms since the epoch")
	maxTs     = flag.Int64("max", -1, "inclusive upper bound of the time range, ms; -1 = now + 2 days")
	accountID = flag.Uint("accountID", 0, "tenant AccountID")
	projectID = flag.Uint("projectID", 0, "tenant ProjectID")
	retention = flag.Int64("retentionDays", 3650, "retention passed to OpenStorage, in days")
)

type series struct {
	timestamps []int64
	values     []float64
}

func (s *series) Len() int           { return len(s.timestamps) }
func (s *series) Less(i, j int) bool { return s.timestamps[i] < s.timestamps[j] }
func (s *series) Swap(i, j int) {
	s.timestamps[i], s.timestamps[j] = s.timestamps[j], s.timestamps[i]
	s.values[i], s.values[j] = s.values[j], s.values[i]
}

func canonicalName(mn *storage.MetricName) string {
	tags := make([]storage.Tag, len(mn.Tags))
	copy(tags, mn.Tags)
	sort.SliceStable(tags, func(i, j int) bool { return string(tags[i].Key) < string(tags[j].Key) })
	var b strings.Builder
	b.Write(mn.MetricGroup)
	b.WriteByte('{')
	for i, t := range tags {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(t.Key)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(string(t.Value)))
	}
	b.WriteByte('}')
	return b.String()
}

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "vmread: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	flag.Parse()
	logger.Init()
	if *dataPath == "" {
		fatalf("-data is required")
	}
	if *maxTs < 0 {
		*maxTs = time.Now().Add(48*time.Hour).UnixNano() / 1e6
	}

	strg, err := storage.OpenStorage(*dataPath, *retention*24*3600*1000, 0, 0)
	if err != nil {
		fatalf("cannot open storage %q: %s", *dataPath, err)
	}

	tfs := storage.NewTagFilters(uint32(*accountID), uint32(*projectID))
	if err := tfs.Add(nil, []byte(".+"), false, true); err != nil {
		fatalf("cannot add tag filter: %s", err)
	}
	tr := storage.TimeRange{MinTimestamp: *minTs, MaxTimestamp: *maxTs}
	deadline := uint64(time.Now().Add(time.Hour).Unix())

	all := make(map[string]*series)
	blocks := 0
	var s storage.Search
	s.Init(strg, []*storage.TagFilters{tfs}, tr, 1e9, deadline)
	var mn storage.MetricName
	var b storage.Block
	for s.NextMetricBlock() {
		mbr := s.MetricBlockRef
		if err := mn.Unmarshal(mbr.MetricName); err != nil {
			fatalf("cannot unmarshal metric name: %s", err)
		}
		mbr.BlockRef.MustReadBlock(&b, true)
		if err := b.UnmarshalData(); err != nil {
			fatalf("cannot unmarshal block of %s: %s", canonicalName(&mn), err)
		}
		name := canonicalName(&mn)
		ser := all[name]
		if ser == nil {
			ser = &series{}
			all[name] = ser
		}
		ser.timestamps, ser.values = b.AppendRowsWithTimeRangeFilter(ser.timestamps, ser.values, tr)
		blocks++
	}
	if err := s.Error(); err != nil {
		fatalf("search error: %s", err)
	}
	s.MustClose()
	strg.MustClose()

	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	sort.Strings(names)
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	rows := 0
	for _, name := range names {
		ser := all[name]
		sort.Stable(ser)
		for i, ts := range ser.timestamps {
			fmt.Fprintf(w, "%s,%d,%016x\n", name, ts, math.Float64bits(ser.values[i]))
		}
		rows += len(ser.timestamps)
	}
	if err := w.Flush(); err != nil {
		fatalf("cannot write output: %s", err)
	}
	fmt.Fprintf(os.Stderr, "vmread: %d series, %d blocks, %d rows\n", len(names), blocks, rows)
}
