// Package config reads bulwark's YAML configuration file, fills in defaults
// and validates it once, so that the rest of the program works with a typed,
// complete value. Every key and its default is documented in README.md.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path"
	"strings"

	"gopkg.in/yaml.v3"
)

// Action is what policy does with a statement of a category.
type Action string

const (
	ActionAllow    Action = "allow"
	ActionBlock    Action = "block"
	ActionSnapshot Action = "snapshot"
)

// Config is the whole file.
type Config struct {
	Listen   Listen           `yaml:"listen"`
	TLS      TLS              `yaml:"tls"`
	Upstream Upstream         `yaml:"upstream"`
	Identity Identity         `yaml:"identity"`
	Policy   Policy           `yaml:"policy"`
	Limits   Limits           `yaml:"limits"`
	Snapshot Snapshot         `yaml:"snapshot"`
	Routes   map[string]Route `yaml:"routes"`
	Audit    Audit            `yaml:"audit"`
	Cache    Cache            `yaml:"cache"`
	Log      Log              `yaml:"log"`
}

// Listen holds the addresses bulwark accepts clients on. A listener runs
// only when its upstream is configured.
type Listen struct {
	Postgres string `yaml:"postgres"`
	MySQL    string `yaml:"mysql"`
	// PostgresAgents and MySQLAgents are optional dedicated listeners:
	// every session on them is an agent, whatever else it says.
	PostgresAgents string `yaml:"postgres_agents"`
	MySQLAgents    string `yaml:"mysql_agents"`
}

// Upstream names the databases bulwark protects: a PostgreSQL server, a
// MySQL/MariaDB server, or both.
type Upstream struct {
	Postgres ServerUpstream `yaml:"postgres"`
	MySQL    ServerUpstream `yaml:"mysql"`
}

// ServerUpstream is one database server.
type ServerUpstream struct {
	Address        string      `yaml:"address"`
	ConnectTimeout string      `yaml:"connect_timeout"`
	TLS            UpstreamTLS `yaml:"tls"`
}

// UpstreamTLS says how bulwark connects to the database server, whatever
// the client's leg uses.
type UpstreamTLS struct {
	// Mode is disable, require (encrypt, no certificate check),
	// verify-ca (the server's certificate chains to CAFile) or verify-full
	// (and names the server). Default disable.
	Mode string `yaml:"mode"`
	// CAFile holds the PEM certificates that verify the server (verify-ca,
	// verify-full). Empty means the system's roots.
	CAFile string `yaml:"ca_file"`
	// ServerName is the name verify-full checks; default the host of
	// the upstream address.
	ServerName string `yaml:"server_name"`
}

// TLS configures TLS between clients and bulwark, on every listener.
type TLS struct {
	// CertFile and KeyFile hold bulwark's certificate and key (PEM). TLS
	// is offered to clients when both are set.
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// ClientCAFile, when set, makes bulwark ask clients for a certificate
	// and verify it against these CAs (PEM); a verified certificate's
	// subject can identify the session (identity.certificates).
	ClientCAFile string `yaml:"client_ca_file"`
	// Require refuses clients that do not use TLS.
	Require bool `yaml:"require"`
}

// Identity says which sessions are agents and which are humans.
//
// A session is an agent when its user matches agents.users or its
// application_name matches agents.application_names; otherwise a human when
// its user matches humans.users; otherwise Default. application_name can only
// ever make a session an agent, because any client can set it.
type Identity struct {
	Default string         `yaml:"default"`
	Agents  IdentityAgents `yaml:"agents"`
	Humans  IdentityHumans `yaml:"humans"`
}

// IdentityAgents lists the signals that mark a session as an agent. Any one
// of them is enough.
type IdentityAgents struct {
	Users            []string `yaml:"users"`
	ApplicationNames []string `yaml:"application_names"`
	// Addresses are client address ranges (CIDR, or single addresses).
	Addresses []string `yaml:"addresses"`
	// CertificateSubjects are globs over the subject of a verified client
	// certificate (tls.client_ca_file), e.g. "CN=ci-*".
	CertificateSubjects []string `yaml:"certificate_subjects"`
}

// Route names the upstream account bulwark logs in with on behalf of the
// identities it authenticates itself (bulwark identities add --route).
// Passwords come from the environment or a file, never from this file.
type Route struct {
	Postgres RouteLogin `yaml:"postgres"`
	MySQL    RouteLogin `yaml:"mysql"`
}

