package workload

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestVectorsAndChecksum(t *testing.T) {
	if err := CheckVectors(); err != nil {
		t.Fatal(err)
	}
}

func TestGenFirstValues(t *testing.T) {
	g := NewGen(0)
	if v := g.Next(); v != 100.72 {
		t.Fatalf("first value of series 0 is %v, want 100.72", v)
	}
	if W1Expected(9999, 4) != 98.38 {
		t.Fatalf("W1Expected(9999, 4) = %v, want 98.38", W1Expected(9999, 4))
	}
}

func TestW1Labels(t *testing.T) {
	ls := W1Labels(3042)
	want := []Label{{"__name__", "cpu_usage_3"}, {"host", "host-0042"}, {"region", "r2"}}
	for i := range want {
		if ls[i] != want[i] {
			t.Fatalf("W1Labels(3042) = %v, want %v", ls, want)
		}
	}
	for _, k := range []int{0, 1, 999, 1000, 3042, 9999} {
		got, err := SeriesOfW1Labels(W1Labels(k))
		if err != nil || got != k {
			t.Fatalf("SeriesOfW1Labels(W1Labels(%d)) = %d, %v", k, got, err)
		}
	}
	if _, err := SeriesOfW1Labels([]Label{{"__name__", "cpu_usage_3"}, {"host", "host-0042"}, {"region", "r3"}}); err == nil {
		t.Fatal("SeriesOfW1Labels accepted a wrong region")
	}
	if W1Timestamp(999) != T0+9990000 || W1End != T0+9990000 {
		t.Fatalf("W1Timestamp(999) = %d", W1Timestamp(999))
	}
}

func TestCheckW1Sample(t *testing.T) {
	if err := CheckW1Sample(0, W1Timestamp(999), 92.23); err != nil {
		t.Fatal(err)
	}
	if err := CheckW1Sample(0, W1Timestamp(999), math.Nextafter(92.23, 100)); err == nil {
		t.Fatal("CheckW1Sample accepted a value one ulp off")
	}
	if err := CheckW1Sample(0, W1Timestamp(999)+1, 92.23); err == nil {
		t.Fatal("CheckW1Sample accepted a timestamp that is not a W1 timestamp")
	}
}

func TestW2(t *testing.T) {
	ls := W2Labels(123456)
	want := []Label{{"__name__", "churn_metric_6"}, {"pod", "pod-123456"}, {"ns", "ns-56"}}
	for i := range want {
		if ls[i] != want[i] {
			t.Fatalf("W2Labels(123456) = %v, want %v", ls, want)
		}
	}
	if W2Value(123456, 9) != 465 || W2Timestamp(9) != T0+90000 {
		t.Fatalf("W2Value/W2Timestamp wrong: %v %v", W2Value(123456, 9), W2Timestamp(9))
	}
}

