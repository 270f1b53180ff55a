package proxy

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"sort"

	"github.com/bulwarkdb/bulwark/config"
	"github.com/bulwarkdb/bulwark/snapshot"
	"github.com/bulwarkdb/bulwark/sqlparse"
)

// A dialect is everything bulwark has for one wire protocol: its SQL
// analyser, its snapshot taker and its protocol engine. Each registers
// itself from a file of its own (dialect_postgres.go, dialect_mysql.go)
// that a build tag can leave out: bulwark_no_mysql builds a PostgreSQL-only
// bulwark and bulwark_no_postgres a MySQL-only one, each linking one SQL
// parser instead of two (the other parser's code and start-up tables are
// what an unused dialect costs in memory, a few MiB).
type dialect struct {
	name     string // "postgres" or "mysql", as in the configuration
	analyzer func() sqlparse.Analyzer
	taker    func(snapshot.Limits) snapshot.Taker
	// open starts the protocol's listeners on s; it is called only when
	// the protocol's upstream is configured.
	open func(s *Server, cfg config.Config, clientTLS *tls.Config) (frontend, error)
}

// A frontend is one protocol's share of a running Server.
type frontend interface {
	// closeSessions ends the sessions match selects and returns how many.
	closeSessions(match func(identity string, generation int64) bool) int
	// prepareReload checks the TLS settings of a new configuration and
	// returns what applies them, so that a reload applies all protocols'
	// settings or none.
	prepareReload(cfg config.Config, clientTLS *tls.Config) (apply func(), err error)
}

// serveListeners builds one protocol engine per configured listener of a
// protocol, addr for every session and agentsAddr for agents only (an
// empty address has no listener), and registers each listener on s. It
// returns the engines built, also those before an error.
func serveListeners[E interface {
	Serve(context.Context, net.Listener) error
}](s *Server, protocol, addr, agentsAddr string, engine func(name string, agentsOnly bool) E) ([]E, error) {
	var engines []E
	for _, l := range []struct {
		name, addr string
		agents     bool
	}{{protocol, addr, false}, {protocol + "_agents", agentsAddr, true}} {
		if l.addr == "" {
			continue
		}
		e := engine(l.name, l.agents)
		engines = append(engines, e)
		if err := s.listen(l.name, l.addr, e.Serve); err != nil {
			return engines, err
		}
	}
	return engines, nil
}

var dialects = map[string]dialect{}

func register(d dialect) { dialects[d.name] = d }

// Dialects returns the names of the protocols this build of bulwark
// supports, sorted.
func Dialects() []string {
	names := make([]string, 0, len(dialects))
	for n := range dialects {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// NewAnalyzer returns a new analyser for the named dialect, or an error
// saying that this build leaves it out.
func NewAnalyzer(name string) (sqlparse.Analyzer, error) {
	d, err := lookup(name)
	if err != nil {
		return nil, err
	}
	return d.analyzer(), nil
}

// Supports returns nil when this build has the named dialect, and otherwise
// an error saying why not (naming the build tag that left it out).
func Supports(name string) error {
	_, err := lookup(name)
	return err
}

// lookup returns a registered dialect. For a known one this build left out
// the error names the build tag.
func lookup(name string) (dialect, error) {
	if d, ok := dialects[name]; ok {
		return d, nil
	}
	if k, ok := known[name]; ok {
		return dialect{}, fmt.Errorf("this bulwark was built without %s support (build tag %s); use a build that includes it", k.display, k.tag)
	}
	return dialect{}, fmt.Errorf("unknown dialect %q (want one of %v)", name, Dialects())
}

// known describes every dialect bulwark has, whether this build includes it
// or not: how messages name it, the build tag that leaves it out, and where
// a configuration sets its upstream (a protocol is served exactly when its
// upstream is set).
var known = map[string]struct {
	display, tag string
	upstream     func(config.Config) string
}{
	"postgres": {"PostgreSQL", "bulwark_no_postgres", func(c config.Config) string { return c.Upstream.Postgres.Address }},
	"mysql":    {"MySQL/MariaDB", "bulwark_no_mysql", func(c config.Config) string { return c.Upstream.MySQL.Address }},
}

// checkDialects refuses a configuration that asks for a protocol this build
// does not have, rather than silently not serving it.
func checkDialects(cfg config.Config) error {
	for name, k := range known {
		if k.upstream(cfg) == "" {
			continue
		}
		if _, err := lookup(name); err != nil {
			return fmt.Errorf("upstream.%s.address: %w", name, err)
		}
	}
	return nil
}
