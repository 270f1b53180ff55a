package postgres

import (
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v5"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// walker visits every node of a statement's parse tree, wherever it is
// nested (CTEs, subqueries, RULE actions, COPY queries, PREPARE bodies,
// BEGIN ATOMIC function bodies), and records findings. Walking the whole tree
// generically, instead of following only the fields we know, is what keeps a
// new hiding place from becoming a bypass: the only subtrees skipped are the
// ones the server provably does not execute (plain EXPLAIN).
type walker struct {
	findings []sqlparse.Finding
	// budget bounds the evaluations of the statement's conditions.
	budget sqlparse.Budget
	// loops are the plpgsql FOR ... IN query loops around the statement
	// being walked, innermost last (see bodies.go).
	loops []queryLoop
	// repeats counts the plpgsql loops of any kind around the statement
	// being walked: its body may run any number of times.
	repeats int
	// literalSensitive is set whenever a decision read a literal's value
	// (see sqlparse.Analysis.LiteralSensitive).
	literalSensitive bool
	// depth guards against pathological nesting of embedded bodies (a
	// function body that contains a DO block that contains ...).
	depth int
	// later is set while visiting a subtree that does not run when the
	// statement runs (a rule's action, a prepared statement's body, a
	// function or DO body): what it would destroy cannot be snapshotted
	// now, so its findings carry no Undo.
	later bool
	// recycle: some identifier names bulwark's recycle area; writes: the
	// statement changes data (INSERT, UPDATE, DELETE, MERGE, SELECT INTO).
	// A statement with both, or any statement but a query that names the
	// recycle area, is refused.
	recycle, writes bool
	// values holds the names that stand for values, not columns, in the
	// routine body being walked: its parameters and, in plpgsql, its
	// variables. WHERE ok in a function with a parameter ok is WHERE $1.
	values map[string]bool
	// ctes holds the SELECT queries of the common table expressions in
	// scope, by name: USING s, where s is WITH s AS (SELECT id FROM t),
	// reads what the query reads.
	ctes map[string]*pg_query.CommonTableExpr
	// nullEquals is set when the statement being walked holds a
	// comparison the server reads differently under transform_null_equals
	// (see walker.statement). A NULL is part of a text's cache key (see
	// nullSignature), so noticing one reads no literal value.
	nullEquals bool
}

// lexingSettings are the settings that change how the server reads SQL text.
var lexingSettings = map[string]bool{"standard_conforming_strings": true, "client_encoding": true}

const maxBodyDepth = 8

func (w *walker) add(cat sqlparse.Category, rule, object, reason string) {
	w.findings = append(w.findings, sqlparse.Finding{Category: cat, Rule: rule, Object: object, Reason: reason})
}

// node visits a Node wrapper.
func (w *walker) node(n *pg_query.Node) {
	if n == nil || n.Node == nil {
		return
	}
	w.message(protoreflect.ValueOfMessage(n.ProtoReflect()).Message())
}

// message inspects one message, then descends into its children unless the
// inspection says the subtree does not execute.
func (w *walker) message(m protoreflect.Message) {
	if f, ok := m.Interface().(*pg_query.CreateFunctionStmt); ok {
		// Both the string body (judged by inspect) and a BEGIN ATOMIC
		// body (reached by the walk below) see the parameters.
		defer w.withValues(parameterNames(f))()
	}
	if with := withClause(m.Interface()); with != nil {
		defer w.withCTEs(with)()
	}
	if !w.inspect(m.Interface()) {
		return
	}
	if !w.recycle {
		w.scanNames(m)
	}
	if !runsWithParent(m.Interface()) && !w.later {
		w.later = true
		defer func() { w.later = false }()
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				w.message(l.Get(i).Message())
			}
		case fd.Message() != nil && !fd.IsMap():
			w.message(v.Message())
		}
		return true
	})
}

// withClause returns the WITH clause of a statement that can have one.
func withClause(m any) *pg_query.WithClause {
	switch n := m.(type) {
	case *pg_query.SelectStmt:
		return n.WithClause
	case *pg_query.InsertStmt:
		return n.WithClause
	case *pg_query.UpdateStmt:
		return n.WithClause
	case *pg_query.DeleteStmt:
		return n.WithClause
	case *pg_query.MergeStmt:
		return n.WithClause
	}
	return nil
}

// withCTEs puts the SELECT queries of a WITH clause in scope (see
// walker.ctes) and returns the function that restores the previous scope.
func (w *walker) withCTEs(with *pg_query.WithClause) func() {
	saved := w.ctes
	w.ctes = make(map[string]*pg_query.CommonTableExpr, len(saved)+len(with.Ctes))
	for n, q := range saved {
		w.ctes[n] = q
	}
	for _, c := range with.Ctes {
		if cte := c.GetCommonTableExpr(); cte != nil {
			w.ctes[cte.Ctename] = cte
		}
	}
	return func() { w.ctes = saved }
}

// scanNames looks at a node's own identifier fields (names of schemas,
// relations, databases) for the recycle area's prefix. Literal values are
// not names and are never read here: A_Const subtrees are not descended
// into, so that the verdict stays shareable between texts that differ in
// literals only.
func (w *walker) scanNames(m protoreflect.Message) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() == protoreflect.StringKind && !fd.IsList() && isRecycleName(v.String()) {
			w.recycle = true
			return false
		}
		return true
	})
}

func isRecycleName(s string) bool {
	return len(s) >= len(sqlparse.RecyclePrefix) && strings.EqualFold(s[:len(sqlparse.RecyclePrefix)], sqlparse.RecyclePrefix)
}

// runsWithParent reports whether the statements nested in a node run when
// the node itself runs: the node wrappers, queries and the places a
// data-modifying statement can sit in one (WITH, EXPLAIN ANALYZE, COPY
// (query), CREATE TABLE AS). Every other node's children run later, if ever.
func runsWithParent(m any) bool {
	switch m.(type) {
	case *pg_query.Node, *pg_query.RawStmt, *pg_query.SelectStmt, *pg_query.InsertStmt,
		*pg_query.UpdateStmt, *pg_query.DeleteStmt, *pg_query.MergeStmt, *pg_query.WithClause,
		*pg_query.CommonTableExpr, *pg_query.ExplainStmt, *pg_query.CopyStmt, *pg_query.CreateTableAsStmt:
		return true
	}
	return false
}

// undo returns u, or nil when the node being inspected does not run with
// the statement (see walker.later).
func (w *walker) undo(u *sqlparse.Undo) *sqlparse.Undo {
	if w.later || w.depth > 0 {
		return nil
	}
	return u
}

// addUndo records a finding that a snapshot described by u can undo.
func (w *walker) addUndo(cat sqlparse.Category, rule, object, reason string, u *sqlparse.Undo) {
	w.add(cat, rule, object, reason)
	w.findings[len(w.findings)-1].Undo = w.undo(u)
}

// rangeVarObject names a relation for an Undo.
func rangeVarObject(r *pg_query.RangeVar) sqlparse.ObjectName {
	if r == nil {
		return sqlparse.ObjectName{}
	}
	return sqlparse.ObjectName{Schema: r.Schemaname, Name: r.Relname, Only: !r.Inh}
}

