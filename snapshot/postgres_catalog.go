package snapshot

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// PostgresCatalog is the Catalog of one PostgreSQL database, reached
// directly (not through bulwark) by a role that may create, alter and drop
// the snapshots' schemas and the tables they are restored into.
type PostgresCatalog struct {
	DB *sql.DB
}

// NewPostgresCatalog returns the catalog of the database db is connected to.
func NewPostgresCatalog(db *sql.DB) *PostgresCatalog { return &PostgresCatalog{DB: db} }

var _ Catalog = (*PostgresCatalog)(nil)

const pgEntryColumns = `id, taken_at, audit_event, session_id, db_user, operation, object_type, source_schema,
	source_name, method, recycle_schema, recycle_name, row_count, rows_estimated, size_bytes, statement,
	restored_at, coalesce(restored_to, ''), purged_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanPgEntry(r rowScanner) (Entry, error) {
	var e Entry
	var restored, purged sql.NullTime
	err := r.Scan(&e.ID, &e.TakenAt, &e.AuditEvent, &e.SessionID, &e.User, &e.Operation, &e.ObjectType,
		&e.SourceSchema, &e.SourceName, &e.Method, &e.RecycleSchema, &e.RecycleName, &e.Rows, &e.RowsEstimated,
		&e.Bytes, &e.Statement, &restored, &e.RestoredTo, &purged)
	if restored.Valid {
		e.RestoredAt = &restored.Time
	}
	if purged.Valid {
		e.PurgedAt = &purged.Time
	}
	return e, err
}

// hasCatalog reports whether the database holds a catalog at all (none
// before the first snapshot).
func (c *PostgresCatalog) hasCatalog(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (bool, error) {
	var ok bool
	err := q.QueryRowContext(ctx, "SELECT to_regclass('bulwark_recycle.snapshots') IS NOT NULL").Scan(&ok)
	return ok, err
}

// List implements Catalog, newest first.
func (c *PostgresCatalog) List(ctx context.Context, f Filter) ([]Entry, error) {
	if ok, err := c.hasCatalog(ctx, c.DB); err != nil || !ok {
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
	rows, err := c.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanPgEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Get implements Catalog.
func (c *PostgresCatalog) Get(ctx context.Context, id int64) (Entry, error) {
	if ok, err := c.hasCatalog(ctx, c.DB); err != nil {
		return Entry{}, err
	} else if !ok {
		return Entry{}, fmt.Errorf("snapshot %d: %w (this database has no snapshot catalog)", id, ErrNotFound)
	}
	e, err := scanPgEntry(c.DB.QueryRowContext(ctx, "SELECT "+pgEntryColumns+" FROM bulwark_recycle.snapshots WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, fmt.Errorf("snapshot %d: %w", id, ErrNotFound)
	}
	return e, err
}

// Restore implements Catalog. Everything happens in one transaction, which
// holds the catalog row locked: two restores of one snapshot cannot both
// succeed.
func (c *PostgresCatalog) Restore(ctx context.Context, id int64, asName string) (RestoreResult, error) {
	tx, err := c.DB.BeginTx(ctx, nil)
	if err != nil {
		return RestoreResult{}, err
	}
	defer tx.Rollback()
	if ok, err := c.hasCatalog(ctx, tx); err != nil {
		return RestoreResult{}, err
	} else if !ok {
		return RestoreResult{}, fmt.Errorf("snapshot %d: %w (this database has no snapshot catalog)", id, ErrNotFound)
	}
	e, err := scanPgEntry(tx.QueryRowContext(ctx, "SELECT "+pgEntryColumns+" FROM bulwark_recycle.snapshots WHERE id = $1 FOR UPDATE", id))
	if errors.Is(err, sql.ErrNoRows) {
		return RestoreResult{}, fmt.Errorf("snapshot %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return RestoreResult{}, err
	}
	switch {
	case e.RestoredAt != nil:
		return RestoreResult{}, fmt.Errorf("snapshot %d was already restored, to %s, at %s", id, e.RestoredTo, e.RestoredAt.Format(time.RFC3339))
	case e.PurgedAt != nil:
		return RestoreResult{}, fmt.Errorf("snapshot %d was purged at %s; its data is gone", id, e.PurgedAt.Format(time.RFC3339))
	}
	var exists bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", e.RecycleSchema).Scan(&exists); err != nil {
		return RestoreResult{}, err
	}
	if !exists {
		return RestoreResult{}, fmt.Errorf("snapshot %d: its schema %s no longer exists (dropped by hand?); nothing to restore", id, e.RecycleSchema)
	}
	r := pgRestore{ctx: ctx, tx: tx, e: e, as: asName}
	var res RestoreResult
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
		return RestoreResult{}, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE bulwark_recycle.snapshots SET restored_at = now(), restored_to = $2 WHERE id = $1", id, res.Target); err != nil {
		return RestoreResult{}, err
	}
	if err := tx.Commit(); err != nil {
		return RestoreResult{}, err
	}
	res.Entry = e
	return res, nil
}

// pgRestore carries one restore's transaction.
type pgRestore struct {
	ctx context.Context
	tx  *sql.Tx
	e   Entry
	as  string
}

func (r *pgRestore) exec(q string, args ...any) error {
	_, err := r.tx.ExecContext(r.ctx, q, args...)
	return err
}

func (r *pgRestore) exists(qualifiedName string) (bool, error) {
	var ok bool
	err := r.tx.QueryRowContext(r.ctx, "SELECT to_regclass($1) IS NOT NULL", qualifiedName).Scan(&ok)
	return ok, err
}

// schema renames a schema set aside back.
func (r *pgRestore) schema() (RestoreResult, error) {
	target := r.e.SourceSchema
	if r.as != "" {
		target = r.as
	}
	var taken bool
	if err := r.tx.QueryRowContext(r.ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", target).Scan(&taken); err != nil {
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
	var schemaOK bool
	if err := r.tx.QueryRowContext(r.ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", r.e.SourceSchema).Scan(&schemaOK); err != nil {
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
	rows, err := r.tx.QueryContext(r.ctx, `SELECT quote_ident(relname) FROM pg_class
		WHERE relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND relkind IN ('r', 'p', 'm', 'f')`, r.e.RecycleSchema)
	if err != nil {
		return RestoreResult{}, err
	}
	var rest []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return RestoreResult{}, err
		}
		rest = append(rest, n)
	}
	rows.Close()
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
	rows, err := r.tx.QueryContext(r.ctx, `SELECT c.relname, c.relkind FROM pg_class c
		WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relkind IN ('i', 'I', 'S')
		  AND EXISTS (SELECT 1 FROM pg_class o WHERE o.relname = c.relname
		              AND o.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $2))`, r.e.RecycleSchema, r.e.SourceSchema)
	if err != nil {
		return err
	}
	type clash struct {
		name string
		kind string
	}
	var clashes []clash
	for rows.Next() {
		var c clash
		if err := rows.Scan(&c.name, &c.kind); err != nil {
			rows.Close()
			return err
		}
		clashes = append(clashes, c)
	}
	rows.Close()
	for _, c := range clashes {
		fresh := newName + "_" + c.name
		if rest, ok := strings.CutPrefix(c.name, r.e.SourceName); ok {
			fresh = newName + rest
		}
		if len(fresh) > 63 {
			fresh = fresh[:63]
		}
		kw := "INDEX"
		if c.kind == "S" {
			kw = "SEQUENCE"
		}
		if err := r.exec(fmt.Sprintf("ALTER %s %s.%s RENAME TO %s", kw, quoteIdent(r.e.RecycleSchema), quoteIdent(c.name), quoteIdent(fresh))); err != nil {
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
	rows, err := r.tx.QueryContext(r.ctx, `SELECT quote_ident(a.attname) FROM pg_index i
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
		WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var key []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		key = append(key, k)
	}
	return key, rows.Err()
}

