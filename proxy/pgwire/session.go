package pgwire

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/bulwarkdb/bulwark/proxy/engine"
	"github.com/bulwarkdb/bulwark/proxy/gate"
)

// agentSession runs an agent's connection after startup. Two goroutines own
// it: the request loop reads client messages, asks the enforcer, and writes
// to the upstream; the answer loop reads upstream messages and writes them to
// the client.
//
// The two meet in the answer queue: for every message forwarded upstream the
// request loop records which answer will close it (ReadyForQuery for a Query
// or Sync, ParseComplete for a Parse, and so on), and the answer loop pops
// entries as the answers pass. An empty queue means the upstream has answered
// everything the client asked, the only moment bulwark may speak to the
// upstream itself (Exec).
//
// A refused request is not answered by bulwark out of band. In its place the
// request loop sends the upstream a stand-in that is certain to fail and
// touches nothing: a Parse of a text that is not SQL, under a statement name
// private to the session. The server then does exactly what it does after any
// error: aborts an open transaction or the implicit one of a pipeline,
// ignores extended-protocol messages until Sync, reports the true status in
// ReadyForQuery. When the stand-in's ErrorResponse comes back, the answer
// loop replaces it with the refusal. So refusals reach the client in order
// with every other answer, and the client's view of the transaction is the
// server's own.
//
// A statement allowed with a snapshot travels with the enforcer's snapshot
// SQL (see gate.Snapshot). In a Query the SQL goes first in the same query
// string, which the server runs as one implicit transaction (or inside the
// client's); in the extended protocol it is parsed, bound and executed under
// private names just before each Execute of the statement, inside the same
// pipeline. A DROP's SQL takes the statement's place instead. The answers to
// bulwark's own messages are dropped, the replacing SQL's command tag is
// rewritten to the statement's, and should the SQL fail, its error is
// replaced by the enforcer's refusal; the server has then skipped the
// statement, as after any error.
type agentSession struct {
	c   *conn
	log *slog.Logger
	ctx context.Context

	mu   sync.Mutex
	idle *sync.Cond
	// waiting counts the goroutines waiting on idle (waitIdle), so that
	// an answer wakes them only when there are any.
	waiting int
	// expect holds, in order, the kind of each message forwarded upstream
	// whose answer has not passed yet: 'Q' Query or FunctionCall, 'P'
	// Parse, 'B' Bind, 'D' Describe, 'E' Execute, 'C' Close, 'S' Sync,
	// 'X' a query of bulwark's own (Exec), 'R' a refusal's stand-in;
	// for snapshots (all of them bulwark's own, answers never forwarded
	// as they are): 'c' Close, 'p' Parse, 'b' Bind, 'n' Execute of the
	// snapshot SQL, 'q' the snapshot SQL at the head of a Query, 'e' the
	// client's Execute of a statement whose text bulwark replaced.
	expect []byte
	// expectBuf is expect's backing array, reused whenever the queue
	// empties so that a request costs no allocation.
	expectBuf [64]byte
	// refusals holds the verdict of each 'R' in expect, in order.
	refusals []gate.Verdict
	// snapAnswers holds the snapshot of each 'q', 'n' and 'e' in expect,
	// in order.
	snapAnswers []snapAnswer
	// snapPending counts the snapshot kinds in expect; while it is zero
	// the answer loop streams CommandComplete and the *Complete messages
	// without reading them whole.
	snapPending atomic.Int32
	// ignoring: an error ended an extended-protocol request before its
	// Sync was forwarded, so the server skips every message up to the
	// next Sync, answering none of them (see queueLocked).
	ignoring bool
	// copyIn: the server is in COPY FROM STDIN, where it ignores Sync,
	// until the client's CopyDone or CopyFail.
	copyIn   bool
	dead     bool // the answer loop has ended
	txStatus byte
	lex      gate.Lexing
	// internal, when set, receives every upstream message instead of the
	// client, until ReadyForQuery (see Exec).
	internal atomic.Pointer[chan serverMessage]

	// Request loop state.
	batch      []byte // extended-protocol messages buffered since the last Sync/Flush
	batchKinds []byte // their kinds, for expect
	refusal    *gate.Verdict
	stoodIn    bool // the refusal's stand-in went upstream; drop messages until Sync
	// batchExecutes: the buffered request holds an Execute, which the
	// server runs before it reads any Parse that follows it.
	batchExecutes bool
	scratch       []byte
	// standInName names the stand-in's statement: random, so that no
	// statement of the client's can be hit by it.
	standInName string
	// Snapshot bookkeeping of the request loop: which prepared statements
	// and portals run with a snapshot, and the snapshots of the batch's
	// 'n' and 'e' messages, in order.
	stmtSnaps   map[string]*gate.Snapshot
	portalSnaps map[string]*gate.Snapshot
	batchSnaps  []snapAnswer
	// memo holds what the enforcer allowed (see judge); shape is
	// scratch for a text's shape.
	memo  gate.Memo
	shape []byte
}

// snapAnswer says what to do with the answer to a snapshot's message.
type snapAnswer struct {
	snap *gate.Snapshot
	// tag replaces the CommandComplete's tag; empty drops the message.
	tag string
}

// answerAction is what the answer loop does with one upstream message.
type answerAction struct {
	drop    bool          // bulwark's own: the client never sees it
	refusal *gate.Verdict // send this ErrorResponse instead
	tag     string        // send CommandComplete with this tag instead
	// failed: the snapshot SQL failed for reason; the enforcer words the
	// refusal to send instead.
	failed *gate.Snapshot
	reason string
}

