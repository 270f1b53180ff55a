//go:build !bulwark_no_mysql

package snapshot

// MySQL and MariaDB snapshots.
//
// MySQL commits implicitly around every DDL statement, so a snapshot cannot
// share a transaction with the statement it protects. The taker therefore
// takes the snapshot itself, on the agent's own upstream connection between
// two of the agent's commands (Upstream), before the statement runs,
// and prefers moves, which copy nothing and cannot be half done:
//
//   - DROP TABLE [IF EXISTS] a, b: the statement is never sent. The tables
//     are moved with one RENAME TABLE into the snapshot's own database
//     bulwark_recycle_<id> (atomic: all move or none; constant time,
//     whatever their size), and the client is answered with the OK of
//     `DO 0`. A missing table without IF EXISTS refuses the whole statement
//     with the server's own wording (MariaDB would drop the others; bulwark
//     drops none); with IF EXISTS missing tables are skipped without the
//     server's note. Refused: views and sequences, tables with triggers
//     (MySQL cannot move them to another database), tables referenced by a
//     foreign key from a table not dropped with them (the server would
//     refuse the DROP too), a session's temporary table mixed with
//     permanent ones. A statement that names only temporary tables runs
//     unchanged (they die with the session anyway).
//   - TRUNCATE [TABLE] t: the statement is never sent. An empty copy is made
//     with CREATE TABLE ... LIKE, and one RENAME TABLE swaps it with t
//     (atomic), so t keeps its name, columns, indexes, partitioning,
//     AUTO_INCREMENT reset as TRUNCATE resets it, and table-level grants
//     (they belong to the name). CREATE TABLE ... LIKE does not carry
//     foreign keys, triggers or DATA/INDEX DIRECTORY options, so a table
//     that has foreign keys, is referenced by one, or has triggers is
//     refused.
//   - DELETE or UPDATE of every row: the rows of each target table are
//     copied (CREATE TABLE ... LIKE, then INSERT ... SELECT of every stored
//     column) into the snapshot's database and committed; then the
//     statement is sent unchanged. The copy is not atomic with the
//     statement: rows other sessions change between the two are not in the
//     snapshot, and a statement that then fails (a trigger, a constraint)
//     or is rolled back leaves a snapshot of data that is still there.
//     Because the copy is DDL, it would commit the client's open
//     transaction: inside a transaction the statement is refused, and must
//     be sent outside one (autocommit on, or before BEGIN). Rows that other
//     tables lose through ON DELETE/UPDATE CASCADE or SET NULL are not
//     copied, so a table referenced with such actions is refused; what
//     triggers do to other tables is not preserved. The copy's size is
//     estimated first from information_schema (TABLE_ROWS and
//     DATA_LENGTH+INDEX_LENGTH, estimates for InnoDB); above Limits the
//     statement is refused and nothing is done.
//   - DROP DATABASE [IF EXISTS] d: the statement is never sent. Every table
//     moves with one RENAME TABLE into the snapshot's database (created
//     with d's character set and collation), then the empty d is dropped.
//     Refused: system databases and bulwark's own, and databases that hold
//     views, sequences, stored routines, triggers or events (they cannot
//     be moved), or tables referenced by foreign keys from elsewhere.
//
// DROP TABLE, TRUNCATE and DROP DATABASE commit the client's open
// transaction before they run, on the server as through bulwark: the taker's
// first DDL statement does it. If the snapshot then fails, the statement is
// refused and the transaction stays committed.
//
// Each snapshot writes its catalog rows only once its data is in place, and
// undoes its moves if the catalog cannot be written: no catalog row points at
// nothing, and a failure at any step leaves the data where it was (or, if
// even the undo fails, in bulwark_recycle_<id>, where a DBA finds it).
//
// Identifiers are quoted with backticks; every value is written as a
// number or as a hexadecimal string literal, which reads the same under
// every sql_mode (ANSI_QUOTES, NO_BACKSLASH_ESCAPES).

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	gomysql "github.com/go-mysql-org/go-mysql/mysql"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// MySQL takes snapshots on MySQL and MariaDB (see the comment at the top of
// this file for what each statement kind guarantees).
type MySQL struct {
	Limits Limits
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

var _ Taker = (*MySQL)(nil)

// mysqlReplacement answers the client in place of a DROP or TRUNCATE that
// the snapshot carried out: its OK packet is what theirs would be.
const mysqlReplacement = "DO 0"

// mysqlSwapName names the empty copy inside a snapshot's database until the
// swap puts it in the truncated table's place.
const mysqlSwapName = "bulwark_empty_copy"

// MySQL error numbers the taker and catalog react to.
const (
	myErrDBExists    = 1007
	myErrNoSuchTable = 1146
	myErrBadDB       = 1049
)

// mysqlCatalogDDL creates the catalog. Times are UTC.
const mysqlCatalogDDL = "CREATE TABLE IF NOT EXISTS `" + CatalogSchema + "`.`" + CatalogTable + "` (" +
	"`id` BIGINT NOT NULL PRIMARY KEY," +
	"`taken_at` DATETIME(6) NOT NULL," +
	"`audit_event` BIGINT NOT NULL DEFAULT 0," +
	"`session_id` VARCHAR(255) NOT NULL DEFAULT ''," +
	"`user` VARCHAR(255) NOT NULL DEFAULT ''," +
	"`operation` VARCHAR(16) NOT NULL," +
	"`object_type` VARCHAR(32) NOT NULL," +
	"`source_schema` VARCHAR(64) NOT NULL," +
	"`source_name` VARCHAR(64) NOT NULL," +
	"`method` VARCHAR(8) NOT NULL," +
	"`recycle_schema` VARCHAR(64) NOT NULL," +
	"`recycle_name` VARCHAR(64) NOT NULL," +
	"`rows` BIGINT NOT NULL DEFAULT 0," +
	"`rows_estimated` BOOLEAN NOT NULL DEFAULT FALSE," +
	"`bytes` BIGINT NOT NULL DEFAULT 0," +
	"`statement` LONGTEXT NOT NULL," +
	"`restored_at` DATETIME(6) NULL," +
	"`restored_to` VARCHAR(130) NULL," +
	"`purged_at` DATETIME(6) NULL," +
	"KEY `taken_at` (`taken_at`)," +
	"KEY `source` (`source_schema`, `source_name`)" +
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"

// mysqlEntryColumns reads a catalog row; times come as text in a format of
// the query's own.
const mysqlEntryColumns = "`id`, DATE_FORMAT(`taken_at`, '%Y-%m-%d %H:%i:%s.%f'), `audit_event`, `session_id`, `user`, " +
	"`operation`, `object_type`, `source_schema`, `source_name`, `method`, `recycle_schema`, `recycle_name`, `rows`, " +
	"`rows_estimated`, `bytes`, `statement`, DATE_FORMAT(`restored_at`, '%Y-%m-%d %H:%i:%s.%f'), `restored_to`, " +
	"DATE_FORMAT(`purged_at`, '%Y-%m-%d %H:%i:%s.%f')"

const myTimeLayout = "2006-01-02 15:04:05.000000"

// myRunner runs one statement and returns the text of the rows it returned
// (nil for NULL). A server error is returned as the error.
type myRunner func(ctx context.Context, query string) ([][][]byte, error)

func upstreamRunner(up Upstream) myRunner {
	return func(ctx context.Context, q string) ([][][]byte, error) {
		res, err := up.Exec(ctx, q)
		if err != nil {
			return nil, err
		}
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Rows, nil
	}
}

// ---- SQL text ----

// myIdent quotes an identifier with backticks.
func myIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// myTable quotes schema.name.
func myTable(schema, name string) string { return myIdent(schema) + "." + myIdent(name) }

// myString writes a string value as a hexadecimal utf8mb4 literal.
func myString(s string) string { return "_utf8mb4 X'" + hex.EncodeToString([]byte(s)) + "'" }

func myTime(t time.Time) string { return "'" + t.UTC().Format(myTimeLayout) + "'" }

func myInt(n int64) string { return strconv.FormatInt(n, 10) }

func myBool(b bool) string {
	if b {
		return "TRUE"
	}
	return "FALSE"
}

// myErrno returns the server's error number, 0 for other errors.
func myErrno(err error) uint16 {
	var a *gomysql.MyError
	if errors.As(err, &a) {
		return a.Code
	}
	return 0
}

// myMessage returns the server's own message for err.
func myMessage(err error) string {
	var a *gomysql.MyError
	if errors.As(err, &a) {
		return a.Message
	}
	return err.Error()
}

// mySystem reports whether a database belongs to the server or to bulwark.
func mySystem(db string) bool {
	switch l := strings.ToLower(db); {
	case l == "mysql", l == "information_schema", l == "performance_schema", l == "sys":
		return true
	case l == CatalogSchema, strings.HasPrefix(l, RecyclePrefix):
		return true
	}
	return false
}

// ---- taking a snapshot ----

// myTake is one Take in progress.
type myTake struct {
	m   *MySQL
	req Request
	up  Upstream
	run myRunner
	now time.Time
	// current is the session's database (DATABASE()), "" when none.
	current string
}

// myObject is a table the taker inspected.
type myObject struct {
	schema, name string
	kind         string // "table", "temporary", "view", "sequence", "missing"
	rows, bytes  int64
}

func (o myObject) String() string { return o.schema + "." + o.name }

// Take implements Taker.
func (m *MySQL) Take(ctx context.Context, req Request, up Upstream) (*Plan, error) {
	if len(req.Undo) == 0 || req.Undo[0] == nil {
		return nil, errors.New("bulwark found nothing in this statement that it knows how to snapshot")
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	t := &myTake{m: m, req: req, up: up, run: upstreamRunner(up), now: now()}
	kind, typ := req.Undo[0].Kind, req.Undo[0].ObjectType
	missingOK := true
	var objects []sqlparse.ObjectName
	seen := map[sqlparse.ObjectName]bool{}
	for _, u := range req.Undo {
		if u == nil || u.Kind != kind || u.ObjectType != typ {
			return nil, errors.New("the statement destroys objects of different kinds, which bulwark cannot snapshot together on MySQL")
		}
		missingOK = missingOK && u.MissingOK
		for _, o := range u.Objects {
			if !seen[o] {
				seen[o] = true
				objects = append(objects, o)
			}
		}
	}
	rows, err := t.run(ctx, "SELECT DATABASE()")
	if err != nil {
		return nil, fmt.Errorf("bulwark could not read the session's current database: %s", myMessage(err))
	}
	if len(rows) == 1 && len(rows[0]) == 1 && rows[0][0] != nil {
		t.current = string(rows[0][0])
	}
	switch {
	case kind == sqlparse.UndoMove && typ == "TABLE":
		return t.dropTables(ctx, objects, missingOK)
	case kind == sqlparse.UndoMove && typ == "DATABASE" && len(objects) == 1:
		return t.dropDatabase(ctx, objects[0].Name, missingOK)
	case kind == sqlparse.UndoRows && typ == "TABLE" && req.Operation == string(sqlparse.CategoryTruncate) && len(objects) == 1:
		return t.truncate(ctx, objects[0])
	case kind == sqlparse.UndoRows && typ == "TABLE" && req.Operation != string(sqlparse.CategoryTruncate):
		return t.copyRows(ctx, objects)
	}
	return nil, fmt.Errorf("bulwark cannot snapshot a %s of %s on MySQL", req.Operation, strings.ToLower(typ))
}

// resolve names a table in the session's current database when the
// statement did not qualify it.
func (t *myTake) resolve(o sqlparse.ObjectName) (string, string, error) {
	schema := o.Schema
	if schema == "" {
		if t.current == "" {
			//lint:ignore ST1005 the server's own wording, which DBAs recognise
			return "", "", errors.New("No database selected")
		}
		schema = t.current
	}
	if mySystem(schema) {
		return "", "", fmt.Errorf("%s.%s is in %s, a database bulwark does not snapshot (the server's or bulwark's own)", schema, o.Name, schema)
	}
	return schema, o.Name, nil
}

// inspect finds out what schema.name is. SHOW CREATE TABLE sees what the
// statement would see, including a temporary table that hides a
// permanent one.
func (t *myTake) inspect(ctx context.Context, schema, name string) (myObject, error) {
	o := myObject{schema: schema, name: name}
	rows, err := t.run(ctx, "SHOW CREATE TABLE "+myTable(schema, name))
	switch {
	case err != nil && (myErrno(err) == myErrNoSuchTable || myErrno(err) == myErrBadDB):
		o.kind = "missing"
		return o, nil
	case err != nil:
		return o, fmt.Errorf("bulwark could not inspect %s: %s", o, myMessage(err))
	case len(rows) != 1 || len(rows[0]) < 2:
		return o, fmt.Errorf("bulwark could not inspect %s: unexpected answer to SHOW CREATE TABLE", o)
	}
	create := string(rows[0][1])
	switch {
	case strings.HasPrefix(create, "CREATE TEMPORARY TABLE"):
		o.kind = "temporary"
		return o, nil
	case strings.HasPrefix(create, "CREATE SEQUENCE"):
		o.kind = "sequence"
		return o, nil
	case !strings.HasPrefix(create, "CREATE TABLE"):
		o.kind = "view"
		return o, nil
	}
	info, err := t.run(ctx, "SELECT TABLE_NAME, TABLE_TYPE, COALESCE(TABLE_ROWS, 0), COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0) "+
		"FROM information_schema.TABLES WHERE TABLE_SCHEMA = "+myString(schema)+" AND TABLE_NAME = "+myString(name))
	if err != nil {
		return o, fmt.Errorf("bulwark could not read the size of %s: %s", o, myMessage(err))
	}
	o.kind = "table"
	for _, r := range info {
		if string(r[0]) != name {
			continue // information_schema compares without regard to case
		}
		switch string(r[1]) {
		case "SEQUENCE":
			o.kind = "sequence"
		case "BASE TABLE":
		default:
			o.kind = strings.ToLower(string(r[1]))
		}
		o.rows, _ = strconv.ParseInt(string(r[2]), 10, 64)
		o.bytes, _ = strconv.ParseInt(string(r[3]), 10, 64)
	}
	return o, nil
}

// triggers returns the names of the triggers on a table.
func (t *myTake) triggers(ctx context.Context, o myObject) ([]string, error) {
	rows, err := t.run(ctx, "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = "+
		myString(o.schema)+" AND EVENT_OBJECT_TABLE = "+myString(o.name))
	if err != nil {
		return nil, fmt.Errorf("bulwark could not read the triggers of %s: %s", o, myMessage(err))
	}
	var names []string
	for _, r := range rows {
		if string(r[1]) == o.name {
			names = append(names, string(r[0]))
		}
	}
	return names, nil
}

// myForeignKey is one foreign key constraint.
type myForeignKey struct {
	schema, table, name    string // the referencing table and the constraint
	refSchema, refTable    string
	deleteRule, updateRule string
}

// foreignKeys returns the foreign keys that reference o (referencing) and
// those o has (own).
func (t *myTake) foreignKeys(ctx context.Context, o myObject) (referencing, own []myForeignKey, err error) {
	q := "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, UNIQUE_CONSTRAINT_SCHEMA, REFERENCED_TABLE_NAME, DELETE_RULE, UPDATE_RULE " +
		"FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE (UNIQUE_CONSTRAINT_SCHEMA = " + myString(o.schema) +
		" AND REFERENCED_TABLE_NAME = " + myString(o.name) + ") OR (CONSTRAINT_SCHEMA = " + myString(o.schema) +
		" AND TABLE_NAME = " + myString(o.name) + ")"
	rows, err := t.run(ctx, q)
	if err != nil {
		return nil, nil, fmt.Errorf("bulwark could not read the foreign keys of %s: %s", o, myMessage(err))
	}
	for _, r := range rows {
		fk := myForeignKey{schema: string(r[0]), table: string(r[1]), name: string(r[2]), refSchema: string(r[3]),
			refTable: string(r[4]), deleteRule: string(r[5]), updateRule: string(r[6])}
		if fk.refSchema == o.schema && fk.refTable == o.name {
			referencing = append(referencing, fk)
		}
		if fk.schema == o.schema && fk.table == o.name {
			own = append(own, fk)
		}
	}
	return referencing, own, nil
}

// ensureCatalog creates the catalog if it is missing.
func ensureMySQLCatalog(ctx context.Context, run myRunner) error {
	if _, err := run(ctx, "CREATE DATABASE IF NOT EXISTS "+myIdent(CatalogSchema)+" CHARACTER SET utf8mb4"); err != nil {
		return err
	}
	_, err := run(ctx, mysqlCatalogDDL)
	return err
}

// newArea creates the snapshot's own database and returns its id and name.
// Ids are the time in microseconds (so they sort by time) and never come
// from the server, so that the session's LAST_INSERT_ID() is untouched; an
// id whose database exists is skipped.
func (t *myTake) newArea(ctx context.Context, charset, collation string) (int64, string, error) {
	if err := ensureMySQLCatalog(ctx, t.run); err != nil {
		return 0, "", fmt.Errorf("bulwark could not create its snapshot catalog %s.%s: %s", CatalogSchema, CatalogTable, myMessage(err))
	}
	opts := ""
	if charset != "" {
		opts = " CHARACTER SET " + myIdent(charset)
		if collation != "" {
			opts += " COLLATE " + myIdent(collation)
		}
	}
	id := t.now.UnixMicro()
	for attempt := 0; ; attempt++ {
		name := RecyclePrefix + myInt(id)
		_, err := t.run(ctx, "CREATE DATABASE "+myIdent(name)+opts)
		if err == nil {
			return id, name, nil
		}
		if myErrno(err) != myErrDBExists || attempt == 8 {
			return 0, "", fmt.Errorf("bulwark could not create the snapshot's database %s: %s", name, myMessage(err))
		}
		id += 1 + rand.Int64N(1000)
	}
}

// dropArea removes a snapshot's database after a failure, if it is empty.
func dropMySQLArea(ctx context.Context, run myRunner, area string) {
	rows, err := run(ctx, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "+myString(area))
	if err != nil || len(rows) != 1 || string(rows[0][0]) != "0" {
		return
	}
	_, _ = run(ctx, "DROP DATABASE IF EXISTS "+myIdent(area))
}

// entry starts a catalog entry for an object of this snapshot.
func (t *myTake) entry(id int64, area, typ, method, schema, name, recycleName string) Entry {
	return Entry{
		ID: id, TakenAt: t.now.UTC(), AuditEvent: t.req.EventID, SessionID: t.req.SessionID, User: t.req.User,
		Operation: t.req.Operation, ObjectType: typ, SourceSchema: schema, SourceName: name, Method: method,
		RecycleSchema: area, RecycleName: recycleName, Statement: t.req.Statement,
	}
}

// record writes the catalog rows and commits them.
func (t *myTake) record(ctx context.Context, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("INSERT INTO " + myTable(CatalogSchema, CatalogTable) + " (`id`, `taken_at`, `audit_event`, `session_id`, `user`, " +
		"`operation`, `object_type`, `source_schema`, `source_name`, `method`, `recycle_schema`, `recycle_name`, `rows`, " +
		"`rows_estimated`, `bytes`, `statement`) VALUES ")
	for i, e := range entries {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
			myInt(e.ID), myTime(e.TakenAt), myInt(e.AuditEvent), myString(e.SessionID), myString(e.User),
			myString(e.Operation), myString(e.ObjectType), myString(e.SourceSchema), myString(e.SourceName),
			myString(e.Method), myString(e.RecycleSchema), myString(e.RecycleName), myInt(e.Rows),
			myBool(e.RowsEstimated), myInt(e.Bytes), myString(e.Statement))
	}
	if _, err := t.run(ctx, b.String()); err != nil {
		_, _ = t.run(ctx, "ROLLBACK")
		return fmt.Errorf("bulwark could not record the snapshot in %s.%s: %s", CatalogSchema, CatalogTable, myMessage(err))
	}
	// The session may have autocommit off; bulwark's rows are committed
	// either way (the caller made sure no transaction of the client's
	// is open).
	if _, err := t.run(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("bulwark could not commit the snapshot's record: %s", myMessage(err))
	}
	return nil
}

// forget removes catalog rows whose snapshot was undone.
func (t *myTake) forget(ctx context.Context, entries []Entry) {
	if len(entries) == 0 {
		return
	}
	var ids []string
	for _, e := range entries {
		ids = append(ids, myInt(e.ID))
	}
	_, _ = t.run(ctx, "DELETE FROM "+myTable(CatalogSchema, CatalogTable)+" WHERE `id` IN ("+strings.Join(ids, ", ")+")")
	_, _ = t.run(ctx, "COMMIT")
}

// retain purges, when Limits.Retention is set, the older snapshots taken in
// the same database. It is best effort: the new snapshot stands whatever
// happens here.
func (t *myTake) retain(ctx context.Context, db string) {
	if t.m.Limits.Retention <= 0 {
		return
	}
	cutoff := t.now.Add(-t.m.Limits.Retention)
	_, _ = purgeMySQL(ctx, t.run, "(`source_schema` = "+myString(db)+" OR (`object_type` = 'DATABASE' AND `source_name` = "+
		myString(db)+")) AND `taken_at` < "+myTime(cutoff), t.now)
}

// replaced is the answer for a statement the snapshot carried out itself.
func replaced() *Plan {
	return &Plan{SQL: mysqlReplacement, Replace: true}
}

// dropTables moves the tables aside instead of dropping them.
func (t *myTake) dropTables(ctx context.Context, names []sqlparse.ObjectName, missingOK bool) (*Plan, error) {
	var move []myObject
	temporary := 0
	byName := map[string]myObject{}
	for _, n := range names {
		schema, name, err := t.resolve(n)
		if err != nil {
			return nil, err
		}
		o, err := t.inspect(ctx, schema, name)
		if err != nil {
			return nil, err
		}
		switch o.kind {
		case "missing":
			if missingOK {
				continue
			}
			//lint:ignore ST1005 the server's own wording, which DBAs recognise
			return nil, fmt.Errorf("Unknown table '%s' (nothing was dropped)", o)
		case "temporary":
			temporary++
			continue
		case "table":
		case "view":
			return nil, fmt.Errorf("'%s' is a view; DROP TABLE does not drop views (nothing was dropped)", o)
		default:
			return nil, fmt.Errorf("%s is a %s, which bulwark cannot set aside; only tables can be snapshotted", o, o.kind)
		}
		if other, dup := byName[o.name]; dup {
			return nil, fmt.Errorf("%s and %s have the same name, and one snapshot keeps tables under their own names: drop them in two statements", other, o)
		}
		byName[o.name] = o
		move = append(move, o)
	}
	if temporary > 0 {
		if len(move) > 0 {
			return nil, errors.New("the statement drops temporary and permanent tables together; drop the temporary ones with DROP TEMPORARY TABLE and the others in a statement of their own")
		}
		return nil, nil // only session temporary tables: nothing permanent to keep
	}
	if len(move) == 0 {
		return replaced(), nil // IF EXISTS and nothing exists
	}
	dropped := map[string]bool{}
	for _, o := range move {
		dropped[o.schema+"\x00"+o.name] = true
	}
	for _, o := range move {
		trg, err := t.triggers(ctx, o)
		if err != nil {
			return nil, err
		}
		if len(trg) > 0 {
			return nil, fmt.Errorf("%s has triggers (%s), and MySQL cannot move a table with triggers into another database, so bulwark cannot set it aside; drop the triggers first (DROP TRIGGER), then the table",
				o, strings.Join(trg, ", "))
		}
		referencing, _, err := t.foreignKeys(ctx, o)
		if err != nil {
			return nil, err
		}
		for _, fk := range referencing {
			if !dropped[fk.schema+"\x00"+fk.table] {
				//lint:ignore ST1005 the server's own wording, which DBAs recognise
				return nil, fmt.Errorf("Cannot drop table '%s' referenced by a foreign key constraint '%s' on table '%s.%s' (nothing was dropped)",
					o.name, fk.name, fk.schema, fk.table)
			}
		}
	}
	id, area, err := t.newArea(ctx, "", "")
	if err != nil {
		return nil, err
	}
	var pairs, back []string
	var entries []Entry
	for i, o := range move {
		pairs = append(pairs, myTable(o.schema, o.name)+" TO "+myTable(area, o.name))
		back = append(back, myTable(area, o.name)+" TO "+myTable(o.schema, o.name))
		e := t.entry(id+int64(i), area, "TABLE", MethodMove, o.schema, o.name, o.name)
		e.Rows, e.RowsEstimated, e.Bytes = o.rows, true, o.bytes
		entries = append(entries, e)
	}
	if _, err := t.run(ctx, "RENAME TABLE "+strings.Join(pairs, ", ")); err != nil {
		dropMySQLArea(ctx, t.run, area)
		return nil, fmt.Errorf("bulwark could not move %s into %s: %s", objectList(move), area, myMessage(err))
	}
	if err := t.record(ctx, entries); err != nil {
		if _, uerr := t.run(ctx, "RENAME TABLE "+strings.Join(back, ", ")); uerr != nil {
			return nil, fmt.Errorf("%v; moving the tables back failed too (%s): they are in %s", err, myMessage(uerr), area)
		}
		dropMySQLArea(ctx, t.run, area)
		return nil, err
	}
	t.retain(ctx, move[0].schema)
	return replaced(), nil
}

func objectList(os []myObject) string {
	var names []string
	for _, o := range os {
		names = append(names, o.String())
	}
	return strings.Join(names, ", ")
}

// truncate swaps the table with an empty copy of itself.
func (t *myTake) truncate(ctx context.Context, n sqlparse.ObjectName) (*Plan, error) {
	schema, name, err := t.resolve(n)
	if err != nil {
		return nil, err
	}
	o, err := t.inspect(ctx, schema, name)
	if err != nil {
		return nil, err
	}
	switch o.kind {
	case "table":
	case "missing":
		//lint:ignore ST1005 the server's own wording, which DBAs recognise
		return nil, fmt.Errorf("Table '%s' doesn't exist", o)
	case "temporary":
		return nil, nil // a session's temporary table: TRUNCATE it as sent
	default:
		return nil, fmt.Errorf("%s is a %s, which bulwark cannot snapshot; only tables can be", o, o.kind)
	}
	trg, err := t.triggers(ctx, o)
	if err != nil {
		return nil, err
	}
	if len(trg) > 0 {
		return nil, fmt.Errorf("%s has triggers (%s): bulwark snapshots a TRUNCATE by swapping the table with an empty copy, and neither can a table with triggers be moved to another database nor would the copy have them",
			o, strings.Join(trg, ", "))
	}
	referencing, own, err := t.foreignKeys(ctx, o)
	if err != nil {
		return nil, err
	}
	if len(referencing) > 0 {
		fk := referencing[0]
		//lint:ignore ST1005 the server's own wording, which DBAs recognise
		return nil, fmt.Errorf("Cannot truncate a table referenced in a foreign key constraint (%s.%s, CONSTRAINT %s): nothing was changed",
			fk.schema, fk.table, fk.name)
	}
	if len(own) > 0 {
		return nil, fmt.Errorf("%s has foreign keys (%s): bulwark snapshots a TRUNCATE by swapping the table with an empty copy made with CREATE TABLE ... LIKE, which would not have them; delete the rows with DELETE instead",
			o, own[0].name)
	}
	if name == mysqlSwapName {
		return nil, fmt.Errorf("bulwark cannot snapshot a table named %s", mysqlSwapName)
	}
	id, area, err := t.newArea(ctx, "", "")
	if err != nil {
		return nil, err
	}
	if _, err := t.run(ctx, "CREATE TABLE "+myTable(area, mysqlSwapName)+" LIKE "+myTable(schema, name)); err != nil {
		dropMySQLArea(ctx, t.run, area)
		return nil, fmt.Errorf("bulwark could not make an empty copy of %s: %s", o, myMessage(err))
	}
	swap := "RENAME TABLE " + myTable(schema, name) + " TO " + myTable(area, name) + ", " + myTable(area, mysqlSwapName) + " TO " + myTable(schema, name)
	if _, err := t.run(ctx, swap); err != nil {
		_, _ = t.run(ctx, "DROP TABLE IF EXISTS "+myTable(area, mysqlSwapName))
		dropMySQLArea(ctx, t.run, area)
		return nil, fmt.Errorf("bulwark could not swap %s with an empty copy: %s", o, myMessage(err))
	}
	e := t.entry(id, area, "TABLE", MethodSwap, schema, name, name)
	e.Rows, e.RowsEstimated, e.Bytes = o.rows, true, o.bytes
	if err := t.record(ctx, []Entry{e}); err != nil {
		unswap := "RENAME TABLE " + myTable(schema, name) + " TO " + myTable(area, mysqlSwapName) + ", " + myTable(area, name) + " TO " + myTable(schema, name)
		if _, uerr := t.run(ctx, unswap); uerr != nil {
			return nil, fmt.Errorf("%v; swapping the table back failed too (%s): its rows are in %s.%s", err, myMessage(uerr), area, name)
		}
		_, _ = t.run(ctx, "DROP TABLE IF EXISTS "+myTable(area, mysqlSwapName))
		dropMySQLArea(ctx, t.run, area)
		return nil, err
	}
	t.retain(ctx, schema)
	return replaced(), nil
}

// storedColumns returns the columns of a table that hold data (not
// generated ones), quoted, in order.
func storedMySQLColumns(ctx context.Context, run myRunner, schema, name string) ([]string, error) {
	rows, err := run(ctx, "SELECT COLUMN_NAME, EXTRA, TABLE_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "+
		myString(schema)+" AND TABLE_NAME = "+myString(name)+" ORDER BY ORDINAL_POSITION")
	if err != nil {
		return nil, err
	}
	var cols []string
	for _, r := range rows {
		if string(r[2]) != name || strings.Contains(strings.ToUpper(string(r[1])), "GENERATED") {
			continue
		}
		cols = append(cols, myIdent(string(r[0])))
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("no columns found for %s.%s", schema, name)
	}
	return cols, nil
}

// copyRows copies the rows of the tables a DELETE or UPDATE would change;
// the statement then runs as sent.
func (t *myTake) copyRows(ctx context.Context, names []sqlparse.ObjectName) (*Plan, error) {
	res, err := t.up.Exec(ctx, "SELECT @@SESSION.autocommit")
	if err != nil {
		return nil, err
	}
	if res.Err != nil {
		return nil, fmt.Errorf("bulwark could not read the session's transaction state: %s", myMessage(res.Err))
	}
	if res.TxStatus == 'T' {
		return nil, fmt.Errorf("the session has a transaction open, and on MySQL copying the rows aside would commit it (every CREATE TABLE commits); send the %s outside a transaction (COMMIT or ROLLBACK first)",
			strings.ToUpper(t.req.Operation))
	}
	var objs []myObject
	seen := map[string]bool{}
	var rows, bytes int64
	for _, n := range names {
		schema, name, err := t.resolve(n)
		if err != nil {
			return nil, err
		}
		if seen[schema+"\x00"+name] {
			continue
		}
		seen[schema+"\x00"+name] = true
		o, err := t.inspect(ctx, schema, name)
		if err != nil {
			return nil, err
		}
		switch o.kind {
		case "table":
		case "missing":
			//lint:ignore ST1005 the server's own wording, which DBAs recognise
			return nil, fmt.Errorf("Table '%s' doesn't exist", o)
		default:
			return nil, fmt.Errorf("%s is a %s, whose rows bulwark cannot snapshot; only tables' can be", o, o.kind)
		}
		referencing, _, err := t.foreignKeys(ctx, o)
		if err != nil {
			return nil, err
		}
		for _, fk := range referencing {
			rule := fk.deleteRule
			if t.req.Operation == string(sqlparse.CategoryUpdate) {
				rule = fk.updateRule
			}
			if rule == "CASCADE" || rule == "SET NULL" || rule == "SET DEFAULT" {
				return nil, fmt.Errorf("%s is referenced by foreign key %s of %s.%s with ON %s %s, so the statement would also change rows of %s.%s that the snapshot would not hold",
					o, fk.name, fk.schema, fk.table, strings.ToUpper(t.req.Operation), rule, fk.schema, fk.table)
			}
		}
		rows += o.rows
		bytes += o.bytes
		objs = append(objs, o)
	}
	if len(objs) > 1 {
		byName := map[string]myObject{}
		for _, o := range objs {
			if other, dup := byName[o.name]; dup {
				return nil, fmt.Errorf("%s and %s have the same name, and one snapshot keeps tables under their own names", other, o)
			}
			byName[o.name] = o
		}
	}
	if l := t.m.Limits; l.MaxRows > 0 && rows > l.MaxRows || l.MaxBytes > 0 && bytes > l.MaxBytes {
		return nil, fmt.Errorf("the snapshot of %s would copy about %d rows (%s), more than the limits (snapshot.max_rows %d, snapshot.max_bytes %s); nothing was copied or changed",
			objectList(objs), rows, sizeText(bytes), l.MaxRows, sizeText(l.MaxBytes))
	}
	restore, err := t.exactInserts(ctx)
	if err != nil {
		return nil, err
	}
	defer restore()
	id, area, err := t.newArea(ctx, "", "")
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Plan, error) {
		_, _ = t.run(ctx, "ROLLBACK")
		_, _ = t.run(ctx, "DROP DATABASE IF EXISTS "+myIdent(area))
		return nil, err
	}
	var entries []Entry
	for i, o := range objs {
		cols, err := storedMySQLColumns(ctx, t.run, o.schema, o.name)
		if err != nil {
			return fail(fmt.Errorf("bulwark could not read the columns of %s: %s", o, myMessage(err)))
		}
		if _, err := t.run(ctx, "CREATE TABLE "+myTable(area, o.name)+" LIKE "+myTable(o.schema, o.name)); err != nil {
			return fail(fmt.Errorf("bulwark could not create the snapshot table for %s: %s", o, myMessage(err)))
		}
		list := strings.Join(cols, ", ")
		if _, err := t.run(ctx, "INSERT INTO "+myTable(area, o.name)+" ("+list+") SELECT "+list+" FROM "+myTable(o.schema, o.name)); err != nil {
			return fail(fmt.Errorf("bulwark could not copy the rows of %s: %s", o, myMessage(err)))
		}
		count, err := t.run(ctx, "SELECT ROW_COUNT()")
		if err != nil || len(count) != 1 {
			return fail(fmt.Errorf("bulwark could not count the rows it copied from %s", o))
		}
		if _, err := t.run(ctx, "COMMIT"); err != nil {
			return fail(fmt.Errorf("bulwark could not commit the copy of %s: %s", o, myMessage(err)))
		}
		e := t.entry(id+int64(i), area, "TABLE", MethodRows, o.schema, o.name, o.name)
		e.Rows, _ = strconv.ParseInt(string(count[0][0]), 10, 64)
		e.Bytes = o.bytes
		entries = append(entries, e)
	}
	if err := t.record(ctx, entries); err != nil {
		return fail(err)
	}
	t.retain(ctx, objs[0].schema)
	return nil, nil
}

// exactInserts makes INSERT ... SELECT copy a zero in an AUTO_INCREMENT
// column as zero (NO_AUTO_VALUE_ON_ZERO) for the copy's duration, and
// returns what puts the session's sql_mode back.
func (t *myTake) exactInserts(ctx context.Context) (func(), error) {
	rows, err := t.run(ctx, "SELECT @@SESSION.sql_mode")
	if err != nil || len(rows) != 1 || len(rows[0]) != 1 {
		return nil, errors.New("bulwark could not read the session's sql_mode")
	}
	mode := string(rows[0][0])
	if strings.Contains(","+strings.ToUpper(mode)+",", ",NO_AUTO_VALUE_ON_ZERO,") {
		return func() {}, nil
	}
	want := "NO_AUTO_VALUE_ON_ZERO"
	if mode != "" {
		want = mode + "," + want
	}
	if _, err := t.run(ctx, "SET SESSION sql_mode = "+myString(want)); err != nil {
		return nil, fmt.Errorf("bulwark could not adjust the session's sql_mode for the copy: %s", myMessage(err))
	}
	return func() { _, _ = t.run(ctx, "SET SESSION sql_mode = "+myString(mode)) }, nil
}

// dropDatabase moves every table of db aside, then drops the empty db.
func (t *myTake) dropDatabase(ctx context.Context, db string, missingOK bool) (*Plan, error) {
	if mySystem(db) {
		return nil, fmt.Errorf("%s is the server's or bulwark's own database; bulwark never snapshots it", db)
	}
	info, err := t.run(ctx, "SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = "+myString(db))
	if err != nil {
		return nil, fmt.Errorf("bulwark could not look up database %s: %s", db, myMessage(err))
	}
	var charset, collation string
	found := false
	for _, r := range info {
		if string(r[0]) == db {
			found, charset, collation = true, string(r[1]), string(r[2])
		}
	}
	if !found {
		if missingOK {
			return replaced(), nil
		}
		//lint:ignore ST1005 the server's own wording, which DBAs recognise
		return nil, fmt.Errorf("Can't drop database '%s'; database doesn't exist", db)
	}
	lit := myString(db)
	var blockers []string
	for _, q := range []struct{ what, sql string }{
		{"stored routines", "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = " + lit},
		{"triggers", "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = " + lit},
		{"events", "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = " + lit},
		{"views or sequences", "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = " + lit + " AND TABLE_TYPE <> 'BASE TABLE'"},
	} {
		rows, err := t.run(ctx, q.sql)
		if err != nil {
			return nil, fmt.Errorf("bulwark could not list the %s of %s: %s", q.what, db, myMessage(err))
		}
		if len(rows) > 0 {
			blockers = append(blockers, fmt.Sprintf("%d %s (such as %s)", len(rows), q.what, rows[0][0]))
		}
	}
	if len(blockers) > 0 {
		return nil, fmt.Errorf("database %s holds %s, which bulwark cannot move into a snapshot; only a database of plain tables can be snapshotted (drop those objects first)",
			db, strings.Join(blockers, ", "))
	}
	fks, err := t.run(ctx, "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE UNIQUE_CONSTRAINT_SCHEMA = "+
		lit+" AND CONSTRAINT_SCHEMA <> "+lit)
	if err != nil {
		return nil, fmt.Errorf("bulwark could not read the foreign keys into %s: %s", db, myMessage(err))
	}
	if len(fks) > 0 {
		r := fks[0]
		return nil, fmt.Errorf("table %s.%s is referenced by foreign key %s of %s.%s, in another database; drop that constraint first",
			db, r[3], r[2], r[0], r[1])
	}
	tables, err := t.run(ctx, "SELECT TABLE_NAME, COALESCE(TABLE_ROWS, 0), COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "+lit)
	if err != nil {
		return nil, fmt.Errorf("bulwark could not list the tables of %s: %s", db, myMessage(err))
	}
	id, area, err := t.newArea(ctx, charset, collation)
	if err != nil {
		return nil, err
	}
	e := t.entry(id, area, "DATABASE", MethodMove, "", db, "")
	e.RowsEstimated = true
	var pairs, back []string
	for _, r := range tables {
		name := string(r[0])
		n, _ := strconv.ParseInt(string(r[1]), 10, 64)
		b, _ := strconv.ParseInt(string(r[2]), 10, 64)
		e.Rows += n
		e.Bytes += b
		pairs = append(pairs, myTable(db, name)+" TO "+myTable(area, name))
		back = append(back, myTable(area, name)+" TO "+myTable(db, name))
	}
	if len(pairs) > 0 {
		if _, err := t.run(ctx, "RENAME TABLE "+strings.Join(pairs, ", ")); err != nil {
			dropMySQLArea(ctx, t.run, area)
			return nil, fmt.Errorf("bulwark could not move the tables of %s into %s: %s", db, area, myMessage(err))
		}
	}
	undo := func(err error) (*Plan, error) {
		if len(back) > 0 {
			if _, uerr := t.run(ctx, "RENAME TABLE "+strings.Join(back, ", ")); uerr != nil {
				return nil, fmt.Errorf("%v; moving the tables back failed too (%s): they are in %s", err, myMessage(uerr), area)
			}
		}
		dropMySQLArea(ctx, t.run, area)
		return nil, err
	}
	if err := t.record(ctx, []Entry{e}); err != nil {
		return undo(err)
	}
	if _, err := t.run(ctx, "DROP DATABASE "+myIdent(db)); err != nil {
		t.forget(ctx, []Entry{e})
		return undo(fmt.Errorf("bulwark moved the tables of %s aside but could not drop the database: %s", db, myMessage(err)))
	}
	t.retain(ctx, db)
	return replaced(), nil
}

// ---- the catalog (MySQLCatalog and its connection: mysql_client.go) ----

// hasCatalog reports whether the catalog table exists.
func hasMySQLCatalog(ctx context.Context, run myRunner) (bool, error) {
	rows, err := run(ctx, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "+myString(CatalogSchema)+
		" AND TABLE_NAME = "+myString(CatalogTable))
	if err != nil {
		return false, err
	}
	return len(rows) == 1 && string(rows[0][0]) != "0", nil
}

// listMySQL returns the catalog entries matching where, newest first.
func listMySQL(ctx context.Context, run myRunner, where, tail string) ([]Entry, error) {
	ok, err := hasMySQLCatalog(ctx, run)
	if err != nil || !ok {
		return nil, err
	}
	q := "SELECT " + mysqlEntryColumns + " FROM " + myTable(CatalogSchema, CatalogTable)
	if where != "" {
		q += " WHERE " + where
	}
	rows, err := run(ctx, q+" ORDER BY `taken_at` DESC, `id` DESC"+tail)
	if err != nil {
		return nil, err
	}
	return entriesOf(rows, parseMySQLEntry)
}

func parseMySQLEntry(r [][]byte) (Entry, error) {
	if len(r) != 19 {
		return Entry{}, errors.New("unexpected catalog row")
	}
	num := func(b []byte) int64 { n, _ := strconv.ParseInt(string(b), 10, 64); return n }
	tm := func(b []byte) (*time.Time, error) {
		if b == nil {
			return nil, nil
		}
		t, err := time.ParseInLocation(myTimeLayout, string(b), time.UTC)
		return &t, err
	}
	e := Entry{
		ID: num(r[0]), AuditEvent: num(r[2]), SessionID: string(r[3]), User: string(r[4]), Operation: string(r[5]),
		ObjectType: string(r[6]), SourceSchema: string(r[7]), SourceName: string(r[8]), Method: string(r[9]),
		RecycleSchema: string(r[10]), RecycleName: string(r[11]), Rows: num(r[12]), RowsEstimated: num(r[13]) != 0,
		Bytes: num(r[14]), Statement: string(r[15]), RestoredTo: string(r[17]),
	}
	taken, err := tm(r[1])
	if err != nil || taken == nil {
		return e, fmt.Errorf("bad taken_at in catalog row %d", e.ID)
	}
	e.TakenAt = *taken
	if e.RestoredAt, err = tm(r[16]); err != nil {
		return e, err
	}
	if e.PurgedAt, err = tm(r[18]); err != nil {
		return e, err
	}
	return e, nil
}

// List implements Catalog.
func (c *MySQLCatalog) List(ctx context.Context, f Filter) ([]Entry, error) {
	var conds []string
	if !f.Since.IsZero() {
		conds = append(conds, "`taken_at` >= "+myTime(f.Since))
	}
	if f.User != "" {
		conds = append(conds, "`user` = "+myString(f.User))
	}
	if f.Operation != "" {
		conds = append(conds, "`operation` = "+myString(f.Operation))
	}
	if f.Object != "" {
		conds = append(conds, "(`source_name` = "+myString(f.Object)+" OR CONCAT(`source_schema`, '.', `source_name`) = "+myString(f.Object)+")")
	}
	if f.Event != 0 {
		conds = append(conds, "`audit_event` = "+myInt(f.Event))
	}
	if !f.All {
		conds = append(conds, "`restored_at` IS NULL AND `purged_at` IS NULL")
	}
	tail := ""
	if f.Limit > 0 {
		tail = " LIMIT " + strconv.Itoa(f.Limit)
	}
	return listMySQL(ctx, c.run, strings.Join(conds, " AND "), tail)
}

// Get implements Catalog. It returns restored and purged entries too.
func (c *MySQLCatalog) Get(ctx context.Context, id int64) (Entry, error) {
	return getMySQL(ctx, c.run, id)
}

func getMySQL(ctx context.Context, run myRunner, id int64) (Entry, error) {
	es, err := listMySQL(ctx, run, "`id` = "+myInt(id), "")
	if err != nil {
		return Entry{}, err
	}
	if len(es) == 0 {
		return Entry{}, fmt.Errorf("%w: %d", ErrNotFound, id)
	}
	return es[0], nil
}

// Purge implements Catalog: it drops what the snapshots taken before cutoff
// hold (those not restored or purged yet) and marks them purged.
func (c *MySQLCatalog) Purge(ctx context.Context, cutoff time.Time) ([]Entry, error) {
	return purgeMySQL(ctx, c.run, "`taken_at` < "+myTime(cutoff), c.now())
}

// purgeMySQL drops the snapshots matching where and marks them purged.
func purgeMySQL(ctx context.Context, run myRunner, where string, now time.Time) ([]Entry, error) {
	es, err := listMySQL(ctx, run, where+" AND `restored_at` IS NULL AND `purged_at` IS NULL", "")
	if err != nil {
		return nil, err
	}
	var done []Entry
	areas := map[string]bool{}
	for _, e := range es {
		if !strings.HasPrefix(e.RecycleSchema, RecyclePrefix) {
			continue // never drop anything else, whatever the catalog says
		}
		q := "DROP DATABASE IF EXISTS " + myIdent(e.RecycleSchema)
		if e.ObjectType != "DATABASE" {
			q = "DROP TABLE IF EXISTS " + myTable(e.RecycleSchema, e.RecycleName)
			areas[e.RecycleSchema] = true
		}
		if _, err := run(ctx, q); err != nil {
			return done, fmt.Errorf("purging snapshot %d: %s", e.ID, myMessage(err))
		}
		if _, err := run(ctx, "UPDATE "+myTable(CatalogSchema, CatalogTable)+" SET `purged_at` = "+myTime(now)+" WHERE `id` = "+myInt(e.ID)); err != nil {
			return done, fmt.Errorf("marking snapshot %d purged: %s", e.ID, myMessage(err))
		}
		_, _ = run(ctx, "COMMIT")
		t := now.UTC()
		e.PurgedAt = &t
		done = append(done, e)
	}
	for area := range areas {
		dropMySQLArea(ctx, run, area)
	}
	return done, nil
}

// splitMySQLName reads asName: "name" (in def's database) or "db.name".
func splitMySQLName(asName, def string) (string, string) {
	if i := strings.IndexByte(asName, '.'); i > 0 && i < len(asName)-1 {
		return asName[:i], asName[i+1:]
	}
	return def, asName
}

// tableExists reports whether schema.name exists (exactly that case).
func mySQLTableExists(ctx context.Context, run myRunner, schema, name string) (bool, error) {
	rows, err := run(ctx, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = "+myString(schema)+
		" AND TABLE_NAME = "+myString(name))
	if err != nil {
		return false, err
	}
	for _, r := range rows {
		if string(r[0]) == name {
			return true, nil
		}
	}
	return false, nil
}

func mySQLDatabaseExists(ctx context.Context, run myRunner, db string) (bool, error) {
	rows, err := run(ctx, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = "+myString(db))
	if err != nil {
		return false, err
	}
	for _, r := range rows {
		if string(r[0]) == db {
			return true, nil
		}
	}
	return false, nil
}

// Restore implements Catalog.
//
//   - move (DROP TABLE): the table is renamed back, into its database
//     (created if it is gone) or to asName. ErrConflict if the target
//     exists.
//   - move (DROP DATABASE): the database is created again with its
//     character set and collation and every table renamed back into it (or
//     into database asName). ErrConflict if that database exists.
//   - swap (TRUNCATE): the table that holds the rows is renamed back; an
//     empty table in its place is dropped. ErrConflict if the table in its
//     place has rows, unless asName (the rows then go to a table of that
//     name).
//   - rows (DELETE): the copied rows are inserted back. ErrConflict if a row
//     with the same primary key exists now (or, for a table without a
//     primary key, if it is not empty), unless asName: a table asName is
//     then created like the original and the rows inserted there.
//   - rows (UPDATE): the old values are written back over the rows with the
//     same primary key (rows deleted since stay deleted; a changed primary
//     key is not followed). ErrConflict for a table without a primary key,
//     unless asName.
//
// The data is put back first, then the catalog row is marked restored (in
// one transaction for row restores); the snapshot's table is then dropped,
// and its database when it holds nothing more.
func (c *MySQLCatalog) Restore(ctx context.Context, id int64, asName string) (RestoreResult, error) {
	e, err := getMySQL(ctx, c.run, id)
	if err != nil {
		return RestoreResult{}, err
	}
	if e.RestoredAt != nil || e.PurgedAt != nil {
		return RestoreResult{}, fmt.Errorf("%w: snapshot %d was already restored or purged", ErrNotFound, id)
	}
	r := &myRestore{run: c.run, e: e, asName: asName, now: c.now()}
	switch {
	case e.ObjectType == "DATABASE":
		err = r.database(ctx)
	case e.Method == MethodMove:
		err = r.move(ctx)
	case e.Method == MethodSwap:
		err = r.swap(ctx)
	case e.Method == MethodRows:
		err = r.rows(ctx)
	default:
		err = fmt.Errorf("snapshot %d has method %q, which this catalog cannot restore", id, e.Method)
	}
	if err != nil {
		return RestoreResult{}, err
	}
	return RestoreResult{Entry: r.e, Target: r.target, Rows: r.count}, nil
}

// myRestore is one restore in progress.
type myRestore struct {
	run    myRunner
	e      Entry
	asName string
	now    time.Time
	target string
	count  int64
}

// mark records the restore in the catalog.
func (r *myRestore) mark(ctx context.Context) error {
	t := r.now.UTC()
	if _, err := r.run(ctx, "UPDATE "+myTable(CatalogSchema, CatalogTable)+" SET `restored_at` = "+myTime(t)+
		", `restored_to` = "+myString(r.target)+" WHERE `id` = "+myInt(r.e.ID)); err != nil {
		return fmt.Errorf("the data of snapshot %d is back in %s, but marking it restored failed: %s", r.e.ID, r.target, myMessage(err))
	}
	r.e.RestoredAt, r.e.RestoredTo = &t, r.target
	return nil
}

func (r *myRestore) conflict(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrConflict}, args...)...)
}

