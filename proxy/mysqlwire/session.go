package mysqlwire

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unsafe"

	"github.com/go-mysql-org/go-mysql/mysql"

	"github.com/bulwarkdb/bulwark/proxy/gate"
)

// Refusals are ERR packets answering the refused command, at the sequence id
// its answer would have had. MySQL errors never abort a transaction, so the
// session, and any open transaction, stay usable exactly as after any other
// error; nothing needs to be sent upstream in the refusal's place.
//
//	Verdict.Code        MySQL error                              SQLSTATE
//	42501 (refused)     1227 ER_SPECIFIC_ACCESS_DENIED_ERROR     42000
//	anything else       1105 ER_UNKNOWN_ERROR                    HY000
//
// The message is Verdict.Message: which rule, why, what to do instead, and
// the audit event.
//
// A statement over limits.max_statement_bytes is refused like any other,
// not with 1153 ER_NET_PACKET_TOO_LARGE: that error's SQLSTATE 08S01 says
// the connection is broken, and clients drop it, while bulwark has read
// the statement to its end and the session goes on.
func errorFor(v gate.Verdict) (code uint16, state string) {
	if v.Code == "42501" {
		return mysql.ER_SPECIFIC_ACCESS_DENIED_ERROR, "42000"
	}
	return mysql.ER_UNKNOWN_ERROR, "HY000"
}

// Rules the engine raises itself.
const (
	ruleStatementTooLarge = "statement-too-large"
	ruleUnsupported       = "unsupported-command"
	ruleServerControl     = "server-control"
)

// statementPrefix is how much of an oversized statement is kept for the
// audit record.
const statementPrefix = 4 << 10

// errQuit ends the command loop after COM_QUIT.
var errQuit = errors.New("client quit")

// run is the command phase: one command at a time, judged when the session
// is an agent's, forwarded, and its answer relayed to its end (see the
// package comment). Human sessions go through the same loop without
// judgement, so that a COM_CHANGE_USER to an agent identity is seen.
func (c *conn) run() error {
	for {
		// About to wait for the client: hand it everything we have.
		if err := c.clientW.Flush(); err != nil {
			return err
		}
		h, err := readHeader(c.clientR)
		if err != nil {
			return err
		}
		// The server reads an empty command packet as COM_SLEEP, which
		// it answers with an error, keeping the session.
		cmd := byte(mysql.COM_SLEEP)
		if h.n > 0 {
			b, err := c.clientR.Peek(1)
			if err != nil {
				return err
			}
			cmd = b[0]
		}
		if err := c.command(h, cmd); err != nil {
			if errors.Is(err, errQuit) {
				return nil
			}
			return err
		}
	}
}

// command handles one command whose header has been read.
// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_command_phase.html)
func (c *conn) command(h header, cmd byte) error {
	agent := c.info.Kind != gate.Human
	switch cmd {
	case mysql.COM_QUIT:
		_ = c.forwardCommand(h)
		return errQuit
	case mysql.COM_QUERY, mysql.COM_STMT_PREPARE:
		if agent {
			return c.statement(h, cmd)
		}
		if err := c.forwardCommand(h); err != nil {
			return err
		}
		if cmd == mysql.COM_STMT_PREPARE {
			_, _, err := c.relayPrepare()
			return err
		}
		c.settingsKnown = false
		return c.relayResult()
	case mysql.COM_STMT_EXECUTE:
		// The statement was judged when it was prepared (a refused
		// COM_STMT_PREPARE never yields an id to execute); one whose
		// verdict asked for a snapshot is judged again, see execute.
		if agent {
			if text, ok := c.snapshottedStatement(h); ok {
				return c.execute(h, text)
			}
		}
		c.settingsKnown = false
		if err := c.forwardCommand(h); err != nil {
			return err
		}
		return c.relayResult()
	case mysql.COM_PROCESS_INFO:
		if err := c.forwardCommand(h); err != nil {
			return err
		}
		return c.relayResult()
	case mysql.COM_STMT_FETCH, mysql.COM_FIELD_LIST:
		if err := c.forwardCommand(h); err != nil {
			return err
		}
		_, _, err := c.relayRows()
		return err
	case mysql.COM_STMT_CLOSE, mysql.COM_STMT_SEND_LONG_DATA:
		if id, ok := c.peekStatementID(h); ok && cmd == mysql.COM_STMT_CLOSE {
			delete(c.snapshotted, id)
		}
		return c.forwardCommand(h) // no answer
	case mysql.COM_INIT_DB:
		return c.initDB(h)
	case mysql.COM_CHANGE_USER:
		return c.changeUser(h)
	case mysql.COM_REFRESH, mysql.COM_PROCESS_KILL, mysql.COM_DEBUG:
		if agent {
			// The server runs them: the protocol forms of FLUSH and
			// RESET MASTER, and of KILL.
			size, seq, err := c.discardCommand(h)
			if err != nil {
				return err
			}
			rule, reason := serverCommand(cmd)
			return c.writeRefusal(seq+1, c.refuseRequest(rule, reason, size, ""))
		}
		if err := c.forwardCommand(h); err != nil {
			return err
		}
		_, err := c.relaySingle()
		return err
	case mysql.COM_PING, mysql.COM_STATISTICS, mysql.COM_STMT_RESET, mysql.COM_SET_OPTION,
		mysql.COM_RESET_CONNECTION,
		mysql.COM_SLEEP: // the server's internal state, never run: it answers "Unknown command"
		if cmd == mysql.COM_RESET_CONNECTION {
			c.settingsKnown = false
			c.snapshotted = nil // the server closes every prepared statement
		}
		if err := c.forwardCommand(h); err != nil {
			return err
		}
		_, err := c.relaySingle()
		return err
	}
	if agent {
		// COM_SHUTDOWN, COM_DROP_DB, replication, MariaDB bulk and multi
		// commands, anything new: nothing bulwark can judge.
		size, seq, err := c.discardCommand(h)
		if err != nil {
			return err
		}
		v := c.refuseRequest(ruleUnsupported, fmt.Sprintf(
			"protocol command 0x%02x is not one bulwark can judge", cmd), size, "")
		return c.writeRefusal(seq+1, v)
	}
	// A human's replication stream or other command whose answer bulwark
	// does not frame: from here on the session is relayed byte for byte.
	if err := c.forwardCommand(h); err != nil {
		return err
	}
	return c.relayBytes()
}

