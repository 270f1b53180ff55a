package mysql

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	pmysql "github.com/pingcap/tidb/pkg/parser/mysql"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// walker visits every node of a statement's parse tree, wherever it is
// nested (subqueries, CTEs, stored procedure bodies, EXPLAIN ANALYZE), and
// records findings. Walking the whole tree, rather than the fields we know,
// keeps a new hiding place from becoming a bypass: the only subtree skipped
// is the statement under a plain EXPLAIN, which the server does not run.
type walker struct {
	an   *Analyzer
	mode modeInfo
	// budget bounds the work of judging the statement's conditions.
	budget sqlparse.Budget
	// depth counts PREPARE texts analysed on the way here.
	depth    int
	findings []sqlparse.Finding
	// literalSensitive is set whenever a decision read a literal's or a
	// parameter marker's value (see sqlparse.Analysis.LiteralSensitive).
	literalSensitive bool
	// top is the statement being walked. Only a destructive node that is
	// the statement itself runs when the statement runs and can be
	// snapshotted first: one nested in a stored program body runs later
	// (when the program is called), one in a PREPARE text when it is
	// EXECUTEd, and the few wrappers that would run it now (EXPLAIN
	// ANALYZE, TiDB's BATCH) are rare enough to be refused instead.
	top ast.Node
	// recycle is set when some name in the statement (a database, a
	// table) belongs to bulwark's recycle area.
	recycle bool
	// system is set when the statement names a table of the mysql
	// database, or makes it the default database.
	system bool
	// routineVars holds, while a stored procedure body is walked, the
	// names (lower case) of its parameters and of the local variables
	// declared so far. In a routine such a name wins over a column of
	// the same name: it is a value, not a reference to the row.
	routineVars map[string]bool
	// ctes holds, while a DELETE or UPDATE with its own WITH (MySQL 8)
	// is judged, that clause's CTEs: they are in scope for everything
	// the statement reads.
	ctes []*ast.CommonTableExpression
	// modeUnknown says why the sql_mode the statement will run under is
	// not mode's (it runs later, or after a statement that may change
	// the mode); "" when it is.
	modeUnknown string
	// derivedSelves memoises which derived tables return a column of
	// every row of a table (see derivedColumn).
	derivedSelves map[derivedKey]derivedVerdict
	// readSteps counts the queries readsColumn has looked into (see
	// maxReadSteps).
	readSteps int
}

var ciStrType = reflect.TypeOf(ast.CIStr{})

// scanNames looks at a node's own name fields (strings and CIStr) for the
// recycle area's prefix. Literal values are datums, not string fields, so
// they are never read here: the verdict stays shareable between texts that
// differ in literals only.
func (w *walker) scanNames(n ast.Node) {
	v := reflect.ValueOf(n)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return
	}
	v = v.Elem()
	t := v.Type()
	for i := 0; i < v.NumField() && !w.recycle; i++ {
		if !t.Field(i).IsExported() {
			continue
		}
		f := v.Field(i)
		switch {
		case f.Kind() == reflect.String:
			w.recycle = isRecycleName(f.String())
		case f.Type() == ciStrType:
			w.recycle = isRecycleName(f.Interface().(ast.CIStr).O)
		}
	}
	switch s := n.(type) {
	case *ast.GrantStmt:
		w.recycle = w.recycle || s.Level != nil && isRecycleName(s.Level.DBName)
	case *ast.RevokeStmt:
		w.recycle = w.recycle || s.Level != nil && isRecycleName(s.Level.DBName)
	}
}

// dynamicProcedures are procedures the server ships that run SQL text they
// are given or build from their arguments: sys.execute_prepared_stmt runs
// any statement, statement_performance_analyzer writes to a table it is
// named, and mysql.AddGeometryColumn and DropGeometryColumn paste their
// unquoted arguments into an ALTER TABLE. They are known by name, in any
// database: a session whose default database is sys calls them unqualified.
var dynamicProcedures = map[string]bool{
	"execute_prepared_stmt": true, "statement_performance_analyzer": true,
	"addgeometrycolumn": true, "dropgeometrycolumn": true,
}