func TestW3Shape(t *testing.T) {
	const scrapes = 25
	if W3DistinctSeries(W3Scrapes) != 7245000 {
		t.Fatalf("full W3 has %d series, want 7,245,000", W3DistinctSeries(W3Scrapes))
	}
	ls := W3Labels(1234567)
	if ls[0].Value != "w3_metric_7" || ls[1].Value != "pod-01234567" || ls[2].Value != "ns-67" {
		t.Fatalf("W3Labels(1234567) = %v", ls)
	}
	w := NewW3(scrapes)
	seen := map[int]int{} // series -> samples seen so far
	gens := map[int]*Gen{}
	var rows []Row
	n := 0
	for s := 0; ; s++ {
		var ok bool
		rows, ok = w.Next(rows)
		if !ok {
			if s != scrapes {
				t.Fatalf("iterator stopped after %d scrapes, want %d", s, scrapes)
			}
			break
		}
		if len(rows) != W3Active {
			t.Fatalf("scrape %d has %d rows", s, len(rows))
		}
		for i, r := range rows {
			if r.Series != W3Churn*s+i || r.TS != T0+int64(s)*15000 {
				t.Fatalf("scrape %d row %d is series %d ts %d", s, i, r.Series, r.TS)
			}
			g := gens[r.Series]
			if g == nil {
				if seen[r.Series] != 0 {
					t.Fatalf("series %d came back", r.Series)
				}
				ng := NewGen(r.Series)
				g = &ng
				gens[r.Series] = g
			}
			if want := g.Next(); math.Float64bits(want) != math.Float64bits(r.V) {
				t.Fatalf("scrape %d series %d: value %v, want %v", s, r.Series, r.V, want)
			}
			seen[r.Series]++
			n++
		}
		// Series that left the window never come back: drop their generators.
		for j := W3Churn * s; j < W3Churn*(s+1); j++ {
			delete(gens, j)
		}
	}
	if len(seen) != W3DistinctSeries(scrapes) || n != W3Rows(scrapes) {
		t.Fatalf("%d series, %d rows; want %d, %d", len(seen), n, W3DistinctSeries(scrapes), W3Rows(scrapes))
	}
	// A series lives for W3Active/W3Churn = 10 scrapes unless the run starts or ends inside its life.
	if seen[W3Churn*10] != 10 || seen[0] != 1 {
		t.Fatalf("series %d has %d samples, series 0 has %d", W3Churn*10, seen[W3Churn*10], seen[0])
	}
}

func TestQueries(t *testing.T) {
	qs := Queries()
	if len(qs) != 4 || qs[0].ID != "q1" || qs[3].ID != "q4" {
		t.Fatalf("Queries() = %v", qs)
	}
	// Count what each query must return straight from the workload definition.
	for _, q := range qs {
		series, samples := 0, 0
		for k := 0; k < W1Series; k++ {
			if !matches(t, q.Matchers, W1Labels(k)) {
				continue
			}
			n := 0
			for i := 0; i < W1Samples; i++ {
				if ts := W1Timestamp(i); ts >= q.Start && ts <= q.End {
					n++
				}
			}
			if n > 0 {
				series++
				samples += n
			}
		}
		if series != q.WantSeries || samples != q.WantSamples {
			t.Errorf("%s: %d series %d samples, want %d %d", q.ID, series, samples, q.WantSeries, q.WantSamples)
		}
	}
}

func matches(t *testing.T, ms []Matcher, ls []Label) bool {
	for _, m := range ms {
		v := ""
		for _, l := range ls {
			if l.Name == m.Name {
				v = l.Value
			}
		}
		if !m.Regex {
			if v != m.Value {
				return false
			}
			continue
		}
		switch m.Value {
		case ".+":
			if v == "" {
				return false
			}
		case "host-00.*":
			if len(v) < 7 || v[:7] != "host-00" {
				return false
			}
		default:
			t.Fatalf("test does not know regex %q", m.Value)
		}
	}
	return true
}

func TestDiskUsage(t *testing.T) {
	dir := t.TempDir()
	write := func(rel string, n int) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, make([]byte, n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("data/small/p1/values.bin", 100)
	write("data/big/tmp/x.bin", 1000)
	write("data/txn/y", 1000)
	write("indexdb/a/items.bin", 10)
	write("flock.lock", 1)
	if err := os.Link(filepath.Join(dir, "data/small/p1/values.bin"), filepath.Join(dir, "data/small/p1/link.bin")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("values.bin", filepath.Join(dir, "data/small/p1/sym.bin")); err != nil {
		t.Fatal(err)
	}
	got, err := DiskUsage(dir, func(rel string) string {
		switch {
		case len(rel) >= 5 && rel[:5] == "data/":
			return "data"
		case len(rel) >= 8 && rel[:8] == "indexdb/":
			return "index"
		}
		return "other"
	})
	if err != nil {
		t.Fatal(err)
	}
	if got["data"] != 100 || got["index"] != 10 || got["other"] != 1 {
		t.Fatalf("DiskUsage = %v, want data 100 index 10 other 1", got)
	}
	if _, err := DiskUsage(filepath.Join(dir, "missing"), nil); err == nil {
		t.Fatal("DiskUsage of a missing directory gave no error")
	}
}
