package vmengine

import (
	"slices"
	"strconv"
	"strings"
)

// MetricNameLabel is the label that holds the metric name.
const MetricNameLabel = "__name__"

// Label is one name/value pair of a series. The metric name is the label "__name__".
type Label struct {
	Name, Value string
}

// Labels identifies a series. Order does not matter for the engine (it canonicalises label
// order; the last duplicate wins); labels with an empty value are ignored. Every series needs
// a "__name__" label.
type Labels []Label

// FromStrings builds Labels from name, value pairs: FromStrings("__name__", "up", "job", "a").
// It panics if given an odd number of strings.
func FromStrings(nameValues ...string) Labels {
	if len(nameValues)%2 != 0 {
		panic("vmengine.FromStrings: odd number of strings")
	}
	ls := make(Labels, 0, len(nameValues)/2)
	for i := 0; i < len(nameValues); i += 2 {
		ls = append(ls, Label{nameValues[i], nameValues[i+1]})
	}
	return ls
}

// FromMap builds Labels from a map, sorted by name.
func FromMap(m map[string]string) Labels {
	ls := make(Labels, 0, len(m))
	for n, v := range m {
		ls = append(ls, Label{n, v})
	}
	slices.SortFunc(ls, func(a, b Label) int { return strings.Compare(a.Name, b.Name) })
	return ls
}

// Get returns the value of the label name, or "" if there is none.
func (ls Labels) Get(name string) string {
	for _, l := range ls {
		if l.Name == name {
			return l.Value
		}
	}
	return ""
}

// Map returns the labels as a map.
func (ls Labels) Map() map[string]string {
	m := make(map[string]string, len(ls))
	for _, l := range ls {
		m[l.Name] = l.Value
	}
	return m
}

// Copy returns a copy of the slice (the strings are immutable and shared).
func (ls Labels) Copy() Labels { return slices.Clone(ls) }

// Equal reports whether ls and o hold the same labels in the same order.
func (ls Labels) Equal(o Labels) bool { return slices.Equal(ls, o) }

// String returns the Prometheus text form, e.g. `up{instance="h1",job="node"}`: the metric
// name, then the other labels sorted by name with values quoted as strconv.Quote does (the
// form of vme_series_iter_name).
func (ls Labels) String() string {
	var name string
	rest := make(Labels, 0, len(ls))
	for _, l := range ls {
		if l.Name == MetricNameLabel || l.Name == "" {
			name = l.Value
		} else {
			rest = append(rest, l)
		}
	}
	slices.SortStableFunc(rest, func(a, b Label) int { return strings.Compare(a.Name, b.Name) })
	var sb strings.Builder
	sb.WriteString(name)
	sb.WriteByte('{')
	for i, l := range rest {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(l.Name)
		sb.WriteByte('=')
		sb.WriteString(strconv.Quote(l.Value))
	}
	sb.WriteByte('}')
	return sb.String()
}

// AppendSeriesKey appends the packed series key of ls to dst, in the label order given:
// per label u16 big-endian name length | name | u16 big-endian value length | value (the
// format of vme_add_rows). Errors (ErrInvalidArgument): a name or value longer than 65535
// bytes. The engine's own limits (256-byte names, 16384-byte values, 30 labels, a metric
// name) are checked at ingest, where offending rows are rejected and counted.
func AppendSeriesKey(dst []byte, ls Labels) ([]byte, error) {
	for _, l := range ls {
		if len(l.Name) > 0xffff || len(l.Value) > 0xffff {
			return dst, errInvalid("AppendSeriesKey", "label %.64q is longer than 65535 bytes", l.Name)
		}
		dst = append(dst, byte(len(l.Name)>>8), byte(len(l.Name)))
		dst = append(dst, l.Name...)
		dst = append(dst, byte(len(l.Value)>>8), byte(len(l.Value)))
		dst = append(dst, l.Value...)
	}
	return dst, nil
}

// ParseSeriesKey decodes a packed series key into labels (appended to dst).
// Errors (ErrInvalidArgument): a truncated key.
func ParseSeriesKey(dst Labels, key []byte) (Labels, error) {
	ls, ok := decodeKey(dst, nil, key)
	if !ok {
		return dst, errInvalid("ParseSeriesKey", "truncated series key of %d bytes", len(key))
	}
	return ls, nil
}

// decodeKey appends the labels of key to dst; strings equal to the label at the same
// position in prev are reused instead of allocated.
func decodeKey(dst, prev Labels, key []byte) (Labels, bool) {
	i := 0
	for j := 0; i < len(key); j++ {
		if i+2 > len(key) {
			return dst, false
		}
		nl := int(key[i])<<8 | int(key[i+1])
		i += 2
		if i+nl+2 > len(key) {
			return dst, false
		}
		name := key[i : i+nl]
		i += nl
		vl := int(key[i])<<8 | int(key[i+1])
		i += 2
		if i+vl > len(key) {
			return dst, false
		}
		value := key[i : i+vl]
		i += vl
		var l Label
		if j < len(prev) && prev[j].Name == string(name) {
			l.Name = prev[j].Name
		} else {
			l.Name = string(name)
		}
		if j < len(prev) && prev[j].Value == string(value) {
			l.Value = prev[j].Value
		} else {
			l.Value = string(value)
		}
		dst = append(dst, l)
	}
	return dst, true
}
