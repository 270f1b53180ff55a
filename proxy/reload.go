package proxy

import (
	"reflect"

	"github.com/bulwarkdb/bulwark/config"
	"github.com/bulwarkdb/bulwark/proxy/pgwire"
)

// Reload applies a new configuration to the running bulwark without ending
// any session: identity rules, policy, snapshot limits, routes and TLS
// (certificates, upstream modes and verification) take effect for what
// starts from now on. Listen and upstream addresses, the audit path, limits, the
// cache and logging need a restart; changes to them are reported in the
// returned list and not applied. Nothing is applied when the new TLS files
// cannot be loaded.
func (s *Server) Reload(cfg config.Config) (ignored []string, err error) {
	accounts, err := config.ReadRouteAccounts(cfg.Routes)
	if err != nil {
		return nil, err
	}
	clientTLS, err := ClientTLSConfig(cfg.TLS)
	if err != nil {
		return nil, err
	}
	pgUp, err := UpstreamTLSConfig(cfg.Upstream.Postgres.TLS, s.cfg.Upstream.Postgres.Address, "upstream.postgres.tls")
	if err != nil {
		return nil, err
	}
	myUp, err := UpstreamTLSConfig(cfg.Upstream.MySQL.TLS, s.cfg.Upstream.MySQL.Address, "upstream.mysql.tls")
	if err != nil {
		return nil, err
	}
	for name, same := range map[string]bool{
		"listen":                    cfg.Listen == s.cfg.Listen,
		"upstream.postgres.address": cfg.Upstream.Postgres.Address == s.cfg.Upstream.Postgres.Address,
		"upstream.mysql.address":    cfg.Upstream.MySQL.Address == s.cfg.Upstream.MySQL.Address,
		"audit":                     cfg.Audit == s.cfg.Audit,
		"limits":                    cfg.Limits == s.cfg.Limits,
		"cache":                     cfg.Cache == s.cfg.Cache,
		"log":                       reflect.DeepEqual(cfg.Log, s.cfg.Log),
	} {
		if !same {
			ignored = append(ignored, name)
		}
	}
	s.enforcer.SetPolicy(Identities(cfg), Policy(cfg), snapshotTakers(cfg))
	s.gatekeeper.SetAccounts(accounts)
	for _, pg := range s.pg {
		pg.SetClientTLS(&pgwire.ClientTLS{Config: clientTLS, Require: cfg.TLS.Require})
		pg.SetUpstreamTLS(pgUp)
	}
	for _, my := range s.my {
		my.SetClientTLS(clientTLS, cfg.TLS.Require)
		my.SetUpstreamTLS(myUp, cfg.Upstream.MySQL.TLS.Mode)
	}
	s.log.Info("configuration reloaded", "not_applied_until_restart", ignored)
	return ignored, nil
}
