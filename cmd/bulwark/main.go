// Command bulwark is a database firewall for AI agents: a PostgreSQL and
// MySQL/MariaDB wire-protocol proxy that refuses (or snapshots, then runs)
// the statements that destroy data when the client is an agent, records
// every decision, and lets humans through.
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
		Long:          "bulwark sits between AI agents and PostgreSQL or MySQL/MariaDB. It parses every statement an agent\nsends and refuses DROP, TRUNCATE and DELETE/UPDATE that reach every row (or, where the policy says so,\nlets them run after a snapshot that a DBA can restore), recording each decision in an audit log.\nAgents log in with identities of bulwark's own; human sessions pass through untouched.",
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
