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
		Long: `Run the proxy in front of the PostgreSQL server named in the configuration.

Agents connect to bulwark's listen address (default 127.0.0.1:6432) with an ordinary
connection string; authentication is relayed to the upstream server. bulwark stops
cleanly on SIGINT or SIGTERM.`,
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
			if err := srv.Serve(ctx); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "config", "c", "bulwark.yaml", "configuration file")
	return cmd
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