// serverCommand says why an agent's COM_REFRESH, COM_PROCESS_KILL or
// COM_DEBUG is refused, and by which rule.
func serverCommand(cmd byte) (rule, reason string) {
	switch cmd {
	case mysql.COM_REFRESH:
		return ruleServerControl, "protocol command COM_REFRESH flushes or resets the server's state: its REFRESH_MASTER flag deletes every binary log, as RESET MASTER does"
	case mysql.COM_PROCESS_KILL:
		return ruleServerControl, "protocol command COM_PROCESS_KILL ends any session's connection, a human's among them, as KILL does"
	}
	return ruleUnsupported, "protocol command COM_DEBUG writes the server's debugging state to its error log, which agents have no need for"
}

// statement judges an agent's COM_QUERY or COM_STMT_PREPARE and forwards it
// or answers it with a refusal.
func (c *conn) statement(h header, cmd byte) error {
	payload, size, seq, tooLarge, err := c.readStatement(h)
	if err != nil {
		return err
	}
	var v gate.Verdict
	if tooLarge {
		v = c.refuseRequest(ruleStatementTooLarge, fmt.Sprintf(
			"the statement is %d bytes long, more than limits.max_statement_bytes (%d)", size, c.srv.cfg.MaxStatementBytes),
			size, string(payload[1:]))
	} else {
		// A statement being prepared is judged without the upstream:
		// nothing runs now, so a snapshot is taken at each execute
		// instead (see execute).
		src, up := gate.SourceQuery, gate.Upstream(c)
		if cmd == mysql.COM_STMT_PREPARE {
			src, up = gate.SourceParse, nil
		}
		// Borrowed: check copies the text before anything keeps it.
		v = c.check(src, unsafe.String(unsafe.SliceData(payload[1:]), len(payload)-1), up)
	}
	if !v.Allow {
		return c.writeRefusal(seq+1, v)
	}
	if cmd == mysql.COM_QUERY && v.Snapshot != nil && v.Snapshot.Replace {
		return c.replace(seq+1, v.Snapshot)
	}
	if err := c.writePackets(payload); err != nil {
		return err
	}
	if cmd == mysql.COM_STMT_PREPARE {
		id, ok, err := c.relayPrepare()
		if ok && v.Snapshot != nil {
			if c.snapshotted == nil {
				c.snapshotted = map[uint32]string{}
			}
			c.snapshotted[id] = string(payload[1:])
		}
		return err
	}
	c.settingsKnown = false
	return c.relayResult()
}

// A prepared statement the enforcer lets run only after a snapshot has to
// take that snapshot every time it runs, not when it is prepared: a DROP
// TABLE prepared now may execute tomorrow, or never, or ten times. Its text
// is kept by statement id; each COM_STMT_EXECUTE of it is judged again
// (cheaply: the analysis is cached) with the upstream at hand, and answered
// as that verdict says. Parameters change nothing here: a statement that
// needs a snapshot does so whatever they are.

// statementIDAll is the id MariaDB clients send to execute the statement
// they prepared last without waiting for its id.
const statementIDAll = 0xffffffff

// peekStatementID reads the statement id of a COM_STMT_* command without
// consuming it.
func (c *conn) peekStatementID(h header) (uint32, bool) {
	if h.n < 5 {
		return 0, false
	}
	b, err := c.clientR.Peek(5)
	if err != nil {
		return 0, false
	}
	id := binary.LittleEndian.Uint32(b[1:])
	if id == statementIDAll {
		id = c.lastPrepared
	}
	return id, true
}

// snapshottedStatement returns the text of the prepared statement a
// COM_STMT_EXECUTE runs when its verdict asked for a snapshot.
func (c *conn) snapshottedStatement(h header) (string, bool) {
	id, ok := c.peekStatementID(h)
	if !ok || c.snapshotted == nil {
		return "", false
	}
	text, ok := c.snapshotted[id]
	return text, ok
}

