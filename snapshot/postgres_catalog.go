//go:build !bulwark_no_postgres

package snapshot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// PostgresCatalog is the Catalog of one PostgreSQL database, reached
// directly (not through bulwark) by a role that may create, alter and drop
// the snapshots' schemas and the tables they are restored into. It holds one
// connection, so it is not safe for concurrent use.
//
// That role is typically more privileged than the agents whose snapshots it
// restores, and agents may create functions in schemas on its search path:
// the catalog's SQL calls pg_catalog's functions and relations by qualified
// name, and its connection searches pg_catalog first (see pinSearchPath).
type PostgresCatalog struct {
	conn *pgconn.PgConn
}

var _ Catalog = (*PostgresCatalog)(nil)

// pgxOnlyParams are URL parameters that configure the pgx driver rather than
// the server. They are accepted and ignored, so that a URL written for pgx
// works here too instead of being refused by the server as unknown settings.
var pgxOnlyParams = []string{"statement_cache_capacity", "description_cache_capacity", "default_query_exec_mode"}

// OpenPostgresCatalog connects to the database a connection string names
// (a postgres:// URL or key=value pairs), read as libpq reads it: sslmode and
// the other TLS parameters, the password file and the PG* environment
// variables apply. Close the catalog when done.
func OpenPostgresCatalog(ctx context.Context, connString string) (*PostgresCatalog, error) {
	cfg, err := pgconn.ParseConfig(connString)
	if err != nil {
		return nil, err
	}
	for _, k := range pgxOnlyParams {
		delete(cfg.RuntimeParams, k)
	}
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	c := &PostgresCatalog{conn: conn}
	if err := c.pinSearchPath(ctx); err != nil {
		_ = conn.Close(ctx)
		return nil, fmt.Errorf("set the search path: %w", err)
	}
	return c, nil
}

// pinSearchPath puts pg_catalog first on the connection's search path, ahead
// of whatever a database or role setting put before it: the types and the
// operators the catalog's SQL names unqualified are then pg_catalog's (its
// functions it names qualified, since a function in a later schema whose
// argument types match a call better would still win). The rest of the path
// stays: restore compares the columns of restored tables with the operators
// of their types, which live in the types' own schemas.
func (c *PostgresCatalog) pinSearchPath(ctx context.Context) error {
	cur, err := c.value(ctx, "SELECT pg_catalog.current_setting('search_path')")
	if err != nil {
		return err
	}
	path := "pg_catalog"
	if len(cur) > 0 {
		path += ", " + string(cur)
	}
	return c.exec(ctx, "SELECT pg_catalog.set_config('search_path', $1, false)", path)
}

// Close closes the catalog's connection.
func (c *PostgresCatalog) Close() error { return c.conn.Close(context.Background()) }

// run runs one statement with the extended protocol, args as its
// parameters, and returns its rows, every value as text (nil for NULL), and
// its command tag. Parameters are sent as text with no type, so the server
// gives each the type its place in the statement calls for.
func (c *PostgresCatalog) run(ctx context.Context, sql string, args ...any) ([][][]byte, pgconn.CommandTag, error) {
	params := make([][]byte, len(args))
	for i, a := range args {
		params[i] = pgParam(a)
	}
	res := c.conn.ExecParams(ctx, sql, params, nil, nil, nil).Read()
	return res.Rows, res.CommandTag, res.Err
}

// pgParamTime writes a time parameter: microseconds, as the server keeps
// them, and an explicit zone.
const pgParamTime = "2006-01-02 15:04:05.999999-07:00"

// pgParam writes a parameter of one of the types the catalog passes in the
// text format.
func pgParam(v any) []byte {
	switch v := v.(type) {
	case string:
		return append([]byte{}, v...)
	case int64:
		return strconv.AppendInt(nil, v, 10)
	case time.Time:
		return v.UTC().AppendFormat(nil, pgParamTime)
	}
	panic(fmt.Sprintf("snapshot: parameter of type %T", v))
}

