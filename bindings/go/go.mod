module github.com/vmengine/vmengine/bindings/go

go 1.24
