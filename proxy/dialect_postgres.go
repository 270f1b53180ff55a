//go:build !bulwark_no_postgres

package proxy

import (
	"crypto/tls"

	"github.com/bulwarkdb/bulwark/config"
	"github.com/bulwarkdb/bulwark/proxy/pgwire"
	"github.com/bulwarkdb/bulwark/snapshot"
	"github.com/bulwarkdb/bulwark/sqlparse"
	"github.com/bulwarkdb/bulwark/sqlparse/postgres"
)

func init() {
	register(dialect{
		name:     "postgres",
		analyzer: func() sqlparse.Analyzer { return postgres.New() },
		taker:    func(l snapshot.Limits) snapshot.Taker { return &snapshot.Postgres{Limits: l} },
		open:     openPostgres,
	})
}

// postgresFrontend is the PostgreSQL engines of a Server, one per
// listener, and the upstream they serve.
type postgresFrontend struct {
	servers  []*pgwire.Server
	upstream string
}

func openPostgres(s *Server, cfg config.Config, clientTLS *tls.Config) (frontend, error) {
	upstreamTLS, err := UpstreamTLSConfig(cfg.Upstream.Postgres.TLS, cfg.Upstream.Postgres.Address, "upstream.postgres.tls")
	if err != nil {
		return nil, err
	}
	f := &postgresFrontend{upstream: cfg.Upstream.Postgres.Address}
	f.servers, err = serveListeners(s, "postgres", cfg.Listen.Postgres, cfg.Listen.PostgresAgents, func(name string, agentsOnly bool) *pgwire.Server {
		return pgwire.NewServer(pgwire.Config{
			UpstreamAddr:      cfg.Upstream.Postgres.Address,
			ConnectTimeout:    config.Duration(cfg.Upstream.Postgres.ConnectTimeout),
			HandshakeTimeout:  config.Duration(cfg.Limits.HandshakeTimeout),
			MaxMessageBytes:   int(cfg.Limits.MaxMessageBytes),
			MaxStatementBytes: int(cfg.Limits.MaxStatementBytes),
			MaxRequestBytes:   int(cfg.Limits.MaxRequestBytes),
			ClientTLS:         &pgwire.ClientTLS{Config: clientTLS, Require: cfg.TLS.Require},
			UpstreamTLS:       upstreamTLS,
			Enforcer:          s.enforcer,
			Gatekeeper:        s.gatekeeper,
			AgentsOnly:        agentsOnly,
			Logger:            s.log.With("listener", name),
		})
	})
	return f, err
}

func (f *postgresFrontend) closeSessions(match func(string, int64) bool) int {
	n := 0
	for _, pg := range f.servers {
		n += pg.CloseSessions(match)
	}
	return n
}

func (f *postgresFrontend) prepareReload(cfg config.Config, clientTLS *tls.Config) (func(), error) {
	// The upstream address needs a restart: the running one is verified.
	up, err := UpstreamTLSConfig(cfg.Upstream.Postgres.TLS, f.upstream, "upstream.postgres.tls")
	if err != nil {
		return nil, err
	}
	return func() {
		for _, pg := range f.servers {
			pg.SetClientTLS(&pgwire.ClientTLS{Config: clientTLS, Require: cfg.TLS.Require})
			pg.SetUpstreamTLS(up)
		}
	}, nil
}