// exec runs a statement whose rows do not matter.
func (c *PostgresCatalog) exec(ctx context.Context, sql string, args ...any) error {
	_, _, err := c.run(ctx, sql, args...)
	return err
}

// affected runs a statement and returns the number of rows it changed.
func (c *PostgresCatalog) affected(ctx context.Context, sql string, args ...any) (int64, error) {
	_, tag, err := c.run(ctx, sql, args...)
	return tag.RowsAffected(), err
}

// column returns the first column of every row a query returns.
func (c *PostgresCatalog) column(ctx context.Context, sql string, args ...any) ([]string, error) {
	rows, _, err := c.run(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = string(r[0])
	}
	return out, nil
}

// value returns the one value a query returns.
func (c *PostgresCatalog) value(ctx context.Context, sql string, args ...any) ([]byte, error) {
	rows, _, err := c.run(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	if len(rows) != 1 || len(rows[0]) != 1 {
		return nil, fmt.Errorf("want one value, got %d rows", len(rows))
	}
	return rows[0][0], nil
}

// bool returns the one boolean a query returns.
func (c *PostgresCatalog) bool(ctx context.Context, sql string, args ...any) (bool, error) {
	v, err := c.value(ctx, sql, args...)
	return string(v) == "t", err
}

// inTx runs f in a transaction: committed if f succeeds, rolled back if not.
// A connection that cannot roll back is closed, which makes the server roll
// back.
func (c *PostgresCatalog) inTx(ctx context.Context, f func() error) error {
	if err := c.exec(ctx, "BEGIN"); err != nil {
		return err
	}
	if err := f(); err != nil {
		if c.exec(ctx, "ROLLBACK") != nil {
			_ = c.conn.Close(ctx)
		}
		return err
	}
	_, tag, err := c.run(ctx, "COMMIT")
	if err == nil && tag.String() == "ROLLBACK" {
		err = errors.New("commit failed: the transaction was rolled back")
	}
	return err
}

// pgEntryColumns reads a catalog row. Times come as text in UTC, in a
// format of the query's own, so that the session's DateStyle and TimeZone
// do not matter.
const pgEntryColumns = `id, pg_catalog.to_char(taken_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), audit_event, session_id, db_user,
	operation, object_type, source_schema, source_name, method, recycle_schema, recycle_name, row_count, rows_estimated,
	size_bytes, statement, pg_catalog.to_char(restored_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), coalesce(restored_to, ''),
	pg_catalog.to_char(purged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')`

const pgTimeLayout = "2006-01-02 15:04:05.000000"

// parsePgEntry reads a row of pgEntryColumns. Times are in the local time
// zone.
func parsePgEntry(r [][]byte) (Entry, error) {
	if len(r) != 19 {
		return Entry{}, errors.New("unexpected catalog row")
	}
	var err error
	num := func(b []byte) int64 {
		n, perr := strconv.ParseInt(string(b), 10, 64)
		if perr != nil && err == nil {
			err = fmt.Errorf("bad number %q in catalog row", b)
		}
		return n
	}
	tm := func(b []byte) *time.Time {
		if b == nil {
			return nil
		}
		t, perr := time.ParseInLocation(pgTimeLayout, string(b), time.UTC)
		if perr != nil && err == nil {
			err = fmt.Errorf("bad time %q in catalog row", b)
		}
		t = t.Local()
		return &t
	}
	e := Entry{
		ID: num(r[0]), AuditEvent: num(r[2]), SessionID: string(r[3]), User: string(r[4]), Operation: string(r[5]),
		ObjectType: string(r[6]), SourceSchema: string(r[7]), SourceName: string(r[8]), Method: string(r[9]),
		RecycleSchema: string(r[10]), RecycleName: string(r[11]), Rows: num(r[12]), RowsEstimated: string(r[13]) == "t",
		Bytes: num(r[14]), Statement: string(r[15]), RestoredAt: tm(r[16]), RestoredTo: string(r[17]), PurgedAt: tm(r[18]),
	}
	if taken := tm(r[1]); taken != nil {
		e.TakenAt = *taken
	} else if err == nil {
		err = fmt.Errorf("no taken_at in catalog row %d", e.ID)
	}
	return e, err
}

// entries runs a query of pgEntryColumns and reads its rows.
func (c *PostgresCatalog) entries(ctx context.Context, sql string, args ...any) ([]Entry, error) {
	rows, _, err := c.run(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return entriesOf(rows, parsePgEntry)
}

// entry reads the catalog row of snapshot id (the query's $1).
func (c *PostgresCatalog) entry(ctx context.Context, sql string, id int64) (Entry, error) {
	es, err := c.entries(ctx, sql, id)
	if err != nil {
		return Entry{}, err
	}
	if len(es) == 0 {
		return Entry{}, fmt.Errorf("snapshot %d: %w", id, ErrNotFound)
	}
	return es[0], nil
}

// hasCatalog reports whether the database holds a catalog at all (none
// before the first snapshot).
func (c *PostgresCatalog) hasCatalog(ctx context.Context) (bool, error) {
	return c.bool(ctx, "SELECT pg_catalog.to_regclass('bulwark_recycle.snapshots') IS NOT NULL")
}

// List implements Catalog, newest first.
func (c *PostgresCatalog) List(ctx context.Context, f Filter) ([]Entry, error) {
	if ok, err := c.hasCatalog(ctx); err != nil || !ok {
		return nil, err
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if !f.All {
		where = append(where, "restored_at IS NULL AND purged_at IS NULL")
	}
	if !f.Since.IsZero() {
		add("taken_at >= $%d", f.Since)
	}
	if f.User != "" {
		add("db_user = $%d", f.User)
	}
	if f.Operation != "" {
		add("operation = $%d", f.Operation)
	}
	if f.Event != 0 {
		add("audit_event = $%d", f.Event)
	}
	if f.Object != "" {
		add("(source_name = $%[1]d OR source_schema || '.' || source_name = $%[1]d OR (source_name = '' AND source_schema = $%[1]d))", f.Object)
	}
	q := "SELECT " + pgEntryColumns + " FROM bulwark_recycle.snapshots"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	es, err := c.entries(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	return es, nil
}

// Get implements Catalog.
func (c *PostgresCatalog) Get(ctx context.Context, id int64) (Entry, error) {
	if ok, err := c.hasCatalog(ctx); err != nil {
		return Entry{}, err
	} else if !ok {
		return Entry{}, fmt.Errorf("snapshot %d: %w (this database has no snapshot catalog)", id, ErrNotFound)
	}
	return c.entry(ctx, "SELECT "+pgEntryColumns+" FROM bulwark_recycle.snapshots WHERE id = $1", id)
}

// Restore implements Catalog. Everything happens in one transaction, which
// holds the catalog row locked: two restores of one snapshot cannot both
// succeed.
func (c *PostgresCatalog) Restore(ctx context.Context, id int64, asName string) (RestoreResult, error) {
	var res RestoreResult
	err := c.inTx(ctx, func() error {
		if ok, err := c.hasCatalog(ctx); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("snapshot %d: %w (this database has no snapshot catalog)", id, ErrNotFound)
		}
		e, err := c.entry(ctx, "SELECT "+pgEntryColumns+" FROM bulwark_recycle.snapshots WHERE id = $1 FOR UPDATE", id)
		if err != nil {
			return err
		}
		switch {
		case e.RestoredAt != nil:
			return fmt.Errorf("snapshot %d was already restored, to %s, at %s", id, e.RestoredTo, e.RestoredAt.Format(time.RFC3339))
		case e.PurgedAt != nil:
			return fmt.Errorf("snapshot %d was purged at %s; its data is gone", id, e.PurgedAt.Format(time.RFC3339))
		}
		r := pgRestore{ctx: ctx, c: c, e: e, as: asName}
		exists, err := r.schemaExists(e.RecycleSchema)
		if err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("snapshot %d: its schema %s no longer exists (dropped by hand?); nothing to restore", id, e.RecycleSchema)
		}
		switch {
		case e.Method == MethodMove && e.ObjectType == "SCHEMA":
			res, err = r.schema()
		case e.Method == MethodMove:
			res, err = r.relation()
		case e.Method == MethodRows:
			res, err = r.rows()
		default:
			err = fmt.Errorf("snapshot %d: unknown method %q", id, e.Method)
		}
		if err != nil {
			return err
		}
		res.Entry = e
		return c.exec(ctx, "UPDATE bulwark_recycle.snapshots SET restored_at = pg_catalog.now(), restored_to = $2 WHERE id = $1", id, res.Target)
	})
	if err != nil {
		return RestoreResult{}, err
	}
	return res, nil
}

// pgRestore carries one restore, inside the catalog's transaction.
type pgRestore struct {
	ctx context.Context
	c   *PostgresCatalog
	e   Entry
	as  string
}

func (r *pgRestore) exec(q string, args ...any) error { return r.c.exec(r.ctx, q, args...) }

func (r *pgRestore) exists(qualifiedName string) (bool, error) {
	return r.c.bool(r.ctx, "SELECT pg_catalog.to_regclass($1) IS NOT NULL", qualifiedName)
}

func (r *pgRestore) schemaExists(name string) (bool, error) {
	return r.c.bool(r.ctx, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)", name)
}

// schema renames a schema set aside back.
func (r *pgRestore) schema() (RestoreResult, error) {
	target := r.e.SourceSchema
	if r.as != "" {
		target = r.as
	}
	taken, err := r.schemaExists(target)
	if err != nil {
		return RestoreResult{}, err
	}
	if taken {
		return RestoreResult{}, fmt.Errorf("%w: schema %s exists now; restore under another name with --as NEW_NAME, or rename the new schema first", ErrConflict, target)
	}
	if err := r.exec(fmt.Sprintf("ALTER SCHEMA %s RENAME TO %s", quoteIdent(r.e.RecycleSchema), quoteIdent(target))); err != nil {
		return RestoreResult{}, err
	}
	return RestoreResult{Target: target, Rows: r.e.Rows}, nil
}

// relation moves a table or materialized view (with its partitions) back.
func (r *pgRestore) relation() (RestoreResult, error) {
	name := r.e.SourceName
	if r.as != "" {
		name = r.as
	}
	src, rs := quoteIdent(r.e.SourceSchema), quoteIdent(r.e.RecycleSchema)
	target := src + "." + quoteIdent(name)
	schemaOK, err := r.schemaExists(r.e.SourceSchema)
	if err != nil {
		return RestoreResult{}, err
	}
	if !schemaOK {
		return RestoreResult{}, fmt.Errorf("schema %s no longer exists: create it first, then restore", r.e.SourceSchema)
	}
	if taken, err := r.exists(target); err != nil {
		return RestoreResult{}, err
	} else if taken {
		return RestoreResult{}, fmt.Errorf("%w: %s.%s exists now; restore under another name with --as NEW_NAME, or rename or drop the new one first",
			ErrConflict, r.e.SourceSchema, name)
	}
	kw := "TABLE"
	if r.e.ObjectType == "MATERIALIZED VIEW" {
		kw = "MATERIALIZED VIEW"
	}
	if name != r.e.RecycleName {
		if err := r.exec(fmt.Sprintf("ALTER %s %s.%s RENAME TO %s", kw, rs, quoteIdent(r.e.RecycleName), quoteIdent(name))); err != nil {
			return RestoreResult{}, err
		}
		if err := r.renameClashes(name); err != nil {
			return RestoreResult{}, err
		}
	}
	// The relation first, then the partitions that went with it.
	if err := r.exec(fmt.Sprintf("ALTER %s %s.%s SET SCHEMA %s", kw, rs, quoteIdent(name), src)); err != nil {
		return RestoreResult{}, restoreErr(err)
	}
	rest, err := r.c.column(r.ctx, `SELECT pg_catalog.quote_ident(relname) FROM pg_catalog.pg_class
		WHERE relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND relkind IN ('r', 'p', 'm', 'f')`, r.e.RecycleSchema)
	if err != nil {
		return RestoreResult{}, err
	}
	for _, n := range rest {
		if err := r.exec(fmt.Sprintf("ALTER TABLE %s.%s SET SCHEMA %s", rs, n, src)); err != nil {
			return RestoreResult{}, restoreErr(err)
		}
	}
	if err := r.exec("DROP SCHEMA " + rs); err != nil {
		return RestoreResult{}, fmt.Errorf("%s still holds objects after the restore: %w", r.e.RecycleSchema, err)
	}
	return RestoreResult{Target: r.e.SourceSchema + "." + name, Rows: r.e.Rows}, nil
}

// renameClashes gives the snapshot's indexes and sequences whose names are
// now taken in the source schema (by the table that replaced the one set
// aside, typically) names derived from the new table name: t_pkey becomes
// NEW_pkey, other names get NEW_ in front.
func (r *pgRestore) renameClashes(newName string) error {
	clashes, _, err := r.c.run(r.ctx, `SELECT c.relname, c.relkind FROM pg_catalog.pg_class c
		WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND c.relkind IN ('i', 'I', 'S')
		  AND EXISTS (SELECT 1 FROM pg_catalog.pg_class o WHERE o.relname = c.relname
		              AND o.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $2))`, r.e.RecycleSchema, r.e.SourceSchema)
	if err != nil {
		return err
	}
	for _, c := range clashes {
		name, kind := string(c[0]), string(c[1])
		fresh := newName + "_" + name
		if rest, ok := strings.CutPrefix(name, r.e.SourceName); ok {
			fresh = newName + rest
		}
		if len(fresh) > 63 {
			fresh = fresh[:63]
		}
		kw := "INDEX"
		if kind == "S" {
			kw = "SEQUENCE"
		}
		if err := r.exec(fmt.Sprintf("ALTER %s %s.%s RENAME TO %s", kw, quoteIdent(r.e.RecycleSchema), quoteIdent(name), quoteIdent(fresh))); err != nil {
			return err
		}
	}
	return nil
}

// restoreErr explains the usual way moving back fails: a new object took the
// name of one of the table's indexes or sequences.
func restoreErr(err error) error {
	if strings.Contains(err.Error(), "already exists") {
		return fmt.Errorf("%w: %v (an index, sequence or constraint of the snapshot has the name of an object created since; rename that object first)", ErrConflict, err)
	}
	return err
}

// rows puts copied rows back: missing rows for TRUNCATE and DELETE, old
// values for UPDATE; or all rows into a new table with --as.
func (r *pgRestore) rows() (RestoreResult, error) {
	src := quoteIdent(r.e.SourceSchema) + "." + quoteIdent(r.e.SourceName)
	snap := quoteIdent(r.e.RecycleSchema) + "." + quoteIdent(r.e.RecycleName)
	origExists, err := r.exists(src)
	if err != nil {
		return RestoreResult{}, err
	}
	if r.as != "" {
		target := quoteIdent(r.e.SourceSchema) + "." + quoteIdent(r.as)
		if taken, err := r.exists(target); err != nil {
			return RestoreResult{}, err
		} else if taken {
			return RestoreResult{}, fmt.Errorf("%w: %s.%s exists now; choose another name", ErrConflict, r.e.SourceSchema, r.as)
		}
		if origExists {
			if err := r.exec(fmt.Sprintf("CREATE TABLE %s (LIKE %s INCLUDING ALL)", target, src)); err != nil {
				return RestoreResult{}, err
			}
		} else if err := r.exec(fmt.Sprintf("CREATE TABLE %s (LIKE %s)", target, snap)); err != nil {
			return RestoreResult{}, err
		}
		n, err := r.insert(target, snap, nil)
		if err != nil {
			return RestoreResult{}, err
		}
		return RestoreResult{Target: r.e.SourceSchema + "." + r.as, Rows: n}, r.dropArea()
	}
	if !origExists {
		return RestoreResult{}, fmt.Errorf("%s.%s no longer exists: restore the rows into a new table with --as NEW_NAME", r.e.SourceSchema, r.e.SourceName)
	}
	key, err := r.primaryKey(src)
	if err != nil {
		return RestoreResult{}, err
	}
	cols, err := r.writableColumns(src, snap)
	if err != nil {
		return RestoreResult{}, err
	}
	var n int64
	if r.e.Operation == "update" {
		if len(key) == 0 {
			return RestoreResult{}, fmt.Errorf("%s.%s has no primary key, so bulwark cannot tell which current row each old row belongs to: restore the old rows into a new table with --as NEW_NAME", r.e.SourceSchema, r.e.SourceName)
		}
		n, err = r.updateBack(src, snap, key, cols)
	} else {
		n, err = r.insertMissing(src, snap, key, cols)
	}
	if err != nil {
		return RestoreResult{}, err
	}
	if err := r.catchUpSequences(src); err != nil {
		return RestoreResult{}, err
	}
	return RestoreResult{Target: r.e.SourceSchema + "." + r.e.SourceName, Rows: n}, r.dropArea()
}

func (r *pgRestore) dropArea() error {
	return r.exec("DROP SCHEMA " + quoteIdent(r.e.RecycleSchema) + " CASCADE")
}

// primaryKey returns the quoted primary key columns of table (none if it has
// no primary key).
func (r *pgRestore) primaryKey(table string) ([]string, error) {
	return r.c.column(r.ctx, `SELECT pg_catalog.quote_ident(a.attname) FROM pg_catalog.pg_index i
		JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
		WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY pg_catalog.array_position(i.indkey, a.attnum)`, table)
}

// writableColumns returns the snapshot's columns that the table still has and
// that can be written (not generated).
func (r *pgRestore) writableColumns(table, snap string) ([]string, error) {
	cols, err := r.c.column(r.ctx, `SELECT pg_catalog.quote_ident(s.attname) FROM pg_catalog.pg_attribute s
		JOIN pg_catalog.pg_attribute t ON t.attrelid = $1::regclass AND t.attname = s.attname AND t.attnum > 0 AND NOT t.attisdropped
		WHERE s.attrelid = $2::regclass AND s.attnum > 0 AND NOT s.attisdropped AND t.attgenerated = ''
		ORDER BY s.attnum`, table, snap)
	if err == nil && len(cols) == 0 {
		err = fmt.Errorf("the table has none of the snapshot's columns any more")
	}
	return cols, err
}

// insert copies every row of snap into target.
func (r *pgRestore) insert(target, snap string, cols []string) (int64, error) {
	list := "*"
	into := ""
	if cols != nil {
		list = strings.Join(cols, ", ")
		into = " (" + list + ")"
	}
	return r.c.affected(r.ctx, fmt.Sprintf("INSERT INTO %s%s OVERRIDING SYSTEM VALUE SELECT %s FROM %s", target, into, list, snap))
}

// match is the condition tying a snapshot row s to a table row t: the
// primary key, or every column when there is none.
func match(key, cols []string) string {
	on := key
	if len(on) == 0 {
		on = cols
	}
	var parts []string
	for _, c := range on {
		parts = append(parts, fmt.Sprintf("t.%s IS NOT DISTINCT FROM s.%s", c, c))
	}
	return strings.Join(parts, " AND ")
}

// rowText is a row's content as text, to compare rows of any column types.
func rowText(alias string, cols []string) string {
	var parts []string
	for _, c := range cols {
		parts = append(parts, alias+"."+c)
	}
	return "ROW(" + strings.Join(parts, ", ") + ")::text"
}

// insertMissing puts back the snapshot rows the table lacks. Rows present
// with the same content are left alone; a row whose key is present with
// other content would be overwritten, so the restore is refused.
func (r *pgRestore) insertMissing(table, snap string, key, cols []string) (int64, error) {
	cond := match(key, cols)
	var differing int64
	if len(key) > 0 {
		q := fmt.Sprintf("SELECT pg_catalog.count(*) FROM %s s JOIN %s t ON %s WHERE %s <> %s", snap, table, cond, rowText("s", cols), rowText("t", cols))
		v, err := r.c.value(r.ctx, q)
		if err != nil {
			return 0, err
		}
		if differing, err = strconv.ParseInt(string(v), 10, 64); err != nil {
			return 0, err
		}
	}
	if differing > 0 {
		return 0, fmt.Errorf("%w: %d rows of the snapshot have the same primary key as rows now in %s.%s with other content; restore into a new table with --as NEW_NAME and reconcile by hand",
			ErrConflict, differing, r.e.SourceSchema, r.e.SourceName)
	}
	list := strings.Join(cols, ", ")
	var sel []string
	for _, c := range cols {
		sel = append(sel, "s."+c)
	}
	return r.c.affected(r.ctx, fmt.Sprintf("INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM %s s WHERE NOT EXISTS (SELECT 1 FROM %s t WHERE %s)",
		table, list, strings.Join(sel, ", "), snap, table, cond))
}

// updateBack writes the old values of the snapshot's rows over the current
// rows with the same primary key.
func (r *pgRestore) updateBack(table, snap string, key, cols []string) (int64, error) {
	keys := map[string]bool{}
	for _, k := range key {
		keys[k] = true
	}
	var set, vals []string
	for _, c := range cols {
		if !keys[c] {
			set = append(set, c)
			vals = append(vals, "s."+c)
		}
	}
	if len(set) == 0 {
		return 0, nil
	}
	q := fmt.Sprintf("UPDATE %s t SET (%s) = ROW(%s) FROM %s s WHERE %s AND %s IS DISTINCT FROM %s",
		table, strings.Join(set, ", "), strings.Join(vals, ", "), snap, match(key, nil), rowText("s", cols), rowText("t", cols))
	return r.c.affected(r.ctx, q)
}

// catchUpSequences moves the table's owned sequences (serial and identity
// columns) past the largest value restored, so that the next insert does not
// collide: TRUNCATE ... RESTART IDENTITY may have reset them.
func (r *pgRestore) catchUpSequences(table string) error {
	seqs, _, err := r.c.run(r.ctx, `SELECT pg_catalog.quote_ident(a.attname), pg_catalog.pg_get_serial_sequence($1, a.attname) FROM pg_catalog.pg_attribute a
		WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND pg_catalog.pg_get_serial_sequence($1, a.attname) IS NOT NULL`, table)
	if err != nil {
		return err
	}
	for _, s := range seqs {
		col, name := string(s[0]), string(s[1])
		q := fmt.Sprintf(`SELECT pg_catalog.setval($1, m) FROM (SELECT pg_catalog.max(%s)::bigint AS m FROM %s) x
			WHERE m IS NOT NULL AND m > (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM %s)`, col, table, name)
		if err := r.exec(q, name); err != nil {
			return err
		}
	}
	return nil
}

// Purge implements Catalog: each older snapshot's schema is dropped and its
// catalog row marked purged, all in one transaction.
func (c *PostgresCatalog) Purge(ctx context.Context, cutoff time.Time) ([]Entry, error) {
	var old []Entry
	err := c.inTx(ctx, func() error {
		if ok, err := c.hasCatalog(ctx); err != nil || !ok {
			return err
		}
		var err error
		old, err = c.entries(ctx, "SELECT "+pgEntryColumns+` FROM bulwark_recycle.snapshots
			WHERE restored_at IS NULL AND purged_at IS NULL AND taken_at < $1 ORDER BY id FOR UPDATE`, cutoff)
		if err != nil {
			return err
		}
		for _, e := range old {
			if err := c.exec(ctx, "DROP SCHEMA IF EXISTS "+quoteIdent(e.RecycleSchema)+" CASCADE"); err != nil {
				return fmt.Errorf("purge snapshot %d: %w", e.ID, err)
			}
			if err := c.exec(ctx, "UPDATE bulwark_recycle.snapshots SET purged_at = pg_catalog.now() WHERE id = $1", e.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return old, nil
}
