package mysqlwire

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"testing"

	"github.com/go-mysql-org/go-mysql/mysql"

	"github.com/bulwarkdb/bulwark/proxy/gate"
)

func TestReadHeaderAndAppendPacketsAgree(t *testing.T) {
	payload := bytes.Repeat([]byte{'x'}, maxPayload+10)
	b, next := appendPackets(nil, 3, payload)
	if next != 5 {
		t.Fatalf("next sequence id = %d, want 5", next)
	}
	r := bufio.NewReader(bytes.NewReader(b))
	h, err := readHeader(r)
	if err != nil || h.n != maxPayload || h.seq != 3 || !h.continued() {
		t.Fatalf("first header = %+v, %v", h, err)
	}
	if _, err := r.Discard(h.n); err != nil {
		t.Fatal(err)
	}
	h, err = readHeader(r)
	if err != nil || h.n != 10 || h.seq != 4 || h.continued() {
		t.Fatalf("second header = %+v, %v", h, err)
	}
}

func TestAppendPacketsEndsAMaximalPayloadWithAnEmptyPacket(t *testing.T) {
	b, next := appendPackets(nil, 0, make([]byte, maxPayload))
	if next != 2 || len(b) != 2*headerLen+maxPayload {
		t.Fatalf("got %d bytes, next %d", len(b), next)
	}
}