// dropUndo describes how a snapshot preserves a DROP: tables, materialized
// views and schemas can be moved aside; other kinds cannot.
func dropUndo(n *pg_query.DropStmt) *sqlparse.Undo {
	var typ string
	switch n.RemoveType {
	case pg_query.ObjectType_OBJECT_TABLE:
		typ = "TABLE"
	case pg_query.ObjectType_OBJECT_MATVIEW:
		typ = "MATERIALIZED VIEW"
	case pg_query.ObjectType_OBJECT_SCHEMA:
		typ = "SCHEMA"
	default:
		return nil
	}
	u := &sqlparse.Undo{Kind: sqlparse.UndoMove, ObjectType: typ, MissingOK: n.MissingOk,
		Cascade: n.Behavior == pg_query.DropBehavior_DROP_CASCADE}
	for _, o := range n.Objects {
		var parts []string
		switch {
		case o.GetList() != nil:
			for _, it := range o.GetList().Items {
				parts = append(parts, it.GetString_().GetSval())
			}
		case o.GetString_() != nil:
			parts = []string{o.GetString_().Sval}
		}
		switch len(parts) {
		case 1:
			u.Objects = append(u.Objects, sqlparse.ObjectName{Name: parts[0]})
		case 2:
			u.Objects = append(u.Objects, sqlparse.ObjectName{Schema: parts[0], Name: parts[1]})
		default:
			return nil // catalog-qualified or unreadable: not something to move
		}
	}
	return u
}

