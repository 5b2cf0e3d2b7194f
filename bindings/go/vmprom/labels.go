// Package vmprom adapts the Go binding of vmengine (package vmengine) to the types and
// interfaces of Prometheus: it converts labels.Labels and *labels.Matcher to and from the
// binding's Labels and Matcher, and its Storage implements Prometheus's storage.Appendable
// and storage.Queryable, so code written against storage.Appender (Append / Commit /
// Rollback) and storage.Querier (Select / LabelNames / LabelValues returning a SeriesSet)
// reads and writes a vmengine database.
//
// It is a separate module (github.com/vmengine/vmengine/bindings/go/vmprom) so that the core
// binding stays free of dependencies; it requires github.com/prometheus/prometheus v0.313.2
// or later (Go 1.25).
//
// Units are Prometheus's and vmengine's alike: timestamps in ms since the Unix epoch (UTC),
// float64 values. vmengine stores float samples only: histograms, exemplars, metadata and
// start-timestamp zero samples are refused with ErrUnsupported.
package vmprom

import (
	"fmt"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/vmengine/vmengine/bindings/go/vmengine"
)

// FromLabels converts Prometheus labels to vmengine labels (same order: sorted by name; the
// metric name is the label "__name__" in both). The strings are shared, not copied.
func FromLabels(ls labels.Labels) vmengine.Labels {
	out := make(vmengine.Labels, 0, ls.Len())
	ls.Range(func(l labels.Label) { out = append(out, vmengine.Label{Name: l.Name, Value: l.Value}) })
	return out
}

// AppendFromLabels is FromLabels appending to dst, for reuse of one slice across calls.
func AppendFromLabels(dst vmengine.Labels, ls labels.Labels) vmengine.Labels {
	ls.Range(func(l labels.Label) { dst = append(dst, vmengine.Label{Name: l.Name, Value: l.Value}) })
	return dst
}

// ToLabels converts vmengine labels (any order, e.g. a search result's metric name first) to
// Prometheus labels, sorted by name as labels.Labels requires. Labels with an empty value
// are dropped, as both systems treat them as absent.
func ToLabels(ls vmengine.Labels) labels.Labels {
	b := labels.NewScratchBuilder(len(ls))
	for _, l := range ls {
		if l.Value != "" {
			b.Add(l.Name, l.Value)
		}
	}
	b.Sort()
	return b.Labels()
}

// FromMatcher converts a Prometheus matcher to a vmengine matcher with the same semantics
// (=, !=, =~, !~; regexes fully anchored; a missing label matches ""). Errors: an unknown
// match type. The regex itself is compiled by the engine (RE2), which reports a bad one.
func FromMatcher(m *labels.Matcher) (vmengine.Matcher, error) {
	if m == nil {
		return vmengine.Matcher{}, fmt.Errorf("vmprom: nil *labels.Matcher")
	}
	var t vmengine.MatchType
	switch m.Type {
	case labels.MatchEqual:
		t = vmengine.MatchEqual
	case labels.MatchNotEqual:
		t = vmengine.MatchNotEqual
	case labels.MatchRegexp:
		t = vmengine.MatchRegexp
	case labels.MatchNotRegexp:
		t = vmengine.MatchNotRegexp
	default:
		return vmengine.Matcher{}, fmt.Errorf("vmprom: matcher %s: unknown match type %d", m, m.Type)
	}
	return vmengine.Matcher{Type: t, Name: m.Name, Value: m.Value}, nil
}

// FromMatchers converts Prometheus matchers (AND-ed) with FromMatcher; the error names the
// index of the first bad one.
func FromMatchers(ms ...*labels.Matcher) ([]vmengine.Matcher, error) {
	out := make([]vmengine.Matcher, len(ms))
	for i, m := range ms {
		var err error
		if out[i], err = FromMatcher(m); err != nil {
			return nil, fmt.Errorf("matcher %d: %w", i, err)
		}
	}
	return out, nil
}

// ToMatcher converts a vmengine matcher to a Prometheus matcher (labels.NewMatcher, which
// compiles a regex and so reports a bad one).
func ToMatcher(m vmengine.Matcher) (*labels.Matcher, error) {
	var t labels.MatchType
	switch m.Type {
	case vmengine.MatchEqual:
		t = labels.MatchEqual
	case vmengine.MatchNotEqual:
		t = labels.MatchNotEqual
	case vmengine.MatchRegexp:
		t = labels.MatchRegexp
	case vmengine.MatchNotRegexp:
		t = labels.MatchNotRegexp
	default:
		return nil, fmt.Errorf("vmprom: matcher %s: unknown match type %d", m, m.Type)
	}
	pm, err := labels.NewMatcher(t, m.Name, m.Value)
	if err != nil {
		return nil, fmt.Errorf("vmprom: matcher %s: %w", m, err)
	}
	return pm, nil
}