// systemNames notes a table of the system database, or a USE of it (see
// walker.system).
func (w *walker) systemNames(n ast.Node) {
	switch s := n.(type) {
	case *ast.TableName:
		w.system = w.system || isSystemDatabase(s.Schema.O)
	case *ast.UseStmt:
		w.system = w.system || isSystemDatabase(s.DBName)
	case *ast.CallStmt:
		// The mysql database's own routines (AddGeometryColumn,
		// DropGeometryColumn) run any ALTER TABLE they are given.
		w.system = w.system || s.Procedure != nil && isSystemDatabase(s.Procedure.Schema.O)
	}
}

// isSystemDatabase: the mysql database holds the accounts and privileges
// (user, global_priv, db, tables_priv, ...), stored routines, events and
// server settings. Database names are case-sensitive on most servers;
// bulwark errs on the safe side.
func isSystemDatabase(s string) bool { return strings.EqualFold(s, "mysql") }

func isRecycleName(s string) bool {
	return len(s) >= len(sqlparse.RecyclePrefix) && strings.EqualFold(s[:len(sqlparse.RecyclePrefix)], sqlparse.RecyclePrefix)
}

// readOnly reports whether a top-level statement only reads: it may name
// the recycle area.
func readOnly(st ast.StmtNode) bool {
	switch s := st.(type) {
	case *ast.SelectStmt, *ast.SetOprStmt, *ast.ShowStmt:
		return true
	case *ast.ExplainStmt:
		return !s.Analyze
	}
	return false
}

func (w *walker) add(cat sqlparse.Category, rule, object, reason string) {
	w.findings = append(w.findings, sqlparse.Finding{Category: cat, Rule: rule, Object: object, Reason: reason})
}

// addUndo records a finding that a snapshot described by u can undo, when n
// runs as the statement itself (see walker.top).
func (w *walker) addUndo(n ast.Node, cat sqlparse.Category, rule, object, reason string, u *sqlparse.Undo) {
	w.add(cat, rule, object, reason)
	w.findings[len(w.findings)-1].Undo = w.undo(n, u)
}

// undo returns u when n is the statement being walked at the top level of
// the request, else nil.
func (w *walker) undo(n ast.Node, u *sqlparse.Undo) *sqlparse.Undo {
	if n != w.top || w.depth > 0 || u == nil || len(u.Objects) == 0 {
		return nil
	}
	return u
}

// objectName names a table for an Undo, as written: with the default
// lower_case_table_names=0 the server does not fold table or database
// names.
func objectName(t *ast.TableName) sqlparse.ObjectName {
	return sqlparse.ObjectName{Schema: t.Schema.O, Name: t.Name.O}
}

// Enter implements ast.Visitor.
func (w *walker) Enter(n ast.Node) (ast.Node, bool) {
	if pi, ok := n.(*ast.ProcedureInfo); ok {
		// The parser's visitor deliberately does not descend into the
		// statements of a stored procedure body; walk them here.
		// DECLAREs come before the statements of their block, so each
		// statement is judged knowing the variables in its scope (and
		// those of inner blocks walked before it: reading a column as a
		// value only makes a condition look less bounded).
		if pi.ProcedureName != nil {
			// A routine runs with its own database as the default: in
			// one created in mysql, DELETE FROM global_priv is the grant
			// table, and in the recycle area a snapshot's.
			w.system = w.system || isSystemDatabase(pi.ProcedureName.Schema.O)
			w.recycle = w.recycle || isRecycleName(pi.ProcedureName.Schema.O)
		}
		outer := w.routineVars
		w.routineVars = map[string]bool{}
		for name := range outer {
			w.routineVars[name] = true
		}
		for _, param := range pi.ProcedureParam {
			w.routineVars[strings.ToLower(param.ParamName)] = true
		}
		w.deep(reflect.ValueOf(pi.ProcedureBody), map[uintptr]bool{})
		w.routineVars = outer
		return n, true
	}
	return n, w.inspect(n)
}

