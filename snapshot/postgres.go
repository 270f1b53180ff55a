//go:build !bulwark_no_postgres

package snapshot

import (
	"context"
	"fmt"
	"strings"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// Postgres takes snapshots on PostgreSQL. It takes nothing itself: Take
// returns one DO block that the engine runs in the client's transaction,
// immediately before the statement (or in its place, for a DROP), so that
// the snapshot and the destruction commit or roll back together. The block
// allocates its snapshot id when it runs, so the engine may run it again for
// every execution of a prepared statement.
//
// What the block does, per object:
//   - DROP TABLE / MATERIALIZED VIEW: the relation is moved (ALTER ... SET
//     SCHEMA) into a new schema bulwark_recycle_<id>, which takes constant
//     time whatever its size. Indexes, constraints, defaults, triggers,
//     grants, owned sequences and the data go with it. The statement's own
//     errors are reproduced (no such table, wrong kind, other objects depend
//     on it without CASCADE); objects outside the statement that depend on
//     the table (views, foreign keys of other tables), partitions being
//     dropped alone and inheritance children make the snapshot fail, since
//     moving would leave them attached to the recycled table. A partitioned
//     table moves with all its partitions. Temporary tables are dropped for
//     real: they die with their session anyway.
//   - DROP SCHEMA: the schema is renamed to bulwark_recycle_<id>, with
//     everything in it; objects outside it that depend on its objects, and
//     extensions, make the snapshot fail.
//   - TRUNCATE, DELETE, UPDATE, MERGE: the table is locked against other
//     writers (ACCESS EXCLUSIVE for TRUNCATE, EXCLUSIVE otherwise), its size
//     is checked against the limits from the server's estimates, and all its
//     rows are copied into bulwark_recycle_<id>.<table> (CREATE TABLE AS
//     SELECT); a table whose row-level security applies to the session
//     cannot be copied whole and is refused. Then the statement runs
//     unchanged. An unbounded
//     statement reaches every row or, when its condition does not depend on
//     the row, possibly none: the copy is of the whole table either way.
//
// Each snapshot is a row in bulwark_recycle.snapshots, written by the same
// block, so it exists exactly when the snapshot does.
//
// The block runs in the client's session, among objects the client may have
// created: see pinSearchPath for how it keeps to the catalog's own
// functions, operators, types and relations.
type Postgres struct {
	Limits Limits
}

var _ Taker = (*Postgres)(nil)

// statementErrors are the SQLSTATEs the block raises when the statement
// itself would have failed the same way: the engine hands them to the client
// unchanged.
var statementErrors = []string{"42P01", "3F000", "42809", "2BP01", "25P02"}

// treeOf lists a relation and, when it is partitioned, every partition
// under it (pg_partition_tree alone lists nothing for a plain table).
const treeOf = "(SELECT rel::oid AS relid UNION SELECT relid::oid FROM pg_catalog.pg_partition_tree(rel))"

// exactCountBytes: a table set aside that is at most this large gets its
// rows counted for the catalog; a larger one gets the planner's estimate.
const exactCountBytes = 16 << 20

// maxCatalogStatement caps the statement text kept in the catalog.
const maxCatalogStatement = 64 << 10

// postgresCatalogDDL creates the catalog. It is run inside the block only
// when the catalog is missing, and by the CLI.
const postgresCatalogDDL = `CREATE TABLE bulwark_recycle.snapshots (
	id             bigserial PRIMARY KEY,
	taken_at       timestamptz NOT NULL DEFAULT now(),
	audit_event    bigint NOT NULL,
	session_id     text NOT NULL,
	db_user        text NOT NULL DEFAULT current_user,
	operation      text NOT NULL,
	object_type    text NOT NULL,
	source_schema  text NOT NULL,
	source_name    text NOT NULL,
	method         text NOT NULL,
	recycle_schema text NOT NULL,
	recycle_name   text NOT NULL,
	row_count      bigint NOT NULL,
	rows_estimated boolean NOT NULL,
	size_bytes     bigint NOT NULL,
	statement      text NOT NULL,
	restored_at    timestamptz,
	restored_to    text,
	purged_at      timestamptz
)`

// Take implements Taker.
func (p *Postgres) Take(_ context.Context, req Request, _ Upstream) (*Plan, error) {
	if len(req.Undo) == 0 {
		return nil, fmt.Errorf("nothing to snapshot")
	}
	b := &pgBlock{req: req, limits: p.Limits}
	var rels []string
	for _, u := range req.Undo {
		if u.Kind != req.Undo[0].Kind {
			return nil, fmt.Errorf("bulwark cannot snapshot a statement that both drops and changes objects")
		}
		if u.ObjectType != "SCHEMA" {
			for _, o := range u.Objects {
				rels = append(rels, "pg_catalog.to_regclass("+b.text(qualified(o))+")")
			}
		}
	}
	// The declarations are compiled under the client's search path: their
	// types are qualified.
	b.f("DO $bulwark$\nDECLARE\n")
	b.f("  client_path pg_catalog.text; stmt pg_catalog.text; rels pg_catalog.regclass[]; shown pg_catalog.text[];\n")
	b.f("  snap pg_catalog.int8; rs pg_catalog.text; rel pg_catalog.regclass; nspoid pg_catalog.oid; nsp pg_catalog.text; tbl pg_catalog.text;\n")
	b.f("  kind pg_catalog.\"char\"; temp pg_catalog.bool; sz pg_catalog.numeric; est pg_catalog.numeric; n pg_catalog.int8; copied pg_catalog.int8;\n")
	b.f("  dep pg_catalog.text; prev pg_catalog.text; old pg_catalog.record;\n")
	b.f("BEGIN\n")
	b.pinSearchPath(rels)
	b.f("  stmt := %s;\n", b.text(truncateStatement(req.Statement)))
	b.f("  IF pg_catalog.to_regnamespace('bulwark_recycle') IS NULL THEN\n    CREATE SCHEMA bulwark_recycle;\n  END IF;\n")
	b.f("  IF pg_catalog.to_regclass('bulwark_recycle.snapshots') IS NULL THEN\n    %s;\n  END IF;\n", postgresCatalogDDL)
	if p.Limits.Retention > 0 {
		b.purge()
	}
	tag := ""
	i := 0 // the relation's index in rels, from 1
	for _, u := range req.Undo {
		switch {
		case u.Kind == sqlparse.UndoRows:
			for _, o := range u.Objects {
				i++
				b.rows(i, o, u)
			}
		case u.ObjectType == "SCHEMA":
			tag = "DROP SCHEMA"
			for _, o := range u.Objects {
				b.schema(o, u)
			}
		case u.ObjectType == "TABLE" || u.ObjectType == "MATERIALIZED VIEW":
			tag = "DROP " + u.ObjectType
			for _, o := range u.Objects {
				i++
				b.move(i, o, u)
			}
		default:
			return nil, fmt.Errorf("bulwark cannot snapshot DROP %s on PostgreSQL", u.ObjectType)
		}
	}
	b.f("  PERFORM pg_catalog.set_config('search_path', client_path, true);\n")
	b.f("END\n$bulwark$")
	return &Plan{SQL: b.String(), Replace: tag != "", Tag: tag, PassCodes: statementErrors}, nil
}

// pgBlock writes the DO block. Everything that comes from the client
// (names, the statement) enters it as hex, decoded by the server with the
// session's client_encoding: the block itself is plain ASCII and reads the
// same under any standard_conforming_strings.
type pgBlock struct {
	strings.Builder
	req    Request
	limits Limits
}

func (b *pgBlock) f(format string, args ...any) { fmt.Fprintf(b, format, args...) }

// text returns an SQL expression for s as the client sent it.
func (b *pgBlock) text(s string) string {
	return fmt.Sprintf("pg_catalog.convert_from(pg_catalog.decode('%x', 'hex'), pg_catalog.current_setting('client_encoding'))", s)
}

// blockSearchPath is the search path the block runs under once it has
// resolved the statement's relations: the catalog, then the session's
// temporary schema, and nothing the client chose.
const blockSearchPath = "pg_catalog, pg_temp"

// pinSearchPath resolves the statement's relations into rels, then sets the
// search path the rest of the block runs under; the end of the block puts
// the client's back (an error aborts the transaction, which puts it back
// too).
//
// The block runs in the client's session, whose search path the client
// chooses and whose schemas may hold its own functions, types and tables
// named like the catalog's: a public.to_regclass(text) first on the path, a
// temporary pg_class (pg_temp is searched before pg_catalog for relations
// and types unless the path names it), or a public.format overload whose
// argument types match a call better than pg_catalog's own (it wins
// wherever public is on the path, even after pg_catalog). Any of them could
// make the block copy nothing, or another table, while the statement goes
// on to destroy the real one.
//
// So the client's path serves once, in the block's first statement: to
// resolve each of the statement's relations with pg_catalog.to_regclass.
// That is the lookup the server makes for the statement: the same path,
// with the temporary schema first unless the path places it elsewhere, in
// the same session and transaction, and the block creates nothing on that
// path before the statement runs. rels therefore holds the relations the
// statement destroys, and shown the names the client sees for them, for
// messages. Every other name in the block is then looked up under
// blockSearchPath, where functions and operators can only be pg_catalog's
// (pg_temp is never searched for those) and types and relations are
// pg_catalog's before any temporary one. The declarations are compiled
// before the block runs, under the client's path, so their types are
// qualified, and so is everything the first statement calls.
func (b *pgBlock) pinSearchPath(rels []string) {
	b.f("  client_path := pg_catalog.current_setting('search_path');\n")
	b.f("  rels := ARRAY[%s]::pg_catalog.regclass[];\n", strings.Join(rels, ", "))
	b.f("  shown := rels::pg_catalog.text[];\n")
	b.f("  PERFORM pg_catalog.set_config('search_path', '%s', true);\n", blockSearchPath)
}

// insert writes the catalog row of the snapshot being taken.
func (b *pgBlock) insert(typ, method, rows, estimated, size string) {
	b.f("    INSERT INTO bulwark_recycle.snapshots (id, audit_event, session_id, operation, object_type, source_schema, source_name,\n")
	b.f("        method, recycle_schema, recycle_name, row_count, rows_estimated, size_bytes, statement)\n")
	b.f("      VALUES (snap, %d, '%s', '%s', '%s', nsp, tbl, '%s', rs, tbl, %s, %s, %s, stmt);\n",
		b.req.EventID, sqlWord(b.req.SessionID), sqlWord(b.req.Operation), typ, method, rows, estimated, size)
}

// describeRel reads the schema, name, kind and persistence of rel.
func (b *pgBlock) describeRel(indent string) {
	b.f("%sSELECT n.nspname, c.relname, c.relkind, c.relpersistence = 't' INTO nsp, tbl, kind, temp\n", indent)
	b.f("%s  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = rel;\n", indent)
}

// estimateTree reads the server's estimates of the size and row count of
// rel and its partitions into sz and est.
func (b *pgBlock) estimateTree(indent string) {
	b.f("%sSELECT coalesce(sum(pg_total_relation_size(t.relid)), 0), coalesce(sum(greatest(c.reltuples, 0)), 0) INTO sz, est\n", indent)
	b.f("%s  FROM %s t JOIN pg_catalog.pg_class c ON c.oid = t.relid;\n", indent, treeOf)
}

// newArea allocates the snapshot's id and creates its recycle schema.
func (b *pgBlock) newArea() {
	b.f("    snap := pg_catalog.nextval(pg_catalog.pg_get_serial_sequence('bulwark_recycle.snapshots', 'id'));\n")
	b.f("    rs := 'bulwark_recycle_' || snap;\n")
}

// rows copies the rows of rels[i], named o, aside.
func (b *pgBlock) rows(i int, o sqlparse.ObjectName, u *sqlparse.Undo) {
	lock := "EXCLUSIVE"
	if b.req.Operation == string(sqlparse.CategoryTruncate) {
		lock = "ACCESS EXCLUSIVE"
	}
	only := ""
	if o.Only {
		only = "ONLY "
	}
	b.f("  rel := rels[%d];\n", i)
	b.f("  IF rel IS NOT NULL THEN -- a missing table: the statement reports it itself\n")
	b.describeRel("    ")
	b.f("    IF kind NOT IN ('r', 'p') THEN\n")
	b.f("      RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = format('%%s is not a table (a view or a foreign table); bulwark snapshots the rows of tables only, so send the statement to the table itself', shown[%d]);\n", i)
	b.f("    END IF;\n")
	b.f("  END IF;\n")
	b.f("  IF rel IS NOT NULL AND NOT temp THEN\n")
	if u.Cascade {
		b.f("    SELECT string_agg(DISTINCT c.conrelid::regclass::text, ', ') INTO dep FROM pg_catalog.pg_constraint c\n")
		b.f("      WHERE c.contype = 'f' AND c.confrelid = rel AND c.conrelid <> rel AND NOT c.conrelid = ANY(rels);\n")
		b.f("    IF dep IS NOT NULL THEN\n")
		b.f("      RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = format('TRUNCATE ... CASCADE would also empty %%s, which reference %%s and which bulwark would not snapshot: name them in the TRUNCATE too', dep, shown[%d]);\n", i)
		b.f("    END IF;\n")
	}
	switch b.req.Operation {
	case string(sqlparse.CategoryTruncate):
		// TRUNCATE is not MVCC-safe: it empties the table of rows
		// committed after a REPEATABLE READ transaction's snapshot,
		// which the copy, taken under that snapshot, cannot see.
		b.f("    IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN\n")
		b.f("      RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = format('TRUNCATE of %%s in a REPEATABLE READ or SERIALIZABLE transaction would also remove rows other sessions commit after the transaction began, which the snapshot cannot see: send it in a READ COMMITTED transaction', shown[%d]);\n", i)
		b.f("    END IF;\n")
	case string(sqlparse.CategoryDelete), string(sqlparse.CategoryUpdate):
		// A foreign key's action deletes or changes rows of another
		// table, which the copy of this one does not hold.
		action := "confdeltype"
		if b.req.Operation == string(sqlparse.CategoryUpdate) {
			action = "confupdtype"
		}
		b.f("    SELECT string_agg(DISTINCT c.conrelid::regclass::text, ', ') INTO dep FROM pg_catalog.pg_constraint c\n")
		b.f("      WHERE c.contype = 'f' AND c.confrelid = rel AND c.conrelid <> rel AND c.%s IN ('c', 'n', 'd');\n", action)
		b.f("    IF dep IS NOT NULL THEN\n")
		b.f("      RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = format('rows of %%s are referenced by %%s with a foreign key that cascades, sets NULL or sets a default, so the statement would also change rows there, which bulwark would not snapshot: change those rows first with statements of their own', shown[%d], dep);\n", i)
		b.f("    END IF;\n")
	}
	b.f("    EXECUTE format('LOCK TABLE %%s IN %s MODE', rel);\n", lock)
	// Row-level security would filter the copy, not the statement alike:
	// TRUNCATE ignores it, and DELETE and UPDATE apply their own policies.
	b.f("    IF pg_catalog.row_security_active(rel) THEN\n")
	b.f("      RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = format('row-level security hides rows of %%s from this session, so bulwark cannot copy them all: send the statement as a role its policies do not apply to', shown[%d]);\n", i)
	b.f("    END IF;\n")
	b.estimateTree("    ")
	b.f("    IF sz > %d OR est > %d THEN\n", b.limits.MaxBytes, b.limits.MaxRows)
	b.f("      RAISE EXCEPTION USING ERRCODE = '54000', MESSAGE = format('a snapshot of %%s would be too large: about %%s rows and %%s on disk, over snapshot.max_rows (%d) or snapshot.max_bytes (%%s)', shown[%d], est::bigint, pg_size_pretty(sz), pg_size_pretty(%d::bigint));\n",
		b.limits.MaxRows, i, b.limits.MaxBytes)
	b.f("    END IF;\n")
	b.newArea()
	b.f("    EXECUTE format('CREATE SCHEMA %%I', rs);\n")
	b.f("    EXECUTE format('CREATE TABLE %%I.%%I AS SELECT * FROM %s%%s', rs, tbl, rel);\n", only)
	b.f("    GET DIAGNOSTICS n = ROW_COUNT;\n")
	b.f("    IF n > %d THEN\n", b.limits.MaxRows)
	b.f("      RAISE EXCEPTION USING ERRCODE = '54000', MESSAGE = format('a snapshot of %%s would be too large: %%s rows, over snapshot.max_rows (%d)', shown[%d], n);\n", b.limits.MaxRows, i)
	b.f("    END IF;\n")
	// The copy is read back: the catalog row must describe rows that are
	// really there.
	b.f("    EXECUTE format('SELECT count(*) FROM %%I.%%I', rs, tbl) INTO copied;\n")
	b.f("    IF copied IS DISTINCT FROM n THEN\n")
	b.f("      RAISE EXCEPTION USING ERRCODE = 'XX000', MESSAGE = format('the copy of %%s holds %%s rows where %%s were copied', shown[%d], copied, n);\n", i)
	b.f("    END IF;\n")
	b.insert("TABLE", MethodRows, "n", "false", "pg_total_relation_size(format('%I.%I', rs, tbl)::regclass)")
	b.f("  END IF;\n")
}

// move sets rels[i], named o, a table or materialized view, aside in place
// of dropping it.
func (b *pgBlock) move(i int, o sqlparse.ObjectName, u *sqlparse.Undo) {
	word := strings.ToLower(u.ObjectType)
	kinds := "'r', 'p'"
	if u.ObjectType == "MATERIALIZED VIEW" {
		kinds = "'m'"
	}
	name := b.text(o.String())
	b.f("  rel := rels[%d];\n", i)
	b.f("  IF rel IS NULL THEN\n")
	if u.MissingOK {
		b.f("    RAISE NOTICE '%s \"%%\" does not exist, skipping', %s;\n", word, name)
	} else {
		b.f("    RAISE EXCEPTION USING ERRCODE = '42P01', MESSAGE = format('%s \"%%s\" does not exist', %s);\n", word, name)
	}
	b.f("  ELSE\n")
	b.describeRel("    ")
	b.f("    IF kind NOT IN (%s) THEN\n", kinds)
	b.f("      RAISE EXCEPTION USING ERRCODE = '42809', MESSAGE = format('\"%%s\" is not a %s', %s);\n", word, name)
	b.f("    END IF;\n")
	// A relation already in a recycle schema was set aside by this block:
	// the statement names it twice, or it is a partition of a table named
	// before it. The server drops it once.
	b.f("    IF pg_catalog.starts_with(nsp, '%s') THEN\n", RecyclePrefix)
	b.f("      NULL;\n")
	b.f("    ELSIF temp THEN\n")
	b.f("      EXECUTE format('DROP %s %%s%s', rel);\n", u.ObjectType, cascadeWord(u.Cascade))
	b.f("    ELSE\n")
	b.f("      IF EXISTS (SELECT 1 FROM pg_catalog.pg_inherits WHERE inhrelid = rel) THEN\n")
	b.f("        RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = format('%%s is a partition or an inheritance child; bulwark cannot set it aside on its own: detach it first (ALTER TABLE ... DETACH PARTITION or NO INHERIT), then drop it', shown[%d]);\n", i)
	b.f("      END IF;\n")
	b.f("      IF kind = 'r' AND EXISTS (SELECT 1 FROM pg_catalog.pg_inherits WHERE inhparent = rel) THEN\n")
	b.f("        RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = format('%%s has inheritance children, which bulwark would leave attached to it: drop or detach them first', shown[%d]);\n", i)
	b.f("      END IF;\n")
	b.f("      SELECT string_agg(DISTINCT x.obj, ', ') INTO dep FROM (\n")
	b.f("        SELECT format('view %%s', r.ev_class::regclass) AS obj FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid\n")
	b.f("          WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass\n")
	b.f("            AND d.refobjid IN (SELECT relid FROM %s t) AND r.ev_class <> rel AND NOT r.ev_class = ANY(rels)\n", treeOf)
	b.f("        UNION ALL\n")
	b.f("        SELECT format('constraint %%I on %%s', c.conname, c.conrelid::regclass) FROM pg_catalog.pg_constraint c\n")
	b.f("          WHERE c.contype = 'f' AND c.confrelid IN (SELECT relid FROM %s t)\n", treeOf)
	b.f("            AND c.conrelid NOT IN (SELECT relid FROM %s t) AND NOT c.conrelid = ANY(rels)) x;\n", treeOf)
	b.f("      IF dep IS NOT NULL THEN\n")
	if u.Cascade {
		b.f("        RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = format('with CASCADE this would also drop %%s, which depend on %%s and which bulwark would not set aside with it: drop those first, then %%s', dep, shown[%[1]d], shown[%[1]d]);\n", i)
	} else {
		b.f("        RAISE EXCEPTION USING ERRCODE = '2BP01', MESSAGE = format('cannot drop %s %%s because other objects depend on it', shown[%d]),\n", word, i)
		b.f("          DETAIL = format('%%s depends on %s %%s', dep, shown[%d]), HINT = 'Use DROP ... CASCADE to drop the dependent objects too.';\n", word, i)
	}
	b.f("      END IF;\n")
	b.estimateTree("      ")
	// A small table's rows are counted (a few milliseconds); a large one
	// keeps the planner's estimate, so that moving stays constant-time.
	b.f("      IF sz <= %d THEN\n", exactCountBytes)
	b.f("        EXECUTE format('SELECT count(*) FROM %%s', rel) INTO n;\n")
	b.f("      ELSE\n        n := NULL;\n      END IF;\n")
	b.newArea()
	b.f("      EXECUTE format('CREATE SCHEMA %%I', rs);\n")
	b.insert(u.ObjectType, MethodMove, "coalesce(n, est::bigint)", "n IS NULL", "sz::bigint")
	b.f("      EXECUTE format('ALTER %s %%s SET SCHEMA %%I', rel, rs);\n", u.ObjectType)
	b.f("      FOR old IN SELECT t.relid FROM pg_catalog.pg_partition_tree(rel) t WHERE t.relid <> rel LOOP\n")
	b.f("        EXECUTE format('ALTER TABLE %%s SET SCHEMA %%I', old.relid::regclass, rs);\n")
	b.f("      END LOOP;\n")
	b.f("    END IF;\n")
	b.f("  END IF;\n")
}

// schema sets a schema aside by renaming it.
func (b *pgBlock) schema(o sqlparse.ObjectName, u *sqlparse.Undo) {
	name := b.text(o.Name)
	b.f("  nspoid := (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = %s);\n", name)
	b.f("  IF nspoid IS NULL THEN\n")
	if u.MissingOK {
		b.f("    RAISE NOTICE 'schema \"%%\" does not exist, skipping', %s;\n", name)
	} else {
		b.f("    RAISE EXCEPTION USING ERRCODE = '3F000', MESSAGE = format('schema \"%%s\" does not exist', %s);\n", name)
	}
	b.f("  ELSE\n")
	b.f("    nsp := %s; tbl := '';\n", name)
	b.f("    IF nsp IN ('pg_catalog', 'information_schema', 'bulwark_recycle') OR nsp LIKE 'pg\\_%%' OR nsp LIKE 'bulwark\\_recycle\\_%%' THEN\n")
	b.f("      RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = format('bulwark does not set aside the schema %%I', nsp);\n")
	b.f("    END IF;\n")
	if !u.Cascade {
		b.f("    IF EXISTS (SELECT 1 FROM pg_catalog.pg_depend WHERE refclassid = 'pg_catalog.pg_namespace'::regclass AND refobjid = nspoid AND deptype = 'n') THEN\n")
		b.f("      RAISE EXCEPTION USING ERRCODE = '2BP01', MESSAGE = format('cannot drop schema %%I because other objects depend on it', nsp),\n")
		b.f("        HINT = 'Use DROP ... CASCADE to drop the dependent objects too.';\n")
		b.f("    END IF;\n")
	}
	b.f("    IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extnamespace = nspoid) THEN\n")
	b.f("      RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = format('schema %%I holds an extension''s objects, which bulwark does not set aside', nsp);\n")
	b.f("    END IF;\n")
	b.f("    SELECT string_agg(DISTINCT x.obj, ', ') INTO dep FROM (\n")
	b.f("      SELECT format('view %%s', r.ev_class::regclass) AS obj FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid\n")
	b.f("        JOIN pg_catalog.pg_class rc ON rc.oid = d.refobjid JOIN pg_catalog.pg_class vc ON vc.oid = r.ev_class\n")
	b.f("        WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass AND rc.relnamespace = nspoid AND vc.relnamespace <> nspoid\n")
	b.f("      UNION ALL\n")
	b.f("      SELECT format('constraint %%I on %%s', c.conname, c.conrelid::regclass) FROM pg_catalog.pg_constraint c\n")
	b.f("        JOIN pg_catalog.pg_class rc ON rc.oid = c.confrelid JOIN pg_catalog.pg_class cc ON cc.oid = c.conrelid\n")
	b.f("        WHERE c.contype = 'f' AND rc.relnamespace = nspoid AND cc.relnamespace <> nspoid) x;\n")
	b.f("    IF dep IS NOT NULL THEN\n")
	b.f("      RAISE EXCEPTION USING ERRCODE = '0A000', MESSAGE = format('%%s outside schema %%I depend on objects in it, and bulwark would not set them aside with it: drop those first', dep, nsp);\n")
	b.f("    END IF;\n")
	b.f("    SELECT coalesce(sum(pg_total_relation_size(oid)), 0), coalesce(sum(greatest(reltuples, 0)), 0) INTO sz, est\n")
	b.f("      FROM pg_catalog.pg_class WHERE relnamespace = nspoid AND relkind IN ('r', 'm');\n")
	b.newArea()
	b.insert("SCHEMA", MethodMove, "est::bigint", "true", "sz::bigint")
	b.f("    EXECUTE format('ALTER SCHEMA %%I RENAME TO %%I', nsp, rs);\n")
	b.f("  END IF;\n")
}

// purge drops the snapshots older than the retention. A snapshot the
// session's user may not drop stays for the next purge: purging never
// stands in the way of the snapshot being taken.
func (b *pgBlock) purge() {
	secs := int64(b.limits.Retention.Seconds())
	b.f("  prev := pg_catalog.current_setting('client_min_messages');\n")
	b.f("  FOR old IN SELECT id, recycle_schema FROM bulwark_recycle.snapshots\n")
	b.f("      WHERE restored_at IS NULL AND purged_at IS NULL AND taken_at < now() - make_interval(secs => %d) ORDER BY id LOOP\n", secs)
	b.f("    BEGIN\n")
	b.f("      PERFORM pg_catalog.set_config('client_min_messages', 'warning', true);\n")
	b.f("      EXECUTE format('DROP SCHEMA IF EXISTS %%I CASCADE', old.recycle_schema);\n")
	b.f("      UPDATE bulwark_recycle.snapshots SET purged_at = now() WHERE id = old.id;\n")
	b.f("    EXCEPTION WHEN OTHERS THEN NULL;\n")
	b.f("    END;\n")
	b.f("  END LOOP;\n")
	b.f("  PERFORM pg_catalog.set_config('client_min_messages', prev, true);\n")
}

func cascadeWord(c bool) string {
	if c {
		return " CASCADE"
	}
	return ""
}

// qualified quotes a name the way to_regclass reads it.
func qualified(o sqlparse.ObjectName) string {
	if o.Schema == "" {
		return quoteIdent(o.Name)
	}
	return quoteIdent(o.Schema) + "." + quoteIdent(o.Name)
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// sqlWord keeps only the characters of bulwark's own identifiers (session
// ids, category names), so that they can sit in a literal unescaped.
func sqlWord(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return -1
	}, s)
}

// truncateStatement caps s for the catalog without splitting a character in
// any client encoding: the cut falls right after an ASCII byte.
func truncateStatement(s string) string {
	if len(s) <= maxCatalogStatement {
		return s
	}
	cut := maxCatalogStatement
	for cut > 0 && s[cut-1] >= 0x80 {
		cut--
	}
	return s[:cut]
}
