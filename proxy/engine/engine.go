// Package engine holds the plumbing every protocol engine shares: the accept
// loop, the registry of open sessions that shutdown closes, and session ids.
// It knows nothing of any protocol.
package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"runtime/debug"
	"sync"
	"time"
)

// Closer is a session that shutdown can end.
type Closer interface{ Close() }

// Sessions is the registry of a listener's open sessions.
type Sessions struct {
	mu     sync.Mutex
	open   map[Closer]struct{}
	closed bool
}

// Add registers a session. It returns false once the registry has been
// closed: the caller must then end the session at once.
func (s *Sessions) Add(c Closer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.open == nil {
		s.open = map[Closer]struct{}{}
	}
	s.open[c] = struct{}{}
	return true
}

// Remove unregisters a session that has ended.
func (s *Sessions) Remove(c Closer) {
	s.mu.Lock()
	delete(s.open, c)
	s.mu.Unlock()
}

// CloseMatching ends the open sessions for which match is true and returns
// how many it ended.
func (s *Sessions) CloseMatching(match func(Closer) bool) int {
	s.mu.Lock()
	var hit []Closer
	for c := range s.open {
		if match(c) {
			hit = append(hit, c)
		}
	}
	s.mu.Unlock()
	for _, c := range hit {
		c.Close()
	}
	return len(hit)
}

// CloseAll ends every open session and refuses new ones.
func (s *Sessions) CloseAll() {
	s.mu.Lock()
	s.closed = true
	open := s.open
	s.open = nil
	s.mu.Unlock()
	for c := range open {
		c.Close()
	}
}

// Run serves one session registered in s: it refuses the session (closing
// it) once shutdown has begun, and however serve ends, even by panic, it
// closes and unregisters the session, so that one bad session never takes
// the proxy down. onPanic reports a recovered panic.
func (s *Sessions) Run(c Closer, onPanic func(p any, stack []byte), serve func()) {
	if !s.Add(c) {
		c.Close()
		return
	}
	defer func() {
		if p := recover(); p != nil {
			onPanic(p, debug.Stack())
		}
		c.Close()
		s.Remove(c)
	}()
	serve()
}

// Serve accepts connections on ln until ctx ends or ln fails, running serve
// for each on its own goroutine, so that one failing session never affects
// another. When ctx ends, ln and every session in sessions are closed.
// Closing the listener, not cancelling a context, is what unblocks Accept.
func Serve(ctx context.Context, ln net.Listener, sessions *Sessions, serve func(context.Context, net.Conn)) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				// Close the sessions before returning, so that
				// whatever the caller shuts down next (the audit
				// store) is no longer in use by them.
				sessions.CloseAll()
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Out of file descriptors and the like: back off
				// rather than spin.
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return err
		}
		go serve(ctx, c)
	}
}

// NewSessionID returns a short random identifier for logs and the audit
// trail.
func NewSessionID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