// deep applies inspect to every node reachable from v through exported
// fields, slices and interfaces, whether or not the node's Accept would visit
// it.
func (w *walker) deep(v reflect.Value, seen map[uintptr]bool) {
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			w.deep(v.Elem(), seen)
		}
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return
		}
		seen[v.Pointer()] = true
		if n, ok := v.Interface().(ast.Node); ok && w.inspect(n) {
			return
		}
		w.deep(v.Elem(), seen)
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			if t.Field(i).IsExported() {
				w.deep(v.Field(i), seen)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			w.deep(v.Index(i), seen)
		}
	}
}

// inspect applies the checks for one node and reports whether to skip its
// children.
func (w *walker) inspect(n ast.Node) bool {
	if !w.recycle {
		w.scanNames(n)
	}
	w.systemNames(n)
	switch s := n.(type) {
	case *ast.DropTableStmt:
		w.dropTable(s)
	case *ast.DropDatabaseStmt:
		w.drop("DATABASE", s.Name.O, "every table in it")
		w.findings[len(w.findings)-1].Undo = w.undo(s, &sqlparse.Undo{Kind: sqlparse.UndoMove, ObjectType: "DATABASE",
			Objects: []sqlparse.ObjectName{{Name: s.Name.O}}, MissingOK: s.IfExists})
	case *ast.DropIndexStmt:
		w.drop("INDEX", s.IndexName+" ON "+tableName(s.Table), "it")
	case *ast.DropSequenceStmt:
		w.drop("SEQUENCE", tableNames(s.Sequences), "it")
	case *ast.DropProcedureStmt:
		w.drop("PROCEDURE", tableName(s.ProcedureName), "it")
	case *ast.DropUserStmt:
		what := "USER"
		if s.IsDropRole {
			what = "ROLE"
		}
		var names []string
		for _, u := range s.UserList {
			names = append(names, u.String())
		}
		// User and role names are written as string literals, which
		// the cache key replaces.
		w.literalSensitive = true
		w.drop(what, strings.Join(names, ", "), "its privileges")
	case *ast.DropPlacementPolicyStmt:
		w.drop("PLACEMENT POLICY", s.PolicyName.O, "it")
	case *ast.DropResourceGroupStmt:
		w.drop("RESOURCE GROUP", s.ResourceGroupName.O, "it")
	case *ast.DropBindingStmt, *ast.DropStatsStmt, *ast.DropStatisticsStmt, *ast.DropQueryWatchStmt:
		// TiDB-only statements (a MySQL server rejects them); still a
		// DROP, and refused like one.
		cmd := commandOf(n.(ast.StmtNode))
		w.add(sqlparse.CategoryDrop, RuleDropObject, "", cmd+" would permanently remove objects from the database")
	case *ast.AlterTableStmt:
		w.alterTable(s)
	case *ast.TruncateTableStmt:
		name := tableName(s.Table)
		var u *sqlparse.Undo
		if s.Table != nil {
			u = &sqlparse.Undo{Kind: sqlparse.UndoRows, ObjectType: "TABLE", Objects: []sqlparse.ObjectName{objectName(s.Table)}}
		}
		w.addUndo(s, sqlparse.CategoryTruncate, RuleTruncate, name, "TRUNCATE "+name+" would delete every row", u)
	case *ast.ProcedureDecl:
		if w.routineVars != nil {
			for _, name := range s.DeclNames {
				w.routineVars[strings.ToLower(name)] = true
			}
		}
	case *ast.DeleteStmt:
		w.deleteStmt(s)
	case *ast.UpdateStmt:
		w.updateStmt(s)
	case *ast.InsertStmt:
		w.upsert(s)
	case *ast.SetStmt:
		for _, v := range s.Variables {
			w.recordOff(v)
			if v.IsSystem && (v.IsGlobal || v.IsInstance) {
				w.add(sqlparse.CategoryUnanalysable, RuleAlterSystem, v.Name,
					"SET GLOBAL "+v.Name+" changes the server's configuration for every session, and settings such as general_log_file make the server write into files it can reach (a table's data file among them), which bulwark cannot judge")
			}
		}
	case *ast.CreateUserStmt, *ast.AlterUserStmt, *ast.RenameUserStmt, *ast.SetPwdStmt,
		*ast.GrantStmt, *ast.GrantRoleStmt, *ast.GrantProxyStmt, *ast.RevokeStmt, *ast.RevokeRoleStmt,
		*ast.SetDefaultRoleStmt:
		// An agent that can change accounts can lock the humans out
		// (a new password, ACCOUNT LOCK, REVOKE) or give itself a login
		// that reaches the server without bulwark. SET ROLE only
		// switches among roles the session already holds, and stays
		// allowed; DROP USER is refused as a DROP.
		w.add(sqlparse.CategoryUnanalysable, RuleAccountManagement, "",
			commandOf(n.(ast.StmtNode))+" changes accounts or privileges, which can lock people out of the server or open a way to it that does not go through bulwark")
	case *ast.SelectStmt:
		if o := s.SelectIntoOpt; o != nil && (o.Tp == ast.SelectIntoOutfile || o.Tp == ast.SelectIntoDumpfile) {
			// The file must not exist yet, but any new file will do: a
			// table's .TRG file in the data directory is a trigger the
			// server runs, as any definer it names, at the next write.
			w.add(sqlparse.CategoryUnanalysable, RuleServerFileWrite, o.FileName,
				"SELECT ... INTO OUTFILE or DUMPFILE writes a file on the database server: a file in its data directory can define a trigger that runs any statement, as any account, at the next write to a table")
		}
	case *ast.FlushStmt:
		if s.Tp == ast.FlushTables && s.ReadLock {
			w.add(sqlparse.CategoryUnanalysable, RuleServerControl, "",
				"FLUSH TABLES WITH READ LOCK blocks every write to every table, humans' among them, for as long as this session holds it")
		}
	case *ast.CallStmt:
		if s.Procedure != nil && dynamicProcedures[s.Procedure.FnName.L] {
			w.add(sqlparse.CategoryUnanalysable, RuleDynamicSQL, s.Procedure.FnName.O,
				"CALL "+s.Procedure.FnName.O+"(...) runs SQL text it is given, or builds, at run time (the server's sys and mysql databases ship such procedures), which bulwark cannot judge")
		}
	case *ast.BinlogStmt:
		// What mysqlbinlog prints for replaying a binary log: the events
		// run as they are, and a query event carries any statement.
		w.add(sqlparse.CategoryUnanalysable, RuleDynamicSQL, "",
			"BINLOG applies base64-encoded binary-log events, which can carry any statement or row change (a DROP or every row deleted) that bulwark cannot read")
	case *ast.ShutdownStmt, *ast.RestartStmt:
		w.add(sqlparse.CategoryUnanalysable, RuleServerControl, "",
			commandOf(n.(ast.StmtNode))+" stops the server for every session")
	case *ast.KillStmt:
		// The number names any session, a human's among them; through
		// the proxy the agent cannot even tell its own connection's
		// number from another's, so KILL QUERY is refused too.
		w.add(sqlparse.CategoryUnanalysable, RuleServerControl, "",
			"KILL ends another session's statement or connection, a human's among them")
	case *ast.PrepareStmt:
		w.prepare(s)
	case *ast.ExplainStmt:
		// EXPLAIN plans without executing; only EXPLAIN ANALYZE runs
		// the statement, so only then does what it wraps count.
		if !s.Analyze {
			return true
		}
	}
	return false
}

