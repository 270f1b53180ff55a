package mysql

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	driver "github.com/pingcap/tidb/pkg/parser/test_driver"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// binlogOff judges a session setting that switches off one of the server's
// own safeguards. sql_log_bin = 0 keeps the session's changes out of the
// binary log: replicas never see them, and a point-in-time recovery, the
// way back from a destructive statement, cannot replay them. Setting it
// back to 1 (ON, TRUE, DEFAULT) stays allowed.
func (w *walker) binlogOff(v *ast.VariableAssignment) {
	if !v.IsSystem || !strings.EqualFold(v.Name, "sql_log_bin") {
		return
	}
	w.literalSensitive = true // 1 and 0 share a cache key
	if binlogOn(v.Value) {
		return
	}
	w.add(sqlparse.CategoryUnanalysable, RuleDisableSafeguard, "sql_log_bin",
		"SET sql_log_bin = 0 keeps this session's changes out of the binary log: replicas would never get them, and a point-in-time recovery, the way back from a destructive change, could not replay them")
}

// binlogOn: the value is 1, ON, TRUE or DEFAULT, written as a constant.
func binlogOn(n ast.ExprNode) bool {
	switch e := n.(type) {
	case *ast.DefaultExpr:
		return true
	case *ast.ParenthesesExpr:
		return binlogOn(e.Expr)
	case *driver.ValueExpr:
		switch e.Kind() {
		case driver.KindInt64:
			return e.GetInt64() == 1
		case driver.KindUint64:
			return e.GetUint64() == 1
		case driver.KindString, driver.KindBytes:
			s := strings.ToUpper(strings.TrimSpace(e.GetString()))
			return s == "ON" || s == "1"
		}
	}
	return false
}
