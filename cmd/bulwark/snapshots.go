package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bulwarkdb/bulwark/config"
	"github.com/bulwarkdb/bulwark/proxy"
	"github.com/bulwarkdb/bulwark/snapshot"
)

// exitConflict: `bulwark snapshots restore` refused to overwrite something.
const exitConflict = 3

// urlEnv names the environment variable that can hold --url, so that the
// password stays out of the process list and shell history.
const urlEnv = "BULWARK_DATABASE_URL"

func newSnapshotsCmd() *cobra.Command {
	var dbURL string
	cmd := &cobra.Command{
		Use:   "snapshots",
		Short: "List, inspect, restore and purge the snapshots bulwark took",
		Long: `Snapshots are what bulwark preserved before letting an agent's DROP, TRUNCATE, DELETE or
UPDATE run (policy action "snapshot"). They live in the protected database itself: each one in a
schema (PostgreSQL) or database (MySQL) named bulwark_recycle_<id>, described by a row of the
catalog table bulwark_recycle.snapshots.

These commands connect to the database directly, not through bulwark, as a role that may create,
alter and drop tables there (a DBA's). Give its URL with --url or in ` + urlEnv + `:
  postgres://USER:PASSWORD@HOST:5432/DATABASE     mysql://USER:PASSWORD@HOST:3306/DATABASE
On MySQL the catalog covers every database of the server.`,
	}
	cmd.PersistentFlags().StringVar(&dbURL, "url", "", "database `URL` (default: $"+urlEnv+")")
	open := func(ctx context.Context) (snapshot.Catalog, func(), error) {
		u := dbURL
		if u == "" {
			u = os.Getenv(urlEnv)
		}
		if u == "" {
			return nil, nil, &exitError{code: exitUsage, err: errors.New("no database: give --url or set " + urlEnv)}
		}
		return openCatalog(ctx, u)
	}
	cmd.AddCommand(newSnapshotsListCmd(open), newSnapshotsShowCmd(open), newSnapshotsRestoreCmd(open), newSnapshotsPurgeCmd(open))
	return cmd
}

type catalogOpener func(ctx context.Context) (snapshot.Catalog, func(), error)

// urlSchemes maps the schemes --url accepts to their dialect.
var urlSchemes = map[string]string{"postgres": "postgres", "postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql"}

// closableCatalog is a catalog on a connection of its own.
type closableCatalog interface {
	snapshot.Catalog
	Close() error
}

// catalogOpeners connect to a database's snapshot catalog, by dialect; each
// dialect's file registers its own (catalog_postgres.go, catalog_mysql.go),
// so that a single-protocol build links one client library.
var catalogOpeners = map[string]func(ctx context.Context, url string) (closableCatalog, error){}

// openCatalog connects to the database a URL names.
func openCatalog(ctx context.Context, raw string) (snapshot.Catalog, func(), error) {
	usage := func(err error) error { return &exitError{code: exitUsage, err: err} }
	u, err := url.Parse(raw)
	if err != nil {
		return nil, nil, usage(errors.New("invalid --url: it must look like postgres://user:password@host:port/database or mysql://user:password@host:port/database"))
	}
	dialect, ok := urlSchemes[u.Scheme]
	if !ok {
		return nil, nil, usage(fmt.Errorf("invalid --url: unknown scheme %q (want postgres:// or mysql://)", u.Scheme))
	}
	open, ok := catalogOpeners[dialect]
	if !ok {
		return nil, nil, usage(fmt.Errorf("invalid --url: %w", proxy.Supports(dialect)))
	}
	cat, err := open(ctx, raw)
	if err != nil {
		return nil, nil, usage(fmt.Errorf("connect to %s: %w", u.Redacted(), err))
	}
	return cat, func() { _ = cat.Close() }, nil
}

func newSnapshotsListCmd(open catalogOpener) *cobra.Command {
	var (
		since, user, operation, object, format string
		event                                  int64
		all                                    bool
		limit                                  int
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List snapshots, newest first",
		Example: `  bulwark snapshots list --url postgres://dba@db:5432/app
  bulwark snapshots list --since 24h --user ci_agent --format json
  bulwark snapshots list --object public.orders --all`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !slices.Contains(snapshot.Formats, format) {
				return &exitError{code: exitUsage, err: fmt.Errorf("invalid --format %q: want one of %s", format, strings.Join(snapshot.Formats, ", "))}
			}
			t, err := parseSince(since, time.Now())
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			cat, done, err := open(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			es, err := cat.List(cmd.Context(), snapshot.Filter{Since: t, User: user, Operation: operation, Object: object, Event: event, All: all, Limit: limit})
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			return snapshot.Write(cmd.OutOrStdout(), es, format)
		},
	}
	f := cmd.Flags()
	f.StringVar(&since, "since", "", "only snapshots taken at or after this `time` (1h, 7d, 2025-06-01, RFC3339)")
	f.StringVar(&user, "user", "", "only snapshots of this database `user`")
	f.StringVar(&operation, "operation", "", "only this `operation`: drop, truncate, delete or update")
	f.StringVar(&object, "object", "", "only snapshots of this `object` (name or schema.name)")
	f.Int64Var(&event, "event", 0, "only snapshots taken for this audit `event` id")
	f.BoolVar(&all, "all", false, "include snapshots already restored or purged")
	f.IntVar(&limit, "limit", 100, "show at most this many; 0 shows all")
	f.StringVar(&format, "format", "table", "output `format`: "+strings.Join(snapshot.Formats, ", "))
	return cmd
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, &exitError{code: exitUsage, err: fmt.Errorf("invalid snapshot id %q: want the number in the ID column of bulwark snapshots list", s)}
	}
	return id, nil
}