func TestLenenc(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want uint64
		ok   bool
	}{
		{"one byte", []byte{0xfa}, 250, true},
		{"two bytes", []byte{0xfc, 0x01, 0x02}, 0x0201, true},
		{"three bytes", []byte{0xfd, 1, 2, 3}, 0x030201, true},
		{"eight bytes", []byte{0xfe, 1, 0, 0, 0, 0, 0, 0, 1}, 1<<56 | 1, true},
		{"truncated", []byte{0xfe, 1, 2}, 0, false},
		{"empty", nil, 0, false},
		{"0xff is not a length", []byte{0xff}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _, ok := lenenc(tt.in)
			if v != tt.want || ok != tt.ok {
				t.Fatalf("lenenc(%x) = %d, %v; want %d, %v", tt.in, v, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestTerminatorStatus(t *testing.T) {
	eof := []byte{0xfe, 0, 0, byte(mysql.SERVER_MORE_RESULTS_EXISTS), 0}
	if s := terminatorStatus(eof, false); s != mysql.SERVER_MORE_RESULTS_EXISTS {
		t.Fatalf("EOF status = %x", s)
	}
	ok := []byte{0xfe, 0, 0, byte(mysql.SERVER_STATUS_IN_TRANS), 0, 0, 0}
	if s := terminatorStatus(ok, true); s != mysql.SERVER_STATUS_IN_TRANS {
		t.Fatalf("OK status = %x", s)
	}
}

func TestErrorForMapsVerdictCodes(t *testing.T) {
	for code, want := range map[string]uint16{"42501": 1227, "XX000": 1105} {
		if got, _ := errorFor(gate.Verdict{Code: code}); got != want {
			t.Errorf("errorFor(%s) = %d, want %d", code, got, want)
		}
	}
	p := errPayload(1227, "42000", "bulwark refused")
	if err := parseErr(p).(*mysql.MyError); err.Code != 1227 || err.State != "42000" || err.Message != "bulwark refused" {
		t.Fatalf("round trip: %+v", err)
	}
}

// TestSettingNamesRefusesAnswersInAnotherShape: the sql_mode probe's
// answer must be the server's own names; a value in UTF-16 (as under
// character_set_results = utf16) or NULL is refused, not read as no mode.
func TestSettingNamesRefusesAnswersInAnotherShape(t *testing.T) {
	for _, c := range []struct {
		v    []byte
		list bool
		want bool
	}{
		{[]byte("NO_BACKSLASH_ESCAPES,ANSI_QUOTES"), true, true},
		{[]byte(""), true, true},
		{[]byte("utf8mb4"), false, true},
		{[]byte("\x00N\x00O\x00_\x00B"), true, false},
		{[]byte("\x00u\x00t\x00f"), false, false},
		{[]byte("ANSI QUOTES"), true, false},
		{[]byte("utf8,gbk"), false, false},
		{[]byte("UTF8"), false, false},
		{nil, true, false},
	} {
		if got := settingNames(c.v, c.list); got != c.want {
			t.Errorf("settingNames(%q, %v) = %v, want %v", c.v, c.list, got, c.want)
		}
	}
}

// greeting is a MariaDB-style initial handshake offering caps.
func greeting(caps uint32) []byte {
	p := []byte{10}
	p = append(p, "10.11.6-MariaDB"...)
	p = append(p, 0, 1, 0, 0, 0)
	p = append(p, "12345678"...)
	p = append(p, 0)
	p = binary.LittleEndian.AppendUint16(p, uint16(caps))
	p = append(p, 33, 2, 0)
	p = binary.LittleEndian.AppendUint16(p, uint16(caps>>16))
	p = append(p, 21)
	p = append(p, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff) // filler, MariaDB extended capabilities
	p = append(p, "abcdefghijkl"...)
	p = append(p, 0)
	p = append(p, "mysql_native_password"...)
	return append(p, 0)
}

func TestMaskGreetingRemovesWhatBulwarkCannotRelay(t *testing.T) {
	offered := mysql.CLIENT_PROTOCOL_41 | mysql.CLIENT_SSL | mysql.CLIENT_COMPRESS | mysql.CLIENT_PLUGIN_AUTH |
		mysql.CLIENT_DEPRECATE_EOF | mysql.CLIENT_QUERY_ATTRIBUTES | mysql.CLIENT_CONNECT_ATTRS
	p := greeting(offered)
	caps, server, err := maskGreeting(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if server != offered {
		t.Fatalf("server capabilities = %x, want %x", server, offered)
	}
	if caps&(mysql.CLIENT_SSL|mysql.CLIENT_COMPRESS|mysql.CLIENT_QUERY_ATTRIBUTES) != 0 {
		t.Fatalf("masked capabilities still offered: %x", caps)
	}
	if caps&(mysql.CLIENT_PLUGIN_AUTH|mysql.CLIENT_DEPRECATE_EOF|mysql.CLIENT_CONNECT_ATTRS) == 0 {
		t.Fatalf("relayable capabilities removed: %x", caps)
	}
	again, _, _ := maskGreeting(p, 0)
	if again != caps {
		t.Fatalf("the packet was not rewritten in place")
	}
	if !bytes.Contains(p, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'a'}) {
		t.Fatalf("MariaDB extended capabilities not cleared: %x", p)
	}
}

func TestMaskGreetingOffersBulwarksOwnTLS(t *testing.T) {
	p := greeting(mysql.CLIENT_PROTOCOL_41 | mysql.CLIENT_SECURE_CONNECTION | mysql.CLIENT_PLUGIN_AUTH)
	caps, server, err := maskGreeting(p, mysql.CLIENT_SSL)
	if err != nil {
		t.Fatal(err)
	}
	if caps&mysql.CLIENT_SSL == 0 || server&mysql.CLIENT_SSL != 0 {
		t.Fatalf("offered %x (server %x): want CLIENT_SSL offered though the server has none", caps, server)
	}
	scramble, plugin := greetingAuth(p)
	if string(scramble) != "12345678abcdefghijkl" || plugin != "mysql_native_password" {
		t.Fatalf("scramble %q, plugin %q", scramble, plugin)
	}
}

// handshakeResponse41 builds a client's HandshakeResponse41.
func handshakeResponse41(caps uint32, user, db string, attrs map[string]string) []byte {
	p := binary.LittleEndian.AppendUint32(nil, caps)
	p = binary.LittleEndian.AppendUint32(p, 1<<24)
	p = append(p, 33)
	p = append(p, make([]byte, 23)...)
	p = append(p, user...)
	p = append(p, 0, 20)
	p = append(p, bytes.Repeat([]byte{7}, 20)...)
	p = append(p, db...)
	p = append(p, 0)
	p = append(p, "mysql_native_password"...)
	p = append(p, 0)
	var kv []byte
	for k, v := range attrs {
		kv = append(kv, byte(len(k)))
		kv = append(kv, k...)
		kv = append(kv, byte(len(v)))
		kv = append(kv, v...)
	}
	p = append(p, byte(len(kv)))
	return append(p, kv...)
}

func TestParseHandshakeResponse(t *testing.T) {
	caps := mysql.CLIENT_PROTOCOL_41 | mysql.CLIENT_SECURE_CONNECTION | mysql.CLIENT_CONNECT_WITH_DB |
		mysql.CLIENT_PLUGIN_AUTH | mysql.CLIENT_CONNECT_ATTRS
	hr, err := parseHandshakeResponse(handshakeResponse41(caps, "agent_bot", "shop", map[string]string{"program_name": "report-agent", "_client_name": "libmariadb"}))
	if err != nil {
		t.Fatal(err)
	}
	if hr.user != "agent_bot" || hr.database != "shop" || hr.plugin != "mysql_native_password" ||
		hr.attributes["program_name"] != "report-agent" || hr.attributes["_client_name"] != "libmariadb" {
		t.Fatalf("got %+v", hr)
	}
	ssl := binary.LittleEndian.AppendUint32(nil, mysql.CLIENT_PROTOCOL_41|mysql.CLIENT_SSL)
	ssl = append(ssl, make([]byte, sslRequestLen-4)...)
	if _, err := parseHandshakeResponse(ssl); err != errSSLRequest {
		t.Fatalf("SSLRequest: %v", err)
	}
}

// FuzzParseHandshakeResponse: no input from a client may crash the parser.
func FuzzParseHandshakeResponse(f *testing.F) {
	caps := mysql.CLIENT_PROTOCOL_41 | mysql.CLIENT_SECURE_CONNECTION | mysql.CLIENT_CONNECT_WITH_DB |
		mysql.CLIENT_PLUGIN_AUTH | mysql.CLIENT_CONNECT_ATTRS
	f.Add(handshakeResponse41(caps, "u", "d", map[string]string{"a": "b"}))
	f.Add(handshakeResponse41(caps|mysql.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA, "u", "", nil))
	f.Add(greeting(caps))
	f.Fuzz(func(t *testing.T, in []byte) {
		_, _ = parseHandshakeResponse(in)
		if g := append([]byte(nil), in...); true {
			if _, _, err := maskGreeting(g, mysql.CLIENT_SSL); err == nil {
				_, _ = greetingAuth(g)
			}
		}
		if len(in) > 0 {
			_, _ = authSwitch(in)
		}
		_, _ = parseAttributes(in)
		_, _ = decodeTextRow(in, 3)
		_ = terminatorStatus(in, true)
		_ = terminatorStatus(in, false)
	})
}

// TestPacketHeadersAllocateNothing: reading and writing packet headers,
// done for every row of a result, costs no allocation.
func TestPacketHeadersAllocateNothing(t *testing.T) {
	pkt := []byte{3, 0, 0, 7, 'a', 'b', 'c'}
	src := bytes.NewReader(nil)
	r := bufio.NewReader(src)
	w := bufio.NewWriter(io.Discard)
	allocs := testing.AllocsPerRun(200, func() {
		src.Reset(pkt)
		r.Reset(src)
		h, err := readHeader(r)
		if err != nil || h.n != 3 || h.seq != 7 {
			t.Fatalf("%+v %v", h, err)
		}
		if err := writeHeader(w, h); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("a packet header costs %.1f allocations", allocs)
	}
}
