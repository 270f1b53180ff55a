package pgwire

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Every message after startup is a type byte, a big-endian int32 length that
// counts itself but not the type byte, and a body. Forwarding reads the
// five-byte header, then copies the body through without holding it in
// memory, so a gigabyte result streams with buffers of a few KiB. Only the
// messages policy or state tracking needs are read whole.
// (https://www.postgresql.org/docs/current/protocol-message-formats.html)

const headerLen = 5

// errMessageTooLarge ends a session whose peer announced a message larger
// than the configured bound.
var errMessageTooLarge = errors.New("protocol message exceeds the size limit")

// errInvalidLength: a length word smaller than itself.
var errInvalidLength = errors.New("invalid message length")

// header is one message header.
type header struct {
	typ byte
	// n is the body length (the wire length minus its own four bytes).
	n int
}

// readHeader reads a message header and checks the announced length. max <= 0
// means no limit (only for the upstream server, which we trust to frame).
func readHeader(r *bufio.Reader, max int) (header, error) {
	// Peek and Discard, not io.ReadFull into an array: the array would
	// escape through the io.Reader interface, one allocation per message.
	b, err := r.Peek(headerLen)
	if err != nil {
		if len(b) > 0 && errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return header{}, err
	}
	_, _ = r.Discard(headerLen)
	length := int64(binary.BigEndian.Uint32(b[1:]))
	if length < 4 {
		return header{}, fmt.Errorf("message %q has length %d: %w", b[0], length, errInvalidLength)
	}
	if max > 0 && length-4 > int64(max) {
		return header{typ: b[0], n: int(length - 4)}, errMessageTooLarge
	}
	return header{typ: b[0], n: int(length - 4)}, nil
}

// readBody reads a whole body into buf (grown as needed) and returns it.
func readBody(r *bufio.Reader, h header, buf []byte) ([]byte, error) {
	if cap(buf) < h.n {
		buf = make([]byte, h.n)
	}
	buf = buf[:h.n]
	_, err := io.ReadFull(r, buf)
	return buf, err
}

// writeHeader appends a header to w, byte by byte so that forwarding a
// message allocates nothing.
func writeHeader(w *bufio.Writer, h header) error {
	_ = w.WriteByte(h.typ)
	n := uint32(h.n + 4)
	_ = w.WriteByte(byte(n >> 24))
	_ = w.WriteByte(byte(n >> 16))
	_ = w.WriteByte(byte(n >> 8))
	return w.WriteByte(byte(n))
}

// appendMessage appends a whole message (header and body) to dst.
func appendMessage(dst []byte, typ byte, body []byte) []byte {
	dst = append(dst, typ, 0, 0, 0, 0)
	binary.BigEndian.PutUint32(dst[len(dst)-4:], uint32(len(body)+4))
	return append(dst, body...)
}

// cstring splits a NUL-terminated string off the front of b, as the server's
// pq_getmsgstring does. ok is false when there is no terminator.
func cstring(b []byte) (s string, rest []byte, ok bool) {
	v, rest, ok := cbytes(b)
	return string(v), rest, ok
}

// cbytes is cstring without the copy: v shares b's memory.
func cbytes(b []byte) (v, rest []byte, ok bool) {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i], b[i+1:], true
	}
	return nil, nil, false
}