type serverMessage struct {
	typ  byte
	body []byte
}

func newAgentSession(c *conn, log *slog.Logger) *agentSession {
	a := &agentSession{c: c, log: log, txStatus: c.initialTx, standInName: "bulwark_refused_" + engine.NewSessionID()}
	a.idle = sync.NewCond(&a.mu)
	a.lex.StandardConformingStrings = true
	for _, p := range c.initialParams {
		a.parameterStatus(p)
	}
	return a
}

func (a *agentSession) run(ctx context.Context) error {
	a.ctx = ctx
	if err := a.c.clientW.Flush(); err != nil {
		return err
	}
	answers := make(chan error, 1)
	go func() { answers <- a.answerLoop() }()
	err := a.requestLoop()
	a.c.close()
	aerr := <-answers
	if err == nil || isClosed(err) {
		err = aerr
	}
	return err
}

// ---- answers: upstream → client ----

func (a *agentSession) answerLoop() (err error) {
	defer func() {
		if p := recover(); p != nil {
			a.log.Error("answer relay failed", "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("answer relay failed: %v", p)
		}
		a.mu.Lock()
		a.dead = true
		a.idle.Broadcast()
		a.mu.Unlock()
		if ch := a.internal.Swap(nil); ch != nil {
			close(*ch)
		}
		a.c.close()
	}()
	r, w := a.c.serverR, a.c.clientW
	var small []byte
	for {
		if r.Buffered() == 0 {
			// About to block: hand the client what we have.
			a.c.clientMu.Lock()
			err := w.Flush()
			a.c.clientMu.Unlock()
			if err != nil {
				return err
			}
			// Wait for the next answer; a failure is readHeader's
			// to report.
			_, _ = r.Peek(1)
		}
		if n, err := a.forwardRun(r); err != nil {
			return err
		} else if n > 0 {
			continue
		}
		h, err := readHeader(r, 0)
		if err != nil {
			return err
		}
		if ch := a.internal.Load(); ch != nil && h.typ != 'A' {
			body, err := readBody(r, h, nil)
			if err != nil {
				return err
			}
			if h.typ == 'S' {
				a.parameterStatus(body)
			}
			a.answered(h.typ, body)
			*ch <- serverMessage{typ: h.typ, body: body}
			if h.typ == 'Z' {
				a.internal.Store(nil)
				close(*ch)
			}
			continue
		}
		switch h.typ {
		case 'C', '1', '2', '3':
			if a.snapPending.Load() == 0 {
				// No snapshot message is awaiting its answer: these
				// are the client's own and stream through as is.
				if err := a.forwardStream(h, r); err != nil {
					return err
				}
				a.answered(h.typ, nil)
				continue
			}
			fallthrough
		case 'Z', 'S', 'E':
			// Small messages whose content bulwark tracks, or which
			// may answer a message of bulwark's own.
			if small, err = readBody(r, h, small); err != nil {
				return err
			}
			if h.typ == 'S' {
				a.parameterStatus(small)
			}
			switch act := a.answered(h.typ, small); {
			case act.failed != nil:
				v := a.c.srv.cfg.Enforcer.SnapshotFailed(a.ctx, &a.c.info, act.failed, act.reason)
				err = a.writeError(v)
			case act.refusal != nil:
				// A stand-in failed as intended, or a snapshot
				// failed: the client hears the refusal instead.
				err = a.writeError(*act.refusal)
			case act.drop:
			case act.tag != "":
				err = a.forwardWhole(header{typ: 'C', n: len(act.tag) + 1}, append([]byte(act.tag), 0))
			default:
				err = a.forwardWhole(h, small)
			}
			if err != nil {
				return err
			}
		default:
			if h.typ == 'G' {
				// Before the client hears it, and may end the copy.
				a.copyInStarted()
			}
			if err := a.forwardStream(h, r); err != nil {
				return err
			}
			a.answered(h.typ, nil)
		}
	}
}

// forwardRun passes on, in one piece, the complete messages at the head of
// r's buffer that reach the client as they are, and returns how many bytes
// that was. Those are all but ParameterStatus, ErrorResponse and
// CopyInResponse, as long as
// no answer to a message of bulwark's own is awaited; the messages still
// pass through answered, under one lock. Partial and larger messages are
// left to the message-by-message path, which streams them.
func (a *agentSession) forwardRun(r *bufio.Reader) (int, error) {
	if a.snapPending.Load() != 0 || a.internal.Load() != nil {
		return 0, nil
	}
	buf, _ := r.Peek(r.Buffered())
	n := 0
	a.mu.Lock()
	for len(buf)-n >= headerLen {
		typ, length := buf[n], int(binary.BigEndian.Uint32(buf[n+1:]))
		end := n + 1 + length
		if typ == 'S' || typ == 'E' || typ == 'G' || length < 4 || end > len(buf) {
			break
		}
		a.answeredLocked(typ, buf[n+headerLen:end])
		n = end
	}
	a.mu.Unlock()
	if n == 0 {
		return 0, nil
	}
	a.c.clientMu.Lock()
	_, err := a.c.clientW.Write(buf[:n])
	a.c.clientMu.Unlock()
	_, _ = r.Discard(n)
	return n, err
}

func (a *agentSession) forwardWhole(h header, body []byte) error {
	a.c.clientMu.Lock()
	defer a.c.clientMu.Unlock()
	if err := writeHeader(a.c.clientW, h); err != nil {
		return err
	}
	_, err := a.c.clientW.Write(body)
	return err
}

func (a *agentSession) forwardStream(h header, r *bufio.Reader) error {
	a.c.clientMu.Lock()
	defer a.c.clientMu.Unlock()
	if err := writeHeader(a.c.clientW, h); err != nil {
		return err
	}
	return copyN(a.c.clientW, r, h.n)
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

// answered pops the answer queue as the upstream's answers pass, and says
// what to send the client instead of an answer to bulwark's own messages:
// nothing, a rewritten command tag, or the refusal that replaces the error of
// a stand-in or a failed snapshot.
func (a *agentSession) answered(typ byte, body []byte) answerAction {
	if !endsAnswer(typ) {
		return answerAction{}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.answeredLocked(typ, body)
}

// endsAnswer: a message of this kind may close the answer to a request.
// Rows, notices and copy data never do.
func endsAnswer(typ byte) bool {
	switch typ {
	case 'Z', '1', '2', '3', 'T', 'n', 'C', 'I', 's', 'E':
		return true
	}
	return false
}

// answeredLocked is answered with a.mu held.
func (a *agentSession) answeredLocked(typ byte, body []byte) (act answerAction) {
	if !endsAnswer(typ) {
		return act
	}
	if typ == 'E' {
		a.copyIn = false // an error ends copy-in mode too
	}
	if typ == 'Z' && len(body) == 1 {
		a.txStatus = body[0]
		// A stand-in sent while the server was already ignoring
		// messages up to Sync never got an answer of its own: the
		// client already has an error for that request.
		for len(a.expect) > 0 && a.expect[0] == 'R' {
			a.popExpect()
		}
	}
	if len(a.expect) > 0 {
		head := a.expect[0]
		switch {
		case typ == 'E' && head == 'R':
			v := a.refusals[0]
			act.refusal = &v
			a.skipToSync()
		case typ == 'E' && isSnapshotKind(head):
			act.failed, act.reason = a.snapshotFailed(head, body)
			if head == 'q' {
				// The Query's other statements are skipped; its
				// ReadyForQuery still comes.
				a.popExpect()
			} else {
				a.skipToSync()
			}
		case typ == '3' && head == 'c', typ == '1' && head == 'p', typ == '2' && head == 'b':
			act.drop = true
			a.popExpect()
		case typ == 'C' && (head == 'q' || head == 'n' || head == 'e'):
			act.tag = a.snapAnswers[0].tag
			act.drop = act.tag == ""
			a.popExpect()
		case typ == 'E' && head != 'Q' && head != 'S' && head != 'X':
			a.skipToSync()
		case typ == 'Z' && (head == 'Q' || head == 'S' || head == 'X'),
			typ == '1' && head == 'P',
			typ == '2' && head == 'B',
			(typ == 'T' || typ == 'n') && head == 'D',
			(typ == 'C' || typ == 'I' || typ == 's') && head == 'E',
			typ == '3' && head == 'C':
			a.popExpect()
		}
	}
	if len(a.expect) == 0 {
		a.expect = a.expectBuf[:0]
		if a.waiting > 0 {
			a.idle.Broadcast()
		}
	}
	return act
}

// hasSnapAnswer: the kinds of expect that have an entry in snapAnswers.
func hasSnapAnswer(k byte) bool { return k == 'q' || k == 'n' || k == 'e' }

func isSnapshotKind(k byte) bool {
	switch k {
	case 'c', 'p', 'b', 'n', 'q', 'e':
		return true
	}
	return false
}

// snapshotFailed reads the server's error for a failed snapshot: the
// snapshot and the reason, or nil when the error is the statement's own (the
// snapshot SQL reproduced it, e.g. "table does not exist") and should reach
// the client unchanged.
func (a *agentSession) snapshotFailed(head byte, body []byte) (*gate.Snapshot, string) {
	var snap *gate.Snapshot
	for i, k := range a.expect {
		if k == 'q' || k == 'n' || k == 'e' {
			snap = a.snapAnswers[countSnapKinds(a.expect[:i])].snap
			break
		}
	}
	if snap == nil {
		return &gate.Snapshot{Failed: gate.Verdict{Code: "XX000", Message: "bulwark lost track of a snapshot; the statement did not run."}}, "internal error"
	}
	var e pgproto3.ErrorResponse
	if err := e.Decode(body); err != nil {
		return snap, "the server's error could not be read"
	}
	if head == 'e' || head == 'q' || head == 'n' {
		for _, c := range snap.PassCodes {
			if e.Code == c {
				return nil, ""
			}
		}
	}
	reason := e.Message
	if e.Detail != "" {
		reason += " (" + e.Detail + ")"
	}
	return snap, reason
}

func countSnapKinds(kinds []byte) int {
	n := 0
	for _, k := range kinds {
		if k == 'q' || k == 'n' || k == 'e' {
			n++
		}
	}
	return n
}

// skipToSync drops the answers the server will not send after an error in
// the extended protocol: it ignores everything up to the next Sync.
func (a *agentSession) skipToSync() {
	for len(a.expect) > 0 && a.expect[0] != 'S' {
		a.popExpect()
	}
	if len(a.expect) == 0 {
		// The request's Sync has not been forwarded yet (it ended in
		// Flush, or is still being read): the server skips whatever
		// comes before it.
		a.ignoring = true
	}
}

// serverSkipping: the server is skipping every message up to the next
// Sync (see ignoring).
func (a *agentSession) serverSkipping() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ignoring
}

// queueLocked records, with a.mu held, the kinds of the messages about to
// be forwarded upstream, in order, with the snapshot answers of their 'q',
// 'n' and 'e' kinds and the verdicts of their 'R' kinds. It keeps only the
// messages the server will answer: while ignoring, none before the next
// Sync; during COPY FROM STDIN, no Sync.
func (a *agentSession) queueLocked(kinds []byte, snaps []snapAnswer, refusals []gate.Verdict) {
	for _, k := range kinds {
		var snap snapAnswer
		if hasSnapAnswer(k) {
			snap, snaps = snaps[0], snaps[1:]
		}
		var refusal gate.Verdict
		if k == 'R' {
			refusal, refusals = refusals[0], refusals[1:]
		}
		switch {
		case k == 'S' && a.copyIn:
			continue
		case k == 'S':
			a.ignoring = false
		case a.ignoring:
			continue
		}
		a.expect = append(a.expect, k)
		switch {
		case k == 'R':
			a.refusals = append(a.refusals, refusal)
		case hasSnapAnswer(k):
			a.snapAnswers = append(a.snapAnswers, snap)
		}
		if isSnapshotKind(k) {
			a.snapPending.Add(1)
		}
	}
}

// copyInStarted: the server answered CopyInResponse. The Syncs forwarded
// since the request that started the copy (libpq sends one right after its
// Execute) reached the server in copy-in mode, where it ignores them, and so
// will those forwarded until the client ends the copy.
func (a *agentSession) copyInStarted() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.copyIn = true
	kept := a.expect[:min(1, len(a.expect))]
	for _, k := range a.expect[len(kept):] {
		if k != 'S' {
			kept = append(kept, k)
		}
	}
	a.expect = kept
}

func (a *agentSession) popExpect() {
	if isSnapshotKind(a.expect[0]) {
		a.snapPending.Add(-1)
	}
	switch k := a.expect[0]; {
	case k == 'R':
		a.refusals = a.refusals[1:]
	case hasSnapAnswer(k):
		a.snapAnswers = a.snapAnswers[1:]
	}
	a.expect = a.expect[1:]
}

// parameterStatus tracks the settings that change how the server reads SQL.
func (a *agentSession) parameterStatus(body []byte) {
	name, rest, ok := cstring(body)
	if !ok {
		return
	}
	value, _, _ := cstring(rest)
	a.mu.Lock()
	defer a.mu.Unlock()
	switch name {
	case "standard_conforming_strings":
		a.lex.StandardConformingStrings = value == "on"
	case "client_encoding":
		a.lex.ClientEncoding = value
	}
}

// waitIdle blocks until every forwarded message has been answered.
func (a *agentSession) waitIdle() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.waiting++
	for len(a.expect) > 0 && !a.dead {
		a.idle.Wait()
	}
	a.waiting--
	if a.dead {
		return io.ErrUnexpectedEOF
	}
	return nil
}

