package config

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	t.Run("an empty file needs only the upstream", func(t *testing.T) {
		_, err := Parse([]byte(""))
		if err == nil || !strings.Contains(err.Error(), "upstream.postgres.address") {
			t.Fatalf("want an error naming upstream.postgres.address, got %v", err)
		}
	})
	t.Run("defaults fill every other key", func(t *testing.T) {
		c, err := Parse([]byte("upstream:\n  postgres:\n    address: 127.0.0.1:5432\n"))
		if err != nil {
			t.Fatal(err)
		}
		if c.Listen.Postgres != "127.0.0.1:6432" || c.Identity.Default != "agent" || c.Policy.Drop != ActionBlock ||
			c.Limits.MaxStatementBytes != 16<<20 || c.Cache.Entries != 10000 {
			t.Fatalf("unexpected defaults: %+v", c)
		}
	})
	t.Run("snapshot is an action, overrides inherit, retention counts days", func(t *testing.T) {
		c, err := Parse([]byte("upstream: {postgres: {address: x:1}}\npolicy: {drop: snapshot, overrides: [{users: [etl_*], truncate: allow}]}\nsnapshot: {retention: 7d, max_bytes: 10GiB}\n"))
		if err != nil {
			t.Fatal(err)
		}
		o := c.Policy.Overrides[0]
		if c.Policy.Drop != ActionSnapshot || o.Truncate != ActionAllow || o.Drop != "" || c.Snapshot.MaxBytes != 10<<30 {
			t.Fatalf("got %+v", c.Policy)
		}
		if d, _ := ParseDuration(c.Snapshot.Retention); d != 7*24*time.Hour {
			t.Fatalf("retention %s", d)
		}
	})
	t.Run("sizes take units", func(t *testing.T) {
		c, err := Parse([]byte("upstream: {postgres: {address: x:1}}\nlimits: {max_statement_bytes: 512KiB, max_request_bytes: 2MB}\n"))
		if err != nil {
			t.Fatal(err)
		}
		if c.Limits.MaxStatementBytes != 512<<10 || c.Limits.MaxRequestBytes != 2<<20 {
			t.Fatalf("got %d / %d", c.Limits.MaxStatementBytes, c.Limits.MaxRequestBytes)
		}
	})
	bad := []struct{ name, yaml, want string }{
		{"a misspelt key is an error", "upstream: {postgres: {address: x:1}}\npolicy: {dorp: allow}\n", "dorp"},
		{"an unknown action is an error", "upstream: {postgres: {address: x:1}}\npolicy: {drop: shelve}\n", "policy.drop"},
		{"what cannot be analysed cannot be snapshotted", "upstream: {postgres: {address: x:1}}\npolicy: {unanalysable: snapshot}\n", "policy.unanalysable"},
		{"an override must say whom it applies to", "upstream: {postgres: {address: x:1}}\npolicy: {overrides: [{drop: allow}]}\n", "policy.overrides[0]"},
		{"an override's actions are checked", "upstream: {postgres: {address: x:1}}\npolicy: {overrides: [{users: [etl], truncate: maybe}]}\n", "policy.overrides[0].truncate"},
		{"a bad retention is an error", "upstream: {postgres: {address: x:1}}\nsnapshot: {retention: forever}\n", "snapshot.retention"},
		{"an unknown default kind is an error", "upstream: {postgres: {address: x:1}}\nidentity: {default: robot}\n", "identity.default"},
		{"a bad glob is an error", "upstream: {postgres: {address: x:1}}\nidentity: {agents: {users: ['[']}}\n", "identity.agents.users"},
		{"a bad size is an error", "upstream: {postgres: {address: x:1}}\nlimits: {max_statement_bytes: lots}\n", "bad size"},
		{"a bad duration is an error", "upstream: {postgres: {address: x:1}}\nlimits: {handshake_timeout: soon}\n", "limits.handshake_timeout"},
		{"limits must nest", "upstream: {postgres: {address: x:1}}\nlimits: {max_statement_bytes: 1GiB, max_request_bytes: 1MiB}\n", "max_request_bytes"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want error containing %q, got %v", c.want, err)
			}
		})
	}
	t.Run("all problems are reported at once", func(t *testing.T) {
		_, err := Parse([]byte("identity: {default: robot}\nlog: {format: xml}\n"))
		if err == nil || !strings.Contains(err.Error(), "identity.default") || !strings.Contains(err.Error(), "log.format") ||
			!strings.Contains(err.Error(), "upstream.postgres.address") {
			t.Fatalf("got %v", err)
		}
	})
}

func TestByteSizeString(t *testing.T) {
	for in, want := range map[ByteSize]string{16 << 20: "16MiB", 64 << 10: "64KiB", 1 << 30: "1GiB", 1000: "1000"} {
		if got := in.String(); got != want {
			t.Errorf("%d: got %s, want %s", int64(in), got, want)
		}
	}
}
