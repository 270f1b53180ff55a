package proxy

import (
	"reflect"

	"github.com/bulwarkdb/bulwark/config"
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
	var apply []func()
	for _, f := range s.frontends {
		a, err := f.prepareReload(cfg, clientTLS)
		if err != nil {
			return nil, err
		}
		apply = append(apply, a)
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
	for _, a := range apply {
		a()
	}
	s.log.Info("configuration reloaded", "not_applied_until_restart", ignored)
	return ignored, nil
}
