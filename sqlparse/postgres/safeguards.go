package postgres

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v5"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// The database's own safeguards are what a DBA set up to protect data from
// any session: triggers that audit changes or refuse them, rules, foreign
// keys, row security. An agent that turns one off does no damage by that
// statement, but every statement after it loses a protection bulwark cannot
// see (it does not know what a trigger checks), so switching them off is
// refused as disable-safeguard.

// replicationRole is the setting under which ordinary triggers and rules do
// not fire, foreign keys included: with "replica" a DBA's audit trigger or a
// trigger that refuses deletes is silent for the session ("local" fires
// them as "origin" does).
const replicationRole = "session_replication_role"

const replicationRoleReason = "session_replication_role = replica stops this session's writes from firing the tables' ordinary triggers and rules, the foreign keys' checks and cascades among them: a DBA's trigger that records or refuses changes would be silent, and deletes could leave orphaned rows"

const logReason = "it decides what the server logs of this session's statements, which may be the site's audit trail (log_statement = none, pgaudit.log = none keep them out of it)"

// guardedSetting is a setting that switches a safeguard off: keeps
// reports whether a value leaves the safeguard on.
type guardedSetting struct {
	keeps  func(*pg_query.Node) bool
	reason string
}

// guardedSettings are the settings an agent may not change: the replication
// role (except to origin or local), and the ones that decide what the
// server logs of a statement (any value: an agent has no need to change
// them). pgaudit's settings are all guarded (see guardFor).
var guardedSettings = map[string]guardedSetting{
	replicationRole:               {firesTriggers, replicationRoleReason},
	"log_statement":               {never, logReason},
	"log_duration":                {never, logReason},
	"log_min_duration_statement":  {never, logReason},
	"log_min_duration_sample":     {never, logReason},
	"log_statement_sample_rate":   {never, logReason},
	"log_transaction_sample_rate": {never, logReason},
	"log_min_error_statement":     {never, logReason},
	"log_min_messages":            {never, logReason},
	"log_parameter_max_length":    {never, logReason},
}

func never(*pg_query.Node) bool { return false }

// guardFor returns the guard of a setting name, in any case.
func guardFor(name string) (guardedSetting, bool) {
	name = strings.ToLower(name)
	if strings.HasPrefix(name, "pgaudit.") {
		return guardedSetting{never, logReason}, true
	}
	g, ok := guardedSettings[name]
	return g, ok
}

// setting judges SET name = value. Setting session_replication_role to
// origin or local, a guarded setting to its default, or RESET stays
// allowed.
func (w *walker) setting(n *pg_query.VariableSetStmt) {
	g, ok := guardFor(n.Name)
	if !ok || n.Kind != pg_query.VariableSetKind_VAR_SET_VALUE {
		return
	}
	w.literalSensitive = true
	if len(n.Args) != 1 || !g.keeps(n.Args[0]) {
		w.add(sqlparse.CategoryUnanalysable, RuleDisableSafeguard, strings.ToLower(n.Name), "SET "+strings.ToLower(n.Name)+": "+g.reason)
	}
}

// setConfig judges set_config(name, value, is_local), which sets what SET
// does. A name chosen at run time may be any guarded setting.
func (w *walker) setConfig(args []*pg_query.Node) {
	w.literalSensitive = true // the name is a literal too
	name := args[0].GetAConst().GetSval()
	if name == nil {
		if !firesTriggers(args[1]) {
			w.add(sqlparse.CategoryUnanalysable, RuleDisableSafeguard, "",
				"set_config() here sets a setting chosen at run time, which may be session_replication_role ("+replicationRoleReason+") or one that decides what the server logs")
		}
		return
	}
	if g, ok := guardFor(name.GetSval()); ok && !g.keeps(args[1]) {
		w.add(sqlparse.CategoryUnanalysable, RuleDisableSafeguard, strings.ToLower(name.GetSval()),
			"set_config('"+strings.ToLower(name.GetSval())+"', ...): "+g.reason)
	}
}

// settingsUpdate judges UPDATE pg_settings, which is SET under another
// spelling: it may reach session_replication_role unless its WHERE names
// other settings only (WHERE name = 'work_mem'), by pg_settings' own name
// column, with no other relation in FROM that could lend one.
func (w *walker) settingsUpdate(n *pg_query.UpdateStmt) {
	if !isSettings(n.Relation) {
		return
	}
	w.literalSensitive = true
	if len(n.FromClause) == 0 {
		if name, ok := namedSetting(n.WhereClause, settingsQualifier(n.Relation)); ok {
			if _, guarded := guardFor(name); !guarded {
				return
			}
		}
	}
	w.add(sqlparse.CategoryUnanalysable, RuleDisableSafeguard, replicationRole,
		"this UPDATE of pg_settings may set session_replication_role or a setting that decides what the server logs (name the setting it changes with WHERE name = '...'): "+replicationRoleReason)
}

// settingsQualifier is the name pg_settings' columns go by in an UPDATE:
// its alias, or pg_settings.
func settingsQualifier(r *pg_query.RangeVar) string {
	if r.Alias != nil && r.Alias.Aliasname != "" {
		return r.Alias.Aliasname
	}
	return r.Relname
}

