package protocol

import (
	"math"
	"testing"
)

func TestPercentile(t *testing.T) {
	s := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	cases := []struct{ p, want float64 }{{0, 1}, {50, 5.5}, {100, 10}, {99, 9.91}, {-1, 1}, {200, 10}}
	for _, c := range cases {
		if got := Percentile(s, c.p); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("Percentile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	if !math.IsNaN(Percentile(nil, 50)) {
		t.Error("Percentile of nothing is not NaN")
	}
	if Percentile([]float64{7}, 99) != 7 {
		t.Error("Percentile of one value")
	}
	if Median([]float64{3, 1, 2}) != 2 || Median([]float64{4, 1, 3, 2}) != 2.5 {
		t.Error("Median")
	}
}

func TestParse(t *testing.T) {
	out := []byte("some log line\n{\"engine\":\"x\",\"phase\":\"w1\",\"rows\":10,\"disk\":{\"data\":1,\"index\":2,\"other\":3}," +
		"\"queries\":[{\"id\":\"q1\",\"first_ms\":1.5,\"warm_ms\":[1,2,3],\"series\":1,\"samples\":1000}]}\n\n")
	r, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.Engine != "x" || r.Phase != "w1" || r.Rows != 10 || r.Disk == nil || r.Disk.Index != 2 ||
		len(r.Queries) != 1 || r.Queries[0].WarmMs[2] != 3 {
		t.Fatalf("Parse = %+v", r)
	}
	if _, err := Parse([]byte("no json here\n")); err == nil {
		t.Fatal("Parse accepted output without a result")
	}
	if _, err := Parse([]byte("{\"engine\": 3}\n")); err == nil {
		t.Fatal("Parse accepted a malformed result")
	}
	if _, err := Parse(nil); err == nil {
		t.Fatal("Parse accepted empty output")
	}
}
