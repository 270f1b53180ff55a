package engine

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

type fakeSession struct{ closed atomic.Int32 }

func (f *fakeSession) Close() { f.closed.Add(1) }

func TestSessions(t *testing.T) {
	var s Sessions
	a, b := &fakeSession{}, &fakeSession{}
	if !s.Add(a) || !s.Add(b) {
		t.Fatal("Add refused before shutdown")
	}
	s.Remove(b)
	s.CloseAll()
	if a.closed.Load() != 1 || b.closed.Load() != 0 {
		t.Fatalf("CloseAll closed a %d times and the removed b %d times; want 1 and 0", a.closed.Load(), b.closed.Load())
	}
	if s.Add(&fakeSession{}) {
		t.Fatal("Add accepted a session after shutdown")
	}
}

func TestServeEndsWithItsContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var sessions Sessions
	open := &fakeSession{}
	sessions.Add(open)
	served := make(chan net.Conn, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, ln, &sessions, func(_ context.Context, c net.Conn) { served <- c })
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	select {
	case sc := <-served:
		sc.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("the accepted connection was not handed to serve")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve returned %v after its context ended, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
	if open.closed.Load() != 1 {
		t.Fatal("open sessions were not closed at shutdown")
	}
	if id := NewSessionID(); len(id) != 16 || id == NewSessionID() {
		t.Fatalf("session ids must be 16 hex digits and differ: %q", id)
	}
}

func TestRunSurvivesAPanicAndUnregisters(t *testing.T) {
	var s Sessions
	c := &fakeSession{}
	var recovered any
	s.Run(c, func(p any, stack []byte) {
		recovered = p
		if len(stack) == 0 {
			t.Error("no stack reported with the panic")
		}
	}, func() { panic("bad session") })
	if recovered != "bad session" {
		t.Fatalf("panic not reported: %v", recovered)
	}
	if c.closed.Load() != 1 {
		t.Fatal("the session was not closed after its panic")
	}
	s.CloseAll()
	if c.closed.Load() != 1 {
		t.Fatal("the session was still registered after Run returned")
	}
	late := &fakeSession{}
	ran := false
	s.Run(late, func(any, []byte) {}, func() { ran = true })
	if ran || late.closed.Load() != 1 {
		t.Fatal("a session started after shutdown must be closed without being served")
	}
}