// targetTable names the table a move or swap puts back (the original, or
// --as), checks the snapshot's table is still there, and says whether the
// target exists now.
func (r *myRestore) targetTable(ctx context.Context) (schema, name string, exists bool, err error) {
	schema, name = r.e.SourceSchema, r.e.SourceName
	if r.asName != "" {
		schema, name = splitMySQLName(r.asName, schema)
	}
	r.target = schema + "." + name
	if err := r.needRecycled(ctx); err != nil {
		return "", "", false, err
	}
	exists, err = mySQLTableExists(ctx, r.run, schema, name)
	return schema, name, exists, err
}

// needRecycled checks that the snapshot's table is still there.
func (r *myRestore) needRecycled(ctx context.Context) error {
	ok, err := mySQLTableExists(ctx, r.run, r.e.RecycleSchema, r.e.RecycleName)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("snapshot %d's table %s.%s is gone", r.e.ID, r.e.RecycleSchema, r.e.RecycleName)
	}
	return nil
}

func (r *myRestore) move(ctx context.Context) error {
	schema, name, exists, err := r.targetTable(ctx)
	if err != nil {
		return err
	}
	if exists {
		return r.conflict("table %s exists; restore under another name", r.target)
	}
	if _, err := r.run(ctx, "CREATE DATABASE IF NOT EXISTS "+myIdent(schema)); err != nil {
		return err
	}
	if _, err := r.run(ctx, "RENAME TABLE "+myTable(r.e.RecycleSchema, r.e.RecycleName)+" TO "+myTable(schema, name)); err != nil {
		return fmt.Errorf("moving %s.%s back to %s: %s", r.e.RecycleSchema, r.e.RecycleName, r.target, myMessage(err))
	}
	r.count = r.e.Rows
	if err := r.mark(ctx); err != nil {
		return err
	}
	dropMySQLArea(ctx, r.run, r.e.RecycleSchema)
	return nil
}