// execute judges one COM_STMT_EXECUTE of a statement whose verdict asked
// for a snapshot, and forwards it, answers it with the snapshot's
// replacement statement, or refuses it.
func (c *conn) execute(h header, text string) error {
	v := c.check(gate.SourceParse, text, c)
	if !v.Allow || v.Snapshot != nil && v.Snapshot.Replace {
		_, seq, err := c.discardCommand(h)
		if err != nil {
			return err
		}
		if !v.Allow {
			return c.writeRefusal(seq+1, v)
		}
		return c.replace(seq+1, v.Snapshot)
	}
	c.settingsKnown = false
	if err := c.forwardCommand(h); err != nil {
		return err
	}
	return c.relayResult()
}

// replace answers a command that the snapshot carried out itself (a DROP
// moved aside, a TRUNCATE swapped) with the answer to the snapshot's
// replacement statement, sent as a COM_QUERY of its own. That answer is one
// OK packet, which reads to the client as the command's own OK (it carries
// the session's current status flags), or an ERR, which becomes the
// snapshot's Failed refusal with the server's message. It goes to the
// client at seq, where the command's answer belongs, whatever sequence ids
// the replacement's answer had.
func (c *conn) replace(seq byte, s *gate.Snapshot) error {
	if err := c.toServer(0, append([]byte{mysql.COM_QUERY}, s.SQL...)); err != nil {
		return err
	}
	h, err := readHeader(c.serverR)
	if err != nil {
		return err
	}
	if h.continued() {
		return fmt.Errorf("%w: oversized answer to a snapshot's replacement statement", errMalformed)
	}
	p, err := readPayload(c.serverR, h, nil)
	if err != nil {
		return err
	}
	switch {
	case len(p) > 0 && p[0] == mysql.ERR_HEADER:
		reason := "the server refused it"
		if me, ok := parseErr(p).(*mysql.MyError); ok {
			reason = me.Message
		}
		return c.writeRefusal(seq, c.srv.cfg.Enforcer.SnapshotFailed(c.ctx, &c.info, s, reason))
	case len(p) > 0 && p[0] == mysql.OK_HEADER && terminatorStatus(p, false)&mysql.SERVER_MORE_RESULTS_EXISTS == 0:
		return c.toClientBuffered(seq, p)
	}
	return fmt.Errorf("%w: a snapshot's replacement statement answered with more than an OK packet", errMalformed)
}

// toClientBuffered writes one packet to the client without flushing (the
// command loop flushes before it waits for the client).
func (c *conn) toClientBuffered(seq byte, p []byte) error {
	if err := writeHeader(c.clientW, header{n: len(p), seq: seq}); err != nil {
		return err
	}
	_, err := c.clientW.Write(p)
	return err
}

// readStatement reads a COM_QUERY or COM_STMT_PREPARE payload, which may
// span several packets. A statement above the limit is not kept: its first
// statementPrefix bytes are returned with tooLarge set and the rest is
// discarded as it arrives. size is the SQL text's length, seq the sequence
// id of the command's last packet.
func (c *conn) readStatement(h header) (payload []byte, size int, seq byte, tooLarge bool, err error) {
	limit := c.srv.cfg.MaxStatementBytes + 1 // the command byte
	if cap(c.scratch) > 1<<20 {
		c.scratch = nil // a large statement's buffer is not kept for the session's life
	}
	payload = c.scratch[:0]
	total := 0
	for {
		total += h.n
		seq = h.seq
		switch {
		case !tooLarge && total <= limit:
			start := len(payload)
			payload = append(payload, make([]byte, h.n)...)
			if _, err = io.ReadFull(c.clientR, payload[start:]); err != nil {
				return nil, 0, 0, false, err
			}
		default:
			if !tooLarge {
				tooLarge = true
				payload = payload[:min(len(payload), statementPrefix+1)]
			}
			keep := min(h.n, statementPrefix+1-len(payload))
			start := len(payload)
			payload = append(payload, make([]byte, keep)...)
			if _, err = io.ReadFull(c.clientR, payload[start:]); err != nil {
				return nil, 0, 0, false, err
			}
			if _, err = c.clientR.Discard(h.n - keep); err != nil {
				return nil, 0, 0, false, err
			}
		}
		if !h.continued() {
			break
		}
		if h, err = readHeader(c.clientR); err != nil {
			return nil, 0, 0, false, err
		}
	}
	if !tooLarge {
		c.scratch = payload
	}
	return payload, total - 1, seq, tooLarge, nil
}

// writePackets sends a command payload upstream, split into packets as the
// client split it, and flushes.
func (c *conn) writePackets(payload []byte) error {
	var seq byte
	for {
		n := min(len(payload), maxPayload)
		if err := writeHeader(c.serverW, header{n: n, seq: seq}); err != nil {
			return err
		}
		if _, err := c.serverW.Write(payload[:n]); err != nil {
			return err
		}
		seq++
		payload = payload[n:]
		if n < maxPayload {
			return c.serverW.Flush()
		}
	}
}

