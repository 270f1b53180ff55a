//go:build !bulwark_no_mysql

package proxy

import (
	"crypto/tls"

	"github.com/bulwarkdb/bulwark/config"
	"github.com/bulwarkdb/bulwark/proxy/mysqlwire"
	"github.com/bulwarkdb/bulwark/snapshot"
	"github.com/bulwarkdb/bulwark/sqlparse"
	"github.com/bulwarkdb/bulwark/sqlparse/mysql"
)

func init() {
	register(dialect{
		name:     "mysql",
		analyzer: func() sqlparse.Analyzer { return mysql.New() },
		taker:    func(l snapshot.Limits) snapshot.Taker { return &snapshot.MySQL{Limits: l} },
		open:     openMySQL,
	})
}

// mysqlFrontend is the MySQL engines of a Server, one per listener, and
// the upstream they serve.
type mysqlFrontend struct {
	servers  []*mysqlwire.Server
	upstream string
}

func openMySQL(s *Server, cfg config.Config, clientTLS *tls.Config) (frontend, error) {
	upstreamTLS, err := UpstreamTLSConfig(cfg.Upstream.MySQL.TLS, cfg.Upstream.MySQL.Address, "upstream.mysql.tls")
	if err != nil {
		return nil, err
	}
	f := &mysqlFrontend{upstream: cfg.Upstream.MySQL.Address}
	f.servers, err = serveListeners(s, "mysql", cfg.Listen.MySQL, cfg.Listen.MySQLAgents, func(name string, agentsOnly bool) *mysqlwire.Server {
		return mysqlwire.NewServer(mysqlwire.Config{
			UpstreamAddr:      cfg.Upstream.MySQL.Address,
			ConnectTimeout:    config.Duration(cfg.Upstream.MySQL.ConnectTimeout),
			HandshakeTimeout:  config.Duration(cfg.Limits.HandshakeTimeout),
			MaxMessageBytes:   int(cfg.Limits.MaxMessageBytes),
			MaxStatementBytes: int(cfg.Limits.MaxStatementBytes),
			ClientTLS:         clientTLS,
			RequireClientTLS:  cfg.TLS.Require,
			UpstreamTLS:       upstreamTLS,
			UpstreamTLSMode:   cfg.Upstream.MySQL.TLS.Mode,
			Enforcer:          s.enforcer,
			Gatekeeper:        s.gatekeeper,
			AgentsOnly:        agentsOnly,
			Logger:            s.log.With("listener", name),
		})
	})
	return f, err
}

func (f *mysqlFrontend) closeSessions(match func(string, int64) bool) int {
	n := 0
	for _, my := range f.servers {
		n += my.CloseSessions(match)
	}
	return n
}

func (f *mysqlFrontend) prepareReload(cfg config.Config, clientTLS *tls.Config) (func(), error) {
	// The upstream address needs a restart: the running one is verified.
	up, err := UpstreamTLSConfig(cfg.Upstream.MySQL.TLS, f.upstream, "upstream.mysql.tls")
	if err != nil {
		return nil, err
	}
	return func() {
		for _, my := range f.servers {
			my.SetClientTLS(clientTLS, cfg.TLS.Require)
			my.SetUpstreamTLS(up, cfg.Upstream.MySQL.TLS.Mode)
		}
	}, nil
}
