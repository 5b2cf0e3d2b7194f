module github.com/vmengine/vmengine/bench/peers/engines/vmengine

go 1.24

require (
	github.com/vmengine/vmengine/bench/peers v0.0.0
	github.com/vmengine/vmengine/bindings/go/vmengine v0.0.0
)

replace (
	github.com/vmengine/vmengine/bench/peers => ../..
	github.com/vmengine/vmengine/bindings/go/vmengine => ../../../../bindings/go/vmengine
)
