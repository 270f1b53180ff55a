package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bulwarkdb/bulwark/audit"
	"github.com/bulwarkdb/bulwark/config"
)

// defaultAuditPath is where `bulwark audit` looks when neither --db nor
// --config says otherwise; it matches the default of audit.path.
const defaultAuditPath = "bulwark-audit.db"

// defaultAuditLimit keeps an unfiltered listing of a large log readable.
const defaultAuditLimit = 100

// auditOptions holds the flags of `bulwark audit`.
type auditOptions struct {
	configFile string
	db         string
	since      string
	user       string
	rule       string
	action     string
	limit      int
	format     string
}

// newAuditCmd builds `bulwark audit`, the auditor's read-only view of the
// refusals the proxy recorded.
func newAuditCmd() *cobra.Command {
	var o auditOptions
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "List bulwark's decisions: refusals, snapshots, failed logins",
		Long: `List the refusals recorded in bulwark's audit log, newest first.

Every statement bulwark refuses is recorded before the agent is told, with the
time, session, client address, database, user, application, the statement's
full text, the rule that matched and the reason given. So is every statement let run
after a snapshot (action snapshot) and every failed login of an agent identity (rule
login-failed). This command reads that log; it opens the file read-only, so it is safe
to run while bulwark serves.

The log file is found, in order of precedence, from --db, from audit.path in
the file given with --config, or else ./` + defaultAuditPath + `.

--since takes a duration meaning "that long ago" (90s, 30m, 1h, 7d), an
RFC3339 time (2025-06-01T09:00:00Z, 2025-06-01T11:00:00+02:00) or a date
(2025-06-01, read as midnight UTC). Times in the output are UTC.

--user, --rule and --action match exactly and are case sensitive. Rule names
are the ones shown in the RULE column (for example drop-object).

The table format shortens statements to fit a terminal; json and csv carry
every field in full, for scripts and spreadsheets.`,
		Example: `  # The latest refusals, using the audit path from the configuration
  bulwark audit -c /etc/bulwark/bulwark.yaml

  # Everything the user ci_agent had refused in the last 24 hours
  bulwark audit --db /var/lib/bulwark/audit.db --since 24h --user ci_agent --limit 0

  # Refusals of DROP statements since a given day, as CSV for a spreadsheet
  bulwark audit --since 2025-06-01 --rule drop-object --limit 0 --format csv > drops.csv

  # The full record of the newest refusal, as JSON
  bulwark audit --limit 1 --format json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &exitError{code: exitUsage, err: fmt.Errorf("audit takes no arguments, got %q (filters are flags: see bulwark audit --help)", args)}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAudit(cmd, o)
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: exitUsage, err: err}
	})
	f := cmd.Flags()
	f.StringVarP(&o.configFile, "config", "c", "", "read the audit log path (audit.path) from this configuration `file`")
	f.StringVar(&o.db, "db", "", "audit log `path`; overrides --config (default: audit.path of --config, else ./"+defaultAuditPath+")")
	f.StringVar(&o.since, "since", "", "only refusals at or after this `time`: a duration ago (1h, 30m, 7d), an RFC3339 time, or a date YYYY-MM-DD (UTC)")
	f.StringVar(&o.user, "user", "", "only refusals of this database `user` (exact match)")
	f.StringVar(&o.rule, "rule", "", "only refusals by this `rule` (exact match, e.g. drop-object)")
	f.StringVar(&o.action, "action", "", "only refusals with this `action` (exact match, e.g. block)")
	f.IntVar(&o.limit, "limit", defaultAuditLimit, "show at most this many refusals, newest first; 0 shows all")
	f.StringVar(&o.format, "format", audit.Formats[0], "output `format`: "+strings.Join(audit.Formats, ", "))
	return cmd
}

// runAudit checks every flag before touching the file, so that a typo is
// reported as such rather than as a database error.
func runAudit(cmd *cobra.Command, o auditOptions) error {
	usage := func(err error) error { return &exitError{code: exitUsage, err: err} }

	format := strings.ToLower(strings.TrimSpace(o.format))
	if !slices.Contains(audit.Formats, format) {
		return usage(fmt.Errorf("invalid --format %q: want one of %s", o.format, strings.Join(audit.Formats, ", ")))
	}
	if o.limit < 0 {
		return usage(fmt.Errorf("invalid --limit %d: want 0 (all) or a positive number", o.limit))
	}
	since, err := parseSince(o.since, time.Now())
	if err != nil {
		return usage(err)
	}

	path := defaultAuditPath
	if o.configFile != "" {
		cfg, err := config.Load(o.configFile)
		if err != nil {
			return usage(fmt.Errorf("config: %w", err))
		}
		path = cfg.Audit.Path
	}
	if cmd.Flags().Changed("db") {
		if o.db == "" {
			return usage(errors.New("--db needs a path"))
		}
		path = o.db
	}

	store, err := audit.OpenSQLiteReadOnly(path)
	if err != nil {
		return usage(err)
	}
	defer store.Close()

	events, err := store.List(cmd.Context(), audit.Filter{
		Since:  since,
		User:   o.user,
		Rule:   o.rule,
		Action: o.action,
		Limit:  o.limit,
	})
	if err != nil {
		return usage(err)
	}
	if err := audit.Write(cmd.OutOrStdout(), events, format); err != nil {
		return usage(fmt.Errorf("write output: %w", err))
	}
	// Only the table is for a person, who may not realise the listing was
	// cut; json and csv output is left exactly as asked for.
	if format == "table" && o.limit > 0 && len(events) == o.limit {
		fmt.Fprintf(cmd.ErrOrStderr(), "bulwark: showing the newest %d refusals; use --limit 0 to see all\n", o.limit)
	}
	return nil
}

// parseSince reads --since relative to now. An empty value means no lower
// bound (the zero time).
func parseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	bad := func(detail string) error {
		return fmt.Errorf("invalid --since %q: %s", s, detail)
	}
	// Days are not a Go duration unit, but "7d" is how people ask for a week.
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil {
			if n <= 0 {
				return time.Time{}, bad("the number of days must be positive")
			}
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, bad("a duration means that long ago and must be positive")
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil // midnight UTC, matching the UTC times the output shows
	}
	return time.Time{}, bad("want a duration ago (90s, 30m, 1h, 7d), an RFC3339 time (2025-06-01T09:00:00Z) or a date (2025-06-01)")
}