// inspect applies the checks for one node and reports whether to descend.
func (w *walker) inspect(m any) bool {
	w.systemCatalog(m)
	switch n := m.(type) {
	case *pg_query.A_Const:
		return false // a literal: nothing below it runs or names anything
	case *pg_query.A_Expr:
		if _, ok := nullEquals(n); ok {
			w.nullEquals = true
		}
	case *pg_query.InsertStmt:
		w.writes = true
		w.onConflict(n)
	case *pg_query.IntoClause:
		w.writes = true
	case *pg_query.VariableSetStmt:
		w.setting(n)
		// SET search_path = bulwark_recycle_7 would make unqualified names
		// reach the recycle area; its value is stored as a literal.
		if strings.EqualFold(n.Name, "search_path") {
			w.literalSensitive = true
			for _, a := range n.Args {
				if c := a.GetAConst(); c != nil && isRecycleName(c.GetSval().GetSval()) {
					w.recycle = true
				}
			}
		}
	case *pg_query.DropStmt:
		if dropsOnlySessionTemp(n) {
			break
		}
		w.addUndo(sqlparse.CategoryDrop, RuleDropObject, dropObjects(n),
			fmt.Sprintf("DROP %s would permanently remove %s and everything in it", objectTypeName(n.RemoveType), dropObjects(n)),
			dropUndo(n))
	case *pg_query.DropdbStmt:
		w.add(sqlparse.CategoryDrop, RuleDropObject, "DATABASE "+n.Dbname,
			"DROP DATABASE would permanently remove database "+n.Dbname+" and every table in it")
	case *pg_query.DropRoleStmt, *pg_query.DropOwnedStmt, *pg_query.DropTableSpaceStmt,
		*pg_query.DropSubscriptionStmt, *pg_query.DropUserMappingStmt:
		cmd := commandWords(m)
		w.add(sqlparse.CategoryDrop, RuleDropObject, "", cmd+" would permanently remove objects from the database")
	case *pg_query.AlterTableStmt:
		for _, c := range n.Cmds {
			cmd := c.GetAlterTableCmd()
			if cmd != nil {
				w.tableSafeguard(n, cmd)
			}
			switch {
			case cmd == nil:
			case cmd.Subtype == pg_query.AlterTableType_AT_DropColumn:
				what := "COLUMN"
				if n.Objtype == pg_query.ObjectType_OBJECT_TYPE {
					what = "ATTRIBUTE"
				}
				obj := rangeVarName(n.Relation) + "." + cmd.Name
				w.add(sqlparse.CategoryDrop, RuleAlterDropColumn, obj,
					fmt.Sprintf("ALTER %s %s DROP %s %s would permanently delete that column and its data",
						objectTypeName(n.Objtype), rangeVarName(n.Relation), what, cmd.Name))
			case cmd.Subtype == pg_query.AlterTableType_AT_SetUnLogged:
				obj := rangeVarName(n.Relation)
				w.add(sqlparse.CategoryDrop, RuleNonDurable, obj,
					"ALTER TABLE "+obj+" SET UNLOGGED would take its rows out of the write-ahead log: the server empties the table after a crash, standbys no longer have its rows, and base backups (pg_basebackup) leave them out")
			case cmd.Subtype == pg_query.AlterTableType_AT_AlterColumnType:
				w.columnType(n, cmd)
			case cmd.Subtype == pg_query.AlterTableType_AT_AddConstraint, cmd.Subtype == pg_query.AlterTableType_AT_AddColumn:
				if cascadingForeignKey(cmd.Def) {
					obj := rangeVarName(n.Relation)
					w.add(sqlparse.CategoryDrop, RuleForeignKeyCascade, obj,
						"ALTER TABLE "+obj+" ADD ... FOREIGN KEY with a CASCADE, SET NULL or SET DEFAULT action would make every later delete in the referenced table delete or blank the matching rows of "+obj+": a bounded write to one table would destroy rows of another")
				}
			}
		}
	case *pg_query.TruncateStmt:
		var names []string
		u := &sqlparse.Undo{Kind: sqlparse.UndoRows, ObjectType: "TABLE", Cascade: n.Behavior == pg_query.DropBehavior_DROP_CASCADE}
		for _, r := range n.Relations {
			names = append(names, rangeVarName(r.GetRangeVar()))
			u.Objects = append(u.Objects, rangeVarObject(r.GetRangeVar()))
		}
		obj := strings.Join(names, ", ")
		w.addUndo(sqlparse.CategoryTruncate, RuleTruncate, obj, "TRUNCATE "+obj+" would delete every row", u)
	case *pg_query.DeleteStmt:
		w.writes = true
		w.rowScope(n.Relation, n.UsingClause, n.WhereClause, "DELETE FROM", "delete",
			sqlparse.CategoryDelete, RuleDeleteNoWhere, RuleDeleteAlways)
	case *pg_query.UpdateStmt:
		w.writes = true
		w.settingsUpdate(n)
		w.rowScope(n.Relation, n.FromClause, n.WhereClause, "UPDATE", "change",
			sqlparse.CategoryUpdate, RuleUpdateNoWhere, RuleUpdateAlways)
	case *pg_query.MergeStmt:
		w.writes = true
		w.merge(n)
	case *pg_query.CopyStmt:
		switch {
		case n.IsProgram:
			w.add(sqlparse.CategoryUnanalysable, RuleCopyProgram, "",
				"COPY ... PROGRAM runs a shell command on the database server, which bulwark cannot judge")
		case n.Filename != "" && !n.IsFrom:
			// COPY ... FROM a server file only reads that file (and
			// inserts rows, as INSERT does); COPY ... TO one can
			// overwrite any file the server can write, a table's own
			// data file among them.
			w.add(sqlparse.CategoryUnanalysable, RuleServerFileWrite, "",
				"COPY ... TO a file writes that file on the database server, which could overwrite any file the server can write (a table's data file among them)")
		}
	case *pg_query.DefineStmt:
		if n.Kind == pg_query.ObjectType_OBJECT_OPERATOR {
			w.add(sqlparse.CategoryUnanalysable, RuleStatementRewrite, "",
				"CREATE OPERATOR changes what later statements mean wherever the operator resolves, humans' among them (an = for two varchar values in a schema on the search path takes over their comparisons), which bulwark cannot judge from their text")
		}
	case *pg_query.RuleStmt:
		if n.Event == pg_query.CmdType_CMD_SELECT && len(n.Actions) == 1 {
			// ON SELECT DO INSTEAD turns an empty table into a view
			// (up to PostgreSQL 15), as updatable as CREATE VIEW's.
			w.view(n.Relation, n.Actions[0])
		}
		if n.Replace {
			w.replacedSafeguard("RULE", n.Rulename, n.Relation)
		}
		if !n.Instead && changesRows(n.Actions) {
			obj := rangeVarName(n.Relation)
			w.add(sqlparse.CategoryDrop, RuleForeignKeyCascade, obj,
				"CREATE RULE ... ON "+ruleEvent(n.Event)+" TO "+obj+" DO ALSO DELETE or UPDATE would make every later "+ruleEvent(n.Event)+" on "+obj+" delete or change rows elsewhere too, as a cascading foreign key would: a bounded write to "+obj+" would reach rows bulwark never sees")
		}
		if n.Instead && n.Event != pg_query.CmdType_CMD_SELECT && !anyWrites(n.Actions) {
			w.add(sqlparse.CategoryUnanalysable, RuleStatementRewrite, rangeVarName(n.Relation),
				"CREATE RULE ... DO INSTEAD with nothing that writes (NOTHING, SELECT, NOTIFY) makes the server silently discard every later "+ruleEvent(n.Event)+" on "+rangeVarName(n.Relation)+", humans' among them")
		}
	case *pg_query.CreateRoleStmt:
		w.accountManagement("CREATE ROLE")
	case *pg_query.AlterRoleStmt:
		w.accountManagement("ALTER ROLE")
	case *pg_query.AlterRoleSetStmt:
		w.accountManagement("ALTER ROLE ... SET")
	case *pg_query.GrantRoleStmt:
		if n.IsGrant {
			w.accountManagement("GRANT of a role")
		} else {
			w.accountManagement("REVOKE of a role")
		}
	case *pg_query.RenameStmt:
		if n.RenameType == pg_query.ObjectType_OBJECT_ROLE {
			w.accountManagement("ALTER ROLE ... RENAME")
		}
	case *pg_query.AlterDatabaseSetStmt:
		w.accountManagement("ALTER DATABASE ... SET")
	case *pg_query.AlterDatabaseStmt:
		for _, o := range n.Options {
			if d := o.GetDefElem(); d != nil && (d.Defname == "allow_connections" || d.Defname == "connection_limit") {
				w.accountManagement("ALTER DATABASE ... " + strings.ToUpper(d.Defname))
			}
		}
	case *pg_query.AlterSubscriptionStmt:
		switch n.Kind {
		case pg_query.AlterSubscriptionType_ALTER_SUBSCRIPTION_SKIP:
			w.add(sqlparse.CategoryDrop, RuleDropObject, "SUBSCRIPTION "+n.Subname,
				"ALTER SUBSCRIPTION ... SKIP makes the subscriber skip a transaction of the publisher's for good")
		case pg_query.AlterSubscriptionType_ALTER_SUBSCRIPTION_OPTIONS:
		case pg_query.AlterSubscriptionType_ALTER_SUBSCRIPTION_ENABLED:
			if enablesSubscription(n.Options) {
				w.subscription("ALTER SUBSCRIPTION " + n.Subname + " ENABLE")
			}
		default:
			w.subscription("ALTER SUBSCRIPTION " + n.Subname)
		}
	case *pg_query.CreateSubscriptionStmt:
		w.subscription("CREATE SUBSCRIPTION " + n.Subname)
	case *pg_query.AlterSystemStmt:
		// Settings such as archive_command and restore_command are shell
		// commands the server runs later (COPY ... PROGRAM under another
		// name); any of them can stop the server from starting again.
		w.add(sqlparse.CategoryUnanalysable, RuleAlterSystem, "",
			"ALTER SYSTEM rewrites the server's configuration, and settings such as archive_command run shell commands on the database server, which bulwark cannot judge")
	case *pg_query.ExplainStmt:
		// EXPLAIN plans without executing; only EXPLAIN ANALYZE runs the
		// statement, so only then does what it wraps count.
		return w.explainAnalyzes(n)
	case *pg_query.FuncCall:
		w.funcCall(n)
	case *pg_query.ObjectWithArgs:
		w.functionNodes(n.Objname, "refers to")
	case *pg_query.DefElem:
		w.boundFunction(n)
		if strings.EqualFold(n.Defname, "program") && n.Defaction != pg_query.DefElemAction_DEFELEM_DROP {
			// file_fdw's program option (CREATE FOREIGN TABLE ...
			// OPTIONS (program '...'), ALTER ... OPTIONS (ADD program
			// ...), on servers too): COPY FROM PROGRAM run every time
			// the table is read. No other option of that name exists.
			w.add(sqlparse.CategoryUnanalysable, RuleCopyProgram, "",
				"the foreign-data option program runs a shell command on the database server every time the foreign table is read, which bulwark cannot judge")
		}
	case *pg_query.CreateTrigStmt:
		w.functionNodes(n.Funcname, "binds")
		if n.Replace {
			w.replacedSafeguard("TRIGGER", n.Trigname, n.Relation)
		}
	case *pg_query.CreateEventTrigStmt:
		w.functionNodes(n.Funcname, "binds")
		w.add(sqlparse.CategoryUnanalysable, RuleStatementRewrite, n.Trigname,
			"CREATE EVENT TRIGGER runs a function around every later DDL statement of the database, humans' among them, and can refuse or change them, which bulwark cannot judge from their text")
	case *pg_query.AlterEventTrigStmt:
		w.add(sqlparse.CategoryUnanalysable, RuleStatementRewrite, n.Trigname,
			"ALTER EVENT TRIGGER switches on or off a function that runs around every later DDL statement of the database, humans' among them")
	case *pg_query.ViewStmt:
		w.view(n.View, n.Query)
	case *pg_query.CreateForeignServerStmt:
		if n.Fdwname != "file_fdw" {
			w.foreignConnection("CREATE SERVER " + n.Servername + " FOREIGN DATA WRAPPER " + n.Fdwname)
		}
	case *pg_query.AlterForeignServerStmt:
		w.foreignConnection("ALTER SERVER " + n.Servername)
	case *pg_query.CreateUserMappingStmt:
		w.foreignConnection("CREATE USER MAPPING")
	case *pg_query.AlterUserMappingStmt:
		w.foreignConnection("ALTER USER MAPPING")
	case *pg_query.ImportForeignSchemaStmt:
		w.foreignConnection("IMPORT FOREIGN SCHEMA ... FROM SERVER " + n.ServerName)
	case *pg_query.CreatePLangStmt:
		w.functionNodes(n.Plhandler, "binds")
		w.functionNodes(n.Plinline, "binds")
		w.functionNodes(n.Plvalidator, "binds")
	case *pg_query.CreateAmStmt:
		w.functionNodes(n.HandlerName, "binds")
	case *pg_query.CreateConversionStmt:
		w.functionNodes(n.FuncName, "binds")
	case *pg_query.AlterFunctionStmt:
		w.functionSettings("function "+nodeName(&pg_query.Node{Node: &pg_query.Node_ObjectWithArgs{ObjectWithArgs: n.Func}}), n.Actions)
	case *pg_query.DoStmt:
		w.doBody(n)
	case *pg_query.CreateFunctionStmt:
		w.functionBody(n)
	}
	return true
}

