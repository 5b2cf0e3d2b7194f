// Command vmengine is the vmengine engine of bench/peers: it runs one phase of the peer
// benchmark (see package protocol) through the Go binding, with the library's default options.
// The phases are timed by package harness, shared by every engine; engine.go holds the
// vmengine calls.
package main

import (
	"github.com/vmengine/vmengine/bench/peers/harness"
	"github.com/vmengine/vmengine/bench/peers/protocol"
)

func main() {
	harness.Run[batch](&vme{}, protocol.ParseFlags())
}
