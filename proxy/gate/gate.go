// Package gate holds the small contract between the protocol engines
// (proxy/pgwire, later proxy/mysqlwire) and the composition root that judges
// statements. Protocol code describes the session and hands over SQL text;
// it gets back a Verdict to put on the wire. It never sees a syntax tree,
// a rule or the audit store.
package gate

import (
	"context"
	"time"

	"github.com/bulwarkdb/bulwark/credential"
)

// Kind is what an identity is to policy.
type Kind string

const (
	// Agent sessions are judged statement by statement.
	Agent Kind = "agent"
	// Human sessions pass through untouched.
	Human Kind = "human"
)

// Session describes one client connection as policy and audit need it.
// The protocol engine fills it in once the startup phase is over; its fields
// do not change afterwards except where a protocol lets the client change
// them (and then only towards more restriction).
type Session struct {
	ID              string
	Protocol        string // "postgres" or "mysql"
	ClientAddr      string
	Database        string
	User            string
	ApplicationName string
	// ClientAttributes are MySQL connection attributes (program_name,
	// _client_name, ...), nil for PostgreSQL.
	ClientAttributes map[string]string
	Kind             Kind
	Started          time.Time
	// TLS: the client's leg is encrypted. ClientCertSubject is the
	// subject of the certificate the client presented and bulwark
	// verified (tls.client_ca_file), in RFC 2253 form ("CN=ci-agent,O=Acme").
	TLS               bool
	ClientCertSubject string
	// Identity is the name of the identity bulwark authenticated itself
	// (empty when the upstream authenticated the client), Generation the
	// generation of its secret, and IdentityKind its kind.
	Identity     string
	Generation   int64
	IdentityKind Kind
	// AgentListener: the session came in on a listener whose every
	// session is an agent.
	AgentListener bool
}

// Credentials are the upstream account bulwark logs in with on behalf of an
// identity. They never reach the client or a log.
type Credentials struct {
	User, Password, Database string
}

// Login is an identity bulwark authenticates itself.
type Login struct {
	Identity   string
	Kind       Kind
	Generation int64
	Verifier   credential.Verifier
	// CertSubject, when set, is the subject of a verified client
	// certificate that proves the identity in place of its secret
	// (Session.ClientCertSubject equal to it).
	CertSubject string
	// Upstream is the account of the identity's route for the protocol
	// asked for.
	Upstream Credentials
}

// ProvenByCertificate reports whether the session's verified client
// certificate is the one bound to the identity.
func (l *Login) ProvenByCertificate(s *Session) bool {
	return l.CertSubject != "" && s.ClientCertSubject == l.CertSubject
}

// Gatekeeper decides who may log in; the composition root implements it.
type Gatekeeper interface {
	// Lookup returns the identity named user when bulwark authenticates it
	// itself, or nil when the login is relayed to the upstream
	// (passthrough). An error refuses the login before any exchange
	// (a revoked identity, too many recent failures, a route without an
	// account for this protocol); its text is for the client and names no
	// secret.
	Lookup(protocol, user, clientAddr string) (*Login, error)
	// Failed records a failed login: the source and the identity are
	// slowed down, and an agent identity's failure is audited.
	Failed(s *Session, reason string)
	// Succeeded forgets earlier failures of the source and identity.
	Succeeded(s *Session)
}

// Lexing mirrors the session settings that change how the server reads SQL
// text, as the protocol engine observed them (PostgreSQL reports them in
// ParameterStatus messages; MySQL's are read from the server). ClientEncoding
// is PostgreSQL's client_encoding or MySQL's character_set_client.
type Lexing struct {
	StandardConformingStrings bool
	ClientEncoding            string
	SQLMode                   string
}

// Source says which protocol path carried the SQL text.
type Source string

const (
	SourceQuery   Source = "query"   // PostgreSQL Query / MySQL COM_QUERY
	SourceParse   Source = "parse"   // PostgreSQL Parse / MySQL COM_STMT_PREPARE
	SourceRequest Source = "request" // a request refused before any SQL was read (size, unsupported message)
	// SourceDatabase: a MySQL default database asked for at login, by
	// COM_INIT_DB or by COM_CHANGE_USER, judged as the USE of it.
	SourceDatabase Source = "database"
	// SourceStartup: the settings a PostgreSQL StartupMessage makes,
	// judged as the set_config calls that would make them.
	SourceStartup Source = "startup"
)

// Request is one piece of SQL text to judge.
type Request struct {
	Source Source
	SQL    string
	// Size is the length in bytes of the SQL text as the client sent it;
	// it can exceed len(SQL) when the engine did not keep an oversized
	// text in memory.
	Size int
	// Refusal, when non-empty, asks the enforcer to refuse and record the
	// request for a protocol-level reason the engine found itself (for
	// example a fast-path function call): the rule name to record.
	Refusal string
	// Reason explains a protocol-level refusal.
	Reason string
}