// systemCatalog refuses a statement that writes to a system catalog, or
// changes one's definition or privileges. A superuser's DELETE FROM
// pg_class WHERE relname = 't' drops t without a DROP; rows written to
// pg_authid are logins. Reading the catalogs stays allowed.
func (w *walker) systemCatalog(m any) {
	for _, r := range changedRelations(m) {
		if isSystemRelation(r) {
			w.add(sqlparse.CategoryProtected, sqlparse.RuleSystemCatalog, rangeVarName(r),
				"the statement would change "+rangeVarName(r)+", a system catalog of the server, where its accounts and the definition of every table live: "+
					"a write there can drop tables, lose their data or create logins without any statement bulwark would refuse (a table of your own whose name starts with pg_ is reached through its schema: public."+r.Relname+")")
			return
		}
	}
}

// changedRelations returns the relations whose rows, definition or
// privileges a statement changes.
func changedRelations(m any) []*pg_query.RangeVar {
	switch n := m.(type) {
	case *pg_query.InsertStmt, *pg_query.UpdateStmt, *pg_query.DeleteStmt, *pg_query.MergeStmt,
		*pg_query.AlterTableStmt, *pg_query.RenameStmt, *pg_query.AlterObjectSchemaStmt,
		*pg_query.CreateTrigStmt, *pg_query.RuleStmt:
		return []*pg_query.RangeVar{m.(interface{ GetRelation() *pg_query.RangeVar }).GetRelation()}
	case *pg_query.CopyStmt:
		if n.IsFrom {
			return []*pg_query.RangeVar{n.Relation}
		}
	case *pg_query.CreateStmt:
		// A child's rows show in every scan of its parent.
		var out []*pg_query.RangeVar
		for _, p := range n.InhRelations {
			out = append(out, p.GetRangeVar())
		}
		return out
	case *pg_query.CreatePolicyStmt:
		return []*pg_query.RangeVar{n.Table}
	case *pg_query.AlterPolicyStmt:
		return []*pg_query.RangeVar{n.Table}
	case *pg_query.GrantStmt:
		if n.Objtype != pg_query.ObjectType_OBJECT_TABLE && n.Objtype != pg_query.ObjectType_OBJECT_SEQUENCE {
			return nil
		}
		var out []*pg_query.RangeVar
		for _, o := range n.Objects {
			switch {
			case o.GetRangeVar() != nil:
				out = append(out, o.GetRangeVar())
			case o.GetString_() != nil: // ALL TABLES IN SCHEMA s
				out = append(out, &pg_query.RangeVar{Schemaname: o.GetString_().Sval, Relname: "*"})
			}
		}
		return out
	}
	return nil
}

// isSystemRelation: the relation is in pg_catalog, pg_toast or
// information_schema. An
// unqualified name that starts with pg_ is taken for a catalog: pg_catalog
// comes first on the search path unless the path names it later. The view
// pg_settings is not: its UPDATE is SET under another spelling.
func isSystemRelation(r *pg_query.RangeVar) bool {
	if r == nil || r.Relname == "pg_settings" {
		return false
	}
	switch r.Schemaname {
	case "pg_catalog", "pg_toast", "information_schema":
		return true
	case "":
		return strings.HasPrefix(r.Relname, "pg_")
	}
	return false
}

// cascadingForeignKey reports whether a constraint, or a new column's
// constraints, add a foreign key whose actions reach the table's rows when
// the referenced rows change: ON DELETE CASCADE, SET NULL or SET DEFAULT,
// and ON UPDATE SET NULL or SET DEFAULT (ON UPDATE CASCADE keeps the link).
func cascadingForeignKey(def *pg_query.Node) bool {
	constraints := []*pg_query.Node{def}
	if c := def.GetColumnDef(); c != nil {
		constraints = c.Constraints
	}
	for _, n := range constraints {
		c := n.GetConstraint()
		if c == nil || c.Contype != pg_query.ConstrType_CONSTR_FOREIGN {
			continue
		}
		switch c.FkDelAction {
		case "c", "n", "d":
			return true
		}
		switch c.FkUpdAction {
		case "n", "d":
			return true
		}
	}
	return false
}

// columnType judges ALTER COLUMN ... TYPE. USING computes every row's new
// value: one that does not keep the column's value (USING NULL, USING 0,
// USING other_col, USING col * 0, USING NULLIF(col, col)) throws the
// column's data away, as DROP COLUMN would. Without USING, a change to
// date or time drops part of every timestamp; bulwark does not know the
// column's current type.
func (w *walker) columnType(n *pg_query.AlterTableStmt, cmd *pg_query.AlterTableCmd) {
	obj := rangeVarName(n.Relation) + "." + cmd.Name
	def := cmd.GetDef().GetColumnDef()
	using := def.GetRawDefault()
	// keepsValue reads constants (* 0, + 1e308), and keepingType a type's
	// modifiers (numeric(1, -1000)).
	w.literalSensitive = true
	if using != nil && !keepsValue(using, cmd.Name) {
		w.add(sqlparse.CategoryDrop, RuleColumnRewrite, obj,
			fmt.Sprintf("ALTER %s %s ALTER COLUMN %s TYPE ... USING an expression that does not keep %s's value would replace it in every row, permanently losing its data",
				objectTypeName(n.Objtype), rangeVarName(n.Relation), cmd.Name, cmd.Name))
		return
	}
	if t := def.GetTypeName(); t != nil && !keepingType(t) {
		w.add(sqlparse.CategoryDrop, RuleColumnTruncate, obj,
			fmt.Sprintf("ALTER COLUMN %s TYPE %s: bulwark cannot tell what a change to that type keeps of every row's value (a change to date drops the time of day of every timestamp, to time the date, to \"char\" all but one character, and a domain can hide any of them)",
				cmd.Name, lastName(t.Names)))
	}
}

