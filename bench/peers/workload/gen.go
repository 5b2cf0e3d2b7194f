// Package workload defines the benchmark workloads W1, W2 and W3, the query set q1..q4 and the
// checks that every engine of bench/peers runs: the value generator with its test vectors and
// checksum, the expected query results and the disk-usage count.
//
// The definitions are exact, so that every engine ingests the same rows in the same order and a
// query result can be compared bit for bit with the generator.
package workload

import "math"

// T0 is the first timestamp of every workload: 2026-01-01T00:00:00Z in milliseconds.
const T0 int64 = 1767225600000

// Gen is the value generator of one series: xorshift64 steps added to a random walk that starts
// at 100.0, each output rounded to two decimals. The zero value is not usable: call NewGen.
type Gen struct {
	x uint64
	v float64
}

// NewGen returns the generator of series k: x = (k+1) * 0x9E3779B97F4A7C15 mod 2^64, v = 100.
func NewGen(k int) Gen {
	return Gen{x: uint64(k+1) * 0x9E3779B97F4A7C15, v: 100.0}
}

// Next advances the generator and returns the next value: v += ((x>>11) - 2^52) / 2^52, then
// round_half_away_from_zero(v*100)/100. The explicit float64 conversions forbid fused
// multiply-adds (Go spec, "Arithmetic operators"), so every platform gives the same bits.
func (g *Gen) Next() float64 {
	x := g.x
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	g.x = x
	step := float64(int64(x>>11)-(1<<52)) / 4503599627370496.0
	g.v = float64(g.v + step)
	return math.Round(float64(g.v*100)) / 100
}