// Verdict is the outcome of judging one request.
type Verdict struct {
	Allow bool
	// For a refusal: what to put on the wire. Code is a PostgreSQL SQLSTATE
	// (the MySQL engine maps it to its own error numbers).
	Code    string
	Message string
	Detail  string
	Hint    string
	// EventID is the audit event recording the refusal or the snapshot
	// (0 when none).
	EventID int64
	// Snapshot, on an allowed verdict, asks the engine to run the
	// statement together with a snapshot of what it destroys.
	Snapshot *Snapshot
	// Shaped, on an allowed verdict without a snapshot, says that the
	// verdict holds for every request whose text has the same
	// Enforcer.AppendShape, with the same Source and Lexing in the same session,
	// until PolicyGeneration changes: the same statement with other
	// literals is allowed too.
	Shaped bool
}

// Snapshot is SQL of the enforcer's that preserves what a statement would
// destroy, for the engine to run with the statement.
//
// PostgreSQL runs SQL in the same transaction as the statement, immediately
// before it, every time the statement runs (each Execute of a prepared
// statement), so that the snapshot and the destruction commit or roll back
// together. SQL is one statement and may be run any number of times.
//
// MySQL cannot put DDL in a client's transaction; there the enforcer takes
// the snapshot itself through Upstream.Exec before it returns the verdict,
// and SQL, when set, is what the engine sends in the statement's place.
type Snapshot struct {
	SQL string
	// Replace: SQL takes the statement's place; the statement itself is
	// never sent. The client is answered as the statement would have been
	// answered, with Tag as its command tag (PostgreSQL).
	Replace bool
	Tag     string
	// Failed is the refusal to send in place of the server's error when
	// SQL fails; the engine appends the server's own message to it.
	Failed Verdict
	// PassCodes lists the SQLSTATEs with which SQL reports that the
	// statement itself would have failed (no such table, say): such errors
	// reach the client as the server sent them.
	PassCodes []string
	// Statement, Category and Rule describe the protected statement, for
	// the record of a failure (Enforcer.SnapshotFailed).
	Statement, Category, Rule string
}

// Upstream lets the enforcer run statements of its own on a session's
// upstream connection. It is only handed out while the connection is between
// two client requests: every earlier request has been fully answered and the
// client's next request waits until the enforcer is done. Answers to these
// statements are consumed by the engine and never reach the client.
type Upstream interface {
	// Exec runs sql with the simple query protocol and returns what the
	// server answered. A server-side error is returned in Result.Err, not
	// as the error, which is kept for broken connections.
	Exec(ctx context.Context, sql string) (*Result, error)
}

// Result is what the server answered to an Upstream.Exec.
type Result struct {
	// Tags holds one command tag per completed statement ("SELECT 3").
	Tags []string
	// Rows holds the text-format values of every row returned, nil for
	// SQL NULL.
	Rows [][][]byte
	// Err is the server's error, if a statement failed.
	Err error
	// TxStatus is the transaction status the server reported afterwards
	// ('I' idle, 'T' in a transaction, 'E' in a failed transaction).
	TxStatus byte
}

// Enforcer judges requests. Implementations must be safe for concurrent use
// by many sessions.
type Enforcer interface {
	// Classify decides the session's Kind from what the client sent at
	// startup. It may only be called once per session.
	Classify(s *Session) Kind
	// LexingSensitive reports whether the session's Lexing settings could
	// change how the server reads sql. The engine then judges sql only
	// once every earlier request of the session has completed, under the
	// settings the server reported meanwhile.
	LexingSensitive(s *Session, sql string) bool
	// Check judges one request of an agent session. It returns only after
	// any refusal has been durably recorded.
	// up is the session's upstream connection, usable for the duration of
	// the call. It is nil when the statement does not run now (a MySQL
	// prepare): a snapshot verdict is then an empty Snapshot, which asks
	// the engine to judge the statement again, with its upstream, each
	// time it runs.
	Check(ctx context.Context, s *Session, lx Lexing, req Request, up Upstream) Verdict
	// SnapshotFailed records that the server failed snap's SQL for the
	// reason given (so the statement did not run) and returns the refusal
	// to send the client in place of the server's error.
	SnapshotFailed(ctx context.Context, s *Session, snap *Snapshot, reason string) Verdict
	// PolicyGeneration changes whenever the policy changes (a
	// configuration reload). Until it does, a verdict that allows a
	// statement without a snapshot is the verdict for the same request
	// text, Source and Lexing in the same session, so an engine may keep
	// it instead of asking again; refusals and snapshots are never kept,
	// since each must be recorded or taken anew.
	PolicyGeneration() uint64
	// AppendShape appends to dst a key for sql under lx, in a session,
	// such that a Shaped verdict for one text holds for every text with
	// the same key: the text with its literals blanked out. ok is false,
	// and dst returned as it was, when the text has no key that cheap to
	// find (it is then judged on its own), and always for a text that is
	// LexingSensitive: a text that has a shape has the same one under any
	// settings, and can be looked up before the session's settings have
	// settled. AppendShape does not keep sql.
	AppendShape(dst []byte, s *Session, lx Lexing, sql string) (shape []byte, ok bool)
}