// RouteLogin is one upstream account.
type RouteLogin struct {
	User         string `yaml:"user"`
	PasswordEnv  string `yaml:"password_env"`
	PasswordFile string `yaml:"password_file"`
	// Database is the database sessions of the route open; empty means
	// the one the client asked for.
	Database string `yaml:"database"`
}

// Password reads the account's password from where the route says. It is
// read by the proxy when it starts and on reload (ReadRouteAccounts), not when the
// file is parsed: the CLI tools that read the same file need no password.
func (r RouteLogin) Password() (string, error) {
	switch {
	case r.PasswordEnv != "":
		v, ok := os.LookupEnv(r.PasswordEnv)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", r.PasswordEnv)
		}
		return v, nil
	case r.PasswordFile != "":
		b, err := os.ReadFile(r.PasswordFile)
		if err != nil {
			return "", err
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return "", nil
}

// IdentityHumans lists the users that are humans.
type IdentityHumans struct {
	Users []string `yaml:"users"`
}

// Policy sets the action for each category of dangerous statement, for agent
// sessions. Human sessions are never judged.
type Policy struct {
	Actions `yaml:",inline"`
	// LimitBounds: a LIMIT makes a DELETE or UPDATE without a real WHERE
	// acceptable (MySQL's DELETE ... LIMIT n).
	LimitBounds bool `yaml:"limit_bounds"`
	// Overrides set other actions for some agents. The first override
	// whose users or application_names match a session applies; the
	// categories it leaves out keep the global action.
	Overrides []PolicyOverride `yaml:"overrides"`
}

// Actions holds one action per category. In an override an empty action
// means "as the global policy says".
type Actions struct {
	Drop         Action `yaml:"drop"`
	Truncate     Action `yaml:"truncate"`
	Delete       Action `yaml:"delete"`
	Update       Action `yaml:"update"`
	Unanalysable Action `yaml:"unanalysable"`
}

// PolicyOverride is the policy of the agents it matches (by user or
// application_name glob).
type PolicyOverride struct {
	Users            []string `yaml:"users"`
	ApplicationNames []string `yaml:"application_names"`
	Actions          `yaml:",inline"`
}

// Snapshot bounds the snapshots taken for the snapshot action.
type Snapshot struct {
	// MaxBytes: a table larger than this (its total size on disk, as the
	// server estimates it) is not snapshotted; the statement is refused.
	MaxBytes ByteSize `yaml:"max_bytes"`
	// MaxRows: the same for the server's estimate of the row count.
	MaxRows int64 `yaml:"max_rows"`
	// Retention: when set, taking a snapshot also purges, in the same
	// database, the snapshots older than this. Empty keeps them until
	// purged by hand (bulwark snapshots purge).
	Retention string `yaml:"retention"`
}

// validate checks each action; in an override an empty one is allowed.
func (a Actions) validate(prefix string, override bool, bad func(field, format string, args ...any)) {
	for _, f := range []struct {
		key string
		a   Action
	}{{"drop", a.Drop}, {"truncate", a.Truncate}, {"delete", a.Delete}, {"update", a.Update}, {"unanalysable", a.Unanalysable}} {
		switch {
		case f.a == "" && override:
		case f.a == ActionAllow, f.a == ActionBlock:
		case f.a == ActionSnapshot && f.key != "unanalysable":
		case f.key == "unanalysable":
			bad(prefix+"."+f.key, "must be allow or block, not %q (what cannot be analysed cannot be snapshotted)", f.a)
		default:
			bad(prefix+"."+f.key, "must be allow, block or snapshot, not %q", f.a)
		}
	}
}

// Account is a route's upstream account, its password read.
type Account struct{ User, Password, Database string }

// ReadRouteAccounts reads every route's passwords, once (the proxy does it
// when it starts and on reload), and returns the accounts by route and
// protocol ("postgres", "mysql"). A password that cannot be read is an
// error, so that a proxy refuses to start or reload without it.
func ReadRouteAccounts(routes map[string]Route) (map[string]map[string]Account, error) {
	out := map[string]map[string]Account{}
	var errs []error
	for name, r := range routes {
		out[name] = map[string]Account{}
		for proto, l := range map[string]RouteLogin{"postgres": r.Postgres, "mysql": r.MySQL} {
			if l.User == "" {
				continue
			}
			pw, err := l.Password()
			if err != nil {
				errs = append(errs, fmt.Errorf("routes.%s.%s: password: %w", name, proto, err))
				continue
			}
			out[name][proto] = Account{User: l.User, Password: pw, Database: l.Database}
		}
	}
	return out, errors.Join(errs...)
}

// ParseAddressRange reads a CIDR range or a single address.
func ParseAddressRange(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("bad address range %q (want CIDR like 10.0.0.0/8 or an address)", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Limits bound what an agent can make bulwark hold or parse.
type Limits struct {
	// MaxStatementBytes: an agent's SQL text longer than this is refused
	// without being parsed.
	MaxStatementBytes ByteSize `yaml:"max_statement_bytes"`
	// MaxRequestBytes: an agent's extended-protocol request (everything
	// from the first message up to Sync or Flush) larger than this is
	// refused.
	MaxRequestBytes ByteSize `yaml:"max_request_bytes"`
	// MaxMessageBytes: any single protocol message from any client larger
	// than this ends the session (COPY data is forwarded in pieces and is
	// not limited).
	MaxMessageBytes ByteSize `yaml:"max_message_bytes"`
	// HandshakeTimeout bounds the startup and authentication phase.
	HandshakeTimeout string `yaml:"handshake_timeout"`
	// AnalysisBytes bounds the total size of the long SQL texts (those
	// the verdict cache does not keep) analysed at the same time, across
	// all sessions; the others wait their turn. Analysing a text takes
	// tens of times its size in memory. Zero means MaxStatementBytes.
	AnalysisBytes ByteSize `yaml:"analysis_bytes"`
}

// Audit configures the audit store.
type Audit struct {
	Path string `yaml:"path"`
}

// Cache configures the verdict cache.
type Cache struct {
	Entries int `yaml:"entries"`
}

// Log configures bulwark's own log.
type Log struct {
	Level  string `yaml:"level"`  // debug | info | warn | error
	Format string `yaml:"format"` // json | text
	// Statements logs refused statements' text at info level.
	Statements bool `yaml:"statements"`
}

// Defaults returns the configuration used for every key a file leaves out.
func Defaults() Config {
	return Config{
		Listen:   Listen{Postgres: "127.0.0.1:6432", MySQL: "127.0.0.1:3307"},
		Upstream: Upstream{Postgres: ServerUpstream{ConnectTimeout: "5s"}, MySQL: ServerUpstream{ConnectTimeout: "5s"}},
		Identity: Identity{Default: "agent"},
		Policy: Policy{Actions: Actions{
			Drop: ActionBlock, Truncate: ActionBlock, Delete: ActionBlock,
			Update: ActionBlock, Unanalysable: ActionBlock,
		}},
		Snapshot: Snapshot{MaxBytes: 1 << 30, MaxRows: 10_000_000},
		Limits: Limits{
			MaxStatementBytes: 16 << 20,
			MaxRequestBytes:   64 << 20,
			MaxMessageBytes:   256 << 20,
			HandshakeTimeout:  "15s",
		},
		Audit: Audit{Path: "bulwark-audit.db"},
		Cache: Cache{Entries: 10000},
		Log:   Log{Level: "info", Format: "json"},
	}
}

// Load reads, defaults and validates the file at path.
func Load(file string) (Config, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return Config{}, err
	}
	c, err := Parse(data)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", file, err)
	}
	return c, nil
}

// Parse decodes YAML onto the defaults and validates the result. Unknown keys
// are errors, so that a misspelt key never silently keeps its default.
func Parse(data []byte) (Config, error) {
	c := Defaults()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) { // an empty file means all defaults
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks every field and reports all problems at once.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.Upstream.Postgres.Address == "" && c.Upstream.MySQL.Address == "" {
		bad("upstream.postgres.address", "is required (host:port of the PostgreSQL server to protect), unless upstream.mysql.address is set")
	}
	if c.Upstream.Postgres.Address != "" && c.Listen.Postgres == "" {
		bad("listen.postgres", "is required when upstream.postgres.address is set")
	}
	if c.Upstream.MySQL.Address != "" && c.Listen.MySQL == "" {
		bad("listen.mysql", "is required when upstream.mysql.address is set")
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		bad("tls.cert_file", "and tls.key_file must be set together")
	}
	if c.TLS.Require && c.TLS.CertFile == "" {
		bad("tls.require", "needs tls.cert_file and tls.key_file")
	}
	if c.TLS.ClientCAFile != "" && c.TLS.CertFile == "" {
		bad("tls.client_ca_file", "needs tls.cert_file and tls.key_file")
	}
	for field, u := range map[string]UpstreamTLS{"upstream.postgres.tls": c.Upstream.Postgres.TLS, "upstream.mysql.tls": c.Upstream.MySQL.TLS} {
		switch u.Mode {
		case "", "disable", "require", "verify-ca", "verify-full":
		default:
			bad(field+".mode", "must be disable, require, verify-ca or verify-full, not %q", u.Mode)
		}
	}
	if _, err := parseDuration(c.Upstream.Postgres.ConnectTimeout); err != nil {
		bad("upstream.postgres.connect_timeout", "%v", err)
	}
	if _, err := parseDuration(c.Upstream.MySQL.ConnectTimeout); err != nil {
		bad("upstream.mysql.connect_timeout", "%v", err)
	}
	if _, err := parseDuration(c.Limits.HandshakeTimeout); err != nil {
		bad("limits.handshake_timeout", "%v", err)
	}
	switch c.Identity.Default {
	case "agent", "human":
	default:
		bad("identity.default", "must be agent or human, not %q", c.Identity.Default)
	}
	for _, a := range c.Identity.Agents.Addresses {
		if _, err := ParseAddressRange(a); err != nil {
			bad("identity.agents.addresses", "%v", err)
		}
	}
	if len(c.Identity.Agents.CertificateSubjects) > 0 && c.TLS.ClientCAFile == "" {
		bad("identity.agents.certificate_subjects", "needs tls.client_ca_file (only verified certificates count)")
	}
	for name, r := range c.Routes {
		for proto, l := range map[string]RouteLogin{"postgres": r.Postgres, "mysql": r.MySQL} {
			field := "routes." + name + "." + proto
			if l.PasswordEnv != "" && l.PasswordFile != "" {
				bad(field, "password_env and password_file are exclusive")
			}
			if l.User == "" && (l.PasswordEnv != "" || l.PasswordFile != "" || l.Database != "") {
				bad(field+".user", "is required")
			}
		}
	}
	for field, globs := range map[string][]string{
		"identity.agents.users":                c.Identity.Agents.Users,
		"identity.agents.application_names":    c.Identity.Agents.ApplicationNames,
		"identity.agents.certificate_subjects": c.Identity.Agents.CertificateSubjects,
		"identity.humans.users":                c.Identity.Humans.Users,
	} {
		for _, g := range globs {
			if _, err := path.Match(g, ""); err != nil {
				bad(field, "bad pattern %q: %v", g, err)
			}
		}
	}
	c.Policy.Actions.validate("policy", false, bad)
	for i, o := range c.Policy.Overrides {
		field := fmt.Sprintf("policy.overrides[%d]", i)
		if len(o.Users) == 0 && len(o.ApplicationNames) == 0 {
			bad(field, "needs users or application_names to say which agents it applies to")
		}
		for _, g := range append(append([]string{}, o.Users...), o.ApplicationNames...) {
			if _, err := path.Match(g, ""); err != nil {
				bad(field, "bad pattern %q: %v", g, err)
			}
		}
		o.Actions.validate(field, true, bad)
	}
	if c.Snapshot.MaxBytes <= 0 {
		bad("snapshot.max_bytes", "must be positive")
	}
	if c.Snapshot.MaxRows <= 0 {
		bad("snapshot.max_rows", "must be positive")
	}
	if c.Snapshot.Retention != "" {
		if _, err := parseDuration(c.Snapshot.Retention); err != nil {
			bad("snapshot.retention", "%v (or leave it out to keep snapshots until purged)", err)
		}
	}
	if c.Limits.MaxStatementBytes <= 0 {
		bad("limits.max_statement_bytes", "must be positive")
	}
	if c.Limits.MaxRequestBytes < c.Limits.MaxStatementBytes {
		bad("limits.max_request_bytes", "must be at least limits.max_statement_bytes")
	}
	if c.Limits.AnalysisBytes != 0 && c.Limits.AnalysisBytes < c.Limits.MaxStatementBytes {
		bad("limits.analysis_bytes", "must be at least limits.max_statement_bytes, or a statement of that size could never be analysed")
	}
	if c.Limits.MaxMessageBytes < c.Limits.MaxRequestBytes {
		bad("limits.max_message_bytes", "must be at least limits.max_request_bytes")
	}
	if c.Audit.Path == "" {
		bad("audit.path", "is required")
	}
	if c.Cache.Entries < 0 {
		bad("cache.entries", "must not be negative")
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "must be debug, info, warn or error, not %q", c.Log.Level)
	}
	switch c.Log.Format {
	case "json", "text":
	default:
		bad("log.format", "must be json or text, not %q", c.Log.Format)
	}
	return errors.Join(errs...)
}
