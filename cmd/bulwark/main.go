// Command bulwark is a database firewall for AI agents: a PostgreSQL
// wire-protocol proxy that refuses the statements that destroy data when the
// client is an agent, records every refusal, and lets humans through.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// Exit codes scripts can rely on.
const (
	exitOK      = 0
	exitUsage   = 1 // bad flags, bad config, I/O failure
	exitRefused = 2 // bulwark check: the statement would be refused
)

// exitError carries an exit status through cobra's error return.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func main() {
	root := &cobra.Command{
		Use:           "bulwark",
		Short:         "A database firewall for AI agents",
		Long:          "bulwark sits between AI agents and PostgreSQL. It parses every statement an agent sends and refuses\nDROP, TRUNCATE and DELETE/UPDATE that reach every row, recording each refusal in an audit log.\nHuman sessions pass through untouched.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServeCmd(), newCheckCmd(), newAuditCmd(), newSnapshotsCmd(), newIdentitiesCmd(), newVersionCmd())
	if err := root.Execute(); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.err != nil && ee.code != exitRefused {
				fmt.Fprintln(os.Stderr, "bulwark:", ee.err)
			}
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "bulwark:", err)
		os.Exit(exitUsage)
	}
}