func newSnapshotsShowCmd(open catalogOpener) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one snapshot in full",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSnapshot(cmd.Context(), open, args[0], func(cat snapshot.Catalog, id int64) error {
				return show(cmd, cat, id, format)
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output `format`: text or json")
	return cmd
}

// withSnapshot parses a snapshot id and opens the catalog for run.
func withSnapshot(ctx context.Context, open catalogOpener, arg string, run func(snapshot.Catalog, int64) error) error {
	id, err := parseID(arg)
	if err != nil {
		return err
	}
	cat, done, err := open(ctx)
	if err != nil {
		return err
	}
	defer done()
	return run(cat, id)
}

func show(cmd *cobra.Command, cat snapshot.Catalog, id int64, format string) error {
	e, err := cat.Get(cmd.Context(), id)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if format == "json" {
		return snapshot.Write(cmd.OutOrStdout(), []snapshot.Entry{e}, "json")
	}
	return snapshot.Show(cmd.OutOrStdout(), e)
}

func newSnapshotsRestoreCmd(open catalogOpener) *cobra.Command {
	var as string
	cmd := &cobra.Command{
		Use:   "restore ID",
		Short: "Put a snapshot back: the table or schema, or the rows",
		Long: `Put a snapshot back where it came from, in one transaction.

A table or schema that was dropped is moved back under its name. Rows copied before a TRUNCATE or
DELETE are inserted again where they are missing; rows copied before an UPDATE get their old values
back (matched by primary key). Nothing is overwritten: if a table of that name exists again, or
rows with the same key now hold other values, the restore is refused (exit status 3) and nothing
changes. Give --as NEW_NAME to restore beside what exists now instead.`,
		Example: `  bulwark snapshots restore 42
  bulwark snapshots restore 42 --as orders_before_agent`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSnapshot(cmd.Context(), open, args[0], func(cat snapshot.Catalog, id int64) error {
				return restoreSnapshot(cmd, cat, id, as)
			})
		},
	}
	cmd.Flags().StringVar(&as, "as", "", "restore under this `name` instead of the original one")
	return cmd
}

func restoreSnapshot(cmd *cobra.Command, cat snapshot.Catalog, id int64, as string) error {
	res, err := cat.Restore(cmd.Context(), id, as)
	if errors.Is(err, snapshot.ErrConflict) {
		return &exitError{code: exitConflict, err: err}
	}
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	fmt.Fprintf(cmd.OutOrStdout(), "restored snapshot %d (%s %s %s) to %s: %d rows\n", id, res.Entry.Operation,
		strings.ToLower(res.Entry.ObjectType), res.Entry.Object(), res.Target, res.Rows)
	return nil
}

func newSnapshotsPurgeCmd(open catalogOpener) *cobra.Command {
	var olderThan string
	cmd := &cobra.Command{
		Use:   "purge --older-than DURATION",
		Short: "Drop snapshots older than a duration",
		Long: `Drop the snapshots taken more than DURATION ago (and not restored), freeing their space. Their
catalog rows stay, marked purged, so that the history remains. snapshot.retention in the
configuration does the same automatically whenever a new snapshot is taken.`,
		Example: `  bulwark snapshots purge --older-than 30d`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if olderThan == "" {
				return &exitError{code: exitUsage, err: errors.New("--older-than is required (e.g. 30d, 12h)")}
			}
			d, err := config.ParseDuration(olderThan)
			if err != nil || d <= 0 {
				return &exitError{code: exitUsage, err: fmt.Errorf("invalid --older-than %q: want a positive duration (12h, 30d)", olderThan)}
			}
			cat, done, err := open(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			purged, err := cat.Purge(cmd.Context(), time.Now().Add(-d))
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			for _, e := range purged {
				fmt.Fprintf(cmd.OutOrStdout(), "purged snapshot %d (%s %s, taken %s)\n", e.ID, e.Operation, e.Object(), e.TakenAt.UTC().Format(time.RFC3339))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d snapshots purged\n", len(purged))
			return nil
		},
	}
	cmd.Flags().StringVar(&olderThan, "older-than", "", "purge snapshots taken longer ago than this `duration` (12h, 30d)")
	return cmd
}