// writableColumns returns the snapshot's columns that the table still has and
// that can be written (not generated).
func (r *pgRestore) writableColumns(table, snap string) ([]string, error) {
	rows, err := r.tx.QueryContext(r.ctx, `SELECT quote_ident(s.attname) FROM pg_attribute s
		JOIN pg_attribute t ON t.attrelid = $1::regclass AND t.attname = s.attname AND t.attnum > 0 AND NOT t.attisdropped
		WHERE s.attrelid = $2::regclass AND s.attnum > 0 AND NOT s.attisdropped AND t.attgenerated = ''
		ORDER BY s.attnum`, table, snap)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("the table has none of the snapshot's columns any more")
	}
	return cols, rows.Err()
}

// insert copies every row of snap into target.
func (r *pgRestore) insert(target, snap string, cols []string) (int64, error) {
	list := "*"
	into := ""
	if cols != nil {
		list = strings.Join(cols, ", ")
		into = " (" + list + ")"
	}
	res, err := r.tx.ExecContext(r.ctx, fmt.Sprintf("INSERT INTO %s%s OVERRIDING SYSTEM VALUE SELECT %s FROM %s", target, into, list, snap))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
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
		q := fmt.Sprintf("SELECT count(*) FROM %s s JOIN %s t ON %s WHERE %s <> %s", snap, table, cond, rowText("s", cols), rowText("t", cols))
		if err := r.tx.QueryRowContext(r.ctx, q).Scan(&differing); err != nil {
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
	res, err := r.tx.ExecContext(r.ctx, fmt.Sprintf("INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM %s s WHERE NOT EXISTS (SELECT 1 FROM %s t WHERE %s)",
		table, list, strings.Join(sel, ", "), snap, table, cond))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
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
	res, err := r.tx.ExecContext(r.ctx, q)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// catchUpSequences moves the table's owned sequences (serial and identity
// columns) past the largest value restored, so that the next insert does not
// collide: TRUNCATE ... RESTART IDENTITY may have reset them.
func (r *pgRestore) catchUpSequences(table string) error {
	rows, err := r.tx.QueryContext(r.ctx, `SELECT quote_ident(a.attname), pg_get_serial_sequence($1, a.attname) FROM pg_attribute a
		WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND pg_get_serial_sequence($1, a.attname) IS NOT NULL`, table)
	if err != nil {
		return err
	}
	type seq struct{ col, name string }
	var seqs []seq
	for rows.Next() {
		var s seq
		if err := rows.Scan(&s.col, &s.name); err != nil {
			rows.Close()
			return err
		}
		seqs = append(seqs, s)
	}
	rows.Close()
	for _, s := range seqs {
		q := fmt.Sprintf(`SELECT setval($1, m) FROM (SELECT max(%s)::bigint AS m FROM %s) x
			WHERE m IS NOT NULL AND m > (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM %s)`, s.col, table, s.name)
		if err := r.exec(q, s.name); err != nil {
			return err
		}
	}
	return nil
}

// Purge implements Catalog: each older snapshot's schema is dropped and its
// catalog row marked purged, all in one transaction.
func (c *PostgresCatalog) Purge(ctx context.Context, cutoff time.Time) ([]Entry, error) {
	tx, err := c.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if ok, err := c.hasCatalog(ctx, tx); err != nil || !ok {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+pgEntryColumns+` FROM bulwark_recycle.snapshots
		WHERE restored_at IS NULL AND purged_at IS NULL AND taken_at < $1 ORDER BY id FOR UPDATE`, cutoff)
	if err != nil {
		return nil, err
	}
	var old []Entry
	for rows.Next() {
		e, err := scanPgEntry(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		old = append(old, e)
	}
	rows.Close()
	for _, e := range old {
		if _, err := tx.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+quoteIdent(e.RecycleSchema)+" CASCADE"); err != nil {
			return nil, fmt.Errorf("purge snapshot %d: %w", e.ID, err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE bulwark_recycle.snapshots SET purged_at = now() WHERE id = $1", e.ID); err != nil {
			return nil, err
		}
	}
	return old, tx.Commit()
}
