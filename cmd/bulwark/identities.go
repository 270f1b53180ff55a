package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/bulwarkdb/bulwark/audit"
	"github.com/bulwarkdb/bulwark/config"
	"github.com/bulwarkdb/bulwark/credential"
)

// identitiesOptions are the flags every `bulwark identities` command shares.
type identitiesOptions struct {
	configFile string
	db         string
}

func newIdentitiesCmd() *cobra.Command {
	var o identitiesOptions
	cmd := &cobra.Command{
		Use:   "identities",
		Short: "Create, list, rotate and revoke the identities bulwark authenticates itself",
		Long: `Identities are the names and secrets agents log in to bulwark with. bulwark checks the secret
itself (PostgreSQL SCRAM-SHA-256; MySQL mysql_native_password or caching_sha2_password), then logs
in to the database with the account of the identity's route (routes in the configuration), so an
agent never learns a database password and can be cut off on its own.

Identities live in the audit database (audit.path), which keeps only verifiers of the secrets. A
running bulwark notices changes within a second: new identities can log in, a rotated secret stops
working and the sessions opened with it are ended, a revoked identity's sessions are ended and it
cannot log in again. No restart is needed.`,
	}
	cmd.PersistentFlags().StringVarP(&o.configFile, "config", "c", "", "configuration `file` (routes, listeners, audit.path)")
	cmd.PersistentFlags().StringVar(&o.db, "db", "", "audit database `path`; overrides audit.path of --config")
	cmd.AddCommand(newIdentitiesAddCmd(&o), newIdentitiesListCmd(&o), newIdentitiesRotateCmd(&o), newIdentitiesRevokeCmd(&o))
	return cmd
}

// load reads the configuration (or the defaults) and opens the store.
func (o *identitiesOptions) load() (config.Config, *audit.SQLite, error) {
	cfg := config.Defaults()
	if o.configFile != "" {
		var err error
		if cfg, err = config.Load(o.configFile); err != nil {
			return cfg, nil, &exitError{code: exitUsage, err: err}
		}
	}
	path := cfg.Audit.Path
	if o.db != "" {
		path = o.db
	}
	st, err := audit.OpenSQLite(path)
	if err != nil {
		return cfg, nil, &exitError{code: exitUsage, err: err}
	}
	return cfg, st, nil
}

func newIdentitiesAddCmd(o *identitiesOptions) *cobra.Command {
	var kind, route, host, database, certSubject string
	cmd := &cobra.Command{
		Use:   "add NAME --route ROUTE [--kind agent|human]",
		Short: "Create an identity and print its connection strings (once)",
		Example: `  bulwark identities add reporting-agent --route app_readwrite -c /etc/bulwark/bulwark.yaml
  bulwark identities add ci --kind agent --route app --host bulwark.internal --database app`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := checkIdentityName(name); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			if kind != "agent" && kind != "human" {
				return &exitError{code: exitUsage, err: fmt.Errorf("--kind must be agent or human, not %q", kind)}
			}
			if route == "" {
				return &exitError{code: exitUsage, err: errors.New("--route is required: it names the upstream accounts (routes in the configuration) the identity's sessions use")}
			}
			cfg, st, err := o.load()
			if err != nil {
				return err
			}
			defer st.Close()
			r, ok := cfg.Routes[route]
			if o.configFile != "" && !ok {
				return &exitError{code: exitUsage, err: fmt.Errorf("route %q is not in %s (routes: %s)", route, o.configFile, routeNames(cfg))}
			}
			secret, v, err := newSecret()
			if err != nil {
				return err
			}
			if certSubject != "" && cfg.TLS.ClientCAFile == "" && o.configFile != "" {
				return &exitError{code: exitUsage, err: errors.New("--certificate-subject needs tls.client_ca_file in the configuration: only verified certificates can prove an identity")}
			}
			if err := st.AddIdentity(cmd.Context(), audit.Identity{Name: name, Kind: kind, Route: route, Verifier: v, CertSubject: certSubject}); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "identity %s (%s, route %s) created.\n", name, kind, route)
			printConnection(cmd.OutOrStdout(), cfg, r, name, secret, host, database)
			return nil
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "agent", "agent or human")
	cmd.Flags().StringVar(&route, "route", "", "`route` whose upstream accounts the identity's sessions use")
	connectionFlags(cmd, &host, &database)
	cmd.Flags().StringVar(&certSubject, "certificate-subject", "", "`subject` of a client certificate (RFC 2253, e.g. \"CN=ci-runner,O=Acme\") that proves the identity in place of its secret")
	return cmd
}

// newSecret issues a secret and its verifiers.
func newSecret() (string, credential.Verifier, error) {
	secret, err := credential.NewSecret()
	if err != nil {
		return "", credential.Verifier{}, err
	}
	v, err := credential.Derive(secret)
	return secret, v, err
}

// connectionFlags are the flags of the commands that print connection
// strings.
func connectionFlags(cmd *cobra.Command, host, database *string) {
	cmd.Flags().StringVar(host, "host", "", "host name agents reach bulwark at (default: the listen addresses' host)")
	cmd.Flags().StringVar(database, "database", "", "database in the connection strings (default: the route's)")
}