// keepsValue reports whether a USING expression is built from column col
// by conversions that keep its values apart: the column itself; a cast to a
// type that keeps values (keepingTypes; not a character type with a
// length, whose explicit cast silently cuts); a one-argument conversion of
// such (lower, upper, trim, to_json, to_timestamp of epoch seconds, ...) or
// AT TIME ZONE; adding or subtracting a number, concatenating a constant,
// or multiplying by a non-zero integer; COALESCE whose first argument keeps
// it; a CASE whose every result keeps it.
func keepsValue(n *pg_query.Node, col string) bool {
	switch {
	case n.GetColumnRef() != nil:
		f := n.GetColumnRef().Fields
		return len(f) > 0 && f[len(f)-1].GetString_().GetSval() == col
	case n.GetTypeCast() != nil:
		c := n.GetTypeCast()
		return keepingCast(c.TypeName) && keepsValue(c.Arg, col)
	case n.GetCollateClause() != nil:
		return keepsValue(n.GetCollateClause().Arg, col)
	case n.GetFuncCall() != nil:
		f := n.GetFuncCall()
		switch name := lastName(f.Funcname); {
		case len(f.Args) == 1 && valueConversions[name]:
			return keepsValue(f.Args[0], col)
		case name == "timezone" && len(f.Args) == 2: // c AT TIME ZONE 'UTC'
			return f.Args[0].GetAConst() != nil && keepsValue(f.Args[1], col)
		case name == "coalesce" && len(f.Args) > 0:
			return keepsValue(f.Args[0], col)
		}
	case n.GetCoalesceExpr() != nil:
		args := n.GetCoalesceExpr().Args
		return len(args) > 0 && keepsValue(args[0], col)
	case n.GetAExpr() != nil:
		e := n.GetAExpr()
		if e.Kind != pg_query.A_Expr_Kind_AEXPR_OP || len(e.Name) != 1 {
			return false
		}
		switch e.Name[0].GetString_().GetSval() {
		case "+", "-":
			return keepsValue(e.Lexpr, col) && isNumber(e.Rexpr) || isNumber(e.Lexpr) && keepsValue(e.Rexpr, col)
		case "||":
			return keepsValue(e.Lexpr, col) && isConstant(e.Rexpr) || isConstant(e.Lexpr) && keepsValue(e.Rexpr, col)
		case "*":
			return keepsValue(e.Lexpr, col) && isNonZeroInteger(e.Rexpr) || isNonZeroInteger(e.Lexpr) && keepsValue(e.Rexpr, col)
		}
	case n.GetCaseExpr() != nil:
		c := n.GetCaseExpr()
		if c.Defresult == nil || !keepsValue(c.Defresult, col) {
			return false
		}
		for _, a := range c.Args {
			if cw := a.GetCaseWhen(); cw == nil || !keepsValue(cw.Result, col) {
				return false
			}
		}
		return true
	}
	return false
}

// valueConversions are the one-argument functions a USING may apply to
// the column: they change its form, not which values differ (lower and
// upper only fold case).
var valueConversions = map[string]bool{
	"lower": true, "upper": true, "initcap": true, "btrim": true, "ltrim": true, "rtrim": true,
	"to_json": true, "to_jsonb": true, "to_timestamp": true, "text": true, "array_to_json": true,
}

// keepingTypes are the types a column may be changed or cast to without
// bulwark refusing: each holds every value of its usual sources, or the
// server refuses the ones it cannot hold (at most rounding numbers and
// fractional seconds). date, time, "char", bool, bit strings, domains and
// other user types are not among them: bulwark cannot see what they keep.
var keepingTypes = map[string]bool{
	"int2": true, "int4": true, "int8": true, "numeric": true, "float4": true, "float8": true,
	"text": true, "varchar": true, "bpchar": true, "citext": true,
	"timestamp": true, "timestamptz": true, "interval": true,
	"json": true, "jsonb": true, "uuid": true, "bytea": true, "inet": true, "cidr": true,
}

// keepingCast: a cast in a USING expression to a type that keeps values.
// An explicit cast to a character type with a length silently cuts longer
// values (the same change without USING fails instead).
func keepingCast(t *pg_query.TypeName) bool {
	if !keepingType(t) {
		return false
	}
	switch lastName(t.Names) {
	case "varchar", "bpchar":
		return len(t.Typmods) == 0
	}
	return true
}

// keepingType: a type among keepingTypes whose modifiers keep values too:
// an interval restricted to some fields (interval YEAR) drops the others,
// and a numeric with a negative scale (numeric(1, -1000)) rounds every
// value to zero.
func keepingType(t *pg_query.TypeName) bool {
	if t == nil || !keepingTypes[lastName(t.Names)] {
		return false
	}
	switch lastName(t.Names) {
	case "interval":
		return len(t.Typmods) == 0
	case "numeric":
		if len(t.Typmods) > 1 {
			if c := t.Typmods[1].GetAConst(); c == nil || c.GetIval() == nil || c.GetIval().Ival < 0 {
				return false
			}
		}
	}
	return true
}

func isConstant(n *pg_query.Node) bool {
	for n.GetTypeCast() != nil {
		n = n.GetTypeCast().Arg
	}
	return n.GetAConst() != nil && !n.GetAConst().Isnull
}

// isNumber: an integer literal (not a string such as 'NaN', nor a float
// such as 1e308, which turns every value into itself).
func isNumber(n *pg_query.Node) bool {
	c := n.GetAConst()
	return c != nil && c.GetIval() != nil
}

// isNonZeroInteger: an integer literal other than zero (a fraction such as
// 1e-30 rounds every value to zero in a column with a scale).
func isNonZeroInteger(n *pg_query.Node) bool {
	c := n.GetAConst()
	return c != nil && c.GetIval() != nil && c.GetIval().Ival != 0
}

// eachChild calls f for each message directly below m: the value of each
// message field and each element of each list of messages.
func eachChild(m protoreflect.Message, f func(protoreflect.Message)) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				f(l.Get(i).Message())
			}
		case fd.Message() != nil && !fd.IsMap():
			f(v.Message())
		}
		return true
	})
}

// anyNode reports whether match holds for m or any message below it,
// stopping at the first that does.
func anyNode(m protoreflect.Message, match func(any) bool) bool {
	if match(m.Interface()) {
		return true
	}
	found := false
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len() && !found; i++ {
				found = anyNode(l.Get(i).Message(), match)
			}
		case fd.Message() != nil && !fd.IsMap():
			found = anyNode(v.Message(), match)
		}
		return !found
	})
	return found
}

// dropsOnlySessionTemp reports whether a DROP removes only objects named
// in the session's own temporary schema, pg_temp.name: they vanish when the
// session ends anyway, and the server resolves the name pg_temp to that
// schema only. Relation kinds only, exactly two name parts (a third would
// be read as database.schema.name), and not CASCADE, which could reach
// objects outside the temporary schema.
func dropsOnlySessionTemp(n *pg_query.DropStmt) bool {
	switch n.RemoveType {
	case pg_query.ObjectType_OBJECT_TABLE, pg_query.ObjectType_OBJECT_VIEW, pg_query.ObjectType_OBJECT_MATVIEW,
		pg_query.ObjectType_OBJECT_SEQUENCE, pg_query.ObjectType_OBJECT_INDEX:
	default:
		return false
	}
	if n.Behavior == pg_query.DropBehavior_DROP_CASCADE || len(n.Objects) == 0 {
		return false
	}
	for _, o := range n.Objects {
		parts := o.GetList().GetItems()
		if len(parts) != 2 || parts[0].GetString_().GetSval() != "pg_temp" {
			return false
		}
	}
	return true
}

