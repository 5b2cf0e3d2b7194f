module vmengine/tests/compat/vmread

go 1.17

require github.com/VictoriaMetrics/VictoriaMetrics v1.72.0-cluster