// ---- requests: client → upstream ----

func (a *agentSession) requestLoop() error {
	r := a.c.clientR
	cfg := &a.c.srv.cfg
	for {
		h, err := readHeader(r, cfg.MaxMessageBytes)
		if errors.Is(err, errMessageTooLarge) && (h.typ == 'd') {
			err = nil // COPY data is streamed, never held whole
		}
		if err != nil {
			switch {
			case errors.Is(err, errMessageTooLarge):
				a.c.fatal("54000", fmt.Sprintf("bulwark closed the connection: a %d-byte protocol message exceeds limits.max_message_bytes (%d)", h.n, cfg.MaxMessageBytes), "")
			case errors.Is(err, errInvalidLength):
				a.c.fatal("08P01", "invalid message length", "")
			}
			return err
		}
		switch h.typ {
		case 'Q':
			err = a.query(h)
		case 'P', 'B', 'D', 'E', 'C':
			err = a.extended(h)
		case 'H', 'S':
			err = a.boundary(h.typ)
		case 'd', 'c', 'f':
			err = a.copyToServer(h)
		case 'F':
			err = a.functionCall(h)
		case 'X':
			_ = writeHeader(a.c.serverW, h)
			_ = a.c.serverW.Flush()
			return nil
		default:
			a.c.fatal("08P01", fmt.Sprintf("invalid frontend message type %d", h.typ), "")
			return fmt.Errorf("invalid frontend message type %q", h.typ)
		}
		if err != nil {
			return err
		}
	}
}