// explainAnalyzes reports whether EXPLAIN's options ask for ANALYZE. Any
// value other than a plain false counts as true (fail closed).
func (w *walker) explainAnalyzes(n *pg_query.ExplainStmt) bool {
	for _, o := range n.Options {
		de := o.GetDefElem()
		if de == nil || !strings.EqualFold(de.Defname, "analyze") {
			continue
		}
		if de.Arg == nil {
			return true
		}
		w.literalSensitive = true
		if v, ok := defElemBool(de.Arg); !ok || v {
			return true
		}
	}
	return false
}

// defElemBool reads an option value the way the server's defGetBoolean does.
func defElemBool(arg *pg_query.Node) (value, ok bool) {
	switch {
	case arg.GetBoolean() != nil:
		return arg.GetBoolean().Boolval, true
	case arg.GetInteger() != nil:
		switch arg.GetInteger().Ival {
		case 0:
			return false, true
		case 1:
			return true, true
		}
	case arg.GetString_() != nil:
		return parseBool(arg.GetString_().Sval)
	case arg.GetAConst() != nil:
		c := arg.GetAConst()
		switch {
		case c.GetBoolval() != nil:
			return c.GetBoolval().Boolval, true
		case c.GetIval() != nil:
			return defElemBool(&pg_query.Node{Node: &pg_query.Node_Integer{Integer: c.GetIval()}})
		case c.GetSval() != nil:
			return parseBool(c.GetSval().Sval)
		}
	}
	return false, false
}

// parseBool follows PostgreSQL's parse_bool: unique prefixes of true/false,
// yes/no, on/off, and 1/0.
func parseBool(s string) (value, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "":
		return false, false
	case strings.HasPrefix("true", s), strings.HasPrefix("yes", s), s == "on", s == "1":
		return true, true
	case strings.HasPrefix("false", s), strings.HasPrefix("no", s), s == "off" || s == "of", s == "0":
		return false, true
	}
	return false, false
}

// Functions that run SQL text they receive as an argument (or build it from
// names they receive): what they execute is only known at run time. Keys are
// unqualified names, or schema.name where the bare name is too common to
// refuse everywhere.
var sqlTextFunctions = map[string]bool{
	"dblink": true, "dblink_exec": true, "dblink_send_query": true, "dblink_open": true,
	"query_to_xml": true, "query_to_xmlschema": true, "query_to_xml_and_xmlschema": true,
	"ts_stat": true, "ts_rewrite": true,
	// tablefunc
	"crosstab": true, "crosstab2": true, "crosstab3": true, "crosstab4": true, "connectby": true,
	// pg_background, pg_cron, Citus
	"pg_background_launch": true, "cron.schedule": true, "schedule_in_database": true, "cron.alter_job": true,
	"run_command_on_workers": true, "run_command_on_all_nodes": true, "run_command_on_shards": true,
	"run_command_on_placements": true, "run_command_on_colocated_placements": true,
	// xml2's xpath_table pastes its arguments into a query it runs;
	// refint's trigger functions build theirs from trigger arguments.
	"xpath_table": true, "check_foreign_key": true, "check_primary_key": true,
}

// functionEffect is what calling (or binding) a function does that bulwark
// refuses: the finding it produces.
type functionEffect struct {
	category sqlparse.Category
	rule     string
	reason   string
}

// Functions that destroy data or files outside of any DROP, DELETE or COPY
// statement. Keys are unqualified names: these are not names an
// application's own function is likely to share.
var destructiveFunctions = map[string]functionEffect{
	"lo_unlink":     {sqlparse.CategoryDrop, RuleDropLargeObject, "lo_unlink() permanently deletes a large object"},
	"lo_truncate":   {sqlparse.CategoryDrop, RuleDropLargeObject, "lo_truncate() permanently cuts a large object's contents short (to nothing, with length 0)"},
	"lo_truncate64": {sqlparse.CategoryDrop, RuleDropLargeObject, "lo_truncate64() permanently cuts a large object's contents short (to nothing, with length 0)"},
	// pg_surgery: rows killed or frozen by TID, past MVCC, constraints
	// and triggers; meant for repairing corruption.
	"heap_force_kill":   {sqlparse.CategoryDrop, RuleHeapSurgery, "heap_force_kill() (pg_surgery) permanently removes rows by their physical address, bypassing constraints and triggers"},
	"heap_force_freeze": {sqlparse.CategoryDrop, RuleHeapSurgery, "heap_force_freeze() (pg_surgery) rewrites rows' visibility by their physical address, which can resurrect deleted rows or lose committed ones"},
	// Replication: a dropped slot loses the place of the standby or
	// change-data consumer reading from it, and the WAL it still needed
	// can be recycled; a promoted standby splits the cluster in two.
	"pg_drop_replication_slot":           {sqlparse.CategoryDrop, RuleDropObject, "pg_drop_replication_slot() permanently removes a replication slot: the standby or change-data consumer reading from it loses its place, and once the WAL it needed is recycled it must be rebuilt from scratch"},
	"pg_replication_origin_drop":         {sqlparse.CategoryDrop, RuleDropObject, "pg_replication_origin_drop() permanently removes a replication origin: a logical replication subscriber forgets how far it has applied, and re-applies or skips changes"},
	"pg_promote":                         {sqlparse.CategoryUnanalysable, RuleServerControl, "pg_promote() turns a standby into a primary, splitting it from the server it replicated"},
	"pg_logical_slot_get_changes":        {sqlparse.CategoryDrop, RuleDropObject, "pg_logical_slot_get_changes() consumes the changes a logical replication slot holds for its consumer: they are gone for it"},
	"pg_logical_slot_get_binary_changes": {sqlparse.CategoryDrop, RuleDropObject, "pg_logical_slot_get_binary_changes() consumes the changes a logical replication slot holds for its consumer: they are gone for it"},
	"pg_replication_slot_advance":        {sqlparse.CategoryDrop, RuleDropObject, "pg_replication_slot_advance() moves a replication slot forward: its consumer skips the changes in between, and the WAL a standby still needs can be recycled"},
	"pg_replication_origin_advance":      {sqlparse.CategoryDrop, RuleDropObject, "pg_replication_origin_advance() moves a replication origin forward: the subscriber skips the publisher's transactions in between, for good"},
	// The lo extension's trigger: it unlinks the large object a row
	// refers to whenever the row changes.
	"lo_manage": {sqlparse.CategoryDrop, RuleDropLargeObject, "lo_manage() (the lo extension's trigger) unlinks the large object a row refers to whenever the row is updated or deleted"},
	// Files on the database host: lo_export writes one; adminpack
	// writes, renames and deletes them (a table's data file among them).
	"pg_terminate_backend": {sqlparse.CategoryUnanalysable, RuleServerControl, "pg_terminate_backend() ends another session, a human's among them"},
	"pg_cancel_backend":    {sqlparse.CategoryUnanalysable, RuleServerControl, "pg_cancel_backend() cancels another session's statement, a human's among them"},
	"lo_export":            {sqlparse.CategoryUnanalysable, RuleServerFileWrite, "lo_export() writes a file on the database server, which could overwrite any file the server can write (a table's data file among them)"},
	"pg_file_write":        {sqlparse.CategoryUnanalysable, RuleServerFileWrite, "pg_file_write() (adminpack) writes a file on the database server, which could overwrite any file the server can write (a table's data file among them)"},
	"pg_file_rename":       {sqlparse.CategoryUnanalysable, RuleServerFileWrite, "pg_file_rename() (adminpack) renames a file on the database server, which could replace or remove any file the server can write"},
	"pg_file_unlink":       {sqlparse.CategoryUnanalysable, RuleServerFileWrite, "pg_file_unlink() (adminpack) deletes a file on the database server"},
}

