// Command relay is a bare TCP relay: it accepts connections and copies bytes
// both ways without looking at them. The benchmark runs it next to bulwark so
// that the cost of being a Go proxy at all (an extra hop, two sockets, the
// scheduler) is measured apart from the cost of parsing and judging SQL.
package main

import (
	"flag"
	"io"
	"log"
	"net"
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
	for {
		client, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go relay(client, *upstream)
	}
}

func relay(client net.Conn, upstream string) {
	defer client.Close()
	server, err := net.Dial("tcp", upstream)
	if err != nil {
		log.Print(err)
		return
	}
	defer server.Close()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		io.Copy(dst, src)
		// Half-close so the peer sees EOF while the other direction drains;
		// a full close here could cut off a reply still in flight.
		if tc, ok := dst.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
		done <- struct{}{}
	}
	go pipe(server, client)
	go pipe(client, server)
	// Either side ending ends the session: PostgreSQL clients close after
	// Terminate, and waiting for both directions would leak on a dead peer.
	<-done
}