func (r *myRestore) database(ctx context.Context) error {
	db := r.e.SourceName
	if r.asName != "" {
		db = r.asName
	}
	r.target = db
	ok, err := mySQLDatabaseExists(ctx, r.run, r.e.RecycleSchema)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("snapshot %d's database %s is gone", r.e.ID, r.e.RecycleSchema)
	}
	if exists, err := mySQLDatabaseExists(ctx, r.run, db); err != nil {
		return err
	} else if exists {
		return r.conflict("database %s exists; restore under another name", db)
	}
	info, err := r.run(ctx, "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = "+myString(r.e.RecycleSchema))
	if err != nil || len(info) == 0 {
		return fmt.Errorf("reading the character set of %s failed", r.e.RecycleSchema)
	}
	if _, err := r.run(ctx, "CREATE DATABASE "+myIdent(db)+" CHARACTER SET "+myIdent(string(info[0][0]))+" COLLATE "+myIdent(string(info[0][1]))); err != nil {
		return fmt.Errorf("creating database %s: %s", db, myMessage(err))
	}
	tables, err := r.run(ctx, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = "+myString(r.e.RecycleSchema))
	if err != nil {
		return err
	}
	var pairs []string
	for _, t := range tables {
		pairs = append(pairs, myTable(r.e.RecycleSchema, string(t[0]))+" TO "+myTable(db, string(t[0])))
	}
	if len(pairs) > 0 {
		if _, err := r.run(ctx, "RENAME TABLE "+strings.Join(pairs, ", ")); err != nil {
			_, _ = r.run(ctx, "DROP DATABASE IF EXISTS "+myIdent(db))
			return fmt.Errorf("moving the tables of %s back into %s: %s", r.e.RecycleSchema, db, myMessage(err))
		}
	}
	r.count = r.e.Rows
	if err := r.mark(ctx); err != nil {
		return err
	}
	dropMySQLArea(ctx, r.run, r.e.RecycleSchema)
	return nil
}

