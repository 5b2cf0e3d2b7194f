module github.com/vmengine/vmengine/bindings/go/vmengine

go 1.24