// forwardCommand streams a command upstream as the client sent it, every
// packet of it, and flushes.
func (c *conn) forwardCommand(h header) error {
	for {
		if err := writeHeader(c.serverW, h); err != nil {
			return err
		}
		if err := copyN(c.serverW, c.clientR, h.n); err != nil {
			return err
		}
		if !h.continued() {
			return c.serverW.Flush()
		}
		var err error
		if h, err = readHeader(c.clientR); err != nil {
			return err
		}
	}
}

// discardCommand drops a refused command, every packet of it, and returns
// its size and the sequence id of its last packet.
func (c *conn) discardCommand(h header) (size int, seq byte, err error) {
	for {
		size += h.n
		seq = h.seq
		if _, err := c.clientR.Discard(h.n); err != nil {
			return 0, 0, err
		}
		if !h.continued() {
			return size, seq, nil
		}
		if h, err = readHeader(c.clientR); err != nil {
			return 0, 0, err
		}
	}
}

// readSmallCommand reads a command that must fit one packet of at most
// maxHandshakePacket bytes. An agent's larger one ends the session.
func (c *conn) readSmallCommand(h header) ([]byte, error) {
	if h.n > maxHandshakePacket || h.continued() {
		c.fatal(h.seq+1, mysql.ER_NET_PACKET_TOO_LARGE, "08S01", fmt.Sprintf(
			"bulwark closed the connection: a %d-byte command packet of a kind that is never that large", h.n))
		return nil, errPacketTooLarge
	}
	return readPayload(c.clientR, h, nil)
}

// initDB forwards COM_INIT_DB (USE) and follows the session's database.
func (c *conn) initDB(h header) error {
	p, err := c.readSmallCommand(h)
	if err != nil {
		return err
	}
	if v := c.judgeDatabase(string(p[1:])); !v.Allow {
		return c.writeRefusal(h.seq+1, v)
	}
	if err := c.toServer(h.seq, p); err != nil {
		return err
	}
	first, err := c.relaySingle()
	if err == nil && first == mysql.OK_HEADER {
		c.info.Database = string(p[1:])
	}
	return err
}

// changeUser handles COM_CHANGE_USER: the connection re-authenticates as
// another user. The new identity is classified like a new session, and the
// session takes the more restricted of the two kinds: an agent can never
// become a human this way, while a human who changes to an agent user is
// judged from now on.
// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_change_user.html)
//
// A session bulwark logged in for an identity (see frontDoor) cannot change
// its user: the server would authenticate the new account itself, and an
// agent would leave the account of its route behind. The command is
// refused and the session goes on unchanged.
func (c *conn) changeUser(h header) error {
	p, err := c.readSmallCommand(h)
	if err != nil {
		return err
	}
	if id := c.identity.Load(); id != nil {
		msg := fmt.Sprintf("bulwark refused COM_CHANGE_USER: this session belongs to the identity %s, which bulwark logged in with its route's account; changing the user would leave that account. Open a new connection as the other user instead.", id.name)
		if c.info.Kind == gate.Human {
			return c.toClientBuffered(h.seq+1, errPayload(mysql.ER_SPECIFIC_ACCESS_DENIED_ERROR, "42000", msg))
		}
		v := c.refuseRequest(ruleUnsupported, "COM_CHANGE_USER in a session bulwark logged in for the identity "+id.name+
			" would leave its route's account; open a new connection as the other user instead", len(p), "")
		return c.writeRefusal(h.seq+1, v)
	}
	next, plugin, err := c.parseChangeUser(p)
	if err != nil {
		c.fatal(h.seq+1, mysql.ER_NET_READ_ERROR, "08S01", "bulwark closed the connection: malformed COM_CHANGE_USER")
		return err
	}
	kind := c.srv.cfg.Enforcer.Classify(&next)
	if c.info.Kind != gate.Human || kind != gate.Human {
		// Restriction takes effect before the server even answers: a
		// failed change leaves the session no freer than before.
		c.info.Kind = gate.Agent
	}
	c.settingsKnown = false
	c.snapshotted = nil // the server closes every prepared statement
	c.authPlugin = plugin
	if err := c.checkCleartext(h.seq + 1); err != nil {
		return err
	}
	if err := c.toServer(h.seq, p); err != nil {
		return err
	}
	if err := c.relayAuth(0, next.Database); err != nil {
		if errors.Is(err, errAuthRefused) {
			return nil // the server said no; the client has its ERR
		}
		return err
	}
	c.info.User, c.info.Database = next.User, next.Database
	c.info.ClientAttributes, c.info.ApplicationName = next.ClientAttributes, next.ApplicationName
	c.log = c.log.With("user", c.info.User, "database", c.info.Database, "kind", c.info.Kind)
	c.log.Info("user changed")
	return nil
}

