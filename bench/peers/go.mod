module github.com/vmengine/vmengine/bench/peers

go 1.24