func (r *myRestore) swap(ctx context.Context) error {
	schema, name, exists, err := r.targetTable(ctx)
	if err != nil {
		return err
	}
	from := myTable(r.e.RecycleSchema, r.e.RecycleName)
	switch {
	case exists && r.asName != "":
		return r.conflict("table %s exists; restore under another name", r.target)
	case exists:
		rows, err := r.run(ctx, "SELECT EXISTS (SELECT 1 FROM "+myTable(schema, name)+")")
		if err != nil {
			return err
		}
		if len(rows) == 1 && string(rows[0][0]) != "0" {
			return r.conflict("table %s has rows again since the TRUNCATE; restore under another name", r.target)
		}
		// One RENAME puts the rows back and the empty table aside.
		if r.e.RecycleName == mysqlSwapName {
			return fmt.Errorf("snapshot %d's table has an unexpected name", r.e.ID)
		}
		if _, err := r.run(ctx, "RENAME TABLE "+myTable(schema, name)+" TO "+myTable(r.e.RecycleSchema, mysqlSwapName)+", "+
			from+" TO "+myTable(schema, name)); err != nil {
			return fmt.Errorf("swapping %s back: %s", r.target, myMessage(err))
		}
		_, _ = r.run(ctx, "DROP TABLE IF EXISTS "+myTable(r.e.RecycleSchema, mysqlSwapName))
	default:
		if _, err := r.run(ctx, "CREATE DATABASE IF NOT EXISTS "+myIdent(schema)); err != nil {
			return err
		}
		if _, err := r.run(ctx, "RENAME TABLE "+from+" TO "+myTable(schema, name)); err != nil {
			return fmt.Errorf("moving %s.%s back to %s: %s", r.e.RecycleSchema, r.e.RecycleName, r.target, myMessage(err))
		}
	}
	r.count = r.e.Rows
	if err := r.mark(ctx); err != nil {
		return err
	}
	dropMySQLArea(ctx, r.run, r.e.RecycleSchema)
	return nil
}

