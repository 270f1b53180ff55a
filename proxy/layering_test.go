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
