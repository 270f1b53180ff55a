package proxy

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayering holds the import rules of the design: protocol engines see
// decisions, never syntax trees or the audit store; policy and analysis
// never see the proxy; policy does not reach into a dialect parser;
// snapshots know SQL and catalogs, never a protocol.
func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Deps \" \"}}", "github.com/bulwarkdb/bulwark/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/bulwarkdb/bulwark/"
	forbidden := []struct{ from, to string }{
		{"proxy/pgwire", "sqlparse"}, {"proxy/pgwire", "audit"}, {"proxy/pgwire", "rules"},
		{"proxy/gate", "sqlparse"}, {"proxy/gate", "audit"}, {"proxy/gate", "rules"},
		{"proxy/mysqlwire", "sqlparse"}, {"proxy/mysqlwire", "audit"}, {"proxy/mysqlwire", "rules"},
		{"proxy/engine", "sqlparse"}, {"proxy/engine", "audit"}, {"proxy/engine", "rules"},
		{"rules", "proxy"}, {"sqlparse", "proxy"}, {"audit", "proxy"}, {"sqlparse", "rules"},
		{"rules", "sqlparse/postgres"}, {"rules", "audit"},
		// Snapshots: SQL and catalogs, no protocol; engines see only the
		// plan in a verdict. Verifiers are a leaf.
		{"snapshot", "proxy"}, {"proxy/gate", "snapshot"}, {"proxy/pgwire", "snapshot"}, {"proxy/mysqlwire", "snapshot"},
		{"credential", "proxy"}, {"credential", "audit"},
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], mod)
		for _, dep := range fields[1:] {
			if !strings.HasPrefix(dep, mod) {
				continue
			}
			dep = strings.TrimPrefix(dep, mod)
			for _, f := range forbidden {
				if (pkg == f.from || strings.HasPrefix(pkg, f.from+"/")) && (dep == f.to || strings.HasPrefix(dep, f.to+"/")) {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
}

// TestSingleDialectBuilds holds what the dialect build tags are for: a
// build without one protocol links neither its engine nor its SQL parser
// nor its client library.
func TestSingleDialectBuilds(t *testing.T) {
	for _, b := range []struct {
		tag       string
		forbidden []string
	}{
		{"bulwark_no_mysql", []string{
			"github.com/bulwarkdb/bulwark/proxy/mysqlwire", "github.com/bulwarkdb/bulwark/sqlparse/mysql",
			"github.com/pingcap/tidb/pkg/parser", "github.com/go-mysql-org/go-mysql/mysql",
		}},
		{"bulwark_no_postgres", []string{
			"github.com/bulwarkdb/bulwark/proxy/pgwire", "github.com/bulwarkdb/bulwark/sqlparse/postgres",
			"github.com/pganalyze/pg_query_go/v5", "github.com/jackc/pgx/v5/pgconn",
		}},
	} {
		out, err := exec.Command("go", "list", "-tags", b.tag, "-deps", "github.com/bulwarkdb/bulwark/cmd/bulwark").Output()
		if err != nil {
			t.Fatalf("go list -tags %s: %v", b.tag, err)
		}
		deps := map[string]bool{}
		for _, d := range strings.Fields(string(out)) {
			deps[d] = true
		}
		if !deps["github.com/bulwarkdb/bulwark/proxy"] {
			t.Fatalf("-tags %s: go list did not list the proxy package; the check below would prove nothing", b.tag)
		}
		for _, f := range b.forbidden {
			if deps[f] {
				t.Errorf("-tags %s: cmd/bulwark still depends on %s", b.tag, f)
			}
		}
	}
}