// parseChangeUser reads the identity a COM_CHANGE_USER asks for.
func (c *conn) parseChangeUser(p []byte) (next gate.Session, plugin string, err error) {
	next = c.info
	next.Kind = ""
	user, rest, ok := cstring(p[1:])
	if !ok {
		return next, "", fmt.Errorf("%w: COM_CHANGE_USER without a user", errMalformed)
	}
	next.User = user
	if c.caps&mysql.CLIENT_SECURE_CONNECTION != 0 {
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
			return next, "", fmt.Errorf("%w: truncated COM_CHANGE_USER", errMalformed)
		}
		rest = rest[1+int(rest[0]):]
	} else if _, rest, ok = cstring(rest); !ok {
		return next, "", fmt.Errorf("%w: truncated COM_CHANGE_USER", errMalformed)
	}
	if next.Database, rest, ok = cstring(rest); !ok {
		next.Database = ""
		return next, "", nil
	}
	if len(rest) >= 2 {
		rest = rest[2:] // character set
	}
	if c.caps&mysql.CLIENT_PLUGIN_AUTH != 0 && len(rest) > 0 {
		if plugin, rest, ok = cstring(rest); !ok {
			return next, "", nil
		}
	}
	if c.caps&mysql.CLIENT_CONNECT_ATTRS != 0 && len(rest) > 0 {
		if attrs, err := parseAttributes(rest); err == nil {
			next.ClientAttributes = attrs
			next.ApplicationName = attrs["program_name"]
		}
	}
	return next, plugin, nil
}

// ---- judging ----

// judgeDatabase judges, for an agent, a database the client asks to make
// the session's default, as the USE statement that would do it. The
// analyser cannot know which database a table written without one is in,
// so a database agents may only read (the mysql database, the recycle
// area) must not become the default: a bounded DELETE FROM global_priv
// would then change the accounts unseen.
func (c *conn) judgeDatabase(db string) gate.Verdict {
	if c.info.Kind == gate.Human || db == "" {
		return gate.Verdict{Allow: true}
	}
	return c.check(gate.SourceDatabase, "USE `"+strings.ReplaceAll(db, "`", "``")+"`", nil)
}

// loggedIn answers the client's login (or COM_CHANGE_USER) with the
// server's OK at seq, unless the default database it asked for is one
// an agent may not use: the client then hears the refusal instead, and
// the connection ends.
func (c *conn) loggedIn(seq byte, ok []byte, db string) error {
	if v := c.judgeDatabase(db); !v.Allow {
		if err := c.writeRefusal(seq, v); err != nil {
			return err
		}
		_ = c.clientW.Flush()
		return errDatabaseRefused
	}
	return c.toClient(seq, ok)
}

// errDatabaseRefused ends a login whose default database was refused.
var errDatabaseRefused = errors.New("default database refused")

// check asks the enforcer about an agent's SQL text, unless the session's
// memo says it allowed a text of the same shape under the same settings and
// policy: clients that inline their values send the same statement again
// with new literals. up is the upstream the enforcer may use to take a
// snapshot, nil when nothing runs now. sql may share its bytes with the
// buffer the next request is read into: it is copied before anything may
// keep it, after the memo's lookup, which most repeated statements end at.
func (c *conn) check(src gate.Source, sql string, up gate.Upstream) gate.Verdict {
	enf := c.srv.cfg.Enforcer
	generation := enf.PolicyGeneration()
	// A text with a shape is never lexing sensitive, and such texts are
	// judged under no settings (lx below stays zero for them): the shape
	// is looked up first, before the text is scanned for sensitivity.
	var lx gate.Lexing
	var shaped bool
	c.shape, shaped = enf.AppendShape(c.shape[:0], &c.info, lx, sql)
	if shaped && c.memo.Shape(generation, src, c.shape, lx) {
		return gate.Verdict{Allow: true}
	}
	sql = strings.Clone(sql)
	sensitive := !shaped && enf.LexingSensitive(&c.info, sql)
	if sensitive {
		var err error
		if lx, err = c.currentLexing(); err != nil {
			return c.refuseRequest("lexer-mismatch",
				"bulwark could not read the session's sql_mode and character set, which decide how the server reads this statement ("+
					err.Error()+"), so it cannot tell what the statement would do",
				len(sql), sql)
		}
	}
	v := enf.Check(c.ctx, &c.info, lx, gate.Request{Source: src, SQL: sql, Size: len(sql)}, up)
	if shaped && v.Shaped && v.Allow && v.Snapshot == nil {
		c.memo.RememberShape(generation, src, c.shape, gate.MemoEntry{Sensitive: sensitive, Lexing: lx})
	}
	return v
}

// lexingProbe reads the session's sql_mode and client character set in a
// form no other setting of the session can change. The values come back
// as binary strings, which the server sends as they are: under
// character_set_results = utf16 a character string would arrive in UTF-16.
// LIMIT 1 overrides sql_select_limit (sql_select_limit = 0 would leave no
// row). The text has no quote, backslash, "||", NOT, or space before a
// parenthesis, so every sql_mode reads it alike.
const lexingProbe = "SELECT CAST(@@SESSION.sql_mode AS BINARY), CAST(@@SESSION.character_set_client AS BINARY) LIMIT 1"

