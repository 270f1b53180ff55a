// Package relay is the bare TCP relay the benchmark measures bulwark
// against: it copies bytes both ways without looking at them.
package relay

import (
	"io"
	"log"
	"net"
)

// Serve accepts clients on ln and relays each to upstream. first, when not
// nil, runs for every client before its upstream connection is opened; an
// error from it ends that client.
func Serve(ln net.Listener, upstream string, first func(client net.Conn) error) error {
	for {
		client, err := ln.Accept()
		if err != nil {
			return err
		}
		go relay(client, upstream, first)
	}
}

func relay(client net.Conn, upstream string, first func(net.Conn) error) {
	defer client.Close()
	if first != nil {
		if err := first(client); err != nil {
			log.Print(err)
			return
		}
	}
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
