package mysqlwire

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/go-mysql-org/go-mysql/mysql"
)

// Every packet is a three-byte little-endian payload length, a one-byte
// sequence id and the payload. A payload of 2^24-1 bytes or more is sent as
// several packets: every one but the last is exactly maxPayload long, and
// one of exactly maxPayload is followed by a (possibly empty) continuation.
// Forwarding reads the four-byte header, then copies the payload through
// without holding it, so a gigabyte result streams with buffers of a few
// KiB. Only the packets policy or response tracking needs are read whole.
// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_packets.html)

const (
	headerLen  = 4
	maxPayload = mysql.MaxPayloadLen
)

// errPacketTooLarge ends a session whose client sent a command larger than
// the configured bound.
var errPacketTooLarge = errors.New("protocol packet exceeds the size limit")

// errMalformed: a packet that does not parse.
var errMalformed = errors.New("malformed packet")

// header is one packet header.
type header struct {
	n   int  // payload length of this packet
	seq byte // sequence id
}

// continued reports whether another packet carries the rest of this
// payload.
func (h header) continued() bool { return h.n == maxPayload }

// readHeader reads a packet header.
func readHeader(r *bufio.Reader) (header, error) {
	// Peek and Discard, not io.ReadFull into an array: the array would
	// escape through the io.Reader interface, one allocation per packet.
	b, err := r.Peek(headerLen)
	if err != nil {
		if len(b) > 0 && errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return header{}, err
	}
	h := header{n: int(b[0]) | int(b[1])<<8 | int(b[2])<<16, seq: b[3]}
	_, _ = r.Discard(headerLen)
	return h, nil
}

// writeHeader writes a header to w, byte by byte so that forwarding a
// packet allocates nothing.
func writeHeader(w *bufio.Writer, h header) error {
	_ = w.WriteByte(byte(h.n))
	_ = w.WriteByte(byte(h.n >> 8))
	_ = w.WriteByte(byte(h.n >> 16))
	return w.WriteByte(h.seq)
}

// readPayload reads one packet's payload into buf (grown as needed).
func readPayload(r *bufio.Reader, h header, buf []byte) ([]byte, error) {
	if cap(buf) < h.n {
		buf = make([]byte, h.n)
	}
	buf = buf[:h.n]
	_, err := io.ReadFull(r, buf)
	return buf, err
}

// appendPackets appends payload to dst as packets starting at sequence id
// seq, split at maxPayload as the protocol requires, and returns the next
// sequence id.
func appendPackets(dst []byte, seq byte, payload []byte) ([]byte, byte) {
	for {
		n := min(len(payload), maxPayload)
		dst = append(dst, byte(n), byte(n>>8), byte(n>>16), seq)
		dst = append(dst, payload[:n]...)
		seq++
		payload = payload[n:]
		if n < maxPayload {
			return dst, seq
		}
	}
}

// copyN moves n bytes from r to w through r's buffer, without allocating.
func copyN(w *bufio.Writer, r *bufio.Reader, n int) error {
	for n > 0 {
		avail := r.Buffered()
		if avail == 0 {
			if _, err := r.Peek(1); err != nil {
				return err
			}
			avail = r.Buffered()
		}
		if avail > n {
			avail = n
		}
		b, _ := r.Peek(avail)
		if _, err := w.Write(b); err != nil {
			return err
		}
		_, _ = r.Discard(avail)
		n -= avail
	}
	return nil
}

// lenenc reads a length-encoded integer off the front of b. (go-mysql's
// LengthEncodedInt trusts its input's length; packets from clients are not
// trusted.) 0xfb (NULL in a row) reads as 0; 0xff is not a length.
func lenenc(b []byte) (v uint64, rest []byte, ok bool) {
	if len(b) == 0 {
		return 0, nil, false
	}
	var n int
	switch b[0] {
	case 0xfb:
		return 0, b[1:], true
	case 0xfc:
		n = 2
	case 0xfd:
		n = 3
	case 0xfe:
		n = 8
	case 0xff:
		return 0, nil, false
	default:
		return uint64(b[0]), b[1:], true
	}
	if len(b) < 1+n {
		return 0, nil, false
	}
	for i := n; i >= 1; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v, b[1+n:], true
}

// lenencString reads a length-encoded string off the front of b.
func lenencString(b []byte) (s []byte, rest []byte, ok bool) {
	n, rest, ok := lenenc(b)
	if !ok || n > uint64(len(rest)) {
		return nil, nil, false
	}
	return rest[:n], rest[n:], true
}

// cstring splits a NUL-terminated string off the front of b.
func cstring(b []byte) (s string, rest []byte, ok bool) {
	for i, c := range b {
		if c == 0 {
			return string(b[:i]), b[i+1:], true
		}
	}
	return "", nil, false
}

// terminatorStatus returns the status flags of an OK or EOF packet that
// ends a response or a row stream. With CLIENT_DEPRECATE_EOF every
// terminator is an OK packet (header 0x00 or 0xfe: affected rows, last
// insert id, status, warnings); without it a 0xfe terminator is an EOF
// packet (warnings, status).
func terminatorStatus(p []byte, deprecateEOF bool) uint16 {
	if len(p) == 0 {
		return 0
	}
	if p[0] == mysql.EOF_HEADER && !deprecateEOF {
		if len(p) < 5 {
			return 0
		}
		return binary.LittleEndian.Uint16(p[3:5])
	}
	_, rest, ok := lenenc(p[1:])
	if !ok {
		return 0
	}
	if _, rest, ok = lenenc(rest); !ok || len(rest) < 2 {
		return 0
	}
	return binary.LittleEndian.Uint16(rest)
}

// isTerminator reports whether a packet in a row (or column definition)
// stream ends it: an EOF or OK packet with header 0xfe. A row can start
// with 0xfe only as the 8-byte length prefix of a value of 2^24 bytes or
// more, whose packet is then maxPayload long.
func isTerminator(h header, first byte) bool {
	return first == mysql.EOF_HEADER && h.n < maxPayload
}

// errPayload builds an ERR packet payload (protocol 4.1 form).
func errPayload(code uint16, state, message string) []byte {
	p := make([]byte, 0, 9+len(message))
	p = append(p, mysql.ERR_HEADER, byte(code), byte(code>>8), '#')
	p = append(p, state[:5]...)
	return append(p, message...)
}

// parseErr decodes an ERR packet payload into a *mysql.MyError.
func parseErr(p []byte) error {
	if len(p) < 3 || p[0] != mysql.ERR_HEADER {
		return fmt.Errorf("%w: not an ERR packet", errMalformed)
	}
	e := &mysql.MyError{Code: binary.LittleEndian.Uint16(p[1:3])}
	rest := p[3:]
	if len(rest) >= 6 && rest[0] == '#' {
		e.State = string(rest[1:6])
		rest = rest[6:]
	}
	e.Message = string(rest)
	return e
}
