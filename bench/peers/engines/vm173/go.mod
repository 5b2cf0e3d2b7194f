module github.com/vmengine/vmengine/bench/peers/engines/vm173

go 1.24

require (
	github.com/VictoriaMetrics/VictoriaMetrics v1.73.0
	github.com/vmengine/vmengine/bench/peers v0.0.0
)

require (
	github.com/VictoriaMetrics/fastcache v1.9.0 // indirect
	github.com/VictoriaMetrics/metrics v1.18.1 // indirect
	github.com/VictoriaMetrics/metricsql v0.40.0 // indirect
	github.com/cespare/xxhash/v2 v2.1.2 // indirect
	github.com/golang/snappy v0.0.4 // indirect
	github.com/klauspost/compress v1.14.2 // indirect
	github.com/valyala/fastrand v1.1.0 // indirect
	github.com/valyala/gozstd v1.16.0 // indirect
	github.com/valyala/histogram v1.2.0 // indirect
	golang.org/x/sys v0.0.0-20220209214540-3681064d5158 // indirect
)

replace github.com/vmengine/vmengine/bench/peers => ../..
