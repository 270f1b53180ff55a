//go:build !bulwark_no_mysql

package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bulwarkdb/bulwark/config"
)

// TestMySQLOnlyBuild builds bulwark with -tags bulwark_no_postgres (what
// `make build-mysql` ships) and runs that real binary in front of the test
// MariaDB: an agent's DROP is refused and the table stays, other statements
// run, and whatever asks for PostgreSQL is refused with the build tag named.
// (The PostgreSQL-only build runs the whole PostgreSQL suite: make test.)
func TestMySQLOnlyBuild(t *testing.T) {
	s := needMySQL(t)
	bin, err := buildBinaryWith(t.TempDir(), []string{"bulwark_no_postgres"})
	if err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var out bytes.Buffer
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("run %v: %v", args, err)
		}
		return out.String(), cmd.ProcessState.ExitCode()
	}

	t.Run("check and snapshots judge MySQL and refuse PostgreSQL", func(t *testing.T) {
		out, code := run("check", "DELETE FROM users WHERE 1")
		if code != 2 || !strings.Contains(out, "delete-always-true") {
			t.Errorf("check of a MySQL always-true DELETE: exit %d, %s", code, out)
		}
		out, code = run("check", "--dialect", "postgres", "SELECT 1")
		if code != 1 || !strings.Contains(out, "built without PostgreSQL support") || !strings.Contains(out, "bulwark_no_postgres") {
			t.Errorf("check --dialect postgres: exit %d, %s", code, out)
		}
		out, code = run("snapshots", "list", "--url", "postgres://u:p@127.0.0.1:1/db")
		if code != 1 || !strings.Contains(out, "built without PostgreSQL support") {
			t.Errorf("snapshots --url postgres://: exit %d, %s", code, out)
		}
	})

	base := func(t *testing.T) config.Config {
		cfg := config.Defaults()
		cfg.Listen.Postgres = ""
		cfg.Upstream.MySQL.Address = s.Addr
		cfg.Identity.Default = "agent"
		cfg.Identity.Humans.Users = []string{humanUser, s.SuperUser}
		cfg.Audit.Path = filepath.Join(t.TempDir(), "audit.db")
		cfg.Log.Format = "json"
		return cfg
	}

	t.Run("a PostgreSQL upstream is refused at start", func(t *testing.T) {
		cfg := base(t)
		cfg.Listen.MySQL = "127.0.0.1:0"
		cfg.Listen.Postgres = "127.0.0.1:0"
		cfg.Upstream.Postgres.Address = "127.0.0.1:5432"
		out, code := run("serve", "-c", writeConfig(t, cfg))
		if code != 1 || !strings.Contains(out, "upstream.postgres.address") || !strings.Contains(out, "bulwark_no_postgres") {
			t.Errorf("serve with a PostgreSQL upstream: exit %d, %s", code, out)
		}
	})

	t.Run("an agent's DROP is refused through the real binary", func(t *testing.T) {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		cfg := base(t)
		cfg.Listen.MySQL = fmt.Sprintf("127.0.0.1:%d", port)
		cmd := exec.Command(bin, "serve", "-c", writeConfig(t, cfg))
		logs := &syncBuffer{}
		cmd.Stderr = logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			if err := cmd.Wait(); err != nil {
				t.Errorf("bulwark serve did not exit cleanly: %v\n%s", err, logs.String())
			}
		})
		addr := cfg.Listen.MySQL
		waitAccepting(t, addr, 30*time.Second, logs)

		checksum := myFreshTable(t, "mysql_only_build")
		before := checksum()
		db := openMySQL(t, mysqlDSN(addr, agentUser, myPasswordOf(agentUser), testDatabase))
		_, err = db.ExecContext(testCtx(t), "DROP TABLE mysql_only_build")
		requireMyRefused(t, err, "drop-object")
		if got := checksum(); got != before || !myTableExists(t, "mysql_only_build") {
			t.Fatalf("the refused DROP changed the table: %q -> %q", before, got)
		}
		var n int
		if err := db.QueryRowContext(testCtx(t), "SELECT COUNT(*) FROM mysql_only_build WHERE id <= 10").Scan(&n); err != nil || n != 10 {
			t.Fatalf("an agent's SELECT through the MySQL-only build: %d, %v", n, err)
		}
	})
}