// statementPrefix is how much of an oversized statement is kept for the
// audit record.
const statementPrefix = 4 << 10

// readStatementBody reads a Query or Parse body. Bodies above the statement
// limit are not kept: the first statementPrefix bytes are returned with
// tooLarge set and the rest is discarded as it arrives.
func (a *agentSession) readStatementBody(h header) (body []byte, tooLarge bool, err error) {
	limit := a.c.srv.cfg.MaxStatementBytes + 64 // room for the names and terminators around the text
	if h.typ == 'P' {
		limit += 4 * 65535 // and for a Parse's parameter type OIDs
	}
	if h.n <= limit {
		if cap(a.scratch) > 1<<20 {
			a.scratch = nil // a large statement's buffer is not kept for the session's life
		}
		a.scratch, err = readBody(a.c.clientR, h, a.scratch)
		return a.scratch, false, err
	}
	body = make([]byte, min(statementPrefix, h.n))
	if _, err := io.ReadFull(a.c.clientR, body); err != nil {
		return nil, true, err
	}
	_, err = a.c.clientR.Discard(h.n - len(body))
	return body, true, err
}

// query handles a simple-protocol Query: judged whole (every statement in
// it), then forwarded or answered with ErrorResponse and ReadyForQuery.
func (a *agentSession) query(h header) error {
	if a.refusal != nil {
		// After an error the server ignores every message up to Sync,
		// a Query included; so does bulwark after a refusal.
		_, err := a.c.clientR.Discard(h.n)
		if err == nil {
			err = a.boundary(0)
		}
		return err
	}
	if len(a.batch) > 0 {
		// A Query ends any extended-protocol request in progress.
		if err := a.boundary(0); err != nil {
			return err
		}
	}
	if a.serverSkipping() {
		// The server skips a Query too while it skips to Sync: it runs
		// nothing and answers nothing, and neither does bulwark.
		_, err := a.c.clientR.Discard(h.n)
		return err
	}
	body, tooLarge, err := a.readStatementBody(h)
	if err != nil {
		return err
	}
	text, _, ok := cbytes(body)
	if !ok && !tooLarge {
		a.c.fatal("08P01", "invalid Query message: the query string is not terminated", "")
		return errors.New("unterminated Query")
	}
	var v gate.Verdict
	if tooLarge {
		v = a.refuseTooLarge(body, h.n-1)
	} else if v, err = a.judge(gate.SourceQuery, text); err != nil {
		return err
	}
	if !v.Allow {
		return a.standIn(v, 'S')
	}
	if v.Snapshot != nil {
		return a.querySnapshot(string(text), v.Snapshot)
	}
	a.mu.Lock()
	a.queueLocked([]byte{'Q'}, nil, nil)
	a.mu.Unlock()
	w := a.c.serverW
	if err := writeHeader(w, h); err != nil {
		return err
	}
	if _, err := w.Write(body); err != nil {
		return err
	}
	return w.Flush()
}

