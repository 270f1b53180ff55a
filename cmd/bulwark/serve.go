package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/bulwarkdb/bulwark/config"
	"github.com/bulwarkdb/bulwark/proxy"
)

func newServeCmd() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "serve -c bulwark.yaml",
		Short: "Run the proxy",
		Long: `Run the proxy in front of the database servers named in the configuration.

Agents connect to bulwark's listen address (default 127.0.0.1:6432) with an ordinary
connection string. Logins of the identities created with 'bulwark identities' are checked by
bulwark itself; every other login is relayed to the upstream server. bulwark stops cleanly on
SIGINT or SIGTERM, and re-reads its configuration on SIGHUP without dropping sessions.`,
		Example: "  bulwark serve -c /etc/bulwark/bulwark.yaml",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(file)
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			log := newLogger(cfg.Log)
			srv, err := proxy.New(cfg, log)
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			go reloadOnHangup(ctx, file, srv, log)
			if err := srv.Serve(ctx); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "config", "c", "bulwark.yaml", "configuration file")
	return cmd
}

// reloadOnHangup re-reads the configuration on every SIGHUP and applies it
// to the running proxy; a file with errors is reported and changes nothing.
func reloadOnHangup(ctx context.Context, file string, srv *proxy.Server, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			cfg, err := config.Load(file)
			if err == nil {
				_, err = srv.Reload(cfg)
			}
			if err != nil {
				log.Error("configuration not reloaded", "err", err)
			}
		}
	}
}

// newLogger builds the process logger: JSON for machines, text on request.
func newLogger(c config.Log) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(strings.ToUpper(c.Level)))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "text" {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "bulwark", version)
		},
	}
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"