// namedSetting returns the constant a WHERE compares the column name of
// the relation called qualifier with, as name = 'x' or one conjunct of an
// AND.
func namedSetting(where *pg_query.Node, qualifier string) (string, bool) {
	if b := where.GetBoolExpr(); b != nil && b.Boolop == pg_query.BoolExprType_AND_EXPR {
		for _, arg := range b.Args {
			if name, ok := namedSetting(arg, qualifier); ok {
				return name, true
			}
		}
		return "", false
	}
	e := where.GetAExpr()
	if e == nil || e.Kind != pg_query.A_Expr_Kind_AEXPR_OP || lastName(e.Name) != "=" {
		return "", false
	}
	l, r := e.Lexpr, e.Rexpr
	if l.GetColumnRef() == nil {
		l, r = r, l
	}
	if !isNameColumn(l.GetColumnRef(), qualifier) {
		return "", false
	}
	for r.GetTypeCast() != nil {
		r = r.GetTypeCast().Arg
	}
	if s := r.GetAConst().GetSval(); s != nil {
		return s.GetSval(), true
	}
	return "", false
}

// isNameColumn: the column reference is name, qualifier.name or
// pg_catalog.pg_settings.name.
func isNameColumn(c *pg_query.ColumnRef, qualifier string) bool {
	if c == nil {
		return false
	}
	var f []string
	for _, n := range c.Fields {
		s := n.GetString_()
		if s == nil {
			return false
		}
		f = append(f, s.Sval)
	}
	switch len(f) {
	case 1:
		return f[0] == "name"
	case 2:
		return f[0] == qualifier && f[1] == "name"
	case 3:
		return f[0] == "pg_catalog" && f[1] == qualifier && f[2] == "name"
	}
	return false
}

// isSettings: the relation is the view pg_settings, whose UPDATE sets what
// SET does.
func isSettings(r *pg_query.RangeVar) bool {
	return r != nil && r.Relname == "pg_settings" && (r.Schemaname == "" || r.Schemaname == "pg_catalog")
}

// replacedSafeguard refuses CREATE OR REPLACE TRIGGER and CREATE OR
// REPLACE RULE: when one of that name exists, the new definition silences
// it (WHEN (false), another event, DO ALSO instead of DO INSTEAD), as
// DISABLE TRIGGER or DISABLE RULE would. bulwark cannot tell whether one
// exists; CREATE without OR REPLACE stays allowed.
func (w *walker) replacedSafeguard(kind, name string, r *pg_query.RangeVar) {
	obj := rangeVarName(r)
	w.add(sqlparse.CategoryUnanalysable, RuleDisableSafeguard, kind+" "+name+" ON "+obj,
		"CREATE OR REPLACE "+kind+" "+name+" would replace the "+strings.ToLower(kind)+" of that name on "+obj+" if it exists, and with it whatever that "+strings.ToLower(kind)+" records or refuses: create it under a new name instead")
}

// firesTriggers: the value is the constant origin or local (as a word or a
// string), under which ordinary triggers and rules fire.
func firesTriggers(n *pg_query.Node) bool {
	for n.GetTypeCast() != nil {
		n = n.GetTypeCast().Arg
	}
	s := n.GetAConst().GetSval()
	if s == nil {
		return false
	}
	v := strings.ToLower(strings.TrimSpace(s.GetSval()))
	return v == "origin" || v == "local"
}

// safeguardCommands are the ALTER TABLE subcommands that switch a table's
// safeguards off for every session: ENABLE REPLICA makes a trigger or rule
// fire only where session_replication_role is replica, which is to say
// nowhere else.
var safeguardCommands = map[pg_query.AlterTableType]string{
	pg_query.AlterTableType_AT_DisableTrig:        "DISABLE TRIGGER stops the trigger from firing for every session, humans' included: a trigger that records or refuses changes would be silent",
	pg_query.AlterTableType_AT_DisableTrigAll:     "DISABLE TRIGGER ALL stops every trigger of the table from firing for every session, the foreign keys' checks and cascades among them",
	pg_query.AlterTableType_AT_DisableTrigUser:    "DISABLE TRIGGER USER stops every trigger a user defined on the table from firing for every session: a trigger that records or refuses changes would be silent",
	pg_query.AlterTableType_AT_EnableReplicaTrig:  "ENABLE REPLICA TRIGGER makes the trigger fire only in sessions that apply replicated changes, which silences it for every other session",
	pg_query.AlterTableType_AT_DisableRule:        "DISABLE RULE stops the rule from rewriting the statements it was made for (a rule that turns a DELETE into nothing, or into an archive, would be gone)",
	pg_query.AlterTableType_AT_EnableReplicaRule:  "ENABLE REPLICA RULE makes the rule apply only in sessions that apply replicated changes, which removes it for every other session",
	pg_query.AlterTableType_AT_DisableRowSecurity: "DISABLE ROW LEVEL SECURITY turns off the table's row-security policies, which limit the rows sessions may read and change",
	pg_query.AlterTableType_AT_NoForceRowSecurity: "NO FORCE ROW LEVEL SECURITY lets the table's owner bypass its row-security policies, which limit the rows sessions may read and change",
}

// tableSafeguard judges one ALTER TABLE subcommand.
func (w *walker) tableSafeguard(n *pg_query.AlterTableStmt, cmd *pg_query.AlterTableCmd) {
	if why, ok := safeguardCommands[cmd.Subtype]; ok {
		obj := rangeVarName(n.Relation)
		w.add(sqlparse.CategoryUnanalysable, RuleDisableSafeguard, obj, "ALTER TABLE "+obj+" "+why)
	}
}