// querySnapshot sends a Query whose statement runs with a snapshot: the
// snapshot SQL first, in the same query string (one implicit transaction,
// or the client's own), or in the statement's place.
func (a *agentSession) querySnapshot(sql string, snap *gate.Snapshot) error {
	text, tag := snap.SQL+";\n"+sql, ""
	if snap.Replace {
		text, tag = snap.SQL, snap.Tag
	}
	a.mu.Lock()
	a.queueLocked([]byte{'q', 'Q'}, []snapAnswer{{snap: snap, tag: tag}}, nil)
	a.mu.Unlock()
	if _, err := a.c.serverW.Write(appendMessage(nil, 'Q', append([]byte(text), 0))); err != nil {
		return err
	}
	return a.c.serverW.Flush()
}

// extended buffers one extended-protocol message. A Parse is judged as it
// arrives; Bind and Execute refer to statements that were judged when they
// were parsed, so they need no verdict of their own. Once any part of the
// request is refused, nothing of it is forwarded.
func (a *agentSession) extended(h header) error {
	cfg := &a.c.srv.cfg
	if a.refusal != nil {
		_, err := a.c.clientR.Discard(h.n)
		return err
	}
	if len(a.batch)+headerLen+h.n > cfg.MaxRequestBytes {
		_, err := a.c.clientR.Discard(h.n)
		v := a.refuseRequest("request-too-large", fmt.Sprintf(
			"the extended-protocol request grew past limits.max_request_bytes (%d bytes) before its Sync", cfg.MaxRequestBytes), len(a.batch)+h.n)
		a.refuseBatch(v)
		return err
	}
	if h.typ == 'P' {
		body, tooLarge, err := a.readStatementBody(h)
		if err != nil {
			return err
		}
		if tooLarge {
			a.refuseBatch(a.refuseTooLarge(body, h.n))
			return nil
		}
		_, rest, ok1 := cbytes(body)
		text, _, ok2 := cbytes(rest)
		if !ok1 || !ok2 {
			a.c.fatal("08P01", "invalid Parse message", "")
			return errors.New("malformed Parse")
		}
		v, err := a.judge(gate.SourceParse, text)
		if err != nil {
			return err
		}
		if !v.Allow {
			a.refuseBatch(v)
			return nil
		}
		name, _, _ := cstring(body)
		if v.Snapshot != nil || len(a.stmtSnaps) > 0 {
			a.parsed(name, v.Snapshot)
		}
		if v.Snapshot != nil && v.Snapshot.Replace {
			// The statement never reaches the server: its name
			// stands for the snapshot SQL, which takes no parameters.
			body = append(append(append([]byte(name), 0), v.Snapshot.SQL...), 0, 0, 0)
		}
		a.batch = appendMessage(a.batch, h.typ, body)
		a.batchKinds = append(a.batchKinds, h.typ)
		return nil
	}
	if (h.typ == 'E' || h.typ == 'B' || h.typ == 'C') && (len(a.stmtSnaps) > 0 || len(a.portalSnaps) > 0) {
		return a.extendedSnapshot(h)
	}
	start := len(a.batch)
	a.batch = append(a.batch, h.typ, 0, 0, 0, 0)
	binary.BigEndian.PutUint32(a.batch[start+1:], uint32(h.n+4))
	a.batch = append(a.batch, make([]byte, h.n)...)
	if _, err := io.ReadFull(a.c.clientR, a.batch[start+headerLen:]); err != nil {
		return err
	}
	a.batchKinds = append(a.batchKinds, h.typ)
	a.batchExecutes = a.batchExecutes || h.typ == 'E'
	return nil
}

