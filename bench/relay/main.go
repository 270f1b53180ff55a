// Command relay is a bare TCP relay: it accepts connections and copies bytes
// both ways without looking at them. The benchmark runs it next to bulwark so
// that the cost of being a Go proxy at all (an extra hop, two sockets, the
// scheduler) is measured apart from the cost of parsing and judging SQL.
package main

import (
	"flag"
	"log"
	"net"

	"github.com/bulwarkdb/bulwark/bench/internal/relay"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to accept clients on")
	upstream := flag.String("upstream", "", "address to forward every connection to")
	flag.Parse()
	if *upstream == "" {
		log.Fatal("relay: -upstream is required")
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(relay.Serve(ln, *upstream, nil))
}