// currentLexing returns the session's sql_mode and client character set.
// The server does not announce changes to them, so they are read with a
// query of bulwark's own, and the answer is kept until a forwarded command
// could have changed them. An answer of any other shape than the server's
// own names is an error: the statement is then refused, never read under
// a guessed mode.
func (c *conn) currentLexing() (gate.Lexing, error) {
	if c.settingsKnown {
		return c.lexing(), nil
	}
	res, err := c.Exec(c.ctx, lexingProbe)
	if err != nil {
		return gate.Lexing{}, err
	}
	if res.Err != nil {
		return gate.Lexing{}, res.Err
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 2 {
		return gate.Lexing{}, fmt.Errorf("the server answered %d rows to a query for one", len(res.Rows))
	}
	mode, charset := res.Rows[0][0], res.Rows[0][1]
	if !settingNames(mode, true) || !settingNames(charset, false) || len(charset) == 0 {
		return gate.Lexing{}, fmt.Errorf("the server answered %q and %q, which are not names of settings", mode, charset)
	}
	c.sqlMode, c.charset, c.settingsKnown = string(mode), string(charset), true
	return c.lexing(), nil
}

// settingNames reports whether v looks like what the server reports for
// sql_mode (upper-case names separated by commas, list) or for a
// character set (one lower-case name). The analyser decides whether it
// knows the names.
func settingNames(v []byte, list bool) bool {
	if v == nil {
		return false // SQL NULL
	}
	for _, b := range v {
		switch {
		case b >= '0' && b <= '9', b == '_':
		case list && (b >= 'A' && b <= 'Z' || b == ','):
		case !list && b >= 'a' && b <= 'z':
		default:
			return false
		}
	}
	return true
}

// lexing is the session's settings as last read.
func (c *conn) lexing() gate.Lexing {
	return gate.Lexing{SQLMode: c.sqlMode, ClientEncoding: c.charset}
}

// refuseRequest asks the enforcer to refuse and record a request for a
// protocol-level reason.
func (c *conn) refuseRequest(rule, reason string, size int, sql string) gate.Verdict {
	return c.srv.cfg.Enforcer.Check(c.ctx, &c.info, c.lexing(),
		gate.Request{Source: gate.SourceRequest, SQL: sql, Size: size, Refusal: rule, Reason: reason}, c)
}

// writeRefusal answers a command with the refusal's ERR packet at seq, the
// sequence id the command's answer would have had.
func (c *conn) writeRefusal(seq byte, v gate.Verdict) error {
	code, state := errorFor(v)
	payload := errPayload(code, state, v.Message)
	if err := writeHeader(c.clientW, header{n: len(payload), seq: seq}); err != nil {
		return err
	}
	_, err := c.clientW.Write(payload)
	return err
}

// ---- answers: upstream → client ----

// nextServer reads the header of the server's next packet, first handing
// the client what is buffered if the read would block, so that a large
// result streams instead of waiting for buffers to fill.
func (c *conn) nextServer() (header, error) {
	if c.serverR.Buffered() == 0 {
		if err := c.clientW.Flush(); err != nil {
			return header{}, err
		}
	}
	return readHeader(c.serverR)
}

// relayPacket streams a server packet to the client, with its
// continuation packets.
func (c *conn) relayPacket(h header) error {
	for {
		if err := writeHeader(c.clientW, h); err != nil {
			return err
		}
		if err := copyN(c.clientW, c.serverR, h.n); err != nil {
			return err
		}
		if !h.continued() {
			return nil
		}
		var err error
		if h, err = readHeader(c.serverR); err != nil {
			return err
		}
	}
}

// relayWhole reads a server packet that bulwark needs to look at (never a
// continued one), forwards it and returns its payload.
func (c *conn) relayWhole(h header) ([]byte, error) {
	if h.continued() {
		return nil, fmt.Errorf("%w: oversized status packet from the server", errMalformed)
	}
	p, err := readPayload(c.serverR, h, nil)
	if err != nil {
		return nil, err
	}
	if err := writeHeader(c.clientW, h); err != nil {
		return nil, err
	}
	_, err = c.clientW.Write(p)
	return p, err
}

// peekFirst returns the first payload byte of the packet whose header was
// just read (0 for an empty payload).
func (c *conn) peekFirst(h header) (byte, error) {
	if h.n == 0 {
		return 0, nil
	}
	b, err := c.serverR.Peek(1)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

// relayResult relays the answer to COM_QUERY, COM_STMT_EXECUTE or
// COM_PROCESS_INFO: OK, ERR, a LOCAL INFILE request, or a result set
// (column count, column definitions, EOF unless CLIENT_DEPRECATE_EOF, rows,
// EOF or OK), repeated while the server announces more results.
// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response.html)
func (c *conn) relayResult() error {
	for {
		h, err := c.nextServer()
		if err != nil {
			return err
		}
		p, err := c.relayWhole(h)
		if err != nil {
			return err
		}
		if len(p) == 0 {
			return fmt.Errorf("%w: empty answer packet", errMalformed)
		}
		switch p[0] {
		case mysql.OK_HEADER:
			if terminatorStatus(p, c.deprecateEOF)&mysql.SERVER_MORE_RESULTS_EXISTS != 0 {
				continue
			}
			return nil
		case mysql.ERR_HEADER:
			return nil
		case mysql.LocalInFile_HEADER:
			if err := c.relayLocalInfile(); err != nil {
				return err
			}
			continue
		}
		columns, _, ok := lenenc(p)
		if !ok {
			return fmt.Errorf("%w: bad column count", errMalformed)
		}
		if err := c.relayColumns(columns); err != nil {
			return err
		}
		if !c.deprecateEOF {
			h, err := c.nextServer()
			if err != nil {
				return err
			}
			p, err := c.relayWhole(h)
			if err != nil {
				return err
			}
			if len(p) > 0 && p[0] == mysql.ERR_HEADER {
				return nil
			}
			if terminatorStatus(p, false)&mysql.SERVER_STATUS_CURSOR_EXISTS != 0 {
				return nil // a cursor: rows come with COM_STMT_FETCH
			}
		}
		status, failed, err := c.relayRows()
		if err != nil || failed {
			return err
		}
		if status&mysql.SERVER_MORE_RESULTS_EXISTS == 0 {
			return nil
		}
	}
}

// relayColumns streams n column definitions.
func (c *conn) relayColumns(n uint64) error {
	for range n {
		h, err := c.nextServer()
		if err != nil {
			return err
		}
		if err := c.relayPacket(h); err != nil {
			return err
		}
	}
	return nil
}

// relayRows streams rows (or COM_FIELD_LIST's column definitions) up to
// the packet that ends them, and returns that packet's status flags, or
// failed for an ERR.
func (c *conn) relayRows() (status uint16, failed bool, err error) {
	for {
		h, err := c.nextServer()
		if err != nil {
			return 0, false, err
		}
		first, err := c.peekFirst(h)
		if err != nil {
			return 0, false, err
		}
		switch {
		case h.n > 0 && isTerminator(h, first):
			p, err := c.relayWhole(h)
			if err != nil {
				return 0, false, err
			}
			return terminatorStatus(p, c.deprecateEOF), false, nil
		case h.n > 0 && first == mysql.ERR_HEADER && !h.continued():
			// No row starts with 0xff: text rows start with a
			// length (0xff is not one), binary rows with 0x00.
			_, err := c.relayWhole(h)
			return 0, true, err
		}
		if err := c.relayPacket(h); err != nil {
			return 0, false, err
		}
	}
}

// relayPrepare relays the answer to COM_STMT_PREPARE: ERR, or OK with the
// statement id followed by parameter and column definitions, each group
// ended by EOF unless CLIENT_DEPRECATE_EOF. It returns the statement id, ok
// when the server prepared one.
// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_prepare.html)
func (c *conn) relayPrepare() (id uint32, ok bool, err error) {
	h, err := c.nextServer()
	if err != nil {
		return 0, false, err
	}
	p, err := c.relayWhole(h)
	if err != nil {
		return 0, false, err
	}
	if len(p) > 0 && p[0] == mysql.ERR_HEADER {
		return 0, false, nil
	}
	if len(p) < 12 || p[0] != mysql.OK_HEADER {
		return 0, false, fmt.Errorf("%w: bad COM_STMT_PREPARE answer", errMalformed)
	}
	id = binary.LittleEndian.Uint32(p[1:])
	c.lastPrepared = id
	columns := binary.LittleEndian.Uint16(p[5:])
	params := binary.LittleEndian.Uint16(p[7:])
	for _, n := range []uint16{params, columns} {
		if n == 0 {
			continue
		}
		if err := c.relayColumns(uint64(n)); err != nil {
			return 0, false, err
		}
		if !c.deprecateEOF {
			if err := c.relayColumns(1); err != nil { // the EOF
				return 0, false, err
			}
		}
	}
	return id, true, nil
}

// relaySingle relays a one-packet answer and returns its first byte.
func (c *conn) relaySingle() (byte, error) {
	h, err := c.nextServer()
	if err != nil {
		return 0, err
	}
	first, err := c.peekFirst(h)
	if err != nil {
		return 0, err
	}
	return first, c.relayPacket(h)
}

// relayLocalInfile streams the file a client sends after the server's
// LOCAL INFILE request: packets up to an empty one that does not continue a
// maximal packet. The server's OK or ERR follows.
// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_local_infile_request.html)
func (c *conn) relayLocalInfile() error {
	if err := c.clientW.Flush(); err != nil {
		return err
	}
	continuing := false
	for {
		h, err := readHeader(c.clientR)
		if err != nil {
			return err
		}
		if err := writeHeader(c.serverW, h); err != nil {
			return err
		}
		if err := copyN(c.serverW, c.clientR, h.n); err != nil {
			return err
		}
		if h.n == 0 && !continuing {
			return c.serverW.Flush()
		}
		continuing = h.continued()
		if c.clientR.Buffered() == 0 {
			if err := c.serverW.Flush(); err != nil {
				return err
			}
		}
	}
}

// relayBytes relays the rest of a human session: bytes both ways, nothing
// decoded.
func (c *conn) relayBytes() error {
	if err := c.clientW.Flush(); err != nil {
		return err
	}
	errc := make(chan error, 2)
	go func() {
		_, err := io.Copy(c.server, c.clientR) // drains what is already buffered first
		errc <- err
	}()
	go func() {
		_, err := io.Copy(c.client, c.serverR)
		errc <- err
	}()
	err := <-errc
	c.close()
	<-errc
	return err
}

// ---- bulwark's own statements ----

// maxExecResult bounds the answer bulwark reads to a statement of its own.
const maxExecResult = 64 << 20

// Exec implements gate.Upstream: it runs sql with COM_QUERY on the upstream
// connection and returns the answer, which never reaches the client. The
// enforcer calls it from inside Check, that is from the command loop before
// the client's command is forwarded, so every earlier command has been
// answered and the next one waits. MySQL's ERR carries no status flags, so
// TxStatus is that of the last OK or EOF ('T' in a transaction, 'I' not),
// or 0 if there was none.
func (c *conn) Exec(ctx context.Context, sql string) (*gate.Result, error) {
	if 1+len(sql) >= maxPayload {
		return nil, errors.New("statement too long for one packet")
	}
	if err := c.toServer(0, append([]byte{mysql.COM_QUERY}, sql...)); err != nil {
		return nil, err
	}
	// A context that ends while the answer is owed leaves the connection
	// in an unknown state: wake the read and give the session up.
	stop := context.AfterFunc(ctx, func() { _ = c.server.SetReadDeadline(time.Now()) })
	res, err := c.readExecResult()
	if !stop() || ctx.Err() != nil {
		c.close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return res, err
}

func (c *conn) readExecResult() (*gate.Result, error) {
	res := &gate.Result{}
	read := 0
	next := func() ([]byte, header, error) {
		h, err := readHeader(c.serverR)
		if err != nil {
			return nil, h, err
		}
		p, err := readPayload(c.serverR, h, nil)
		for err == nil && h.continued() {
			if h, err = readHeader(c.serverR); err == nil {
				var more []byte
				more, err = readPayload(c.serverR, h, nil)
				p = append(p, more...)
			}
		}
		read += len(p)
		if err == nil && read > maxExecResult {
			err = errors.New("answer to bulwark's own statement is too large")
		}
		if err == nil && len(p) == 0 {
			err = fmt.Errorf("%w: empty answer packet", errMalformed)
		}
		return p, h, err
	}
	tx := func(status uint16) {
		res.TxStatus = 'I'
		if status&mysql.SERVER_STATUS_IN_TRANS != 0 {
			res.TxStatus = 'T'
		}
	}
	for {
		p, h, err := next()
		if err != nil {
			return nil, err
		}
		switch p[0] {
		case mysql.OK_HEADER:
			status := terminatorStatus(p, c.deprecateEOF)
			tx(status)
			res.Tags = append(res.Tags, "OK")
			if status&mysql.SERVER_MORE_RESULTS_EXISTS != 0 {
				continue
			}
			return res, nil
		case mysql.ERR_HEADER:
			res.Err = parseErr(p)
			return res, nil
		case mysql.LocalInFile_HEADER:
			// bulwark sends no file.
			if err := c.toServer(h.seq+1, nil); err != nil {
				return nil, err
			}
			continue
		}
		columns, _, ok := lenenc(p)
		if !ok {
			return nil, fmt.Errorf("%w: bad column count", errMalformed)
		}
		for range columns {
			if _, _, err := next(); err != nil {
				return nil, err
			}
		}
		if !c.deprecateEOF {
			if p, _, err = next(); err != nil {
				return nil, err
			}
			if p[0] == mysql.ERR_HEADER {
				res.Err = parseErr(p)
				return res, nil
			}
		}
		rows := 0
		for {
			p, h, err := next()
			if err != nil {
				return nil, err
			}
			if isTerminator(h, p[0]) {
				status := terminatorStatus(p, c.deprecateEOF)
				tx(status)
				res.Tags = append(res.Tags, fmt.Sprintf("SELECT %d", rows))
				if status&mysql.SERVER_MORE_RESULTS_EXISTS != 0 {
					break
				}
				return res, nil
			}
			if p[0] == mysql.ERR_HEADER {
				res.Err = parseErr(p)
				return res, nil
			}
			row, err := decodeTextRow(p, int(columns))
			if err != nil {
				return nil, err
			}
			res.Rows = append(res.Rows, row)
			rows++
		}
	}
}

// decodeTextRow splits a text-protocol row into column values (nil for
// NULL, which is sent as 0xfb).
func decodeTextRow(p []byte, columns int) ([][]byte, error) {
	row := make([][]byte, 0, columns)
	for range columns {
		if len(p) == 0 {
			return nil, fmt.Errorf("%w: short row", errMalformed)
		}
		if p[0] == 0xfb {
			row = append(row, nil)
			p = p[1:]
			continue
		}
		v, rest, ok := lenencString(p)
		if !ok {
			return nil, fmt.Errorf("%w: bad row value", errMalformed)
		}
		row = append(row, append(make([]byte, 0, len(v)), v...)) // non-nil even when empty: '' is not NULL
		p = rest
	}
	return row, nil
}
