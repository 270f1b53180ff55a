package proxy

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bulwarkdb/bulwark/config"
)

// TestDialectsOfThisBuild runs in every build (default, bulwark_no_mysql,
// bulwark_no_postgres): a dialect the build has works, one it leaves out is
// refused with the build tag named, by `check` and by the proxy alike,
// before anything is opened.
func TestDialectsOfThisBuild(t *testing.T) {
	built := Dialects()
	if len(built) == 0 {
		t.Fatal("this build has no dialect at all")
	}
	for _, name := range []string{"postgres", "mysql"} {
		an, err := NewAnalyzer(name)
		if slices.Contains(built, name) {
			if err != nil || an == nil {
				t.Errorf("%s is built in, but NewAnalyzer says %v", name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "bulwark_no_"+name) {
			t.Errorf("%s is left out, but NewAnalyzer says %v; want an error naming the build tag", name, err)
		}

		cfg := config.Defaults()
		cfg.Audit.Path = filepath.Join(t.TempDir(), "audit.db")
		cfg.Listen.Postgres, cfg.Listen.MySQL = "127.0.0.1:0", "127.0.0.1:0"
		cfg.Upstream.Postgres.Address, cfg.Upstream.MySQL.Address = "", ""
		if name == "postgres" {
			cfg.Upstream.Postgres.Address = "127.0.0.1:5432"
		} else {
			cfg.Upstream.MySQL.Address = "127.0.0.1:3306"
		}
		srv, err := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err == nil {
			srv.closeListeners()
			t.Fatalf("a configuration with a %s upstream started a build without %s", name, name)
		}
		if _, statErr := os.Stat(cfg.Audit.Path); statErr == nil {
			t.Errorf("the refused configuration still created the audit database")
		}
		for _, want := range []string{"upstream." + name + ".address", "built without", "bulwark_no_" + name} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
	}
	if _, err := NewAnalyzer("oracle"); err == nil || !strings.Contains(err.Error(), "unknown dialect") {
		t.Errorf("NewAnalyzer(oracle) = %v, want an unknown dialect error", err)
	}
}