func (w *walker) funcCall(n *pg_query.FuncCall) {
	w.functionNamed(qualifiedName(n.Funcname), lastName(n.Funcname), "calls")
	if name := lastName(n.Funcname); (name == "lo_put" || name == "lowrite") && len(n.Args) > 0 && !namesOneObject(n.Args[0]) {
		// Writing one large object named by its OID is an UPDATE of one
		// named row; writing those a query picks is an UPDATE whose
		// bounds bulwark cannot see (every object, FROM
		// pg_largeobject_metadata).
		w.add(sqlparse.CategoryDrop, RuleDropLargeObject, "",
			name+"() here overwrites the contents of large objects a query picks, which can be every one in the database: name the object by its OID (lo_put(16401, ...), lowrite(lo_open(16401, 131072), ...))")
	}
	if lastName(n.Funcname) == "set_config" && len(n.Args) >= 2 {
		w.setConfig(n.Args)
		// set_config('search_path', ...) does what SET search_path does:
		// refused when it could put the recycle area on the path (a value
		// computed at run time could).
		name := n.Args[0].GetAConst().GetSval()
		if name == nil || strings.EqualFold(name.GetSval(), "search_path") {
			w.literalSensitive = true
			if v := n.Args[1].GetAConst().GetSval(); v == nil || strings.Contains(strings.ToLower(v.GetSval()), sqlparse.RecyclePrefix) {
				w.recycle, w.writes = true, true
			}
		}
	}
}

// namesOneObject: a large object (or a descriptor of one) given as a
// constant or a parameter, or lo_open of one.
func namesOneObject(n *pg_query.Node) bool {
	for n.GetTypeCast() != nil {
		n = n.GetTypeCast().Arg
	}
	switch {
	case n.GetAConst() != nil, n.GetParamRef() != nil:
		return true
	case n.GetFuncCall() != nil:
		f := n.GetFuncCall()
		return lastName(f.Funcname) == "lo_open" && len(f.Args) > 0 && namesOneObject(f.Args[0])
	}
	return false
}

// functionNamed checks a reference to a function: a call, or a function
// bound to an operator, cast, aggregate, trigger or other object (CREATE
// OPERATOR ... FUNCTION = lo_unlink makes a later "SELECT !!! 42" unlink
// without naming it). qualified is schema.name, or name when unqualified.
func (w *walker) functionNamed(qualified, name, how string) {
	if name == "set_config" && how != "calls" {
		// Bound to an aggregate, operator or cast, it is called with
		// arguments known only at run time.
		w.add(sqlparse.CategoryUnanalysable, RuleDisableSafeguard, replicationRole,
			"this statement "+how+" set_config(), which will then be called with a setting and value known only at run time, such as "+replicationRoleReason)
	}
	if sqlTextFunctions[name] || sqlTextFunctions[qualified] {
		w.add(sqlparse.CategoryUnanalysable, RuleDynamicSQL, name+"()",
			fmt.Sprintf("this statement %s %s(), which runs SQL text known only at run time, so bulwark cannot judge what it would do", how, name))
	}
	if e, ok := destructiveFunctions[name]; ok {
		w.add(e.category, e.rule, name+"()", e.reason)
	}
}

// functionNodes checks a function named by a list of String nodes.
func (w *walker) functionNodes(names []*pg_query.Node, how string) {
	if len(names) > 0 {
		w.functionNamed(qualifiedName(names), lastName(names), how)
	}
}

// qualifiedName returns schema.name for a qualified name list, or the name
// alone when it is unqualified.
func qualifiedName(names []*pg_query.Node) string {
	if len(names) >= 2 {
		return names[len(names)-2].GetString_().GetSval() + "." + lastName(names)
	}
	return lastName(names)
}

// functionOptions are the DefElem names under which CREATE OPERATOR, CREATE
// AGGREGATE, CREATE TYPE, CREATE TEXT SEARCH PARSER/TEMPLATE, ALTER
// OPERATOR/TYPE ... SET (...) and foreign-data wrappers bind a function.
var functionOptions = map[string]bool{
	"function": true, "procedure": true, "sfunc": true, "finalfunc": true, "combinefunc": true,
	"serialfunc": true, "deserialfunc": true, "msfunc": true, "minvfunc": true, "mfinalfunc": true,
	"restrict": true, "join": true, "handler": true, "validator": true, "inline": true,
	"input": true, "output": true, "receive": true, "send": true, "typmod_in": true, "typmod_out": true,
	"analyze": true, "subscript": true,
	"start": true, "gettoken": true, "end": true, "headline": true, "lextypes": true, "init": true, "lexize": true,
}

// boundFunction checks a DefElem that may name a function, whatever the
// spelling: FUNCTION = lo_unlink, = pg_catalog.lo_unlink, PROCEDURE =
// lo_unlink and FUNCTION = 'lo_unlink' all bind the same function. The
// server's defGetQualifiedName takes a string as one unqualified name,
// exactly as written: 'LO_UNLINK' or 'pg_catalog.lo_unlink' name no
// existing function (checked on a server).
func (w *walker) boundFunction(de *pg_query.DefElem) {
	if !functionOptions[strings.ToLower(de.Defname)] || de.Arg == nil {
		return
	}
	switch {
	case de.Arg.GetTypeName() != nil:
		w.functionNodes(de.Arg.GetTypeName().Names, "binds")
	case de.Arg.GetList() != nil:
		w.functionNodes(de.Arg.GetList().Items, "binds")
	case de.Arg.GetObjectWithArgs() != nil:
		w.functionNodes(de.Arg.GetObjectWithArgs().Objname, "binds")
	case de.Arg.GetString_() != nil:
		// The verdict now depends on a string's value.
		w.literalSensitive = true
		name := de.Arg.GetString_().Sval
		w.functionNamed(name, name, "binds")
	}
}

// lastName returns the unqualified, lower-case name of a qualified name list
// (pg_query has already folded unquoted identifiers to lower case).
func lastName(names []*pg_query.Node) string {
	if len(names) == 0 {
		return ""
	}
	return names[len(names)-1].GetString_().GetSval()
}

// dropObjects names the objects of a DROP statement, best effort.
func dropObjects(n *pg_query.DropStmt) string {
	var names []string
	for _, o := range n.Objects {
		names = append(names, nodeName(o))
	}
	return strings.Join(names, ", ")
}

func nodeName(o *pg_query.Node) string {
	switch {
	case o.GetList() != nil:
		var parts []string
		for _, it := range o.GetList().Items {
			parts = append(parts, nodeName(it))
		}
		return strings.Join(parts, ".")
	case o.GetString_() != nil:
		return o.GetString_().Sval
	case o.GetObjectWithArgs() != nil:
		var parts []string
		for _, it := range o.GetObjectWithArgs().Objname {
			parts = append(parts, nodeName(it))
		}
		return strings.Join(parts, ".")
	case o.GetTypeName() != nil:
		var parts []string
		for _, it := range o.GetTypeName().Names {
			parts = append(parts, nodeName(it))
		}
		return strings.Join(parts, ".")
	case o.GetRangeVar() != nil:
		return rangeVarName(o.GetRangeVar())
	}
	return "?"
}

