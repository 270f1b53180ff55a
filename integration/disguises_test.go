package integration

import (
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// disguise is a statement shaped the way SQL firewalls have been bypassed:
// the destructive part is wrapped, spelled oddly, hidden behind lexing
// subtleties or built at run time. Each one runs against the real server
// twice. The agent must be refused with the database unchanged; the human's
// identical statement must then change it, which proves the server really
// reads the text as destructive, so the refusal is the right call and not a
// lucky false alarm.
type disguise struct {
	family string // the bypass family, the name of the subtest group
	destructiveCase
	// multi: the text holds more than one statement, which only the simple
	// protocol carries.
	multi bool
	// copyOut: the statement is a COPY ... TO STDOUT, sent as one.
	copyOut bool
	// warm, when set, is run by the agent first and must be allowed: a
	// benign statement that looks like the disguise to anything keyed on
	// a prefix or on text with comments stripped.
	warm string
	// session, when set, is run first by both the agent (it must be
	// allowed) and the human: a setting that changes how the server reads
	// the statement.
	session string
	// params are connection parameters of both sessions, such as options
	// (settings sent in the startup packet).
	params []string
}

// lookalike is a statement that merely contains the words of a destructive
// one (in a string, a comment or an identifier) or does not execute what it
// names (plain EXPLAIN): the agent runs it, and the table it names must be
// untouched afterwards.
type lookalike struct {
	name, key, stmt string
}

// Placeholders of disguise texts besides {t} (expand):
//   - {u} is the table name with its first letter written as a U& escape,
//     {u!} the same with ! as the escape character (UESCAPE '!');
//   - {lo} is a large object id that belongs to the case;
//   - {pad} is 1 MiB of comment text;
//   - {dsn} is a connection string to the test database as the human, for
//     dblink;
//   - {file} is the path of a file on the database server's host that
//     belongs to the case and this test run.
func expandDisguise(s, n string) string {
	return strings.NewReplacer(
		"{u}", fmt.Sprintf(`\%04x`, n[0])+n[1:],
		"{u!}", fmt.Sprintf(`!%04x`, n[0])+n[1:],
		"{lo}", fmt.Sprint(largeObjectID(n)),
		"{file}", serverFile(n),
		"{pad}", strings.Repeat("padding ", 1<<17),
		"{dsn}", pg.dsn(humanUser, humanPassword, testDatabase),
	).Replace(expand(s, n))
}

// largeObjectID is a large object id derived from a case's object name, so
// that parallel cases do not collide.
func largeObjectID(n string) uint32 { return 1_000_000 + crc32.ChecksumIEEE([]byte(n))%1_000_000_000 }

// serverFile is a path on the database server's host for a case's file:
// /tmp is there and writable whether the server is local or in a
// container, and the run tag keeps runs apart.
func serverFile(n string) string { return "/tmp/bulwark_test_" + n + "_" + runTag }

var runTag = strconv.FormatInt(time.Now().UnixNano(), 36)

var disguises = []disguise{
	// Verb-hiding wrappers.
	{family: "verb-hiding wrappers", destructiveCase: destructiveCase{name: "data-modifying CTE", key: "cte",
		rule: "delete-no-where", category: "delete", setup: tableSetup,
		stmt: "WITH d AS (DELETE FROM {t} RETURNING *) SELECT count(*) FROM d"}},
	{family: "verb-hiding wrappers", destructiveCase: destructiveCase{name: "MERGE ON true WHEN MATCHED THEN DELETE", key: "merge",
		rule: "delete-always-true", category: "delete", setup: tableSetup,
		stmt: "MERGE INTO {t} USING (SELECT 1 AS one) s ON true WHEN MATCHED THEN DELETE"}},
	{family: "verb-hiding wrappers", destructiveCase: destructiveCase{name: "COPY (DELETE RETURNING) TO STDOUT", key: "copy_del",
		rule: "delete-no-where", category: "delete", setup: tableSetup,
		stmt: "COPY (DELETE FROM {t} RETURNING id) TO STDOUT"}, copyOut: true},
	{family: "verb-hiding wrappers", destructiveCase: destructiveCase{name: "EXPLAIN ANALYZE executes", key: "explain",
		rule: "delete-no-where", category: "delete", setup: tableSetup,
		stmt: "EXPLAIN ANALYZE DELETE FROM {t}"}},
	{family: "verb-hiding wrappers", destructiveCase: destructiveCase{name: "CREATE RULE whose action deletes", key: "rule",
		rule: "delete-no-where", category: "delete",
		setup: objectSetup("SELECT EXISTS (SELECT FROM pg_rules WHERE rulename = '{t}_wipe')", "SELECT 1"),
		stmt:  "CREATE RULE {t}_wipe AS ON INSERT TO {t} DO ALSO DELETE FROM {t}"}},
	{family: "verb-hiding wrappers", destructiveCase: destructiveCase{name: "trigger function that deletes", key: "trigger",
		rule: "delete-no-where", category: "delete",
		setup: objectSetup("SELECT to_regprocedure('{t}_trg()') IS NOT NULL", "DROP FUNCTION IF EXISTS {t}_trg()"),
		stmt:  "CREATE FUNCTION {t}_trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN DELETE FROM {t}; RETURN NULL; END$$"}},

	// Lexer confusion: only the server's own grammar reads these right.
	{family: "lexer confusion", destructiveCase: destructiveCase{name: "nested block comments", key: "nested",
		rule: "drop-object", category: "drop", setup: tableSetup,
		stmt: "/* outer /* inner */ still a comment */ DROP TABLE {t}"}},
	{family: "lexer confusion", destructiveCase: destructiveCase{name: "backslash ends a standard string", key: "backslash",
		rule: "drop-object", category: "drop", setup: tableSetup,
		stmt: `SELECT 'x\'; DROP TABLE {t}; --'`}, multi: true},
	{family: "lexer confusion", destructiveCase: destructiveCase{name: "dollar quotes with tags", key: "dollar",
		rule: "drop-object", category: "drop", setup: tableSetup,
		stmt: "SELECT $a$ $$ $a$; DROP TABLE {t}"}, multi: true},
	{family: "lexer confusion", destructiveCase: destructiveCase{name: "unicode-escaped identifier", key: "uesc",
		rule: "drop-object", category: "drop", setup: tableSetup,
		stmt: `DROP TABLE U&"{u}"`}},
	{family: "lexer confusion", destructiveCase: destructiveCase{name: "unicode escape with UESCAPE", key: "uescape",
		rule: "drop-object", category: "drop", setup: tableSetup,
		stmt: `DROP TABLE U&"{u!}" UESCAPE '!'`}},
	{family: "lexer confusion", destructiveCase: destructiveCase{name: "leading semicolons and odd whitespace", key: "space",
		rule: "drop-object", category: "drop", setup: tableSetup,
		stmt: ";;\f DROP\fTABLE\r\n\t{t}"}, multi: true},
	{family: "lexer confusion", destructiveCase: destructiveCase{name: "alias named like a keyword", key: "kwalias",
		rule: "delete-no-where", category: "delete", setup: tableSetup,
		stmt: `DELETE FROM {t} AS "where"`}},
	{family: "lexer confusion", destructiveCase: destructiveCase{name: "WHERE inside a line comment", key: "linecomment",
		rule: "delete-no-where", category: "delete", setup: tableSetup,
		stmt: "DELETE FROM {t} -- WHERE id = 1"}},
	{family: "lexer confusion", destructiveCase: destructiveCase{name: "WHERE inside a block comment", key: "blockcomment",
		rule: "delete-no-where", category: "delete", setup: tableSetup,
		stmt: "DELETE FROM {t} /* WHERE id = 1 */"}},

	// Dynamic SQL: what is built at run time cannot be judged.
	{family: "dynamic SQL", destructiveCase: destructiveCase{name: "plpgsql function that EXECUTEs a string", key: "dynfn",
		rule: "dynamic-sql", category: "unanalysable",
		setup: objectSetup("SELECT to_regprocedure('{t}_dyn()') IS NOT NULL", "DROP FUNCTION IF EXISTS {t}_dyn()"),
		stmt:  "CREATE FUNCTION {t}_dyn() RETURNS void LANGUAGE plpgsql AS $$BEGIN EXECUTE 'DROP TABLE ' || quote_ident('{t}'); END$$"}},
	{family: "dynamic SQL", destructiveCase: destructiveCase{name: "procedure that EXECUTEs format()", key: "dynproc",
		rule: "dynamic-sql", category: "unanalysable",
		setup: objectSetup("SELECT to_regprocedure('{t}_proc()') IS NOT NULL", "DROP PROCEDURE IF EXISTS {t}_proc()"),
		stmt:  "CREATE PROCEDURE {t}_proc() LANGUAGE plpgsql AS $$BEGIN EXECUTE format('TRUNCATE %I', '{t}'); END$$"}},

	// Side effects behind SELECT.
	{family: "side effects behind SELECT", destructiveCase: destructiveCase{name: "lo_unlink", key: "lo",
		rule: "drop-large-object", category: "drop",
		setup: largeObjectSetup, stmt: "SELECT lo_unlink({lo})"}},
	{family: "side effects behind SELECT", destructiveCase: destructiveCase{name: "dblink_exec", key: "dblink",
		rule: "dynamic-sql", category: "unanalysable",
		setup: dblinkSetup, stmt: "SELECT dblink_exec('{dsn}', 'DROP TABLE {t}')"}},
	{family: "side effects behind SELECT", destructiveCase: destructiveCase{name: "operator bound to lo_unlink named by a string", key: "opstr",
		rule: "statement-rewrite", category: "unanalysable", setup: operatorSetup,
		stmt: "CREATE OPERATOR {t}_s.!!! (RIGHTARG = oid, FUNCTION = 'lo_unlink'); SELECT OPERATOR({t}_s.!!!) {lo}::oid"}, multi: true},
	{family: "side effects behind SELECT", destructiveCase: destructiveCase{name: "lo_truncate", key: "lotrunc",
		rule: "drop-large-object", category: "drop",
		setup: largeObjectContentSetup, stmt: "SELECT lo_truncate(lo_open({lo}, 131072), 0)"}},
	{family: "side effects behind SELECT", destructiveCase: destructiveCase{name: "lo_put", key: "loput",
		rule: "drop-large-object", category: "drop",
		setup: largeObjectContentSetup, stmt: "SELECT lo_put(oid, 0, '\\x0000000000') FROM pg_largeobject_metadata WHERE oid = {lo}"}},
	{family: "side effects behind SELECT", destructiveCase: destructiveCase{name: "lowrite", key: "lowrite",
		rule: "drop-large-object", category: "drop",
		setup: largeObjectContentSetup, stmt: "SELECT lowrite(lo_open(oid, 131072), 'xxxxxxx') FROM pg_largeobject_metadata WHERE oid = {lo}"}},
	{family: "side effects behind SELECT", destructiveCase: destructiveCase{name: "lo_manage trigger", key: "lomanage",
		rule: "drop-large-object", category: "drop",
		setup: func(t *testing.T, n string) func() string {
			requireExtension(t, "lo")
			state := largeObjectContentSetup(t, n)
			adminExec(t, expandDisguise("CREATE TABLE {t}_refs (ref oid)", n), expandDisguise("INSERT INTO {t}_refs VALUES ({lo})", n),
				expandDisguise("ALTER TABLE {t}_refs OWNER TO "+agentUser, n))
			t.Cleanup(func() { _, _ = adminDB.Exec(expandDisguise("DROP TABLE IF EXISTS {t}_refs", n)) })
			return state
		},
		stmt: "CREATE TRIGGER {t}_lo BEFORE UPDATE OR DELETE ON {t}_refs FOR EACH ROW EXECUTE FUNCTION lo_manage(ref); DELETE FROM {t}_refs WHERE ref = {lo}"}, multi: true},
	{family: "verb-hiding wrappers", destructiveCase: destructiveCase{name: "rule that replaces inserts with a SELECT", key: "rulesel",
		rule: "statement-rewrite", category: "unanalysable",
		setup: objectSetup("SELECT EXISTS (SELECT FROM pg_rules WHERE rulename = '{t}_swallow')", "SELECT 1"),
		stmt:  "CREATE RULE {t}_swallow AS ON INSERT TO {t} DO INSTEAD SELECT 1"}},
	{family: "side effects behind SELECT", destructiveCase: destructiveCase{name: "pg_surgery heap_force_kill", key: "surgery",
		rule: "heap-surgery", category: "drop", setup: extensionSetup("pg_surgery", tableSetup),
		stmt: "SELECT heap_force_kill('{t}'::regclass, ARRAY(SELECT ctid FROM {t}))"}},
	{family: "side effects behind SELECT", destructiveCase: destructiveCase{name: "COPY TO a server file", key: "copyfile",
		rule: "server-file-write", category: "unanalysable", setup: serverFileSetup,
		stmt: "COPY (SELECT 1 WHERE false) TO '{file}'"}},
	{family: "side effects behind SELECT", destructiveCase: destructiveCase{name: "lo_export to a server file", key: "loexport",
		rule: "server-file-write", category: "unanalysable",
		setup: func(t *testing.T, n string) func() string {
			lo, file := largeObjectSetup(t, n), serverFileSetup(t, n)
			return func() string { return lo() + "; " + file() }
		},
		stmt: "SELECT lo_export({lo}, '{file}')"}},
	{family: "side effects behind SELECT", destructiveCase: destructiveCase{name: "adminpack pg_file_write", key: "filewrite",
		rule: "server-file-write", category: "unanalysable", setup: serverFileSetup,
		stmt: "SELECT pg_file_write('{file}', 'overwritten', false)"}},
	{family: "side effects behind SELECT", destructiveCase: destructiveCase{name: "file_fdw program option", key: "fdwprog",
		rule: "copy-program", category: "unanalysable", setup: extensionSetup("file_fdw", fileServerSetup),
		stmt: "CREATE FOREIGN TABLE {t}_ft (id int, note text) SERVER {t}_srv OPTIONS (program 'echo 100000,from-program', format 'csv'); " +
			"INSERT INTO {t} (id, note) SELECT id, note FROM {t}_ft"}, multi: true},
	{family: "side effects behind SELECT", destructiveCase: destructiveCase{name: "ALTER SYSTEM SET archive_command", key: "altsys",
		rule: "alter-system", category: "unanalysable", setup: archiveCommandSetup,
		stmt: "ALTER SYSTEM SET archive_command = 'echo {t}'"}},
	{family: "dynamic SQL", destructiveCase: destructiveCase{name: "xml2 xpath_table criteria", key: "xpath",
		rule: "dynamic-sql", category: "unanalysable", setup: extensionSetup("xml2", tableSetup),
		stmt: "SELECT * FROM xpath_table('id', 'note', '{t}', '/a', 'true; DELETE FROM {t}; SELECT 1, ''<a/>''::text') AS x(id int, v text)"}},
	{family: "verb-hiding wrappers", destructiveCase: destructiveCase{name: "ALTER COLUMN TYPE USING a constant", key: "using",
		rule: "alter-column-rewrite", category: "drop", setup: tableSetup,
		stmt: "ALTER TABLE {t} ALTER COLUMN qty TYPE bigint USING 0"}},
	{family: "verb-hiding wrappers", destructiveCase: destructiveCase{name: "ALTER COLUMN TYPE USING the column times zero", key: "usingzero",
		rule: "alter-column-rewrite", category: "drop", setup: tableSetup,
		stmt: "ALTER TABLE {t} ALTER COLUMN qty TYPE bigint USING qty * 0"}},
	{family: "verb-hiding wrappers", destructiveCase: destructiveCase{name: "ALTER COLUMN TYPE USING NULLIF of the column", key: "usingnullif",
		rule: "alter-column-rewrite", category: "drop", setup: tableSetup,
		stmt: "ALTER TABLE {t} ALTER COLUMN note DROP NOT NULL, DROP CONSTRAINT {t}_note_check, ALTER COLUMN note TYPE text USING NULLIF(note, note)"}},
	{family: "verb-hiding wrappers", destructiveCase: destructiveCase{name: "a rule that cascades deletes", key: "rulecascade",
		rule: "foreign-key-cascade", category: "drop",
		setup: objectSetup("SELECT EXISTS (SELECT FROM pg_rules WHERE rulename = '{t}_casc')", "DROP TABLE IF EXISTS {t}_k CASCADE",
			"CREATE TABLE {t}_k (id integer PRIMARY KEY)", "INSERT INTO {t}_k SELECT id FROM {t}", "ALTER TABLE {t}_k OWNER TO "+agentUser),
		stmt: "CREATE RULE {t}_casc AS ON DELETE TO {t}_k DO ALSO DELETE FROM {t} WHERE id = old.id"}},
	{family: "verb-hiding wrappers", destructiveCase: destructiveCase{name: "a cascading foreign key added", key: "fkcascade",
		rule: "foreign-key-cascade", category: "drop",
		setup: objectSetup("SELECT EXISTS (SELECT FROM pg_constraint WHERE conrelid = '{t}'::regclass AND confdeltype = 'c')", "DROP TABLE IF EXISTS {t}_k CASCADE",
			"CREATE TABLE {t}_k (id integer PRIMARY KEY)", "INSERT INTO {t}_k SELECT id FROM {t}", "ALTER TABLE {t}_k OWNER TO "+agentUser),
		stmt: "ALTER TABLE {t} ADD FOREIGN KEY (id) REFERENCES {t}_k (id) ON DELETE CASCADE"}},
	{family: "verb-hiding wrappers", destructiveCase: destructiveCase{name: "ALTER COLUMN TYPE date", key: "todate",
		rule: "alter-column-truncate", category: "drop",
		setup: objectSetup("SELECT format_type(atttypid, atttypmod) = 'date' FROM pg_attribute WHERE attrelid = '{t}'::regclass AND attname = 'ts'", "SELECT 1",
			"ALTER TABLE {t} ADD COLUMN ts timestamp NOT NULL DEFAULT '2024-05-06 12:34:56'"),
		stmt: "ALTER TABLE {t} ALTER COLUMN ts TYPE date"}},
	{family: "verb-hiding wrappers", destructiveCase: destructiveCase{name: "ALTER COLUMN TYPE USING a cast that cuts", key: "usingcut",
		rule: "alter-column-rewrite", category: "drop", setup: tableSetup,
		stmt: "ALTER TABLE {t} ALTER COLUMN note TYPE varchar(1) USING note::varchar(1)"}},
	// Nothing is lost yet, but the next crash empties the table, and
	// standbys and base backups no longer have its rows.
	{family: "verb-hiding wrappers", destructiveCase: destructiveCase{name: "ALTER TABLE SET UNLOGGED", key: "unlogged",
		rule: "non-durable-table", category: "drop",
		setup: objectSetup("SELECT relpersistence = 'u' FROM pg_class WHERE oid = '{t}'::regclass", "SELECT 1"),
		stmt:  "ALTER TABLE {t} SET UNLOGGED"}},

	// Spelling variants of EXPLAIN ANALYZE.
	{family: "spelling variants", destructiveCase: destructiveCase{name: "EXPLAIN/**/ANALYZE", key: "explain_c",
		rule: "delete-no-where", category: "delete", setup: tableSetup,
		stmt: "EXPLAIN/**/ANALYZE DELETE FROM {t}"}},
	{family: "spelling variants", destructiveCase: destructiveCase{name: "EXPLAIN (ANALYZE)", key: "explain_p",
		rule: "delete-no-where", category: "delete", setup: tableSetup,
		stmt: "EXPLAIN (ANALYZE) DELETE FROM {t}"}},
	{family: "spelling variants", destructiveCase: destructiveCase{name: "EXPLAIN (VERBOSE, ANALYZE)", key: "explain_v",
		rule: "delete-no-where", category: "delete", setup: tableSetup,
		stmt: "EXPLAIN (VERBOSE, ANALYZE) DELETE FROM {t}"}},
	{family: "spelling variants", destructiveCase: destructiveCase{name: "mixed case", key: "explain_case",
		rule: "delete-no-where", category: "delete", setup: tableSetup,
		stmt: "eXpLaIn AnAlYzE dElEtE fRoM {t}"}},

	// Tautologies that look row-dependent: each names a column of the
	// table, yet holds for every row (every id is non-NULL here).
	reach("never-NULL predicates", "system column is not null", "ctid", "DELETE FROM {t} WHERE ctid IS NOT NULL"),
	reach("never-NULL predicates", "xmin is not null", "xmin", "DELETE FROM {t} WHERE xmin IS NOT NULL"),
	reach("never-NULL predicates", "tableoid names the table", "tableoid", "DELETE FROM {t} WHERE tableoid = '{t}'::regclass"),
	reach("never-NULL predicates", "a null test is not null", "nulltest", "DELETE FROM {t} WHERE (id IS NULL) IS NOT NULL"),
	reach("never-NULL predicates", "a null test in true and false", "nullin", "DELETE FROM {t} WHERE (note IS NULL) IN (true, false)"),
	reach("never-NULL predicates", "whole row distinct from null", "rowstar", "DELETE FROM {t} WHERE ({t}.*) IS DISTINCT FROM NULL"),
	reach("never-NULL predicates", "table row distinct from null", "rowname", "DELETE FROM {t} WHERE {t} IS DISTINCT FROM NULL"),
	reach("never-NULL predicates", "update where a system column is not null", "updctid", "UPDATE {t} SET qty = qty + 1 WHERE ctid IS NOT NULL"),
	reach("complementary pairs", "is null or not is null", "notnull", "DELETE FROM {t} WHERE note IS NULL OR NOT (note IS NULL)"),
	reach("complementary pairs", "equal or not equal", "eqne", "DELETE FROM {t} WHERE id = 5 OR id <> 5"),
	reach("complementary pairs", "less or not less, sides swapped", "ltge", "DELETE FROM {t} WHERE id < 5 OR 5 <= id"),
	reach("self-comparisons", "column equals itself plus zero", "plus0", "DELETE FROM {t} WHERE id = id + 0"),
	reach("self-comparisons", "column times zero is zero", "times0", "DELETE FROM {t} WHERE id * 0 = 0"),
	reach("self-comparisons", "column minus itself is zero", "minus", "DELETE FROM {t} WHERE id - id = 0"),
	reach("self-comparisons", "column between itself and itself", "between", "DELETE FROM {t} WHERE id BETWEEN id AND id"),
	reach("self-comparisons", "column equals any of an array of itself", "anyarr", "DELETE FROM {t} WHERE id = ANY(ARRAY[id])"),
	reach("self-comparisons", "column equals a from-less select of itself", "fromless", "DELETE FROM {t} WHERE id = (SELECT id)"),
	reach("self-comparisons", "column equals itself through a one-row derived table", "derivedself", "DELETE FROM {t} WHERE id = (SELECT x FROM (SELECT {t}.id) s(x))"),
	reach("self-comparisons", "text casts of a column", "casts", "DELETE FROM {t} WHERE id::text = id::varchar"),
	reach("self-comparisons", "column below itself plus one", "ltplus1", "DELETE FROM {t} WHERE id < id + 1"),
	reach("self-comparisons", "a closed range of a column alone contains it", "rangeself", "DELETE FROM {t} WHERE int4range(id, id, '[]') @> id"),
	reach("self-comparisons", "a closed range of a column alone cast to its type contains it", "rangecast", "UPDATE {t} SET qty = -1 WHERE int4range(id, id, '[]')::int4range @> id"),
	reach("self-comparisons", "update where a column is in a range around it", "rangearound", "UPDATE {t} SET qty = -1 WHERE id <@ int4range(id - 1, id + 1)"),
	reach("self-comparisons", "column below itself plus a string one", "ltplusstr", "DELETE FROM {t} WHERE id < id + '1'"),
	{family: "dynamic SQL", destructiveCase: destructiveCase{name: "a DO block that deletes each row of a loop over the table", key: "doloop",
		rule: "delete-always-true", category: "delete", setup: tableSetup,
		stmt: "DO $$DECLARE r record; BEGIN FOR r IN SELECT id FROM {t} LOOP DELETE FROM {t} WHERE id = r.id; END LOOP; END$$"}},
	reach("dynamic SQL", "a DO block deleting the least id until none is left", "drainloop", "DO $$BEGIN LOOP DELETE FROM {t} WHERE id = (SELECT min(id) FROM {t}); EXIT WHEN NOT FOUND; END LOOP; END$$"),
	reach("dynamic SQL", "a DO block deleting batches while rows remain", "drainwhile", "DO $$BEGIN WHILE EXISTS (SELECT 1 FROM {t}) LOOP DELETE FROM {t} WHERE id IN (SELECT id FROM {t} LIMIT 2); END LOOP; END$$"),
	reach("self-comparisons", "column equals a searched case that yields itself", "searchedcase", "DELETE FROM {t} WHERE id = CASE WHEN id = 1 THEN 1 ELSE id END"),
	reach("self-comparisons", "column equals a simple case of itself", "simplecase", "DELETE FROM {t} WHERE id = CASE id WHEN 1 THEN 1 ELSE id END"),
	reach("subqueries over the target", "in a select star over a nested derived table", "nestedstar", "DELETE FROM {t} WHERE id IN (SELECT id FROM (SELECT * FROM (SELECT id FROM {t}) y) x)"),
	reach("subqueries over the target", "in the table under an alias list", "aliaslist", "DELETE FROM {t} WHERE id IN (SELECT x.i FROM {t} AS x(i))"),
	reach("subqueries over the target", "in the column plus zero", "selectplus0", "DELETE FROM {t} WHERE id IN (SELECT id + 0 FROM {t})"),
	reach("subqueries over the target", "a row comparison with the table", "rowcmp", "DELETE FROM {t} WHERE (id, note) IN (SELECT id, note FROM {t})"),
	reach("subqueries over the target", "update where in a natural self-join", "naturalself", "UPDATE {t} SET qty = -1 WHERE id IN (SELECT id FROM {t} NATURAL JOIN {t} x)"),
	reach("subqueries over the target", "in a full join of the table", "fulljoin", "DELETE FROM {t} WHERE id IN (SELECT {t}.id FROM {t} FULL JOIN (VALUES (0)) v(x) ON v.x = {t}.id)"),
	reach("subqueries over the target", "in a cross product with a catalog", "crossprod", "DELETE FROM {t} WHERE id IN (SELECT {t}.id FROM {t}, pg_am)"),
	reach("subqueries over the target", "in a product with a one-row function", "srfone", "DELETE FROM {t} WHERE id IN (SELECT {t}.id FROM {t}, generate_series(1, 1) g)"),
	reach("subqueries over the target", "exists the same row multiplied by a catalog", "existscross", "DELETE FROM {t} WHERE EXISTS (SELECT 1 FROM {t} x, pg_am WHERE x.id = {t}.id)"),
	reach("subqueries over the target", "in the column renamed by a lateral query", "lateralren", "DELETE FROM {t} WHERE id IN (SELECT l.i FROM {t}, LATERAL (SELECT {t}.id AS i) l)"),
	reach("subqueries over the target", "in the first id of each id", "window", "DELETE FROM {t} WHERE id IN (SELECT first_value(id) OVER (PARTITION BY id) FROM {t})"),
	reach("subqueries over the target", "in the id lagged by zero", "lagzero", "DELETE FROM {t} WHERE id IN (SELECT lag(id, 0) OVER (ORDER BY qty) FROM {t})"),
	reach("subqueries over the target", "update where in the last id ordered by id", "lastpeer", "UPDATE {t} SET qty = -1 WHERE id IN (SELECT last_value(id) OVER (ORDER BY id) FROM {t})"),
	reach("subqueries over the target", "in the greatest id over a named window of each id", "namedwindow", "DELETE FROM {t} WHERE id IN (SELECT max(id) OVER w FROM {t} WINDOW w AS (PARTITION BY id))"),
	reach("subqueries over the target", "in the least id of each row", "groupctid", "DELETE FROM {t} WHERE id IN (SELECT min(id) FROM {t} GROUP BY ctid)"),
	reach("subqueries over the target", "in the bitwise or of each id", "groupbitor", "DELETE FROM {t} WHERE id IN (SELECT bit_or(id) FROM {t} GROUP BY id)"),
	reach("subqueries over the target", "update where in the sum of each row", "groupsum", "UPDATE {t} SET qty = -1 WHERE id IN (SELECT sum(id) FROM {t} GROUP BY ctid)"),
	reach("subqueries over the target", "in the average over each id", "windowavg", "DELETE FROM {t} WHERE id IN (SELECT avg(id) OVER (PARTITION BY id) FROM {t})"),
	reach("subqueries over the target", "in the id lagged by one minus one", "lagfolded", "DELETE FROM {t} WHERE id IN (SELECT lag(id, 1 - 1) OVER (ORDER BY qty) FROM {t})"),
	reach("subqueries over the target", "in the first id of a frame of zero rows either side", "framezero", "DELETE FROM {t} WHERE id IN (SELECT first_value(id) OVER (ORDER BY qty ROWS BETWEEN 0 PRECEDING AND 0 FOLLOWING) FROM {t})"),
	reach("subqueries over the target", "at least any of the table's ids", "geany", "DELETE FROM {t} WHERE id >= ANY (SELECT id FROM {t})"),
	reach("subqueries over the target", "not below all of the table's ids", "notltall", "DELETE FROM {t} WHERE NOT (id < ALL (SELECT id FROM {t}))"),
	reach("subqueries over the target", "not in the table where false", "notinempty", "DELETE FROM {t} WHERE id NOT IN (SELECT id FROM {t} WHERE false)"),
	reach("subqueries over the target", "update where no copy of the row exists limited to zero", "notexistszero",
		"UPDATE {t} SET qty = -1 WHERE NOT EXISTS (SELECT 1 FROM {t} x WHERE x.id = {t}.id LIMIT 0)"),
	reach("subqueries over the target", "update where at most the table's greatest id", "lemax", "UPDATE {t} SET qty = -1 WHERE id <= (SELECT max(id) FROM {t})"),
	reach("subqueries over the target", "below the table's greatest id and one", "ltmaxone", "DELETE FROM {t} WHERE id < (SELECT max(id) + 1 FROM {t})"),
	reach("subqueries over the target", "equal to the row's own id looked up", "scalarself", "DELETE FROM {t} WHERE id = (SELECT id FROM {t} x WHERE x.id = {t}.id)"),
	reach("subqueries over the target", "a copy of the row exists with a nested copy of it", "nestedexists",
		"DELETE FROM {t} WHERE EXISTS (SELECT 1 FROM {t} x WHERE x.id = {t}.id AND EXISTS (SELECT 1 FROM {t} y WHERE y.id = {t}.id))"),
	reach("subqueries over the target", "between the table's least and greatest ids", "betweenext", "DELETE FROM {t} WHERE id BETWEEN (SELECT min(id) FROM {t}) AND (SELECT max(id) FROM {t})"),
	reach("subqueries over the target", "any of the table's aggregated ids", "arrayagg", "DELETE FROM {t} WHERE id = ANY((SELECT array_agg(id) FROM {t})::int[])"),
	reach("subqueries over the target", "in a derived table filtered by its own constant", "derivedconst", "DELETE FROM {t} WHERE id IN (SELECT id FROM (SELECT id, 1 AS one FROM {t}) x WHERE one = 1)"),
	reach("subqueries over the target", "update where in the table offset null", "offnull", "UPDATE {t} SET qty = -1 WHERE id IN (SELECT id FROM {t} OFFSET NULL)"),
	reach("self-joins", "using the table under an alias list", "usingalias", "DELETE FROM {t} USING {t} AS s(i) WHERE {t}.id = s.i"),
	reach("self-joins", "merge using the table under an alias list", "mergealias", "MERGE INTO {t} USING {t} AS s(i) ON {t}.id = s.i WHEN MATCHED THEN DELETE"),
	reach("self-joins", "update from a cte with a column list", "ctecols", "WITH s(i, n) AS (SELECT * FROM {t}) UPDATE {t} SET qty = -1 FROM s WHERE {t}.note = s.n"),
	reach("self-comparisons", "an array of the column contained in itself", "containedself", "DELETE FROM {t} WHERE ARRAY[id] <@ ARRAY[id]"),
	reach("self-comparisons", "column equals itself or itself", "bitorself", "UPDATE {t} SET qty = -1 WHERE id = id | id"),
	reach("self-comparisons", "column equals itself xor zero", "xorzero", "DELETE FROM {t} WHERE id = id # 0"),
	reach("self-comparisons", "a column equals its lower case", "lowerself", "DELETE FROM {t} WHERE note = lower(note)"),
	reach("self-comparisons", "update where a column equals its substring from one", "substrself", "UPDATE {t} SET qty = -1 WHERE note = substr(note, 1)"),
	reach("self-comparisons", "a key equals its absolute value", "absself", "DELETE FROM {t} WHERE id = abs(id)"),
	reach("self-comparisons", "a column equals its left part of a varchar length", "leftself", "DELETE FROM {t} WHERE left(note, 255) = note"),
	reach("self-comparisons", "column plus one minus itself is positive", "cancelled", "DELETE FROM {t} WHERE id + 1 - id > 0"),
	reach("self-comparisons", "column below itself plus a function of a literal", "absoffset", "DELETE FROM {t} WHERE id < id + abs(1)"),
	reach("self-comparisons", "above five or below ten", "rangecover", "DELETE FROM {t} WHERE id > 5 OR id < 10"),
	reach("self-comparisons", "update where not between one and zero", "emptyrange", "UPDATE {t} SET qty = -1 WHERE id NOT BETWEEN 1 AND 0"),
	reach("self-comparisons", "update where column times a function of one is itself", "abstimes", "UPDATE {t} SET qty = -1 WHERE id * abs(1) = id"),
	reach("self-comparisons", "a timestamp of the column below itself plus an interval", "intervaloff",
		"DELETE FROM {t} WHERE now() + id * interval '1 second' < now() + id * interval '1 second' + interval '1 day'"),
	reach("self-comparisons", "a row below itself moved by one", "rowoffset", "DELETE FROM {t} WHERE (id, qty) < (id + 1, qty)"),
	reach("self-comparisons", "the equality function of a column with itself", "int4eq", "DELETE FROM {t} WHERE int4eq(id, id)"),
	reach("self-comparisons", "the whole row as text equals itself written otherwise", "rowtext", "DELETE FROM {t} WHERE ({t}.*)::text = {t}::text"),
	reach("self-comparisons", "an array of the column contains the empty array", "containsempty", "DELETE FROM {t} WHERE ARRAY[id] @> '{}'"),
	reach("self-comparisons", "update where a text starts with the empty string", "startsempty", "UPDATE {t} SET qty = -1 WHERE id::text ^@ ''"),
	reach("self-comparisons", "column equals the least of itself and itself plus one", "leastoff", "DELETE FROM {t} WHERE id = LEAST(id, id + 1)"),
	reach("self-comparisons", "update where column equals nullif of itself and itself plus one", "nullifoff", "UPDATE {t} SET qty = -1 WHERE id = NULLIF(id, id + 1)"),
	reach("self-comparisons", "update where column shifted by nothing is itself", "shift0", "UPDATE {t} SET qty = -1 WHERE id << 0 = id"),
	reach("self-comparisons", "column below itself plus one by the qualified operator", "ltplusop", "DELETE FROM {t} WHERE id < id OPERATOR(pg_catalog.+) 1"),
	reach("self-comparisons", "update where column plus one is above it", "gtplus1", "UPDATE {t} SET qty = -1 WHERE id + 1 > id"),
	reach("self-comparisons", "column between itself minus one and plus one", "betweenoff", "DELETE FROM {t} WHERE id BETWEEN id - 1 AND id + 1"),
	reach("self-comparisons", "column not in itself plus one", "notinoff", "DELETE FROM {t} WHERE id NOT IN (id + 1)"),
	reach("subqueries over the target", "exists the same row", "exists", "DELETE FROM {t} WHERE EXISTS (SELECT 1 FROM {t} AS x WHERE x.id = {t}.id)"),
	reach("subqueries over the target", "exists a row of the unaliased table", "exists1", "DELETE FROM {t} WHERE EXISTS (SELECT 1 FROM {t} WHERE {t}.id = 1)"),
	reach("subqueries over the target", "in the table where true", "inwhere", "DELETE FROM {t} WHERE id IN (SELECT id FROM {t} WHERE true)"),
	reach("subqueries over the target", "in a union with the table", "inunion", "DELETE FROM {t} WHERE id IN (SELECT id FROM {t} UNION SELECT 0)"),
	reach("subqueries over the target", "in the schema-qualified table", "inpublic", "DELETE FROM {t} WHERE id IN (SELECT id FROM public.{t})"),
	reach("self-joins", "using the schema-qualified target", "usingpub", "DELETE FROM {t} USING public.{t} s WHERE {t}.id = s.id"),
	reach("self-joins", "using a subquery over the target", "usingsub", "DELETE FROM {t} USING (SELECT id FROM {t}) s WHERE {t}.id = s.id"),
	reach("self-joins", "using a CTE over the target", "usingcte", "WITH s AS (SELECT id FROM {t}) DELETE FROM {t} USING s WHERE {t}.id = s.id"),
	reach("self-joins", "merge from a subquery over the target", "mergesub", "MERGE INTO {t} USING (SELECT * FROM {t}) s ON {t}.id = s.id WHEN MATCHED THEN DELETE"),
	reach("self-joins", "update from a subquery over the target", "updsub", "UPDATE {t} SET qty = -1 FROM (SELECT id FROM {t}) s WHERE {t}.id = s.id"),
	reach("self-joins", "upsert of the table into itself", "upsert", "INSERT INTO {t} SELECT * FROM {t} ON CONFLICT (id) DO UPDATE SET qty = -1"),
	reach("never-NULL predicates", "exists a from-less select of the row", "existsrow", "DELETE FROM {t} WHERE EXISTS (SELECT {t}.id)"),
	reach("never-NULL predicates", "update where exists values of the row", "existsval", "UPDATE {t} SET qty = -1 WHERE EXISTS (VALUES ({t}.id))"),
	reach("never-NULL predicates", "coalesce with a literal is not null", "coalnn", "DELETE FROM {t} WHERE coalesce(note, 'x') IS NOT NULL"),
	reach("never-NULL predicates", "a count of nulls is not negative", "numnulls", "DELETE FROM {t} WHERE num_nulls(note) >= 0"),
	reach("never-NULL predicates", "the row as text is not null", "rowtext", "DELETE FROM {t} WHERE {t}::text IS NOT NULL"),
	reach("never-NULL predicates", "the row as jsonb is not null", "rowjson", "DELETE FROM {t} WHERE to_jsonb({t}) IS NOT NULL"),
	reach("complementary pairs", "a null test differs from its negation", "polarne", "DELETE FROM {t} WHERE (note IS NULL) <> (note IS NOT NULL)"),
	reach("complementary pairs", "a null test is not true or the null test", "nottrue", "DELETE FROM {t} WHERE (id IS NULL) IS NOT TRUE OR id IS NULL"),
	reach("complementary pairs", "between or not between", "betweenor", "DELETE FROM {t} WHERE id BETWEEN 1 AND 5 OR id NOT BETWEEN 1 AND 5"),
	reach("complementary pairs", "a boolean in true and false or null", "boolin", "DELETE FROM {t} WHERE (qty > 3) IN (true, false) OR (qty > 3) IS NULL"),
	reach("self-comparisons", "column cast to bigint equals itself", "bigint", "DELETE FROM {t} WHERE id::bigint = id"),
	reach("self-comparisons", "column equals coalesce of itself", "coaleq", "DELETE FROM {t} WHERE id = coalesce(id, 0)"),
	reach("self-comparisons", "column equals unary plus itself", "uplus", "DELETE FROM {t} WHERE id = +id"),
	reach("self-comparisons", "text with an empty string appended", "concat", "DELETE FROM {t} WHERE note = note || ''"),
	reach("self-comparisons", "text like itself", "likeself", "DELETE FROM {t} WHERE note LIKE note"),
	reach("self-comparisons", "column in values of itself", "invalues", "DELETE FROM {t} WHERE id IN (VALUES (id))"),
	reach("subqueries over the target", "any of an array of the table", "anyarrsub", "DELETE FROM {t} WHERE id = ANY(ARRAY(SELECT id FROM {t}))"),
	reach("subqueries over the target", "in an intersect of the table", "intersect", "DELETE FROM {t} WHERE id IN (SELECT id FROM {t} INTERSECT SELECT id FROM {t})"),
	reach("subqueries over the target", "in a derived table over the table", "derived", "DELETE FROM {t} WHERE id IN (SELECT id FROM (SELECT * FROM {t}) s)"),
	reach("subqueries over the target", "in the table limit all", "limitall", "DELETE FROM {t} WHERE id IN (SELECT id FROM {t} LIMIT ALL)"),
	reach("subqueries over the target", "in the table joined to one row", "joinone", "DELETE FROM {t} WHERE id IN (SELECT x.id FROM {t} x JOIN (SELECT 1) y ON true)"),
	reach("subqueries over the target", "in a WITH query over the table", "inwith", "DELETE FROM {t} WHERE id IN (WITH s AS (SELECT id FROM {t}) SELECT id FROM s)"),
	reach("never-NULL predicates", "exists a from-less select where the row equals itself", "existswhere", "DELETE FROM {t} WHERE EXISTS (SELECT WHERE {t}.id = {t}.id)"),
	reach("subqueries over the target", "update where in a CTE over the table", "incte", "WITH s AS (SELECT id FROM {t}) UPDATE {t} SET qty = -1 WHERE id IN (SELECT id FROM s)"),
	reach("self-joins", "upsert of a derived table over the table", "upsderived", "INSERT INTO {t} SELECT * FROM (SELECT * FROM {t}) s ON CONFLICT (id) DO UPDATE SET qty = -1"),
	reach("self-joins", "upsert of a CTE over the table", "upscte", "WITH s AS (SELECT * FROM {t}) INSERT INTO {t} SELECT * FROM s ON CONFLICT (id) DO UPDATE SET qty = -1"),
	reach("self-joins", "upsert into itself where excluded key equals the key", "upsexcl", "INSERT INTO {t} SELECT * FROM {t} ON CONFLICT (id) DO UPDATE SET qty = -1 WHERE excluded.id = {t}.id"),
	reach("self-joins", "upsert into itself where exists a from-less select", "upsexists", "INSERT INTO {t} SELECT * FROM {t} ON CONFLICT (id) DO UPDATE SET qty = -1 WHERE EXISTS (SELECT {t}.id)"),
	reach("self-joins", "merge on exists a from-less select", "mergeexists", "MERGE INTO {t} USING (SELECT 1) s ON EXISTS (SELECT {t}.id) WHEN MATCHED THEN DELETE"),
	reach("self-joins", "merge when matched and exists a from-less select", "mergewhen", "MERGE INTO {t} USING (SELECT 1 AS x) s ON s.x = 1 WHEN MATCHED AND EXISTS (SELECT {t}.id) THEN DELETE"),
	// With transform_null_equals on, the server reads x = NULL as x IS
	// NULL: never true by default, (id = NULL) IS NOT NULL is then true for
	// every row. The setting comes from a SET or the startup packet.
	nullEquals("a comparison with null is not null, after SET", "tneset", "DELETE FROM {t} WHERE (id = NULL) IS NOT NULL", "SET transform_null_equals = on", nil),
	nullEquals("update where a comparison with null is not null, from the startup packet", "tneopt",
		"UPDATE {t} SET qty = -1 WHERE (note = NULL) IS NOT NULL", "", []string{"options=-c transform_null_equals=on"}),
	nullEquals("equals null or is not null", "tneor", "DELETE FROM {t} WHERE id = NULL OR id IS NOT NULL", "SET transform_null_equals = on", nil),
	nullEquals("null equals a column or it is not null", "tneor2", "DELETE FROM {t} WHERE NULL = note OR note IS NOT NULL", "", []string{"options=-c transform_null_equals=on"}),
	reach("never-NULL predicates", "a comparison with null is null", "cmpnull", "DELETE FROM {t} WHERE (id = NULL) IS NULL"),
	// Respellings of x = x through functions that return an argument,
	// values no row has, and subqueries that read the whole table back.
	reach("self-comparisons", "column equals coalesce of null and itself", "coalnull", "DELETE FROM {t} WHERE id = COALESCE(NULL, id)"),
	reach("self-comparisons", "column equals nullif of itself and null", "nullif", "DELETE FROM {t} WHERE id = NULLIF(id, NULL)"),
	reach("self-comparisons", "column equals greatest of itself twice", "greatest", "DELETE FROM {t} WHERE id = GREATEST(id, id)"),
	reach("self-comparisons", "column equals all of an array of itself", "allarr", "DELETE FROM {t} WHERE id = ALL(ARRAY[id])"),
	reach("self-comparisons", "column equals a case whose branch is true", "casetrue", "DELETE FROM {t} WHERE id = CASE WHEN true THEN id END"),
	reach("self-comparisons", "column equals itself collated", "collate", `DELETE FROM {t} WHERE note = note COLLATE "C" OR note IS NULL`),
	reach("self-comparisons", "update where column equals coalesce of null and itself", "updcoal", "UPDATE {t} SET qty = -1 WHERE id = COALESCE(NULL, id)"),
	{family: "self-comparisons", destructiveCase: destructiveCase{name: "column equals coalesce of a NULL parameter and itself", key: "coalparam",
		rule: "delete-always-true", category: "delete", setup: tableSetup,
		stmt: "DELETE FROM {t} WHERE id = COALESCE($1::int, id)", args: []any{nil}}},
	reach("never-NULL predicates", "ctid differs from offset zero", "ctid0", "DELETE FROM {t} WHERE ctid <> '(0,0)'"),
	reach("never-NULL predicates", "a comparison is not unknown", "unknown", "DELETE FROM {t} WHERE (id > 3) IS NOT UNKNOWN"),
	reach("complementary pairs", "like everything or is null", "likeall", "DELETE FROM {t} WHERE note LIKE '%' OR note IS NULL"),
	reach("subqueries over the target", "in the table except a constant", "except", "DELETE FROM {t} WHERE id IN (SELECT id FROM {t} EXCEPT SELECT -1)"),
	reach("subqueries over the target", "in a full table sample", "sample", "DELETE FROM {t} WHERE id IN (SELECT id FROM {t} TABLESAMPLE SYSTEM (100))"),
	reach("subqueries over the target", "in the maximum of each id", "groupmax", "DELETE FROM {t} WHERE id IN (SELECT max(id) FROM {t} GROUP BY id)"),
	reach("subqueries over the target", "exists a row at or above", "existsge", "DELETE FROM {t} WHERE EXISTS (SELECT FROM {t} x WHERE x.id >= {t}.id)"),
	reach("subqueries over the target", "in a field of the whole row", "rowfield", "DELETE FROM {t} WHERE id IN (SELECT (t2).id FROM {t} t2)"),
	reach("subqueries over the target", "in the outer id selected from another table", "outerid", "DELETE FROM {t} WHERE id IN (SELECT {t}.id FROM pg_namespace)"),
	reach("subqueries over the target", "equal to the first outer id over another table", "outerfirst", "DELETE FROM {t} WHERE id = (SELECT {t}.id FROM pg_namespace LIMIT 1)"),
	reach("subqueries over the target", "exists a row of another table for an outer self-comparison", "outerexists", "DELETE FROM {t} WHERE EXISTS (SELECT 1 FROM pg_namespace WHERE {t}.id = {t}.id)"),
	reach("subqueries over the target", "in a field of a derived table's whole row", "rowderived", "DELETE FROM {t} WHERE id IN (SELECT (x.{t}).id FROM (SELECT {t} FROM {t}) x)"),
	reach("subqueries over the target", "in a field of a renamed copy's row", "rowrenamed", "DELETE FROM {t} WHERE id IN (SELECT (s).i FROM {t} s(i))"),
	reach("subqueries over the target", "update where in a field of a cte's whole row", "rowcte", "WITH x AS (SELECT s FROM {t} s) UPDATE {t} SET qty = -1 WHERE id IN (SELECT (x.s).id FROM x)"),
	reach("self-joins", "using a copy joined on a field of its row", "usingrowfield", "DELETE FROM {t} USING {t} s WHERE {t}.id = (s).id"),
	reach("self-joins", "merge a copy on a field of its row", "mergerowfield", "MERGE INTO {t} USING {t} s ON {t}.id = (s).id WHEN MATCHED THEN DELETE"),
	reach("self-joins", "using a renamed copy joined on a field of its row", "usingrenamedrowfield", "DELETE FROM {t} USING {t} AS s(i) WHERE {t}.id = (s).i"),
	reach("self-joins", "using a derived row below a field of it plus one", "usingrowfieldoff", "DELETE FROM {t} USING (SELECT {t} FROM {t}) s WHERE {t}.id < (s.{t}).id + 1"),
	reach("self-joins", "update from a derived row joined on a field of it", "updderivedrowfield", "UPDATE {t} SET qty = -1 FROM (SELECT {t} AS r FROM {t}) s WHERE {t}.id = (s.r).id"),
	reach("self-joins", "merge on coalesce of null and the source id", "mergecoal", "MERGE INTO {t} USING {t} s ON {t}.id = COALESCE(NULL, s.id) WHEN MATCHED THEN DELETE"),
	reach("self-joins", "merge from the table except a constant", "mergeexcept", "MERGE INTO {t} USING (SELECT id FROM {t} EXCEPT SELECT -1) s ON {t}.id = s.id WHEN MATCHED THEN DELETE"),
	reach("self-joins", "upsert of a full table sample", "upssample", "INSERT INTO {t} SELECT * FROM {t} TABLESAMPLE SYSTEM (100) ON CONFLICT (id) DO UPDATE SET qty = -1"),
	reach("verb-hiding wrappers", "data-modifying CTE where all of an array of itself", "cteall", "WITH d AS (DELETE FROM {t} WHERE id = ALL(ARRAY[id]) RETURNING 1) SELECT count(*) FROM d"),
	// ANY of an empty array is false and ALL of one true for every row; a
	// comparison with only NULLs is NULL for every row.
	reach("empty and NULL lists", "equals all of an empty array", "allempty", "DELETE FROM {t} WHERE id = ALL('{}')"),
	reach("empty and NULL lists", "update where not any of an empty array", "notany", "UPDATE {t} SET qty = -1 WHERE NOT id = ANY('{}')"),
	reach("empty and NULL lists", "differs from all of an empty cast array", "neall", "DELETE FROM {t} WHERE id <> ALL(ARRAY[]::int[])"),
	reach("empty and NULL lists", "in a list of null is null", "innull", "DELETE FROM {t} WHERE (id IN (NULL)) IS NULL"),
	reach("empty and NULL lists", "any of an array of null is not true", "anynull", "DELETE FROM {t} WHERE id = ANY(ARRAY[NULL]::int[]) IS NOT TRUE"),
	reach("empty and NULL lists", "a comparison with null is not false", "notfalse", "DELETE FROM {t} WHERE (id = NULL) IS NOT FALSE"),
	// More spellings of x = x.
	reach("self-comparisons", "column equals its format", "format", "DELETE FROM {t} WHERE note = format('%s', note)"),
	reach("self-comparisons", "column equals the first element of an array of itself", "subscript", "DELETE FROM {t} WHERE id = (ARRAY[id])[1]"),
	reach("self-comparisons", "a remainder in every value it can have", "remainder", "DELETE FROM {t} WHERE id % 2 IN (0, 1, -1)"),
	reach("complementary pairs", "similar to everything or is null", "similar", "DELETE FROM {t} WHERE note SIMILAR TO '%' OR note IS NULL"),
	reach("complementary pairs", "between symmetric or not between with swapped bounds", "betweensym",
		"DELETE FROM {t} WHERE id BETWEEN SYMMETRIC 10 AND -10 OR id NOT BETWEEN SYMMETRIC -10 AND 10"),
	reach("subqueries over the target", "in the unnested aggregate of the table", "unnest", "DELETE FROM {t} WHERE id IN (SELECT unnest(array_agg(id)) FROM {t})"),
	// A bind parameter may be any value: these reach every row for one.
	{family: "self-comparisons", destructiveCase: destructiveCase{name: "column equals a simple case on a NULL parameter", key: "caseparam",
		rule: "delete-always-true", category: "delete", setup: tableSetup,
		stmt: "DELETE FROM {t} WHERE id = CASE $1::int WHEN 1 THEN 0 ELSE id END", args: []any{nil}}},
	{family: "self-comparisons", destructiveCase: destructiveCase{name: "column is any of an optional array of itself", key: "anyparam",
		rule: "delete-always-true", category: "delete", setup: tableSetup,
		stmt: "DELETE FROM {t} WHERE id = ANY(coalesce($1::int[], ARRAY[id]))", args: []any{nil}}},
	{family: "self-comparisons", destructiveCase: destructiveCase{name: "update where column equals itself plus a zero parameter", key: "plusparam",
		rule: "update-always-true", category: "update", setup: tableSetup,
		stmt: "UPDATE {t} SET qty = -1 WHERE id = id + $1::int", args: []any{0}}},
	{family: "self-comparisons", destructiveCase: destructiveCase{name: "column below itself plus a parameter bound to one", key: "ltparam",
		rule: "delete-always-true", category: "delete", setup: tableSetup,
		stmt: "DELETE FROM {t} WHERE id < id + $1::int", args: []any{1}}},
	{family: "self-comparisons", destructiveCase: destructiveCase{name: "column is not itself plus a parameter bound to 1", key: "notoffparam",
		rule: "delete-always-true", category: "delete", setup: tableSetup,
		stmt: "DELETE FROM {t} WHERE NOT (id = id + $1::int)", args: []any{1}}},
	// Routine parameters and plpgsql variables are values: WHERE ok is
	// WHERE $1. The human's text creates the function and calls it.
	{family: "routine parameters", destructiveCase: destructiveCase{name: "sql function deleting where its parameter", key: "fnparam",
		rule: "delete-always-true", category: "delete",
		setup: objectSetup("SELECT to_regprocedure('{t}_del(boolean)') IS NOT NULL", "DROP FUNCTION IF EXISTS {t}_del(boolean)"),
		stmt:  "CREATE FUNCTION {t}_del(ok boolean) RETURNS void LANGUAGE sql AS $$ DELETE FROM {t} WHERE ok $$; SELECT {t}_del(true)"}, multi: true},
	{family: "routine parameters", destructiveCase: destructiveCase{name: "plpgsql function updating where its parameter", key: "plparam",
		rule: "update-always-true", category: "update",
		setup: objectSetup("SELECT to_regprocedure('{t}_upd(boolean)') IS NOT NULL", "DROP FUNCTION IF EXISTS {t}_upd(boolean)"),
		stmt:  "CREATE FUNCTION {t}_upd(ok boolean) RETURNS void LANGUAGE plpgsql AS $$ BEGIN UPDATE {t} SET qty = -1 WHERE ok; END $$; SELECT {t}_upd(true)"}, multi: true},
	reach("routine parameters", "DO block deleting where a declared variable", "dovar", "DO $$ DECLARE ok boolean := true; BEGIN DELETE FROM {t} WHERE ok; END $$"),

	// Digest collisions and huge inputs: a 1 MiB statement whose first
	// megabyte is exactly a statement the agent just ran, the DROP past it.
	{family: "huge inputs and digests", destructiveCase: destructiveCase{name: "DROP after 1 MiB of an allowed statement", key: "huge",
		rule: "drop-object", category: "drop", setup: tableSetup,
		stmt: "SELECT 1 /* {pad} */; DROP TABLE {t}"}, multi: true, warm: "SELECT 1 /* {pad} */"},
}

var lookalikes = []lookalike{
	{name: "DROP in a string", key: "str", stmt: "SELECT 'DROP TABLE {t}'"},
	{name: "DELETE in a dollar-quoted string", key: "dq", stmt: "SELECT $$DELETE FROM {t}$$"},
	{name: "escape string with an escaped quote", key: "estr", stmt: `SELECT E'x\'; DROP TABLE {t}; --'`},
	{name: "DROP inside a nested comment", key: "nested", stmt: "/* /* */ DROP TABLE {t}; */ SELECT 1"},
	{name: "DROP after a line comment", key: "line", stmt: "SELECT 1 -- ; DROP TABLE {t}"},
	{name: "unicode-escaped string", key: "ustr", stmt: `SELECT U&'\0044ROP TABLE {t}'`},
	{name: "identifiers named drop and truncate", key: "ident", stmt: `SELECT note AS "drop table" FROM {t} WHERE note = 'truncate'`},
	{name: "plain EXPLAIN does not execute", key: "explain", stmt: "EXPLAIN DELETE FROM {t}"},
	{name: "ALTER COLUMN TYPE USING the column itself", key: "using", stmt: "ALTER TABLE {t} ALTER COLUMN qty TYPE integer USING qty::integer"},
	{name: "DROP of a session temporary table", key: "tmp", stmt: "DROP TABLE IF EXISTS pg_temp.{t}_tmp"},
	// Bounded DELETEs shaped like the tautologies above; none matches a
	// row of the table.
	{name: "delete where id is a constant", key: "idconst", stmt: "DELETE FROM {t} WHERE id = -5"},
	{name: "delete where two different columns are equal", key: "twocols", stmt: "DELETE FROM {t} WHERE id = qty + 1000"},
	{name: "delete where a column is null", key: "isnull", stmt: "DELETE FROM {t} WHERE note IS NULL"},
	{name: "delete where in a subquery of computed values", key: "insub", stmt: "DELETE FROM {t} WHERE id IN (SELECT id + 1000 FROM {t})"},
	{name: "delete using a filtered subquery over the table", key: "usingflt", stmt: "DELETE FROM {t} USING (SELECT id FROM {t} WHERE id < 0) s WHERE {t}.id = s.id"},
	{name: "delete where a parent row exists", key: "parent", stmt: "DELETE FROM {t} WHERE EXISTS (SELECT 1 FROM {t} p WHERE p.id = {t}.qty + 1000)"},
	{name: "DO block deleting where a column equals a variable", key: "dokey", stmt: "DO $$ DECLARE k int := -1; BEGIN DELETE FROM {t} WHERE id = k; END $$"},
	{name: "upsert of a filtered copy of the table", key: "upsflt", stmt: "INSERT INTO {t} SELECT * FROM {t} WHERE id < 0 ON CONFLICT (id) DO UPDATE SET qty = -1"},
	{name: "delete where exists a from-less select with a where", key: "existsw", stmt: "DELETE FROM {t} WHERE EXISTS (SELECT 1 WHERE {t}.id < 0)"},
	{name: "delete where in a filtered derived table", key: "derivedflt", stmt: "DELETE FROM {t} WHERE id IN (SELECT id FROM (SELECT * FROM {t} WHERE id < 0) s)"},
	{name: "delete where in the table limit one", key: "limit1", stmt: "DELETE FROM {t} WHERE id IN (SELECT id FROM {t} ORDER BY id DESC LIMIT 1) AND id < 0"},
	{name: "upsert of a filtered derived table", key: "upsdflt", stmt: "INSERT INTO {t} SELECT * FROM (SELECT * FROM {t} WHERE id < 0) s ON CONFLICT (id) DO UPDATE SET qty = -1"},
	{name: "upsert into itself where the proposed note differs", key: "upsnote", stmt: "INSERT INTO {t} (id, note) SELECT id, 'x' FROM {t} ON CONFLICT (id) DO UPDATE SET qty = -1 WHERE excluded.note = {t}.note"},
	{name: "delete where equals null", key: "eqnull", stmt: "DELETE FROM {t} WHERE id = NULL"},
	{name: "delete where id equals coalesce of a constant", key: "coalconst", stmt: "DELETE FROM {t} WHERE id = COALESCE(NULL, -5)"},
	{name: "delete where id equals greatest of itself and a constant", key: "greatestc", stmt: "DELETE FROM {t} WHERE id = GREATEST(id, 1000)"},
	{name: "delete where like a prefix", key: "likepfx", stmt: "DELETE FROM {t} WHERE note LIKE 'x%'"},
	{name: "delete where ctid is one tid", key: "ctidone", stmt: "DELETE FROM {t} WHERE ctid = '(0,0)'"},
	{name: "delete where in an empty sample of the table", key: "sample0", stmt: "DELETE FROM {t} WHERE id IN (SELECT id FROM {t} TABLESAMPLE SYSTEM (0))"},
	{name: "delete where id is the maximum and negative", key: "maxneg", stmt: "DELETE FROM {t} WHERE id IN (SELECT max(id) FROM {t}) AND id < 0"},
	{name: "delete where id is any of an empty array", key: "anyempty", stmt: "DELETE FROM {t} WHERE id = ANY('{}')"},
	{name: "delete where id is any of negative ids", key: "anyneg", stmt: "DELETE FROM {t} WHERE id = ANY('{-1,-2}')"},
	{name: "delete where id is in a list of null", key: "innull", stmt: "DELETE FROM {t} WHERE id IN (NULL)"},
	{name: "delete where not a null array test is null", key: "notisnull", stmt: "DELETE FROM {t} WHERE NOT (id = ANY('{NULL}')) IS NULL"},
	{name: "delete where a comparison with null is false", key: "isfalse", stmt: "DELETE FROM {t} WHERE (id = NULL) IS FALSE"},
	{name: "delete where id equals an element past the end", key: "subpast", stmt: "DELETE FROM {t} WHERE id = (ARRAY[id])[2]"},
	{name: "delete where a remainder is out of range", key: "remout", stmt: "DELETE FROM {t} WHERE id % 2 IN (2, -2)"},
	{name: "delete where similar to a prefix", key: "simpfx", stmt: "DELETE FROM {t} WHERE note SIMILAR TO 'x%'"},
	{name: "delete where between symmetric negative bounds", key: "betsym", stmt: "DELETE FROM {t} WHERE id BETWEEN SYMMETRIC -1 AND -5"},
	{name: "delete where in a filtered unnested aggregate", key: "unnestf", stmt: "DELETE FROM {t} WHERE id IN (SELECT unnest(array_agg(id) FILTER (WHERE id < 0)) FROM {t})"},
	{name: "delete where id equals itself plus one", key: "plusone", stmt: "DELETE FROM {t} WHERE id = id + 1"},
	{name: "delete where id is below itself minus one", key: "ltminus1", stmt: "DELETE FROM {t} WHERE id < id - 1"},
	{name: "delete where id equals a simple case of constants", key: "caseconst", stmt: "DELETE FROM {t} WHERE id = CASE 2 WHEN 1 THEN id ELSE -1 END"},
}

// reach is a disguise of a DELETE or UPDATE that reaches every row of a
// freshTable behind a WHERE that names its columns.
func reach(family, name, key, stmt string) disguise {
	rule, category := "delete-always-true", "delete"
	if !strings.Contains(stmt, "DELETE") {
		rule, category = "update-always-true", "update"
	}
	return disguise{family: family, destructiveCase: destructiveCase{name: name, key: key, rule: rule, category: category,
		setup: tableSetup, stmt: stmt}}
}

// nullEquals is a reach disguise run in sessions with transform_null_equals
// on, set by a session statement or by connection parameters.
func nullEquals(name, key, stmt, session string, params []string) disguise {
	d := reach("transform_null_equals", name, key, stmt)
	d.session, d.params = session, params
	return d
}

// largeObjectSetup makes a large object owned by the agent; the state is
// whether it exists.
func largeObjectSetup(t *testing.T, n string) func() string {
	lo := largeObjectID(n)
	adminExec(t,
		fmt.Sprintf("SELECT lo_unlink(oid) FROM pg_largeobject_metadata WHERE oid = %d", lo),
		fmt.Sprintf("SELECT lo_create(%d)", lo),
		fmt.Sprintf("ALTER LARGE OBJECT %d OWNER TO %s", lo, agentUser))
	t.Cleanup(func() {
		_, _ = adminDB.Exec(fmt.Sprintf("SELECT lo_unlink(oid) FROM pg_largeobject_metadata WHERE oid = %d", lo))
	})
	return func() string {
		return fmt.Sprintf("large object present: %v", adminQueryInt(t, "SELECT count(*) FROM pg_largeobject_metadata WHERE oid = $1", lo) == 1)
	}
}

// dblinkSetup is tableSetup with the dblink extension installed.
var dblinkSetup = extensionSetup("dblink", tableSetup)

// extensionSetup is setup with a contrib extension installed (contrib
// ships with the server, in Debian's postgresql package). Two concurrent
// CREATE EXTENSION IF NOT EXISTS can both try to create it, so each is
// made once.
func extensionSetup(name string, setup func(*testing.T, string) func() string) func(*testing.T, string) func() string {
	return func(t *testing.T, n string) func() string {
		requireExtension(t, name)
		return setup(t, n)
	}
}

func requireExtension(t *testing.T, name string) {
	v, _ := extensions.LoadOrStore(name, &extension{})
	e := v.(*extension)
	e.once.Do(func() { _, e.err = adminDB.Exec("CREATE EXTENSION IF NOT EXISTS " + name) })
	if e.err != nil {
		t.Fatalf("install %s: %v", name, e.err)
	}
}

type extension struct {
	once sync.Once
	err  error
}

var extensions sync.Map // extension name → *extension

// operatorSetup is largeObjectSetup with a schema {t}_s owned by the agent,
// where it may create an operator.
func operatorSetup(t *testing.T, n string) func() string {
	state := largeObjectSetup(t, n)
	adminExec(t, expand("DROP SCHEMA IF EXISTS {t}_s CASCADE", n), expand("CREATE SCHEMA {t}_s AUTHORIZATION "+agentUser, n))
	t.Cleanup(func() { _, _ = adminDB.Exec(expand("DROP SCHEMA IF EXISTS {t}_s CASCADE", n)) })
	return state
}

// largeObjectContentSetup makes a large object owned by the agent with
// some content; the state is the content's length.
func largeObjectContentSetup(t *testing.T, n string) func() string {
	lo := largeObjectID(n)
	adminExec(t,
		fmt.Sprintf("SELECT lo_unlink(oid) FROM pg_largeobject_metadata WHERE oid = %d", lo),
		fmt.Sprintf("SELECT lo_from_bytea(%d, 'precious data')", lo),
		fmt.Sprintf("ALTER LARGE OBJECT %d OWNER TO %s", lo, agentUser))
	t.Cleanup(func() {
		_, _ = adminDB.Exec(fmt.Sprintf("SELECT lo_unlink(oid) FROM pg_largeobject_metadata WHERE oid = %d", lo))
	})
	return func() string {
		var content string
		if err := adminDB.QueryRow("SELECT CASE WHEN EXISTS (SELECT FROM pg_largeobject_metadata WHERE oid = $1) THEN encode(lo_get($1), 'escape') ELSE 'none' END", lo).Scan(&content); err != nil {
			t.Errorf("large object %d: %v", lo, err)
		}
		return "large object content: " + content
	}
}

// serverFileSetup gives the case a file path on the server's host (see
// serverFile), removed at the end with adminpack; the state is whether the
// file exists and its size.
func serverFileSetup(t *testing.T, n string) func() string {
	requireExtension(t, "adminpack")
	path := serverFile(n)
	t.Cleanup(func() { _, _ = adminDB.Exec("SELECT pg_file_unlink($1)", path) })
	return func() string {
		return fmt.Sprintf("server file size: %d", adminQueryInt(t, "SELECT coalesce((pg_stat_file($1, true)).size, -1)", path))
	}
}

// archiveCommandSetup: the state is the archive_command written in the
// server's configuration file (the server only runs it when archiving, which
// the test server does not). There is one configuration, so the cases that
// change it take turns.
func archiveCommandSetup(t *testing.T, n string) func() string {
	serverConfig.Lock()
	t.Cleanup(func() {
		_, _ = adminDB.Exec("ALTER SYSTEM RESET archive_command")
		serverConfig.Unlock()
	})
	return func() string {
		var v string
		if err := adminDB.QueryRow("SELECT coalesce(max(setting), '') FROM pg_file_settings WHERE name = 'archive_command'").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return "archive_command in the configuration: " + v
	}
}

var serverConfig sync.Mutex

// fileServerSetup is tableSetup with a file_fdw server {t}_srv the agent
// may use.
func fileServerSetup(t *testing.T, n string) func() string {
	state := tableSetup(t, n)
	adminExec(t, expand("DROP SERVER IF EXISTS {t}_srv CASCADE", n),
		expand("CREATE SERVER {t}_srv FOREIGN DATA WRAPPER file_fdw", n),
		expand("GRANT USAGE ON FOREIGN SERVER {t}_srv TO "+agentUser, n))
	t.Cleanup(func() { _, _ = adminDB.Exec(expand("DROP SERVER IF EXISTS {t}_srv CASCADE", n)) })
	return state
}

// copyClient sends every statement as a COPY ... TO STDOUT.
type copyClient struct{ c *pgx.Conn }

func (c copyClient) Exec(ctx context.Context, stmt string, _ ...any) error {
	_, err := c.c.PgConn().CopyTo(ctx, io.Discard, stmt)
	return err
}

func (c copyClient) BackendPID(ctx context.Context) (int, error) {
	return pgxQueryClient(c).BackendPID(ctx)
}

// TestDisguisesAreJudgedAsTheServerRunsThem runs every disguise over the
// simple protocol and, when it is one statement, the extended protocol too.
func TestDisguisesAreJudgedAsTheServerRunsThem(t *testing.T) {
	p := startProxy(t)
	type path struct {
		key     string
		connect func(t *testing.T, dsn string) sqlClient
	}
	simple := path{"simple", func(t *testing.T, dsn string) sqlClient {
		return pgxQueryClient{connectPgx(t, dsn, simpleProtocol)}
	}}
	extended := path{"ext", func(t *testing.T, dsn string) sqlClient { return pgxQueryClient{connectPgx(t, dsn)} }}
	copyOut := path{"copy", func(t *testing.T, dsn string) sqlClient { return copyClient{connectPgx(t, dsn)} }}

	for _, d := range disguises {
		paths := []path{simple, extended}
		switch {
		case d.copyOut:
			paths = []path{copyOut}
		case d.multi:
			paths = []path{simple}
		}
		for _, pth := range paths {
			t.Run(d.family+"/"+d.name+"/"+pth.key, func(t *testing.T) {
				t.Parallel()
				n := "d_" + d.key + "_" + pth.key
				state := d.setup(t, n)
				stmt := expandDisguise(d.stmt, n)
				ctx := testCtx(t)
				before := state()

				agent := pth.connect(t, p.AgentDSN(d.params...))
				if d.session != "" {
					if err := agent.Exec(ctx, d.session); err != nil {
						t.Fatalf("the agent's session setting was not allowed: %v", err)
					}
				}
				if d.warm != "" {
					if err := agent.Exec(ctx, expandDisguise(d.warm, n)); err != nil {
						t.Fatalf("the agent's benign statement was not allowed: %v", err)
					}
				}
				audited := stmt // the head: a 1 MiB text is kept in part
				if len(audited) > 60 {
					audited = audited[:60]
				}
				if i := strings.IndexByte(audited, '$'); i >= 0 && len(d.args) > 0 {
					// The simple protocol carries the arguments in the
					// text, as the client interpolated them.
					audited = audited[:i]
				}
				requireAgentRefused(t, p, agent, d.destructiveCase, stmt, audited, state, before)

				human := pth.connect(t, p.HumanDSN(d.params...))
				if d.session != "" {
					if err := human.Exec(ctx, d.session); err != nil {
						t.Fatalf("the human's session setting failed: %v", err)
					}
				}
				if err := human.Exec(ctx, stmt, d.args...); err != nil {
					t.Fatalf("the human's identical statement failed: %v", err)
				}
				if after := state(); after == before {
					t.Errorf("the server did nothing destructive with the human's statement (state %s): the disguise does not disguise anything", after)
				}
			})
		}
	}

	for _, l := range lookalikes {
		for _, pth := range []path{simple, extended} {
			t.Run("look-alikes/"+l.name+"/"+pth.key, func(t *testing.T) {
				t.Parallel()
				n := "l_" + l.key + "_" + pth.key
				sum := freshTable(t, n)
				before := sum()
				ctx := testCtx(t)
				agent := pth.connect(t, p.AgentDSN())
				if err := agent.Exec(ctx, expand(l.stmt, n)); err != nil {
					t.Fatalf("the agent's harmless statement failed: %v", err)
				}
				if after := sum(); after != before {
					t.Errorf("the table changed: before %s, after %s", before, after)
				}
			})
		}
	}
}
