package workload

import (
	"fmt"
	"math"
	"sync"
)

// testVectors are the first five outputs of the generators of series 0, 1 and 9999.
var testVectors = []struct {
	k int
	v [5]float64
}{
	{0, [5]float64{100.72, 100.51, 100.47, 99.85, 99.2}},
	{1, [5]float64{100.44, 101.03, 101.94, 102.83, 102.41}},
	{9999, [5]float64{99.64, 99.12, 99.11, 98.5, 98.38}},
}

// The checksum of the 10 M W1 values: the sum of round(100*value), and their minimum and maximum.
const (
	w1Checksum int64 = 99944557274
	w1Min            = 31.22
	w1Max            = 182.28
)

// CheckVectors checks the generator against the test vectors, the value of series 0 at sample
// 999 (92.23), and the checksum, minimum and maximum over all 10 M W1 values.
func CheckVectors() error {
	for _, tv := range testVectors {
		g := NewGen(tv.k)
		for i, want := range tv.v {
			if got := g.Next(); got != want {
				return fmt.Errorf("generator: series %d sample %d is %.17g, want %.17g", tv.k, i, got, want)
			}
		}
	}
	if got := W1Expected(0, 999); got != 92.23 {
		return fmt.Errorf("generator: series 0 sample 999 is %.17g, want 92.23", got)
	}
	vals := w1Values()
	var sum int64
	mn, mx := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		sum += int64(math.Round(100 * v))
		mn = math.Min(mn, v)
		mx = math.Max(mx, v)
	}
	if sum != w1Checksum || mn != w1Min || mx != w1Max {
		return fmt.Errorf("generator: W1 checksum %d min %.17g max %.17g, want %d %v %v",
			sum, mn, mx, w1Checksum, w1Min, w1Max)
	}
	return nil
}

var (
	w1Once sync.Once
	w1Vals []float64 // series-major: w1Vals[k*W1Samples+i]
)

func w1Values() []float64 {
	w1Once.Do(func() {
		w1Vals = make([]float64, W1Series*W1Samples)
		for k := 0; k < W1Series; k++ {
			g := NewGen(k)
			row := w1Vals[k*W1Samples : (k+1)*W1Samples]
			for i := range row {
				row[i] = g.Next()
			}
		}
	})
	return w1Vals
}

// W1Expected returns the value of W1 series k at sample i. The first call computes all 10 M
// values (80 MB, about 0.1 s); safe for concurrent use. Panics if k or i is out of range.
func W1Expected(k, i int) float64 {
	if k < 0 || k >= W1Series || i < 0 || i >= W1Samples {
		panic(fmt.Sprintf("W1Expected(%d, %d) out of range", k, i))
	}
	return w1Values()[k*W1Samples+i]
}

// W1SampleOfTimestamp returns the sample index i of a W1 timestamp, or an error if ts is not one.
func W1SampleOfTimestamp(ts int64) (int, error) {
	d := ts - T0
	if d < 0 || d%10000 != 0 || d/10000 >= W1Samples {
		return 0, fmt.Errorf("timestamp %d is not a W1 timestamp", ts)
	}
	return int(d / 10000), nil
}

// CheckW1Sample compares one returned sample of W1 series k bit for bit with the generator.
func CheckW1Sample(k int, ts int64, v float64) error {
	i, err := W1SampleOfTimestamp(ts)
	if err != nil {
		return fmt.Errorf("series %d: %w", k, err)
	}
	want := W1Expected(k, i)
	if math.Float64bits(v) != math.Float64bits(want) {
		return fmt.Errorf("series %d sample %d (ts %d): got %.17g (bits %#x), want %.17g (bits %#x)",
			k, i, ts, v, math.Float64bits(v), want, math.Float64bits(want))
	}
	return nil
}
