package mysql

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	driver "github.com/pingcap/tidb/pkg/parser/test_driver"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// recordSetting is a session setting that keeps the session's changes out
// of a record the server keeps of them: the binary log, which replicas
// apply and a point-in-time recovery (the way back from a destructive
// change) replays, or the general query log, which sites keep as an audit
// trail.
type recordSetting struct {
	// keeps reports whether a value leaves the record whole.
	keeps func(ast.ExprNode) bool
	// reason says what any other value does.
	reason string
}

var recordSettings = map[string]recordSetting{
	"sql_log_bin":             {isOn, "SET sql_log_bin = 0 keeps this session's changes out of the binary log: replicas would never get them, and a point-in-time recovery, the way back from a destructive change, could not replay them"},
	"server_id":               {isDefault, "SET SESSION server_id stamps this session's changes in the binary log with another server's id: the replica of that id discards them, so its copy of the data drifts from this one"},
	"skip_replication":        {isOff, "SET skip_replication = 1 marks this session's changes in the binary log for replicas to skip"},
	"gtid_domain_id":          {isDefault, "SET gtid_domain_id moves this session's changes to another replication domain, which replicas may be set to ignore"},
	"gtid_seq_no":             {isDefault, "SET gtid_seq_no gives this session's next change a chosen place in the replication stream, where replicas may take it for one they already applied"},
	"sql_log_off":             {isOff, "SET sql_log_off = 1 keeps this session's statements out of the general query log, which may be the site's audit trail"},
	"log_disabled_statements": {isDefault, "SET log_disabled_statements keeps kinds of this session's statements (those run inside stored procedures, with 'sp') out of the general query log, which may be the site's audit trail"},
}

// recordOff judges a session setting that keeps the session's changes out
// of the server's records (see recordSettings). Putting one back (sql_log_bin
// = 1, DEFAULT) stays allowed.
func (w *walker) recordOff(v *ast.VariableAssignment) {
	s, ok := recordSettings[strings.ToLower(v.Name)]
	if !v.IsSystem || !ok {
		return
	}
	w.literalSensitive = true // 1 and 0 share a cache key
	if !s.keeps(v.Value) {
		w.add(sqlparse.CategoryUnanalysable, RuleDisableSafeguard, strings.ToLower(v.Name), s.reason)
	}
}

// isOn: the value is 1, ON, TRUE or DEFAULT, written as a constant.
func isOn(n ast.ExprNode) bool { return isDefault(n) || switchValue(n) == "1" }

// isOff: the value is 0, OFF, FALSE or DEFAULT, written as a constant.
func isOff(n ast.ExprNode) bool { return isDefault(n) || switchValue(n) == "0" }

func isDefault(n ast.ExprNode) bool {
	_, ok := unparen(n).(*ast.DefaultExpr)
	return ok
}

// switchValue reads an on/off constant as "1" or "0", and anything else as
// "".
func switchValue(n ast.ExprNode) string {
	switch e := unparen(n).(type) {
	case *ast.ColumnNameExpr: // SET x = OFF
		if e.Name.Table.L == "" && e.Name.Name.L == "off" {
			return "0"
		}
	case *driver.ValueExpr:
		switch e.Kind() {
		case driver.KindInt64:
			return map[int64]string{0: "0", 1: "1"}[e.GetInt64()]
		case driver.KindUint64:
			return map[uint64]string{0: "0", 1: "1"}[e.GetUint64()]
		case driver.KindString, driver.KindBytes:
			return map[string]string{"ON": "1", "1": "1", "OFF": "0", "0": "0"}[strings.ToUpper(strings.TrimSpace(e.GetString()))]
		}
	}
	return ""
}