func rangeVarName(r *pg_query.RangeVar) string {
	if r == nil {
		return "?"
	}
	if r.Schemaname != "" {
		return r.Schemaname + "." + r.Relname
	}
	return r.Relname
}

// objectTypeName turns OBJECT_MATVIEW into "MATERIALIZED VIEW" and so on.
func objectTypeName(t pg_query.ObjectType) string {
	switch t {
	case pg_query.ObjectType_OBJECT_MATVIEW:
		return "MATERIALIZED VIEW"
	case pg_query.ObjectType_OBJECT_FOREIGN_TABLE:
		return "FOREIGN TABLE"
	case pg_query.ObjectType_OBJECT_FDW:
		return "FOREIGN DATA WRAPPER"
	case pg_query.ObjectType_OBJECT_FOREIGN_SERVER:
		return "SERVER"
	case pg_query.ObjectType_OBJECT_EVENT_TRIGGER:
		return "EVENT TRIGGER"
	case pg_query.ObjectType_OBJECT_STATISTIC_EXT:
		return "STATISTICS"
	case pg_query.ObjectType_OBJECT_ACCESS_METHOD:
		return "ACCESS METHOD"
	case pg_query.ObjectType_OBJECT_OPCLASS:
		return "OPERATOR CLASS"
	case pg_query.ObjectType_OBJECT_OPFAMILY:
		return "OPERATOR FAMILY"
	case pg_query.ObjectType_OBJECT_TSCONFIGURATION:
		return "TEXT SEARCH CONFIGURATION"
	case pg_query.ObjectType_OBJECT_TSDICTIONARY:
		return "TEXT SEARCH DICTIONARY"
	case pg_query.ObjectType_OBJECT_TSPARSER:
		return "TEXT SEARCH PARSER"
	case pg_query.ObjectType_OBJECT_TSTEMPLATE:
		return "TEXT SEARCH TEMPLATE"
	}
	return strings.ReplaceAll(strings.TrimPrefix(t.String(), "OBJECT_"), "_", " ")
}

// accountManagement refuses statements that create, change or grant roles:
// an agent could lock a human out, set a human's session defaults (ALTER
// ROLE ... SET search_path), or give itself a login that bypasses bulwark.
func (w *walker) accountManagement(what string) {
	w.add(sqlparse.CategoryUnanalysable, RuleAccountManagement, "",
		what+" manages accounts and privileges: an agent could lock a human out, change a human's session defaults, or create a login that does not go through bulwark")
}

// foreignConnection refuses what sets up connections to a database server
// through a foreign-data wrapper: postgres_fdw to the very database bulwark
// guards runs statements there that bulwark never sees (a foreign table
// whose columns a and b both map to id turns WHERE a = b into id = id).
func (w *walker) foreignConnection(what string) {
	w.add(sqlparse.CategoryUnanalysable, RuleDynamicSQL, "",
		what+" sets up connections to a database server that do not pass through bulwark (postgres_fdw back to this database among them), so bulwark cannot judge what runs over them")
}

// enablesSubscription: ALTER SUBSCRIPTION's options hold enabled = true
// (ENABLE), not false (DISABLE).
func enablesSubscription(options []*pg_query.Node) bool {
	for _, o := range options {
		if d := o.GetDefElem(); d != nil && d.Defname == "enabled" {
			return d.Arg.GetBoolean().GetBoolval()
		}
	}
	return true
}

// subscription refuses CREATE SUBSCRIPTION and the ALTER SUBSCRIPTION that
// point one at a publisher or start it: the server then applies whatever
// the publisher sends, a TRUNCATE or a DELETE of every row among it, as a
// replication worker under session_replication_role = replica, so the
// tables' triggers and rules stay silent; none of it passes through
// bulwark.
func (w *walker) subscription(what string) {
	w.add(sqlparse.CategoryUnanalysable, RuleDynamicSQL, "",
		what+" makes the server apply whatever a publisher sends (any INSERT, UPDATE, DELETE or TRUNCATE of the subscribed tables) with their triggers and rules silent, none of which passes through bulwark")
}

// view judges a view's defining query: one over a system catalog alone, or
// over pg_settings alone, is automatically updatable, and writes through it
// reach what bulwark refuses to let agents write.
func (w *walker) view(v *pg_query.RangeVar, query *pg_query.Node) {
	r := updatableView(query)
	switch {
	case isSettings(r):
		w.add(sqlparse.CategoryUnanalysable, RuleDisableSafeguard, rangeVarName(v),
			"the view "+rangeVarName(v)+" over pg_settings alone would be automatically updatable: an UPDATE through it sets any setting, and "+replicationRoleReason)
	case isSystemRelation(r):
		w.add(sqlparse.CategoryProtected, sqlparse.RuleSystemCatalog, rangeVarName(v),
			"the view "+rangeVarName(v)+" over "+rangeVarName(r)+" alone would be automatically updatable: an UPDATE or DELETE through it writes the system catalog itself, which can drop tables or lock out logins without any statement bulwark would refuse")
	}
}

// updatableView returns the relation a view's query reads when the view
// would be automatically updatable: one relation in FROM, and no DISTINCT,
// GROUP BY, HAVING, LIMIT, set operation or WITH. It returns nil otherwise.
func updatableView(q *pg_query.Node) *pg_query.RangeVar {
	sel := q.GetSelectStmt()
	if sel == nil || sel.Op != pg_query.SetOperation_SETOP_NONE || len(sel.FromClause) != 1 ||
		len(sel.DistinctClause) > 0 || len(sel.GroupClause) > 0 || sel.HavingClause != nil ||
		sel.LimitCount != nil || sel.LimitOffset != nil || sel.WithClause != nil {
		return nil
	}
	return sel.FromClause[0].GetRangeVar()
}

// anyWrites reports whether some rule action changes data (INSERT, UPDATE,
// DELETE, MERGE): a DO INSTEAD rule whose actions do not replaces every
// write it catches with nothing.
func anyWrites(actions []*pg_query.Node) bool {
	for _, a := range actions {
		switch a.Node.(type) {
		case *pg_query.Node_InsertStmt, *pg_query.Node_UpdateStmt, *pg_query.Node_DeleteStmt, *pg_query.Node_MergeStmt:
			return true
		}
	}
	return false
}

// changesRows reports whether some rule action deletes or changes the rows
// a condition picks (DELETE or UPDATE ... WHERE, MERGE); an INSERT only
// adds, and an action without WHERE is judged as the unbounded write it is.
func changesRows(actions []*pg_query.Node) bool {
	for _, a := range actions {
		switch {
		case a.GetDeleteStmt() != nil && a.GetDeleteStmt().WhereClause != nil,
			a.GetUpdateStmt() != nil && a.GetUpdateStmt().WhereClause != nil,
			a.GetMergeStmt() != nil:
			return true
		}
	}
	return false
}

// ruleEvent names the statement a rule is attached to.
func ruleEvent(e pg_query.CmdType) string {
	return strings.TrimPrefix(e.String(), "CMD_")
}