// Leave implements ast.Visitor.
func (w *walker) Leave(n ast.Node) (ast.Node, bool) { return n, true }

func (w *walker) drop(what, object, contents string) {
	obj := what + " " + object
	w.add(sqlparse.CategoryDrop, RuleDropObject, obj,
		fmt.Sprintf("DROP %s would permanently remove %s and %s", what, obj, contents))
}

// dropTable: DROP TEMPORARY TABLE is allowed. MySQL and MariaDB drop only a
// temporary table under that form (when none of that name exists the
// statement fails; it never falls back to the permanent table), and a
// temporary table lives only as long as the session that created it.
func (w *walker) dropTable(s *ast.DropTableStmt) {
	if !s.IsView && s.TemporaryKeyword == ast.TemporaryLocal {
		return
	}
	what := "TABLE"
	if s.IsView {
		what = "VIEW"
	}
	w.drop(what, tableNames(s.Tables), "everything in it")
	if s.IsView || s.TemporaryKeyword != ast.TemporaryNone {
		return // a view holds no data; a TiDB global temporary table is not MySQL's
	}
	u := &sqlparse.Undo{Kind: sqlparse.UndoMove, ObjectType: "TABLE", MissingOK: s.IfExists}
	for _, t := range s.Tables {
		u.Objects = append(u.Objects, objectName(t))
	}
	w.findings[len(w.findings)-1].Undo = w.undo(s, u)
}

