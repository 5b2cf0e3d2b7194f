// Command vmengine is the vmengine engine of bench/peers: it runs one phase of the peer
// benchmark (see package protocol) through the Go binding, with the library's default options.
// The phases are timed by harness.go, the same file in every engine directory; engine.go holds
// the vmengine calls.
package main

import "github.com/vmengine/vmengine/bench/peers/protocol"

func main() {
	run[batch](&vme{}, protocol.ParseFlags())
}