// judge judges the statement text of a Query or a Parse, unless the memo
// says the enforcer already allowed it, or a text of its shape, under the
// same settings and policy. A Query is looked up by its shape first, before
// its text is even copied: simple-protocol clients send the same statement
// again with new literals. A Parse is looked up by its text first: drivers
// send the same one for every execution of an unnamed statement.
func (a *agentSession) judge(src gate.Source, text []byte) (gate.Verdict, error) {
	enf := a.c.srv.cfg.Enforcer
	generation := enf.PolicyGeneration()
	m := &a.memo
	shaped := false
	if src == gate.SourceQuery {
		// A text with a shape is never lexing sensitive: the settings
		// of the moment are the ones it will be read under.
		lx := a.currentLexing()
		a.shape, shaped = enf.AppendShape(a.shape[:0], &a.c.info, lx, borrowed(text))
		if shaped && m.Shape(generation, src, a.shape, lx) {
			return gate.Verdict{Allow: true}, nil
		}
	}
	var seen gate.MemoEntry
	var known bool
	if src == gate.SourceParse {
		seen, known = m.Text(generation, src, text)
	}
	var sql string
	sensitive := seen.Sensitive
	if !known {
		sql = string(text)
		// A text with a shape is not lexing sensitive (gate.Enforcer's
		// AppendShape): only a text without one is scanned.
		sensitive = !shaped && enf.LexingSensitive(&a.c.info, sql)
	}
	if src == gate.SourceParse && a.batchExecutes && sensitive {
		// An Execute queued ahead of this Parse may change how the
		// server reads it (any statement can change a setting), so
		// that part of the request goes first and the Parse is
		// judged under the settings it leaves. Should the Parse be
		// refused, the stand-in's error makes the server roll back
		// the pipeline's implicit transaction, as any error would.
		if err := a.boundary('H'); err != nil {
			return gate.Verdict{}, err
		}
	}
	lx, err := a.lexing(sensitive)
	if err != nil {
		return a.refuseWithText("parse-error", "the upstream connection was lost", len(text), string(text)), nil
	}
	if known {
		if seen.Lexing == lx {
			return gate.Verdict{Allow: true}, nil
		}
		sql = string(text)
	}
	switch {
	case src == gate.SourceParse:
		a.shape, shaped = enf.AppendShape(a.shape[:0], &a.c.info, lx, sql)
		if shaped && m.Shape(generation, src, a.shape, lx) {
			return gate.Verdict{Allow: true}, nil
		}
	case !shaped:
		if e, ok := m.Text(generation, src, text); ok && e.Lexing == lx {
			return gate.Verdict{Allow: true}, nil
		}
	}
	v := enf.Check(a.ctx, &a.c.info, lx, gate.Request{Source: src, SQL: sql, Size: len(sql)}, a)
	if v.Allow && v.Snapshot == nil {
		e := gate.MemoEntry{Sensitive: sensitive, Lexing: lx}
		if shaped && v.Shaped {
			m.RememberShape(generation, src, a.shape, e)
		}
		if src == gate.SourceParse || !shaped {
			m.RememberText(generation, src, text, e)
		}
	}
	return v, nil
}

// borrowed is text as a string without a copy, for a call that does not
// keep it (gate.Enforcer's AppendShape): the bytes are the request's, read
// again for the next one.
func borrowed(text []byte) string {
	return unsafe.String(unsafe.SliceData(text), len(text))
}

func (a *agentSession) refuseBatch(v gate.Verdict) {
	a.refusal = &v
	a.batchExecutes = false
	a.batch = a.batch[:0]
	a.batchKinds = a.batchKinds[:0]
	a.batchSnaps = a.batchSnaps[:0]
}

// parsed notes whether the statement named name runs with a snapshot.
func (a *agentSession) parsed(name string, snap *gate.Snapshot) {
	if snap == nil {
		delete(a.stmtSnaps, name)
		return
	}
	if a.stmtSnaps == nil {
		a.stmtSnaps, a.portalSnaps = map[string]*gate.Snapshot{}, map[string]*gate.Snapshot{}
	}
	a.stmtSnaps[name] = snap
}

// Private names of the snapshot SQL's statement and portal.
const (
	snapshotStatement = "bulwark_snapshot"
	snapshotPortal    = "bulwark_snapshot"
)

// extendedSnapshot buffers a Bind, Execute or Close while some prepared
// statement of the session runs with a snapshot: Bind and Close keep track of
// which portals do, and an Execute of such a portal is preceded by the
// snapshot SQL (closed, parsed, bound and executed under private names), or,
// when the SQL replaced the statement, gets its command tag rewritten.
func (a *agentSession) extendedSnapshot(h header) error {
	body, err := readBody(a.c.clientR, h, nil)
	if err != nil {
		return err
	}
	kind := h.typ
	switch h.typ {
	case 'B':
		portal, rest, _ := cstring(body)
		stmt, _, _ := cstring(rest)
		if snap := a.stmtSnaps[stmt]; snap != nil {
			a.portalSnaps[portal] = snap
		} else {
			delete(a.portalSnaps, portal)
		}
	case 'C':
		if len(body) > 0 {
			name, _, _ := cstring(body[1:])
			if body[0] == 'S' {
				delete(a.stmtSnaps, name)
			} else {
				delete(a.portalSnaps, name)
			}
		}
	case 'E':
		portal, _, _ := cstring(body)
		snap := a.portalSnaps[portal]
		switch {
		case snap == nil:
		case snap.Replace:
			kind = 'e'
			a.batchSnaps = append(a.batchSnaps, snapAnswer{snap: snap, tag: snap.Tag})
		default:
			// A portal's statement runs at its first Execute; later
			// ones only fetch what it returned.
			delete(a.portalSnaps, portal)
			a.appendSnapshotSQL(snap)
		}
	}
	a.batch = appendMessage(a.batch, h.typ, body)
	a.batchKinds = append(a.batchKinds, kind)
	a.batchExecutes = a.batchExecutes || h.typ == 'E'
	return nil
}