// alterTable refuses the ALTER TABLE actions that destroy data: DROP COLUMN
// (the column's data), DROP PARTITION (the partition's rows), TRUNCATE
// PARTITION, DISCARD TABLESPACE (the data file), ENGINE = BLACKHOLE (every
// row), a column turned into a generated one (its value in every row), a
// type change the server may carry out by cutting values (typeChange), and
// ALTER IGNORE. Dropping an index, a key, a constraint or a check destroys
// no data and is allowed; so are the other engine changes, which copy every
// row, and EXCHANGE PARTITION, which swaps rows between two tables and
// checks that they fit.
func (w *walker) alterTable(s *ast.AlterTableStmt) {
	name := tableName(s.Table)
	if alterIgnore(s) {
		w.add(sqlparse.CategoryDrop, RuleAlterIgnore, name,
			fmt.Sprintf("ALTER IGNORE TABLE %s would silently delete the rows that duplicate a new key or fit no new partition, "+
				"and cut the values that do not fit a new type, even in strict mode", name))
	}
	for _, spec := range s.Specs {
		switch spec.Tp {
		case ast.AlterTableDropColumn:
			col := "?"
			if spec.OldColumnName != nil {
				col = spec.OldColumnName.Name.O
			}
			w.add(sqlparse.CategoryDrop, RuleAlterDropColumn, name+"."+col,
				fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s would permanently delete that column and its data", name, col))
		case ast.AlterTableDropPartition, ast.AlterTableDropFirstPartition:
			parts := partitionNames(spec.PartitionNames)
			w.add(sqlparse.CategoryDrop, RuleDropObject, name+" PARTITION "+parts,
				fmt.Sprintf("ALTER TABLE %s DROP PARTITION %s would permanently delete the partition and every row in it", name, parts))
		case ast.AlterTableTruncatePartition:
			parts := partitionNames(spec.PartitionNames)
			if spec.OnAllPartitions {
				parts = "ALL"
			}
			w.add(sqlparse.CategoryTruncate, RuleTruncate, name+" PARTITION "+parts,
				fmt.Sprintf("ALTER TABLE %s TRUNCATE PARTITION %s would delete every row of the partition", name, parts))
		case ast.AlterTableDiscardTablespace, ast.AlterTableDiscardPartitionTablespace:
			w.add(sqlparse.CategoryDrop, RuleDropObject, name+" TABLESPACE",
				fmt.Sprintf("ALTER TABLE %s DISCARD TABLESPACE would delete the table's data file", name))
		case ast.AlterTableModifyColumn, ast.AlterTableChangeColumn:
			w.columnChange(name, spec)
		case ast.AlterTableOption:
			w.tableOptions(name, spec.Options)
		case ast.AlterTableAddConstraint:
			if c := spec.Constraint; c != nil && c.Tp == ast.ConstraintForeignKey && cascades(c.Refer) {
				w.add(sqlparse.CategoryDrop, RuleForeignKeyCascade, name,
					fmt.Sprintf("ALTER TABLE %s ADD FOREIGN KEY ... with a CASCADE, SET NULL or SET DEFAULT action would make every later delete "+
						"in %s delete or blank the matching rows of %s: a bounded write to one table would destroy rows of another",
						name, tableName(c.Refer.Table), name))
			}
		}
	}
}

// cascades reports whether a foreign key's actions reach the child's rows
// when the parent's change: ON DELETE CASCADE, SET NULL or SET DEFAULT, and
// ON UPDATE SET NULL or SET DEFAULT (ON UPDATE CASCADE keeps the link).
func cascades(r *ast.ReferenceDef) bool {
	if r == nil {
		return false
	}
	if r.OnDelete != nil {
		switch r.OnDelete.ReferOpt {
		case ast.ReferOptionCascade, ast.ReferOptionSetNull, ast.ReferOptionSetDefault:
			return true
		}
	}
	if r.OnUpdate != nil {
		switch r.OnUpdate.ReferOpt {
		case ast.ReferOptionSetNull, ast.ReferOptionSetDefault:
			return true
		}
	}
	return false
}

// alterIgnore reports whether s was written ALTER IGNORE TABLE. The grammar
// accepts IGNORE but keeps no trace of it in the tree, so the statement's
// first tokens are read, as the TiDB lexer reads them (skipping comments;
// executable ones are already resolved in the reading being walked). Only
// ALTER TABLE statements, which are rare, pay for it.
func alterIgnore(s *ast.AlterTableStmt) bool {
	// "ON" (errors.RedactLogEnable) replaces literals with "?".
	return strings.HasPrefix(parser.Normalize(s.Text(), "ON"), "alter ignore ")
}

// columnChange judges MODIFY and CHANGE of a column. Turning a stored
// column into a generated one (MODIFY c INT AS (expr) STORED) replaces its
// value in every row with the expression's, in any sql_mode, as an ALTER
// COLUMN ... TYPE ... USING an expression that does not read the column
// does on PostgreSQL. Any other definition may change the column's type.
func (w *walker) columnChange(table string, spec *ast.AlterTableSpec) {
	verb := "MODIFY"
	if spec.Tp == ast.AlterTableChangeColumn {
		verb = "CHANGE"
	}
	for _, col := range spec.NewColumns {
		name := col.Name.Name.O
		if spec.OldColumnName != nil {
			name = spec.OldColumnName.Name.O
		}
		if generated(col) {
			w.add(sqlparse.CategoryDrop, RuleColumnRewrite, table+"."+name,
				fmt.Sprintf("ALTER TABLE %s %s %s ... AS (...) would make the column a generated one: its value in every row "+
					"would be replaced by the expression's", table, verb, name))
			continue
		}
		if part := droppedPart(col); part != "" {
			w.add(sqlparse.CategoryDrop, RuleColumnTruncate, table+"."+name,
				fmt.Sprintf("ALTER TABLE %s %s %s %s would drop the %s of every DATETIME or TIMESTAMP value, with notes only, "+
					"even under a strict sql_mode (bulwark does not know the column's current type)", table, verb, name, col.Tp.String(), part))
			continue
		}
		w.typeChange(table+"."+name, fmt.Sprintf("ALTER TABLE %s %s %s", table, verb, name))
	}
}

// droppedPart names what a change to DATE or TIME drops from a DATETIME or
// TIMESTAMP value, or returns "" for other types. Strict sql_mode does not
// stop these conversions: the server only adds notes.
func droppedPart(col *ast.ColumnDef) string {
	if col.Tp == nil {
		return ""
	}
	switch col.Tp.GetType() {
	case pmysql.TypeDate, pmysql.TypeNewDate:
		return "time of day"
	case pmysql.TypeDuration:
		return "date"
	}
	return ""
}

func generated(col *ast.ColumnDef) bool {
	for _, o := range col.Options {
		if o.Tp == ast.ColumnOptionGenerated {
			return true
		}
	}
	return false
}

// keepingEngines are the storage engines that keep a table's rows on this
// server, durably, when a table is converted to them.
var keepingEngines = map[string]bool{
	"INNODB": true, "XTRADB": true, "MYISAM": true, "ARIA": true, "ROCKSDB": true, "TOKUDB": true,
	"ARCHIVE": true, "CSV": true, "NDB": true, "NDBCLUSTER": true, "COLUMNSTORE": true,
}

// tableOptions judges the table options of an ALTER TABLE: ENGINE =
// BLACKHOLE discards every row (the server copies them into an engine that
// stores nothing), ENGINE = MEMORY keeps them until the next restart, an
// engine not among keepingEngines may keep none here (MRG_MyISAM empties
// the table), and CONVERT TO CHARACTER SET converts every text column,
// a type change for each. A plain [DEFAULT] CHARACTER SET only sets the
// default for columns added later.
func (w *walker) tableOptions(table string, opts []*ast.TableOption) {
	for _, o := range opts {
		switch {
		case o.Tp == ast.TableOptionEngine:
			// ENGINE = 'BLACKHOLE' is a string literal, which a
			// cache key replaces.
			w.literalSensitive = true
			switch engine := strings.ToUpper(strings.TrimSpace(o.StrValue)); {
			case keepingEngines[engine]:
			case engine == "BLACKHOLE":
				w.add(sqlparse.CategoryTruncate, RuleTruncate, table+" ENGINE",
					fmt.Sprintf("ALTER TABLE %s ENGINE = BLACKHOLE would delete every row: the BLACKHOLE engine stores nothing", table))
			case engine == "MEMORY", engine == "HEAP":
				w.add(sqlparse.CategoryDrop, RuleNonDurable, table+" ENGINE",
					fmt.Sprintf("ALTER TABLE %s ENGINE = %s would keep its rows in memory only: the server empties the table when it restarts", table, engine))
			default:
				w.add(sqlparse.CategoryTruncate, RuleTruncate, table+" ENGINE",
					fmt.Sprintf("ALTER TABLE %s ENGINE = %s would move every row into an engine bulwark does not know to keep them on this server (a MERGE table holds no rows of its own, so the conversion empties it; FEDERATED, CONNECT, SPIDER and S3 tables keep theirs elsewhere)", table, engine))
			}
		case o.Tp == ast.TableOptionCharset && o.UintValue == ast.TableOptionCharsetWithConvertTo:
			w.typeChange(table, fmt.Sprintf("ALTER TABLE %s CONVERT TO CHARACTER SET", table))
		}
	}
}

// typeChange judges an action that converts a column's values to another
// type or character set. The server refuses the conversion, and changes
// nothing, when a value would not fit and sql_mode is strict
// (STRICT_TRANS_TABLES or STRICT_ALL_TABLES); otherwise it carries it out
// with warnings only, cutting or zeroing every such value: VARCHAR(0)
// empties every string, BIT(1) keeps one bit of every number, NOT NULL
// turns NULLs into zeros, a narrower character set turns what it cannot
// encode into '?'. Whether a value fits depends on the column's current
// type and data, which bulwark does not know; the mode it knows. So a type
// change is allowed only under a strict mode that is known to be the one it
// runs under. (Strict mode still lets rounding through: fewer decimals,
// a float to an integer.)
func (w *walker) typeChange(object, action string) {
	switch {
	case w.modeUnknown != "":
		w.add(sqlparse.CategoryDrop, RuleColumnTruncate, object,
			fmt.Sprintf("%s converts every row's value, and only a strict sql_mode stops the server from silently cutting "+
				"what does not fit: %s", action, w.modeUnknown))
	case !w.mode.strict:
		w.add(sqlparse.CategoryDrop, RuleColumnTruncate, object,
			fmt.Sprintf("%s converts every row's value, and this session's sql_mode is not strict (STRICT_TRANS_TABLES or "+
				"STRICT_ALL_TABLES): the server would silently cut or zero what does not fit", action))
	}
}

func partitionNames(names []ast.CIStr) string {
	var out []string
	for _, n := range names {
		out = append(out, n.O)
	}
	if len(out) == 0 {
		return "?"
	}
	return strings.Join(out, ", ")
}

// prepare judges the text a PREPARE compiles: a literal is parsed under the
// session's sql_mode as the server will parse it; a user variable's value is
// only known at run time.
func (w *walker) prepare(s *ast.PrepareStmt) {
	if s.SQLVar != nil {
		w.add(sqlparse.CategoryUnanalysable, RuleDynamicSQL, "@"+s.SQLVar.Name,
			fmt.Sprintf("PREPARE %s FROM @%s compiles SQL text held in a variable, known only at run time, so bulwark cannot judge what it would do",
				s.Name, s.SQLVar.Name))
		return
	}
	w.literalSensitive = true
	if w.depth >= maxDepth {
		w.add(sqlparse.CategoryUnanalysable, RuleParseError, "",
			"PREPARE texts are nested too deeply for bulwark to analyse")
		return
	}
	inner := w.an.analyze(s.SQLText, w.mode, w.depth+1)
	for _, f := range inner.Findings() {
		f.Reason = "PREPARE " + s.Name + ": " + f.Reason
		w.findings = append(w.findings, f)
	}
}

func tableName(t *ast.TableName) string {
	if t == nil {
		return "?"
	}
	if t.Schema.O != "" {
		return t.Schema.O + "." + t.Name.O
	}
	return t.Name.O
}

func tableNames(ts []*ast.TableName) string {
	var names []string
	for _, t := range ts {
		names = append(names, tableName(t))
	}
	return strings.Join(names, ", ")
}

// commandOf names a top-level statement the way a DBA would read it in the
// audit log: "SELECT", "DROP TABLE", "DELETE".
func commandOf(st ast.StmtNode) string {
	switch s := st.(type) {
	case *ast.DropTableStmt:
		switch {
		case s.IsView:
			return "DROP VIEW"
		case s.TemporaryKeyword == ast.TemporaryLocal:
			return "DROP TEMPORARY TABLE"
		}
		return "DROP TABLE"
	case *ast.DropUserStmt:
		if s.IsDropRole {
			return "DROP ROLE"
		}
		return "DROP USER"
	case *ast.SelectStmt, *ast.SetOprStmt:
		return "SELECT"
	case *ast.InsertStmt:
		if s.IsReplace {
			return "REPLACE"
		}
		return "INSERT"
	case *ast.TruncateTableStmt:
		return "TRUNCATE TABLE"
	case *ast.ProcedureInfo:
		return "CREATE PROCEDURE"
	case *ast.BeginStmt:
		return "BEGIN"
	case *ast.SetStmt:
		return "SET"
	case *ast.ShowStmt:
		return "SHOW"
	case *ast.LoadDataStmt:
		return "LOAD DATA"
	case *ast.CreateViewStmt:
		return "CREATE VIEW"
	case *ast.NonTransactionalDMLStmt:
		return "BATCH"
	case *ast.SetPwdStmt:
		return "SET PASSWORD"
	case *ast.CreateUserStmt:
		if s.IsCreateRole {
			return "CREATE ROLE"
		}
		return "CREATE USER"
	}
	return commandWords(st)
}

// commandWords turns a node type name into command words: DeleteStmt →
// DELETE, DropDatabaseStmt → DROP DATABASE.
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