func checkIdentityName(name string) error {
	if name == "" || len(name) > 63 {
		return errors.New("an identity name has 1 to 63 characters")
	}
	for _, r := range name {
		if !(r == '_' || r == '-' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Errorf("invalid identity name %q: use letters, digits, '_', '-' and '.'", name)
		}
	}
	return nil
}

func routeNames(cfg config.Config) string {
	var names []string
	for n := range cfg.Routes {
		names = append(names, n)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// printConnection prints an identity's connection strings, for PostgreSQL
// and MySQL, in URL form and as the environment variables clients read.
func printConnection(w io.Writer, cfg config.Config, r config.Route, name, secret, host, database string) {
	fmt.Fprintln(w, "Its secret is shown only now: give the agent these settings (they name no database password).")
	endpoint := func(listen string) (string, string) {
		h, p, err := net.SplitHostPort(listen)
		if err != nil {
			return listen, ""
		}
		if host != "" {
			h = host
		} else if h == "" || h == "0.0.0.0" || h == "::" {
			h = "localhost"
		}
		return h, p
	}
	db := func(l config.RouteLogin) string {
		if database != "" {
			return database
		}
		return l.Database
	}
	user := url.UserPassword(name, secret)
	// A protocol is shown when bulwark serves it and the route has an
	// account for it (without a configuration, both are shown).
	known := len(cfg.Routes) > 0
	if cfg.Upstream.Postgres.Address != "" && (!known || r.Postgres.User != "") {
		h, p := endpoint(cfg.Listen.Postgres)
		sslmode := "disable"
		if cfg.TLS.CertFile != "" {
			sslmode = "verify-full"
		}
		u := url.URL{Scheme: "postgres", User: user, Host: net.JoinHostPort(h, p), Path: "/" + db(r.Postgres), RawQuery: "sslmode=" + sslmode}
		fmt.Fprintf(w, "\nPostgreSQL:\n  %s\n", u.String())
		fmt.Fprintf(w, "  DATABASE_URL='%s'\n  PGHOST=%s PGPORT=%s PGUSER=%s PGPASSWORD=%s PGDATABASE=%s PGSSLMODE=%s\n",
			u.String(), h, p, name, secret, db(r.Postgres), sslmode)
	}
	if cfg.Upstream.MySQL.Address != "" && (!known || r.MySQL.User != "") {
		h, p := endpoint(cfg.Listen.MySQL)
		u := url.URL{Scheme: "mysql", User: user, Host: net.JoinHostPort(h, p), Path: "/" + db(r.MySQL)}
		fmt.Fprintf(w, "\nMySQL:\n  %s\n", u.String())
		fmt.Fprintf(w, "  MYSQL_HOST=%s MYSQL_TCP_PORT=%s MYSQL_USER=%s MYSQL_PWD=%s MYSQL_DATABASE=%s\n", h, p, name, secret, db(r.MySQL))
	}
}

func newIdentitiesListCmd(o *identitiesOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List identities (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return &exitError{code: exitUsage, err: fmt.Errorf("--format must be table or json, not %q", format)}
			}
			_, st, err := o.load()
			if err != nil {
				return err
			}
			defer st.Close()
			ids, err := st.Identities(cmd.Context())
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			if format == "json" {
				if ids == nil {
					ids = []audit.Identity{}
				}
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(ids)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tKIND\tROUTE\tCREATED\tSECRET ISSUED\tCERTIFICATE\tSTATE")
			for _, id := range ids {
				state := "active"
				if id.Revoked != nil {
					state = "revoked " + id.Revoked.Format(time.RFC3339)
				}
				cert := id.CertSubject
				if cert == "" {
					cert = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id.Name, id.Kind, id.Route,
					id.Created.Format(time.RFC3339), id.Changed.Format(time.RFC3339), cert, state)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output `format`: table or json")
	return cmd
}

func newIdentitiesRotateCmd(o *identitiesOptions) *cobra.Command {
	var host, database string
	cmd := &cobra.Command{
		Use:   "rotate NAME",
		Short: "Issue a new secret; the old one stops working and its sessions are ended",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, st, err := o.load()
			if err != nil {
				return err
			}
			defer st.Close()
			var route string
			ids, err := st.Identities(cmd.Context())
			if err != nil {
				return err
			}
			for _, id := range ids {
				if id.Name == args[0] {
					route = id.Route
				}
			}
			secret, v, err := newSecret()
			if err != nil {
				return err
			}
			if err := st.RotateIdentity(cmd.Context(), args[0], v); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "identity %s has a new secret; the old one no longer works.\n", args[0])
			printConnection(cmd.OutOrStdout(), cfg, cfg.Routes[route], args[0], secret, host, database)
			return nil
		},
	}
	connectionFlags(cmd, &host, &database)
	return cmd
}

func newIdentitiesRevokeCmd(o *identitiesOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke NAME",
		Short: "Revoke an identity: its sessions end within a second and it cannot log in again",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, st, err := o.load()
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.RevokeIdentity(cmd.Context(), args[0]); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "identity %s revoked.\n", args[0])
			return nil
		},
	}
}