// appendSnapshotSQL queues the snapshot SQL's own Close, Close, Parse, Bind
// and Execute. The Closes make the private names free whatever happened
// before (closing a name that does not exist is not an error).
func (a *agentSession) appendSnapshotSQL(snap *gate.Snapshot) {
	b := a.batch
	b = appendMessage(b, 'C', append([]byte{'S'}, snapshotStatement+"\x00"...))
	b = appendMessage(b, 'C', append([]byte{'P'}, snapshotPortal+"\x00"...))
	b = appendMessage(b, 'P', append(append([]byte(snapshotStatement+"\x00"), snap.SQL...), 0, 0, 0))
	b = appendMessage(b, 'B', []byte(snapshotPortal+"\x00"+snapshotStatement+"\x00\x00\x00\x00\x00\x00\x00"))
	b = appendMessage(b, 'E', []byte(snapshotPortal+"\x00\x00\x00\x00\x00"))
	a.batch = b
	a.batchKinds = append(a.batchKinds, 'c', 'c', 'p', 'b', 'n')
	a.batchSnaps = append(a.batchSnaps, snapAnswer{snap: snap})
}

// boundary ends an extended-protocol request at Sync ('S'), Flush ('H') or a
// Query (0). An accepted request is forwarded with its boundary. A refused
// one is replaced by the stand-in (see agentSession), followed by the same
// boundary; after it, messages are dropped up to Sync, which is forwarded so
// that the server leaves its ignore-until-Sync state and reports the true
// transaction status.
func (a *agentSession) boundary(typ byte) error {
	if a.refusal != nil {
		if !a.stoodIn {
			a.stoodIn = true
			end := typ
			if end == 0 {
				end = 'H'
			}
			if err := a.standIn(*a.refusal, end); err != nil {
				return err
			}
			if typ == 'S' {
				a.refusal, a.stoodIn = nil, false
			}
			return nil
		}
		if typ != 'S' {
			return nil
		}
		a.refusal, a.stoodIn = nil, false
		a.batch, a.batchKinds = a.batch[:0], a.batchKinds[:0]
	}
	if typ != 0 {
		a.batch = append(a.batch, typ, 0, 0, 0, 4)
		if typ == 'S' {
			a.batchKinds = append(a.batchKinds, 'S')
		}
	}
	if len(a.batch) == 0 {
		return nil
	}
	a.batchExecutes = false
	a.mu.Lock()
	a.queueLocked(a.batchKinds, a.batchSnaps, nil)
	a.mu.Unlock()
	a.batchSnaps = a.batchSnaps[:0]
	if _, err := a.c.serverW.Write(a.batch); err != nil {
		return err
	}
	a.batch, a.batchKinds = a.batch[:0], a.batchKinds[:0]
	if cap(a.batch) > 1<<20 {
		a.batch = nil // do not keep a large request's buffer for the session's life
	}
	return a.c.serverW.Flush()
}

// standIn sends the refusal's stand-in upstream, followed by end (Sync 'S'
// or Flush 'H'). The stand-in's text names the audit event, so that the
// server's own log of the syntax error points DBAs at the refusal.
func (a *agentSession) standIn(v gate.Verdict, end byte) error {
	kinds := []byte{'R'}
	if end == 'S' {
		kinds = append(kinds, 'S')
	}
	a.mu.Lock()
	a.queueLocked(kinds, nil, []gate.Verdict{v})
	a.mu.Unlock()
	body := append([]byte(a.standInName), 0)
	body = fmt.Appendf(body, "bulwark refused a statement (audit event %d)", v.EventID)
	body = append(body, 0, 0, 0) // terminator, no parameter types
	msg := appendMessage(nil, 'P', body)
	msg = append(msg, end, 0, 0, 0, 4)
	if _, err := a.c.serverW.Write(msg); err != nil {
		return err
	}
	return a.c.serverW.Flush()
}

// copyToServer streams COPY data from the client.
func (a *agentSession) copyToServer(h header) error {
	if h.typ != 'd' {
		// CopyDone or CopyFail: the server leaves copy-in mode and reads
		// Sync again.
		a.mu.Lock()
		a.copyIn = false
		a.mu.Unlock()
	}
	w := a.c.serverW
	if err := writeHeader(w, h); err != nil {
		return err
	}
	if err := copyN(w, a.c.clientR, h.n); err != nil {
		return err
	}
	if h.typ != 'd' || a.c.clientR.Buffered() == 0 {
		return w.Flush()
	}
	return nil
}

// functionCall handles the fast-path FunctionCall message, which calls a
// function by OID (large-object clients use it for lo_unlink). bulwark cannot
// see which function an OID names without asking the catalog, so for an agent
// it is refused unless policy allows what cannot be analysed.
func (a *agentSession) functionCall(h header) error {
	if a.serverSkipping() {
		_, err := a.c.clientR.Discard(h.n) // skipped, as a Query is
		return err
	}
	body, err := readBody(a.c.clientR, h, nil)
	if err != nil {
		return err
	}
	v := a.refuseRequest("fastpath-call", "a fast-path FunctionCall names its function only by OID, so bulwark cannot tell what it would do", h.n)
	if !v.Allow {
		return a.standIn(v, 'S')
	}
	a.mu.Lock()
	a.queueLocked([]byte{'Q'}, nil, nil) // answered by FunctionCallResponse then ReadyForQuery
	a.mu.Unlock()
	if _, err := a.c.serverW.Write(appendMessage(nil, h.typ, body)); err != nil {
		return err
	}
	return a.c.serverW.Flush()
}

