package postgres

import (
	"reflect"
	"strings"
	"unicode"

	pg_query "github.com/pganalyze/pg_query_go/v5"
	"google.golang.org/protobuf/proto"
)

// commandOf names a top-level statement the way a DBA would read it in the
// audit log: "SELECT", "DROP TABLE", "ALTER TABLE".
func commandOf(n *pg_query.Node) string {
	if n == nil || n.Node == nil {
		return "EMPTY"
	}
	switch s := n.Node.(type) {
	case *pg_query.Node_DropStmt:
		return "DROP " + objectTypeName(s.DropStmt.RemoveType)
	case *pg_query.Node_AlterTableStmt:
		return "ALTER " + objectTypeName(s.AlterTableStmt.Objtype)
	case *pg_query.Node_TransactionStmt:
		return strings.TrimPrefix(s.TransactionStmt.Kind.String(), "TRANS_STMT_")
	case *pg_query.Node_CreateStmt:
		return "CREATE TABLE"
	case *pg_query.Node_ViewStmt:
		return "CREATE VIEW"
	case *pg_query.Node_DefineStmt:
		return "CREATE " + objectTypeName(s.DefineStmt.Kind)
	case *pg_query.Node_CreateTableAsStmt:
		return "CREATE TABLE AS"
	case *pg_query.Node_IndexStmt:
		return "CREATE INDEX"
	case *pg_query.Node_CreateTrigStmt:
		return "CREATE TRIGGER"
	case *pg_query.Node_RenameStmt:
		return "ALTER " + objectTypeName(s.RenameStmt.RenameType)
	case *pg_query.Node_AlterObjectSchemaStmt:
		return "ALTER " + objectTypeName(s.AlterObjectSchemaStmt.ObjectType)
	case *pg_query.Node_GrantStmt:
		if s.GrantStmt.IsGrant {
			return "GRANT"
		}
		return "REVOKE"
	case *pg_query.Node_CreateFunctionStmt:
		if s.CreateFunctionStmt.IsProcedure {
			return "CREATE PROCEDURE"
		}
		return "CREATE FUNCTION"
	case *pg_query.Node_VariableSetStmt:
		return "SET"
	case *pg_query.Node_VariableShowStmt:
		return "SHOW"
	case *pg_query.Node_RuleStmt:
		return "CREATE RULE"
	}
	if m, ok := reflect.ValueOf(n.Node).Elem().Field(0).Interface().(proto.Message); ok {
		return commandWords(m)
	}
	return "UNKNOWN"
}

// commandWords turns a node type name into command words: DeleteStmt →
// DELETE, DropOwnedStmt → DROP OWNED, CreateRoleStmt → CREATE ROLE.
func commandWords(m any) string {
	name := reflect.TypeOf(m).Elem().Name()
	name = strings.TrimSuffix(name, "Stmt")
	var b strings.Builder
	for i, r := range name {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}