// primaryKey returns the quoted primary key columns of a table.
func myPrimaryKey(ctx context.Context, run myRunner, schema, name string) ([]string, error) {
	rows, err := run(ctx, "SELECT COLUMN_NAME, TABLE_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = "+myString(schema)+
		" AND TABLE_NAME = "+myString(name)+" AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX")
	if err != nil {
		return nil, err
	}
	var cols []string
	for _, r := range rows {
		if string(r[1]) == name {
			cols = append(cols, myIdent(string(r[0])))
		}
	}
	return cols, nil
}

func (r *myRestore) rows(ctx context.Context) error {
	schema, name := r.e.SourceSchema, r.e.SourceName
	if r.asName != "" {
		schema, name = splitMySQLName(r.asName, schema)
	}
	r.target = schema + "." + name
	if err := r.needRecycled(ctx); err != nil {
		return err
	}
	src := myTable(r.e.RecycleSchema, r.e.RecycleName)
	dst := myTable(schema, name)
	cols, err := storedMySQLColumns(ctx, r.run, r.e.RecycleSchema, r.e.RecycleName)
	if err != nil {
		return err
	}
	list := strings.Join(cols, ", ")
	exists, err := mySQLTableExists(ctx, r.run, schema, name)
	if err != nil {
		return err
	}
	if exists && r.asName != "" {
		return r.conflict("table %s exists; restore under another name", r.target)
	}
	mode, err := r.run(ctx, "SELECT @@SESSION.sql_mode")
	if err != nil || len(mode) != 1 {
		return errors.New("reading sql_mode failed")
	}
	if !strings.Contains(string(mode[0][0]), "NO_AUTO_VALUE_ON_ZERO") {
		if _, err := r.run(ctx, "SET SESSION sql_mode = "+myString(strings.TrimPrefix(string(mode[0][0])+",NO_AUTO_VALUE_ON_ZERO", ","))); err != nil {
			return err
		}
		defer func() { _, _ = r.run(ctx, "SET SESSION sql_mode = "+myString(string(mode[0][0]))) }()
	}
	var apply string
	switch {
	case !exists:
		// The table is gone (or asName): a new one like the original.
		if _, err := r.run(ctx, "CREATE TABLE "+dst+" LIKE "+src); err != nil {
			return fmt.Errorf("creating %s: %s", r.target, myMessage(err))
		}
		apply = "INSERT INTO " + dst + " (" + list + ") SELECT " + list + " FROM " + src
	case r.e.Operation == string(sqlparse.CategoryUpdate):
		pk, err := myPrimaryKey(ctx, r.run, schema, name)
		if err != nil {
			return err
		}
		if len(pk) == 0 {
			return r.conflict("table %s has no primary key to match the rows by; restore under another name", r.target)
		}
		var on, set []string
		isKey := map[string]bool{}
		for _, k := range pk {
			on = append(on, "d."+k+" = s."+k)
			isKey[k] = true
		}
		for _, c := range cols {
			if !isKey[c] {
				set = append(set, "d."+c+" = s."+c)
			}
		}
		if len(set) == 0 {
			apply = ""
		} else {
			apply = "UPDATE " + dst + " AS d JOIN " + src + " AS s ON " + strings.Join(on, " AND ") + " SET " + strings.Join(set, ", ")
		}
		n, err := r.run(ctx, "SELECT COUNT(*) FROM "+dst+" AS d JOIN "+src+" AS s ON "+strings.Join(on, " AND "))
		if err != nil {
			return err
		}
		r.count, _ = strconv.ParseInt(string(n[0][0]), 10, 64)
	default:
		pk, err := myPrimaryKey(ctx, r.run, schema, name)
		if err != nil {
			return err
		}
		check := "SELECT EXISTS (SELECT 1 FROM " + dst + ")"
		what := "table %s has no primary key and is not empty, so the rows cannot be put back without risking duplicates; restore under another name"
		if len(pk) > 0 {
			var on []string
			for _, k := range pk {
				on = append(on, "d."+k+" = s."+k)
			}
			check = "SELECT EXISTS (SELECT 1 FROM " + dst + " AS d JOIN " + src + " AS s ON " + strings.Join(on, " AND ") + ")"
			what = "table %s has rows with the same primary key as rows of the snapshot; restore under another name"
		}
		n, err := r.run(ctx, check)
		if err != nil {
			return err
		}
		if len(n) == 1 && string(n[0][0]) != "0" {
			return r.conflict(what, r.target)
		}
		apply = "INSERT INTO " + dst + " (" + list + ") SELECT " + list + " FROM " + src
	}
	if _, err := r.run(ctx, "START TRANSACTION"); err != nil {
		return err
	}
	if apply != "" {
		if _, err := r.run(ctx, apply); err != nil {
			_, _ = r.run(ctx, "ROLLBACK")
			return fmt.Errorf("putting the rows back into %s: %s", r.target, myMessage(err))
		}
		if !strings.HasPrefix(apply, "UPDATE") {
			n, err := r.run(ctx, "SELECT ROW_COUNT()")
			if err == nil && len(n) == 1 {
				r.count, _ = strconv.ParseInt(string(n[0][0]), 10, 64)
			}
		}
	}
	if err := r.mark(ctx); err != nil {
		_, _ = r.run(ctx, "ROLLBACK")
		return err
	}
	if _, err := r.run(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("committing the restore into %s: %s", r.target, myMessage(err))
	}
	_, _ = r.run(ctx, "DROP TABLE IF EXISTS "+src)
	dropMySQLArea(ctx, r.run, r.e.RecycleSchema)
	return nil
}
