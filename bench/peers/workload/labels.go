package workload

import (
	"fmt"
	"strconv"
)

// Label is one label of a series. Every workload gives its labels in a fixed order, starting with
// the metric name (__name__).
type Label struct{ Name, Value string }

// Row is one sample of a workload: the series index (k for W1, j for W2 and W3), the timestamp in
// milliseconds and the value.
type Row struct {
	Series int
	TS     int64
	V      float64
}

// W1: 10,000 series x 1,000 samples, time-major, one batch per timestamp.
const (
	W1Series  = 10000
	W1Samples = 1000
	W1Batch   = 10000
)

// W1Labels returns the labels of W1 series k = m*1000 + h: __name__="cpu_usage_{m}",
// host="host-{h:04}", region="r{h mod 10}".
func W1Labels(k int) []Label {
	m, h := k/1000, k%1000
	return []Label{
		{"__name__", "cpu_usage_" + strconv.Itoa(m)},
		{"host", fmt.Sprintf("host-%04d", h)},
		{"region", "r" + strconv.Itoa(h%10)},
	}
}

// W1Timestamp returns the timestamp of W1 sample i: T0 + i*10,000 ms.
func W1Timestamp(i int) int64 { return T0 + int64(i)*10000 }

// SeriesOfW1Labels returns the W1 series index k of a label set (in any order), or an error if the
// labels are not those of a W1 series.
func SeriesOfW1Labels(ls []Label) (int, error) {
	var name, host, region string
	for _, l := range ls {
		switch l.Name {
		case "__name__":
			name = l.Value
		case "host":
			host = l.Value
		case "region":
			region = l.Value
		default:
			return 0, fmt.Errorf("W1 series has unexpected label %s=%q", l.Name, l.Value)
		}
	}
	var m, h int
	if _, err := fmt.Sscanf(name, "cpu_usage_%d", &m); err != nil || m < 0 || m > 9 {
		return 0, fmt.Errorf("W1 series has bad __name__ %q", name)
	}
	if _, err := fmt.Sscanf(host, "host-%d", &h); err != nil || h < 0 || h > 999 {
		return 0, fmt.Errorf("W1 series has bad host %q", host)
	}
	k := m*1000 + h
	want := W1Labels(k)
	if want[0].Value != name || want[1].Value != host || want[2].Value != region {
		return 0, fmt.Errorf("W1 series labels %v do not match series %d %v", ls, k, want)
	}
	return k, nil
}

// W2: 200,000 series x 10 samples, series-major, 1,000 new series per batch.
const (
	W2Series  = 200000
	W2Samples = 10
	W2Batch   = 10000
)

// W2Labels returns the labels of W2 series j: __name__="churn_metric_{j mod 10}",
// pod="pod-{j:06}", ns="ns-{j mod 100:02}".
func W2Labels(j int) []Label {
	return []Label{
		{"__name__", "churn_metric_" + strconv.Itoa(j%10)},
		{"pod", fmt.Sprintf("pod-%06d", j)},
		{"ns", fmt.Sprintf("ns-%02d", j%100)},
	}
}

// W2Value returns the value of W2 series j at sample k: (j mod 1000) + k.
func W2Value(j, k int) float64 { return float64(j%1000 + k) }

// W2Timestamp returns the timestamp of W2 sample k: T0 + k*10,000 ms.
func W2Timestamp(k int) int64 { return T0 + int64(k)*10000 }
