package workload

// Matcher is one label matcher of a query: Name = Value, or Name =~ Value when Regex (an anchored
// regular expression, as in PromQL and VictoriaMetrics tag filters).
type Matcher struct {
	Name, Value string
	Regex       bool
}

// Query is one query of the set q1..q4 run on W1: the series that match all Matchers, with their
// samples in [Start, End] (milliseconds, both inclusive), and the result it must give.
type Query struct {
	ID          string
	Matchers    []Matcher
	Start, End  int64
	WantSeries  int
	WantSamples int
}

// W1End is the last timestamp of W1: T0 + 9,990,000 ms.
const W1End = T0 + (W1Samples-1)*10000

// Queries returns q1..q4, in that order.
func Queries() []Query {
	return []Query{
		{ID: "q1", Matchers: []Matcher{{Name: "__name__", Value: "cpu_usage_0"}, {Name: "host", Value: "host-0000"}},
			Start: T0, End: W1End, WantSeries: 1, WantSamples: 1000},
		{ID: "q2", Matchers: []Matcher{{Name: "__name__", Value: "cpu_usage_3"}},
			Start: T0 + 3600000, End: T0 + 7199999, WantSeries: 1000, WantSamples: 360000},
		{ID: "q3", Matchers: []Matcher{{Name: "__name__", Value: "cpu_usage_1"}, {Name: "host", Value: "host-00.*", Regex: true}},
			Start: T0, End: W1End, WantSeries: 100, WantSamples: 100000},
		{ID: "q4", Matchers: []Matcher{{Name: "__name__", Value: ".+", Regex: true}},
			Start: T0, End: W1End, WantSeries: 10000, WantSamples: 10000000},
	}
}