// refuseRequest asks the enforcer to refuse and record a request for a
// protocol-level reason.
func (a *agentSession) refuseRequest(rule, reason string, size int) gate.Verdict {
	return a.refuseWithText(rule, reason, size, "")
}

// refuseTooLarge refuses a statement above limits.max_statement_bytes; only
// its first bytes were kept, for the audit record.
func (a *agentSession) refuseTooLarge(prefix []byte, size int) gate.Verdict {
	return a.refuseWithText("statement-too-large", fmt.Sprintf(
		"the statement is %d bytes long, more than limits.max_statement_bytes (%d)", size, a.c.srv.cfg.MaxStatementBytes),
		size, string(prefix))
}

// lexing returns the settings under which the server will read a text.
// When they matter to it (sensitive, the enforcer's LexingSensitive), it
// first waits until every forwarded request has been answered: any
// statement can change a setting, and the server reports the change
// (ParameterStatus) before its ReadyForQuery.
func (a *agentSession) lexing(sensitive bool) (gate.Lexing, error) {
	if sensitive {
		if err := a.waitIdle(); err != nil {
			return gate.Lexing{}, err
		}
	}
	return a.currentLexing(), nil
}

// currentLexing returns the settings the server last reported, without
// waiting for answers still to come (see lexing).
func (a *agentSession) currentLexing() gate.Lexing {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.lex
}

func (a *agentSession) refuseWithText(rule, reason string, size int, sql string) gate.Verdict {
	return a.c.srv.cfg.Enforcer.Check(a.ctx, &a.c.info, a.currentLexing(),
		gate.Request{Source: gate.SourceRequest, SQL: sql, Size: size, Refusal: rule, Reason: reason}, a)
}

// writeError writes a refusal as an ErrorResponse. Only the answer loop
// calls it, in the place of the stand-in's error. The detail says what the
// stand-in did to the session, which is this engine's own behaviour.
func (a *agentSession) writeError(v gate.Verdict) error {
	detail := strings.TrimSpace(v.Detail + " As after any error, an open transaction is now aborted and must be rolled back.")
	msg, err := (&pgproto3.ErrorResponse{
		Severity: "ERROR", SeverityUnlocalized: "ERROR",
		Code: v.Code, Message: v.Message, Detail: detail, Hint: v.Hint,
	}).Encode(nil)
	if err != nil {
		return err
	}
	a.c.clientMu.Lock()
	defer a.c.clientMu.Unlock()
	_, err = a.c.clientW.Write(msg)
	return err
}

// Exec implements gate.Upstream: it runs sql on the upstream connection
// while the session is between requests and returns the answer, which never
// reaches the client. It is called from the request loop (through the
// enforcer), so no client request can be forwarded meanwhile.
func (a *agentSession) Exec(ctx context.Context, sql string) (*gate.Result, error) {
	if err := a.waitIdle(); err != nil {
		return nil, err
	}
	ch := make(chan serverMessage, 16)
	a.mu.Lock()
	if a.ignoring || a.copyIn {
		a.mu.Unlock()
		return nil, errors.New("the server is skipping the client's messages up to its next Sync, or is in COPY FROM STDIN: it would not run bulwark's query now")
	}
	a.queueLocked([]byte{'X'}, nil, nil)
	a.internal.Store(&ch)
	a.mu.Unlock()
	w := a.c.serverW
	if _, err := w.Write(appendMessage(nil, 'Q', append([]byte(sql), 0))); err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	res := &gate.Result{}
	for {
		select {
		case m, ok := <-ch:
			if !ok {
				if res.TxStatus == 0 {
					return nil, io.ErrUnexpectedEOF
				}
				return res, nil
			}
			switch m.typ {
			case 'D':
				res.Rows = append(res.Rows, decodeDataRow(m.body))
			case 'C':
				tag, _, _ := cstring(m.body)
				res.Tags = append(res.Tags, tag)
			case 'E':
				var e pgproto3.ErrorResponse
				if err := e.Decode(m.body); err == nil {
					res.Err = pgconn.ErrorResponseToPgError(&e)
				}
			case 'Z':
				if len(m.body) == 1 {
					res.TxStatus = m.body[0]
				}
			}
		case <-ctx.Done():
			// The answer is still owed; the connection cannot be
			// reused safely.
			a.c.close()
			return nil, ctx.Err()
		}
	}
}

// decodeDataRow splits a DataRow body into column values (nil for NULL).
func decodeDataRow(b []byte) [][]byte {
	if len(b) < 2 {
		return nil
	}
	n := int(binary.BigEndian.Uint16(b))
	b = b[2:]
	row := make([][]byte, 0, n)
	for i := 0; i < n && len(b) >= 4; i++ {
		l := int(int32(binary.BigEndian.Uint32(b)))
		b = b[4:]
		if l < 0 {
			row = append(row, nil)
			continue
		}
		if l > len(b) {
			break
		}
		row = append(row, append(make([]byte, 0, l), b[:l]...)) // non-nil even when empty: '' is not NULL
		b = b[l:]
	}
	return row
}
