package postgres

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// The corpus pins the analyser's verdict on statements an agent might send,
// grouped by the bypass families of SQL firewalls (stacked statements,
// verb-hiding wrappers, lexer confusion, dynamic SQL, side effects behind
// SELECT, spelling variants, tautologies, fail-open parsing, huge inputs)
// and on benign look-alikes that a text-matching guard would refuse. Every
// expectation describes what the PostgreSQL server would do with the text;
// where that was in doubt it was checked against a real server.

// corpusCase is one statement and the verdict bulwark must reach on it.
type corpusCase struct {
	// name is the subtest name: a short sentence saying what is tested.
	name string
	sql  string
	// want is the rule some finding must carry; "" means the statement is
	// allowed and must produce no finding at all.
	want string
	// also lists other acceptable outcomes ("" meaning allowed) for the
	// few statements where the rules leave a choice; note says why.
	also []string
	// note says why the expectation holds.
	note string
	// limit bounds the analysis time; zero means corpusDefaultLimit.
	limit time.Duration
}

// corpusDefaultLimit is far above what a parse of an ordinary statement
// takes, even under the race detector; it catches hangs and pathological
// slowness, not regressions (benchmarks measure speed).
const corpusDefaultLimit = 10 * time.Second

// corpusRuleCategory maps every rule to the category it must be reported
// under: policy is configured per category, so a finding filed under the
// wrong one would be handled by the wrong setting.
var corpusRuleCategory = map[string]sqlparse.Category{
	"drop-object":           sqlparse.CategoryDrop,
	"alter-drop-column":     sqlparse.CategoryDrop,
	"drop-large-object":     sqlparse.CategoryDrop,
	"truncate":              sqlparse.CategoryTruncate,
	"delete-no-where":       sqlparse.CategoryDelete,
	"delete-always-true":    sqlparse.CategoryDelete,
	"update-no-where":       sqlparse.CategoryUpdate,
	"update-always-true":    sqlparse.CategoryUpdate,
	"parse-error":           sqlparse.CategoryUnanalysable,
	"dynamic-sql":           sqlparse.CategoryUnanalysable,
	"copy-program":          sqlparse.CategoryUnanalysable,
	"server-file-write":     sqlparse.CategoryUnanalysable,
	"alter-system":          sqlparse.CategoryUnanalysable,
	"statement-rewrite":     sqlparse.CategoryUnanalysable,
	"account-management":    sqlparse.CategoryUnanalysable,
	"server-control":        sqlparse.CategoryUnanalysable,
	"heap-surgery":          sqlparse.CategoryDrop,
	"alter-column-rewrite":  sqlparse.CategoryDrop,
	"system-catalog":        sqlparse.CategoryProtected,
	"non-durable-table":     sqlparse.CategoryDrop,
	"alter-column-truncate": sqlparse.CategoryDrop,
	"foreign-key-cascade":   sqlparse.CategoryDrop,
	"disable-safeguard":     sqlparse.CategoryUnanalysable,
	// lexer-mismatch: text the server would read differently from the
	// parser (string escapes under standard_conforming_strings = off).
	"lexer-mismatch": sqlparse.CategoryUnanalysable,
}

func corpusCases() []corpusCase {
	var cs []corpusCase
	add := func(group []corpusCase) { cs = append(cs, group...) }
	add(corpusDrops())
	add(corpusAlterDropColumn())
	add(corpusTruncates())
	add(corpusDeletes())
	add(corpusUpdates())
	add(corpusNullEquals())
	add(corpusReducibleTautologies())
	add(corpusValueLists())
	add(corpusSelfReads())
	add(corpusParameterIdentities())
	add(corpusOffsets())
	add(corpusEmptySubqueries())
	add(corpusValueSets())
	add(corpusLexerDisguises())
	add(corpusStacked())
	add(corpusWrappers())
	add(corpusBodies())
	add(corpusSideEffects())
	add(corpusBoundFunctions())
	add(corpusServerFiles())
	add(corpusSystemCatalogs())
	add(corpusColumnRewrites())
	add(corpusSessionToggles())
	add(corpusSafeguards())
	add(corpusUnparsable())
	add(corpusBenign())
	add(corpusExtremes())
	return cs
}

// corpusValueSets: tests of one column against constants that together
// hold for every value it takes (see valueSet). Checked on PostgreSQL 15:
// each refused one deleted 20 of 20 rows.
func corpusValueSets() []corpusCase {
	const dat, uat = "delete-always-true", "update-always-true"
	return []corpusCase{
		{name: "delete where above five or below ten", sql: "DELETE FROM t WHERE id > 5 OR id < 10", want: dat},
		{name: "update where above five or below ten written the other way", sql: "UPDATE t SET note = 'x' WHERE 5 < id OR 10 > id", want: uat},
		{name: "delete where not one or not two", sql: "DELETE FROM t WHERE id <> 1 OR id <> 2", want: dat},
		{name: "delete where a text is not a or not b", sql: "DELETE FROM t WHERE note <> 'a' OR note <> 'b'", want: dat},
		{name: "delete where not both one and two", sql: "DELETE FROM t WHERE NOT (id = 1 AND id = 2)", want: dat},
		{name: "delete where not both above five and below three", sql: "DELETE FROM t WHERE NOT (id > 5 AND id < 3)", want: dat},
		{name: "delete where not between zero and minus one", sql: "DELETE FROM t WHERE id NOT BETWEEN 0 AND -1", want: dat, note: "an empty range: BETWEEN does not reorder its bounds"},
		{name: "delete where in a range or not in a narrower one", sql: "DELETE FROM t WHERE id BETWEEN 1 AND 10 OR id NOT BETWEEN 2 AND 9", want: dat},
		{name: "delete where not in a list or in it", sql: "DELETE FROM t WHERE id NOT IN (1, 2) OR id IN (1, 2)", want: dat},
		{name: "delete where a comparison is not true or it holds", sql: "DELETE FROM t WHERE (id = 1) IS NOT TRUE OR (id = 1)", want: dat},
		{name: "delete where above five is not unknown", sql: "DELETE FROM t WHERE (id > 5) IS NOT NULL", want: dat},
		{name: "delete where above five or at most five or null", sql: "DELETE FROM t WHERE id > 5 OR id <= 5 OR id IS NULL", want: dat},
		{name: "delete where distinct from five or five", sql: "DELETE FROM t WHERE id IS DISTINCT FROM 5 OR id = 5", want: dat},
		{name: "delete where distinct from five or not distinct from five", sql: "DELETE FROM t WHERE id IS DISTINCT FROM 5 OR id IS NOT DISTINCT FROM 5", want: dat},
		{name: "delete where above five and a fifth or below five and four fifths", sql: "DELETE FROM t WHERE id > 5.2 OR id < 5.8", want: dat},
		{name: "delete where at least six or at most five", sql: "DELETE FROM t WHERE id >= 6 OR id <= 5", want: dat,
			note: "every integer: refused as row-independent, since 5.5 of a numeric column is neither"},
		{name: "delete where an absolute value is not negative", sql: "DELETE FROM t WHERE abs(id) >= 0", want: dat, note: "a function whose values lie in a known range"},
		{name: "delete where zero is at most an absolute value", sql: "DELETE FROM t WHERE 0 <= abs(id)", want: dat},
		{name: "delete where a length is above minus one", sql: "DELETE FROM t WHERE length(note) > -1", want: dat},
		{name: "update where a length is not negative or the text is null", sql: "UPDATE t SET note = 'x' WHERE char_length(note) >= 0 OR note IS NULL", want: uat},
		{name: "delete where a sign is minus one, zero or one", sql: "DELETE FROM t WHERE sign(id) IN (-1, 0, 1)", want: dat},
		{name: "delete where a sign is at least minus one", sql: "DELETE FROM t WHERE sign(id) >= -1", want: dat},
		{name: "delete where a length is not below zero", sql: "DELETE FROM t WHERE NOT (length(note) < 0)", want: dat},
		{name: "delete where a case is true above five and below ten otherwise", sql: "DELETE FROM t WHERE CASE WHEN id > 5 THEN true ELSE id < 10 END", want: dat},
		{name: "delete where a case is above three above five and true otherwise", sql: "DELETE FROM t WHERE CASE WHEN id > 5 THEN id > 3 ELSE true END", want: dat},
		// Bounded look-alikes.
		{name: "delete where a case is true above five only", sql: "DELETE FROM t WHERE CASE WHEN id > 5 THEN true END"},
		{name: "delete where a case is false above five and below three otherwise", sql: "DELETE FROM t WHERE CASE WHEN id > 5 THEN false ELSE id < 3 END"},
		{name: "delete where above five or below a string", sql: "DELETE FROM t WHERE id > 5 OR id < 'a'", note: "numbers and strings together are not read"},
		{name: "delete where a length is above five", sql: "DELETE FROM t WHERE length(note) > 5"},
		{name: "delete where an absolute value is positive", sql: "DELETE FROM t WHERE abs(id) > 0"},
		{name: "delete where a sign is zero or one", sql: "DELETE FROM t WHERE sign(id) IN (0, 1)"},
		{name: "delete where a function of another schema is not negative", sql: "DELETE FROM t WHERE myschema.abs(id) >= 0"},
		{name: "delete where a length is below zero", sql: "DELETE FROM t WHERE length(note) < 0", note: "no row"},
		{name: "delete where above five or below three", sql: "DELETE FROM t WHERE id > 5 OR id < 3"},
		{name: "delete where one or two", sql: "DELETE FROM t WHERE id = 1 OR id = 2"},
		{name: "delete where distinct from five or six", sql: "DELETE FROM t WHERE id IS DISTINCT FROM 5 OR id = 6"},
		{name: "delete where above five or below ten and another column is one", sql: "DELETE FROM t WHERE (id > 5 OR id < 10) AND other = 1"},
		{name: "delete where a text is a or b", sql: "DELETE FROM t WHERE note = 'a' OR note = 'b'"},
		{name: "delete where a text is after a or before b", sql: "DELETE FROM t WHERE note > 'a' OR note < 'b'", note: "the order of strings is the collation's: not read"},
		{name: "delete where both above five and below three", sql: "DELETE FROM t WHERE id > 5 AND id < 3", note: "no row"},
		{name: "delete where not between one and five", sql: "DELETE FROM t WHERE id NOT BETWEEN 1 AND 5"},
		{name: "delete where above five or another column below ten", sql: "DELETE FROM t WHERE id > 5 OR other < 10"},
		{name: "delete where above a parameter or below ten", sql: "DELETE FROM t WHERE id > $1 OR id < 10", note: "a parameter is not read here"},
	}
}

// corpusEmptySubqueries: NOT IN, <> ALL, > ALL and NOT EXISTS of a
// subquery that returns no row are true for every row, as a missing WHERE
// is. Checked on PostgreSQL 15: each refused one deleted 20 of 20 rows.
func corpusEmptySubqueries() []corpusCase {
	const dat, uat = "delete-always-true", "update-always-true"
	return []corpusCase{
		{name: "delete where not in the table where false", sql: "DELETE FROM t WHERE id NOT IN (SELECT id FROM t WHERE false)", want: dat},
		{name: "delete where not in another table where one is zero", sql: "DELETE FROM t WHERE id NOT IN (SELECT k FROM u WHERE 1 = 0)", want: dat},
		{name: "delete where not in another table where a column differs from itself", sql: "DELETE FROM t WHERE id NOT IN (SELECT k FROM u WHERE k <> k)", want: dat},
		{name: "delete where not in another table where null", sql: "DELETE FROM t WHERE id NOT IN (SELECT k FROM u WHERE NULL)", want: dat},
		{name: "update where not in the table limited to zero rows", sql: "UPDATE t SET note = 'x' WHERE id NOT IN (SELECT id FROM t LIMIT 0)", want: uat},
		{name: "delete where different from all of the table where it differs from itself", sql: "DELETE FROM t WHERE id <> ALL (SELECT id FROM t WHERE id <> id)", want: dat},
		{name: "delete where above all of another table where false", sql: "DELETE FROM t WHERE id > ALL (SELECT k FROM u WHERE false)", want: dat},
		{name: "delete where no correlated row exists where false", sql: "DELETE FROM t WHERE NOT EXISTS (SELECT 1 FROM t x WHERE x.id = t.id AND false)", want: dat},
		{name: "delete where no row of a join on false exists", sql: "DELETE FROM t WHERE NOT EXISTS (SELECT 1 FROM u JOIN v ON false)", want: dat},
		{name: "delete where no row of an empty derived table exists", sql: "DELETE FROM t WHERE NOT EXISTS (SELECT 1 FROM (SELECT 1 WHERE false) s)", want: dat},
		{name: "delete where not in a union of empty queries", sql: "DELETE FROM t WHERE id NOT IN (SELECT 1 WHERE false UNION SELECT 2 WHERE false)", want: dat},
		{name: "delete where in the table except an empty query", sql: "DELETE FROM t WHERE id IN (SELECT id FROM t EXCEPT SELECT id FROM t WHERE false)", want: dat,
			note: "an empty query takes out nothing"},
		// Bounded look-alikes.
		{name: "delete where not in a union with a nonempty query", sql: "DELETE FROM t WHERE id NOT IN (SELECT k FROM u UNION SELECT k FROM v WHERE false)"},
		{name: "delete where not in the greatest of nothing", sql: "DELETE FROM t WHERE id NOT IN (SELECT max(k) FROM u WHERE false)", note: "one row, NULL: NOT IN holds for none"},
		{name: "delete where not in a filtered table", sql: "DELETE FROM t WHERE id NOT IN (SELECT k FROM u WHERE k > 5)"},
		{name: "delete where not in one row of another table", sql: "DELETE FROM t WHERE id NOT IN (SELECT k FROM u LIMIT 1)"},
		{name: "delete where not in a left join on false", sql: "DELETE FROM t WHERE id NOT IN (SELECT k FROM u LEFT JOIN v ON false)", note: "every row of u"},
		{name: "delete where in an empty query", sql: "DELETE FROM t WHERE id IN (SELECT k FROM u WHERE false)", note: "no row"},
		{name: "delete where an empty query has a row", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM u WHERE false)", note: "no row"},
	}
}

// corpusDrops: every DROP statement removes something permanently,
// whatever the object kind; the server has a separate parse node for
// several of them (DATABASE, ROLE, OWNED, TABLESPACE, USER MAPPING,
// SUBSCRIPTION), and each must be recognised.
func corpusDrops() []corpusCase {
	const r = "drop-object"
	return []corpusCase{
		{name: "drop table", sql: "DROP TABLE users", want: r},
		{name: "drop table if exists cascade", sql: "DROP TABLE IF EXISTS users CASCADE", want: r},
		{name: "drop several tables at once", sql: "DROP TABLE orders, users, audit_log", want: r},
		{name: "drop schema cascade", sql: "DROP SCHEMA app CASCADE", want: r},
		{name: "drop database", sql: "DROP DATABASE prod", want: r},
		{name: "drop database with force", sql: "DROP DATABASE IF EXISTS prod WITH (FORCE)", want: r, note: "FORCE terminates other sessions first"},
		{name: "drop view", sql: "DROP VIEW active_users", want: r},
		{name: "drop materialized view", sql: "DROP MATERIALIZED VIEW daily_totals", want: r},
		{name: "drop index concurrently", sql: "DROP INDEX CONCURRENTLY IF EXISTS users_email_idx", want: r},
		{name: "drop sequence", sql: "DROP SEQUENCE users_id_seq", want: r},
		{name: "drop function with signature", sql: "DROP FUNCTION add_one(integer)", want: r},
		{name: "drop procedure", sql: "DROP PROCEDURE purge_sessions()", want: r},
		{name: "drop routine", sql: "DROP ROUTINE purge_sessions", want: r},
		{name: "drop aggregate", sql: "DROP AGGREGATE my_sum(integer)", want: r},
		{name: "drop type", sql: "DROP TYPE mood", want: r},
		{name: "drop domain", sql: "DROP DOMAIN positive_int CASCADE", want: r},
		{name: "drop trigger", sql: "DROP TRIGGER users_audit ON users", want: r},
		{name: "drop rule", sql: "DROP RULE protect_users ON users", want: r},
		{name: "drop extension", sql: "DROP EXTENSION pgcrypto CASCADE", want: r},
		{name: "drop role", sql: "DROP ROLE alice", want: r},
		{name: "drop user", sql: "DROP USER IF EXISTS bob", want: r},
		{name: "drop group", sql: "DROP GROUP readers", want: r, note: "DROP GROUP is an alias of DROP ROLE"},
		{name: "drop owned by", sql: "DROP OWNED BY alice CASCADE", want: r, note: "drops every object the role owns"},
		{name: "drop tablespace", sql: "DROP TABLESPACE fastdisk", want: r},
		{name: "drop policy", sql: "DROP POLICY tenant_isolation ON users", want: r},
		{name: "drop server", sql: "DROP SERVER remote_pg CASCADE", want: r},
		{name: "drop foreign table", sql: "DROP FOREIGN TABLE remote_users", want: r},
		{name: "drop foreign data wrapper", sql: "DROP FOREIGN DATA WRAPPER postgres_fdw CASCADE", want: r},
		{name: "drop user mapping", sql: "DROP USER MAPPING FOR alice SERVER remote_pg", want: r},
		{name: "drop publication", sql: "DROP PUBLICATION all_tables", want: r},
		{name: "drop subscription", sql: "DROP SUBSCRIPTION replica_sub", want: r},
		{name: "drop event trigger", sql: "DROP EVENT TRIGGER ddl_guard", want: r, note: "removing an event trigger can switch off a server-side guard"},
		{name: "drop collation", sql: "DROP COLLATION german", want: r},
		{name: "drop conversion", sql: "DROP CONVERSION my_conv", want: r},
		{name: "drop operator", sql: "DROP OPERATOR @@@ (text, text)", want: r},
		{name: "drop operator class", sql: "DROP OPERATOR CLASS my_ops USING btree", want: r},
		{name: "drop operator family", sql: "DROP OPERATOR FAMILY my_ops USING btree", want: r},
		{name: "drop cast", sql: "DROP CAST (text AS my_type)", want: r},
		{name: "drop language", sql: "DROP LANGUAGE plperl", want: r},
		{name: "drop text search configuration", sql: "DROP TEXT SEARCH CONFIGURATION my_cfg", want: r},
		{name: "drop text search dictionary", sql: "DROP TEXT SEARCH DICTIONARY my_dict", want: r},
		{name: "drop statistics", sql: "DROP STATISTICS IF EXISTS users_stats", want: r},
		{name: "drop access method", sql: "DROP ACCESS METHOD my_am", want: r},
		{name: "drop transform", sql: "DROP TRANSFORM FOR hstore LANGUAGE plpython3u", want: r},
		{name: "drop table with quoted schema and table", sql: `DROP TABLE "public"."users"`, want: r},
		{name: "drop table named like a keyword", sql: `DROP TABLE "select"`, want: r},
		{name: "drop of an unqualified table that may be temporary", sql: "DROP TABLE IF EXISTS tmp", want: r, note: "the name may find a permanent table"},
		{name: "drop of a session temporary table with cascade", sql: "DROP TABLE pg_temp.tmp CASCADE", want: r, note: "CASCADE could reach objects outside the temporary schema"},
		{name: "drop of a session temporary table next to a permanent one", sql: "DROP TABLE pg_temp.tmp, users", want: r},
		{name: "drop with pg_temp as the database part of a name", sql: "DROP TABLE pg_temp.public.users", want: r, note: "in a database named pg_temp this drops public.users"},
		{name: "drop of another session's temporary schema table", sql: "DROP TABLE pg_temp_3.tmp", want: r, note: "only the exact name pg_temp means this session's schema"},
		{name: "drop of a function in pg_temp", sql: "DROP FUNCTION pg_temp.f()", want: r, note: "only relation kinds are exempt"},
		{name: "drop schema pg_temp", sql: "DROP SCHEMA pg_temp", want: r},
		{name: "drop table whose quoted name contains sql text", sql: `DROP TABLE "SELECT 1"`, want: r},
	}
}

// corpusAlterDropColumn: dropping a column destroys its data as surely as
// dropping the table; it may hide among other ALTER actions.
func corpusAlterDropColumn() []corpusCase {
	const r = "alter-drop-column"
	return []corpusCase{
		{name: "alter table drop column", sql: "ALTER TABLE users DROP COLUMN email", want: r},
		{name: "alter table drop without the column keyword", sql: "ALTER TABLE users DROP email", want: r, note: "COLUMN is optional in the grammar"},
		{name: "alter table drop column if exists cascade", sql: "ALTER TABLE users DROP COLUMN IF EXISTS email CASCADE", want: r},
		{name: "alter table if exists drop column restrict", sql: "ALTER TABLE IF EXISTS users DROP COLUMN email RESTRICT", want: r},
		{name: "alter table only drop column", sql: "ALTER TABLE ONLY users DROP COLUMN email", want: r},
		{name: "drop column hidden after an add column", sql: "ALTER TABLE users ADD COLUMN nickname text, DROP COLUMN email", want: r},
		{name: "drop column hidden between other actions", sql: "ALTER TABLE users ALTER COLUMN name TYPE varchar(200), DROP COLUMN email, ADD COLUMN age int", want: r},
		{name: "drop column with quoted identifiers", sql: `ALTER TABLE "public"."users" DROP COLUMN "Email"`, want: r},
		{name: "alter foreign table drop column", sql: "ALTER FOREIGN TABLE remote_users DROP COLUMN email", want: r},
		{name: "alter type drop attribute", sql: "ALTER TYPE address DROP ATTRIBUTE zip", want: r},
		{name: "alter type drop attribute if exists cascade", sql: "ALTER TYPE address DROP ATTRIBUTE IF EXISTS zip CASCADE", want: r},
	}
}

// corpusColumnRewrites: ALTER COLUMN ... TYPE ... USING computes every
// row's new value; an expression that does not read the column throws its
// data away as DROP COLUMN would.
func corpusColumnRewrites() []corpusCase {
	const r = "alter-column-rewrite"
	return []corpusCase{
		{name: "a table made unlogged", sql: "ALTER TABLE t SET UNLOGGED", want: "non-durable-table",
			note: "the next crash empties it; standbys and pg_basebackup leave its rows out"},
		{name: "a table made unlogged among other actions", sql: "alter table if exists public.t add column x int, set unlogged", want: "non-durable-table"},
		{name: "a table made logged", sql: "ALTER TABLE t SET LOGGED"},
		{name: "an unlogged table created", sql: "CREATE UNLOGGED TABLE scratch (id int)", note: "a new table holds nothing yet"},
		{name: "alter column type using null", sql: "ALTER TABLE t ALTER COLUMN val TYPE text USING NULL", want: r, note: "checked on a server: every value is lost"},
		{name: "alter column type using a constant", sql: "ALTER TABLE t ALTER val TYPE int USING 0", want: r},
		{name: "alter column set data type using a string", sql: "ALTER TABLE ONLY public.t ALTER COLUMN val SET DATA TYPE text USING 'x'", want: r},
		{name: "alter column type using another column", sql: "ALTER TABLE t ALTER COLUMN val TYPE text USING note", want: r, note: "val's own data is replaced by note's"},
		{name: "alter column type using a function of nothing", sql: "ALTER TABLE t ALTER COLUMN val TYPE timestamptz USING now()", want: r},
		{name: "alter column type using null among other actions", sql: "ALTER TABLE t ADD COLUMN n int, ALTER COLUMN val TYPE text USING NULL", want: r},
		{name: "alter column type using a quoted other column", sql: `ALTER TABLE t ALTER COLUMN "Val" TYPE text USING val`, want: r, note: `val is not "Val"`},
		{name: "alter foreign table column type using null", sql: "ALTER FOREIGN TABLE ft ALTER COLUMN val TYPE text USING NULL", want: r, also: []string{""}, note: "the server may reject USING on a foreign table"},
		{name: "alter column type using the column cast", sql: "ALTER TABLE t ALTER COLUMN val TYPE text USING val::text"},
		{name: "alter column type using a function of the column", sql: "ALTER TABLE t ALTER COLUMN val TYPE text USING lower(val)"},
		{name: "alter column type using the qualified column", sql: "ALTER TABLE t ALTER COLUMN val TYPE bigint USING t.val::bigint"},
		{name: "alter column type using a case over the column", sql: "ALTER TABLE t ALTER COLUMN flag TYPE int USING CASE WHEN flag THEN 1 ELSE 0 END", want: r,
			note: "a CASE that maps the column onto constants keeps two values of any number: USING flag::int converts a boolean"},
		{name: "alter column type using a cast of a boolean", sql: "ALTER TABLE t ALTER COLUMN flag TYPE int USING flag::int"},
		{name: "alter column type using a case that never picks the column", sql: "ALTER TABLE t ALTER COLUMN note TYPE text USING CASE WHEN false THEN note END", want: r,
			note: "checked on a server: every note is NULL"},
		{name: "alter column type using a case with every branch the column", sql: "ALTER TABLE t ALTER COLUMN note TYPE text USING CASE WHEN note = '' THEN lower(note) ELSE note END"},
		{name: "alter column type using the column plus a string", sql: "ALTER TABLE t ALTER COLUMN amount TYPE numeric USING amount + 'NaN'", want: r,
			note: "checked on a server: every amount is NaN"},
		{name: "alter column type using a tiny multiplier", sql: "ALTER TABLE t ALTER COLUMN amount TYPE numeric(12,2) USING amount * 1e-30", want: r,
			note: "checked on a server: every amount is 0.00"},
		{name: "alter column type using a cast through a boolean", sql: "ALTER TABLE t ALTER COLUMN amount TYPE int USING amount::int::bool::int", want: r},
		{name: "alter column type using a cast to date", sql: "ALTER TABLE t ALTER COLUMN ts TYPE timestamp USING ts::date", want: r},
		{name: "alter column type using a cast to a one-character type", sql: `ALTER TABLE t ALTER COLUMN note TYPE text USING note::"char"`, want: r},
		{name: "alter column type to a domain", sql: "ALTER TABLE t ALTER COLUMN ts TYPE d_date", want: "alter-column-truncate",
			note: "checked on a server: a domain over date drops the time of day"},
		{name: "alter column type to a one-character type", sql: `ALTER TABLE t ALTER COLUMN note TYPE "char"`, want: "alter-column-truncate"},
		{name: "alter column type to a longer varchar", sql: "ALTER TABLE t ALTER COLUMN note TYPE varchar(200)", note: "the server refuses values too long for it instead of cutting them"},
		{name: "alter column type to an interval of years", sql: "ALTER TABLE t ALTER COLUMN d TYPE interval YEAR", want: "alter-column-truncate",
			note: "checked on a server: every interval under a year becomes 00:00:00"},
		{name: "alter column type using a cast to an interval of years", sql: "ALTER TABLE t ALTER COLUMN d TYPE interval USING d::interval year", want: r},
		{name: "alter column type to a numeric of negative scale", sql: "ALTER TABLE t ALTER COLUMN p TYPE numeric(1,-1000)", want: "alter-column-truncate",
			note: "checked on a server: every value becomes 0"},
		{name: "alter column type to a numeric of two decimals", sql: "ALTER TABLE t ALTER COLUMN p TYPE numeric(12,2)"},
		{name: "alter column type using a huge float added", sql: "ALTER TABLE t ALTER COLUMN a TYPE float8 USING a + 1e308", want: r,
			note: "checked on a server: every value becomes 1e+308"},
		{name: "alter column type using an integer added", sql: "ALTER TABLE t ALTER COLUMN a TYPE bigint USING a + 1000"},
		{name: "alter column type using nullif of the column with itself", sql: "ALTER TABLE t ALTER COLUMN note TYPE text USING NULLIF(note, note)", want: r,
			note: "checked on a server: every note is NULL"},
		{name: "alter column type using the column times zero", sql: "ALTER TABLE t ALTER COLUMN amount TYPE numeric(12,2) USING amount * 0", want: r},
		{name: "alter column type using the column minus itself", sql: "ALTER TABLE t ALTER COLUMN amount TYPE int USING amount - amount", want: r},
		{name: "alter column type using an arithmetic that cancels the column", sql: "ALTER TABLE t ALTER COLUMN ts TYPE timestamp USING ts - (ts - 'epoch')", want: r},
		{name: "alter column type using an empty prefix of the column", sql: "ALTER TABLE t ALTER COLUMN note TYPE text USING left(note, 0)", want: r},
		{name: "alter column type using a case whose results are all null", sql: "ALTER TABLE t ALTER COLUMN note TYPE text USING CASE WHEN note IS NULL THEN NULL ELSE NULL END", want: r},
		{name: "alter column type using a test of the column", sql: "ALTER TABLE t ALTER COLUMN note TYPE text USING (note IS NULL)::text", want: r},
		{name: "alter column type using a cast that cuts", sql: "ALTER TABLE t ALTER COLUMN note TYPE varchar(1) USING note::varchar(1)", want: r,
			note: "checked on a server: an explicit cast cuts every value to one character, where the assignment without USING fails"},
		{name: "alter column type using a trim of given characters", sql: "ALTER TABLE t ALTER COLUMN note TYPE text USING btrim(note, 'abcdefghijklmnopqrstuvwxyz ')", want: r},
		{name: "alter column type using the column scaled", sql: "ALTER TABLE t ALTER COLUMN price TYPE bigint USING price * 100"},
		{name: "alter column type using the column with a suffix", sql: "ALTER TABLE t ALTER COLUMN qty TYPE text USING qty || ' units'"},
		{name: "alter column type using a trim of the column", sql: "ALTER TABLE t ALTER COLUMN note TYPE text USING trim(note)"},
		{name: "alter column type using epoch seconds", sql: "ALTER TABLE t ALTER COLUMN created TYPE timestamptz USING to_timestamp(created)"},
		{name: "alter column type using a time zone", sql: "ALTER TABLE t ALTER COLUMN ts TYPE timestamptz USING ts AT TIME ZONE 'UTC'"},
		{name: "alter column type using a cast to a wider numeric", sql: "ALTER TABLE t ALTER COLUMN amount TYPE numeric(14,2) USING amount::numeric(14,2)"},
		{name: "alter column type using a case that clamps the column", sql: "ALTER TABLE t ALTER COLUMN qty TYPE int USING CASE WHEN qty < 0 THEN 0 ELSE qty END", want: r,
			note: "a branch with a constant replaces values: clamp with an UPDATE that names the rows"},
		{name: "alter column type to date", sql: "ALTER TABLE t ALTER COLUMN ts TYPE date", want: "alter-column-truncate",
			note: "checked on a server: every timestamp loses its time of day"},
		{name: "alter column type to time", sql: "ALTER TABLE t ALTER COLUMN ts SET DATA TYPE time without time zone", want: "alter-column-truncate"},
		{name: "alter column type to a wider integer", sql: "ALTER TABLE t ALTER COLUMN id TYPE bigint"},
		{name: "alter column type to timestamptz", sql: "ALTER TABLE t ALTER COLUMN ts TYPE timestamptz"},
		{name: "a cascading foreign key added", sql: "ALTER TABLE customers ADD CONSTRAINT fk_k FOREIGN KEY (id) REFERENCES k (id) ON DELETE CASCADE", want: "foreign-key-cascade",
			note: "checked on a server: a later bounded DELETE FROM k deletes the matching customers"},
		{name: "a foreign key that blanks", sql: "ALTER TABLE c ADD FOREIGN KEY (k) REFERENCES k ON DELETE SET NULL", want: "foreign-key-cascade"},
		{name: "a foreign key that blanks on update", sql: "ALTER TABLE c ADD FOREIGN KEY (k) REFERENCES k ON UPDATE SET DEFAULT", want: "foreign-key-cascade"},
		{name: "a new column with a cascading reference", sql: "ALTER TABLE c ADD COLUMN k int DEFAULT 1 REFERENCES k ON DELETE CASCADE", want: "foreign-key-cascade"},
		{name: "a foreign key that refuses", sql: "ALTER TABLE c ADD FOREIGN KEY (k) REFERENCES k"},
		{name: "a foreign key that follows updates", sql: "ALTER TABLE c ADD FOREIGN KEY (k) REFERENCES k ON UPDATE CASCADE ON DELETE RESTRICT"},
		{name: "a new table with a cascading reference", sql: "CREATE TABLE n (id int, k int REFERENCES k ON DELETE CASCADE)", note: "the new table has no rows to lose"},
		{name: "alter column type without using", sql: "ALTER TABLE t ALTER COLUMN val TYPE varchar(200)"},
	}
}

// corpusServerFiles: statements that write, rename or delete files on the
// database host, where a table's own data file can be reached.
func corpusServerFiles() []corpusCase {
	const r = "server-file-write"
	return []corpusCase{
		{name: "copy a table to a server file", sql: "COPY users TO '/tmp/users.csv'", want: r},
		{name: "copy an empty query over a data file", sql: "COPY (SELECT 1 WHERE false) TO '/var/lib/postgresql/15/main/base/16384/16385'", want: r,
			note: "checked on a server: the table's data file is truncated"},
		{name: "copy to a server file with options", sql: "COPY users (id) TO '/tmp/x' WITH (FORMAT binary)", want: r},
		{name: "copy to a server file inside a do block", sql: "DO $$ BEGIN COPY users TO '/tmp/x'; END $$", want: r},
		{name: "copy to a server file inside a function", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ COPY users TO '/tmp/x' $$", want: r},
		{name: "lo_export", sql: "SELECT lo_export(16401, '/tmp/x')", want: r},
		{name: "schema qualified lo_export", sql: "SELECT pg_catalog.lo_export(16401, '/tmp/x')", want: r},
		{name: "pg_file_write", sql: "SELECT pg_file_write('postgresql.auto.conf', 'x', false)", want: r},
		{name: "pg_file_rename", sql: "SELECT pg_catalog.pg_file_rename('a', 'b')", want: r},
		{name: "uppercase pg_file_unlink", sql: "SELECT PG_FILE_UNLINK('base/16384/16385')", want: r},
		{name: "copy from a server file", sql: "COPY users FROM '/tmp/users.csv' WITH (FORMAT csv)", note: "only reads a file on the host and inserts rows, as INSERT does"},
		{name: "copy a query to stdout", sql: "COPY (SELECT * FROM users) TO STDOUT WITH (FORMAT csv)"},
		{name: "copy to stdout naming a path in a comment", sql: "COPY users TO STDOUT /* TO '/tmp/x' */"},
		{name: "lo_import of a server file", sql: "SELECT lo_import('/tmp/x')", note: "reads a file into a new large object"},
		{name: "file_fdw reading a server file", sql: "CREATE FOREIGN TABLE ft (x text) SERVER fs OPTIONS (filename '/tmp/x', format 'csv')", note: "only reads"},
		{name: "foreign table option dropping program", sql: "ALTER FOREIGN TABLE ft OPTIONS (DROP program, ADD filename '/tmp/x')"},
		{name: "heap_force_kill", sql: "SELECT heap_force_kill('t'::regclass, ARRAY(SELECT ctid FROM t))", want: "heap-surgery", note: "checked on a server: every row is gone"},
		{name: "heap_force_freeze", sql: "SELECT public.heap_force_freeze('t'::regclass, ARRAY['(0,1)']::tid[])", want: "heap-surgery"},
		{name: "file_fdw program option", sql: "CREATE FOREIGN TABLE ft (x text) SERVER fs OPTIONS (program 'id > /tmp/x; echo done')", want: "copy-program",
			note: "checked on a server: the command runs when the table is read"},
		{name: "file_fdw program option added later", sql: "ALTER FOREIGN TABLE ft OPTIONS (ADD program 'id')", want: "copy-program"},
		{name: "file_fdw program option set later", sql: "ALTER FOREIGN TABLE ft OPTIONS (SET program 'id')", want: "copy-program"},
		{name: "program option on a server", sql: "CREATE SERVER fs FOREIGN DATA WRAPPER file_fdw OPTIONS (program 'id')", want: "copy-program"},
		{name: "program option on an altered server", sql: "ALTER SERVER fs OPTIONS (ADD program 'id')", want: "copy-program"},
		{name: "alter system archive command", sql: "ALTER SYSTEM SET archive_command = 'rm -rf /var/lib/postgresql'", want: "alter-system",
			note: "the server runs the command at its next WAL archive"},
		{name: "alter system in lower case", sql: "alter system set restore_command to 'id'", want: "alter-system"},
		{name: "alter system reset all", sql: "ALTER SYSTEM RESET ALL", want: "alter-system"},
		{name: "alter system inside a do block", sql: "DO $$ BEGIN EXECUTE 'SELECT 1'; END $$; ALTER SYSTEM SET work_mem = '1GB'", want: "alter-system", also: []string{"dynamic-sql"}},
		{name: "an operator on two varchar values", sql: "CREATE OPERATOR public.= (LEFTARG = varchar, RIGHTARG = varchar, FUNCTION = public.always)", want: "statement-rewrite",
			note: "checked on a server: a human's WHERE name = 'x' on a varchar column then calls it"},
		{name: "any operator", sql: "CREATE OPERATOR ## (LEFTARG = int, RIGHTARG = int, FUNCTION = int4pl)", want: "statement-rewrite"},
		{name: "a rule that discards inserts", sql: "CREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING", want: "statement-rewrite",
			note: "checked on a server: later INSERTs answer INSERT 0 0 and store nothing"},
		{name: "a rule that discards updates", sql: "create or replace rule r as on update to public.t where new.id > 0 do instead nothing", want: "statement-rewrite"},
		{name: "a rule that also does nothing", sql: "CREATE RULE r AS ON INSERT TO t DO ALSO NOTHING"},
		{name: "a role with a login", sql: "CREATE ROLE x LOGIN PASSWORD 'secret'", want: "account-management"},
		{name: "a user", sql: "CREATE USER x", want: "account-management"},
		{name: "a human locked out", sql: "ALTER ROLE alice NOLOGIN", want: "account-management"},
		{name: "a password changed", sql: "ALTER USER alice PASSWORD 'x'", want: "account-management"},
		{name: "a human's session defaults", sql: "ALTER ROLE alice SET search_path = evil, public", want: "account-management"},
		{name: "a role granted", sql: "GRANT pg_write_server_files TO agent", want: "account-management"},
		{name: "a role revoked", sql: "REVOKE admin FROM alice", want: "account-management"},
		{name: "a role renamed", sql: "ALTER ROLE alice RENAME TO bob", want: "account-management"},
		{name: "privileges on a table", sql: "GRANT SELECT ON t TO reporting"},
		{name: "terminate a session", sql: "SELECT pg_terminate_backend(4242)", want: "server-control"},
		{name: "terminate every other session", sql: "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()", want: "server-control"},
		{name: "cancel a statement", sql: "SELECT PG_CANCEL_BACKEND(4242)", want: "server-control"},
		{name: "list sessions", sql: "SELECT pid, state FROM pg_stat_activity"},
		{name: "a replication slot dropped", sql: "SELECT pg_drop_replication_slot('standby1')", want: "drop-object",
			note: "checked on a server: the slot is gone, and a standby using it can no longer be sure to catch up"},
		{name: "every inactive slot dropped", sql: "SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active", want: "drop-object"},
		{name: "a replication origin dropped", sql: "SELECT pg_replication_origin_drop('sub1')", want: "drop-object"},
		{name: "a standby promoted", sql: "SELECT pg_promote(true, 60)", want: "server-control"},
		{name: "replication slots listed", sql: "SELECT slot_name, active FROM pg_replication_slots"},
		{name: "a logical slot's changes consumed", sql: "SELECT count(*) FROM pg_logical_slot_get_changes('cdc', NULL, NULL)", want: "drop-object",
			note: "checked on a server: the consumer never sees those changes"},
		{name: "a logical slot's binary changes consumed", sql: "SELECT * FROM pg_catalog.pg_logical_slot_get_binary_changes('cdc', NULL, 10)", want: "drop-object"},
		{name: "a slot moved forward", sql: "SELECT pg_replication_slot_advance('standby1', pg_current_wal_lsn())", want: "drop-object"},
		{name: "an origin moved forward", sql: "SELECT pg_replication_origin_advance('pg_16692', '0/1BA0000')", want: "drop-object",
			note: "checked on a server: the subscriber skips the publisher's transactions in between"},
		{name: "a subscription skipping a transaction", sql: "ALTER SUBSCRIPTION s SKIP (lsn = '0/14C0378')", want: "drop-object"},
		{name: "a logical slot's changes looked at", sql: "SELECT * FROM pg_logical_slot_peek_changes('cdc', NULL, NULL)"},
		{name: "a subscription disabled", sql: "ALTER SUBSCRIPTION s DISABLE"},
		{name: "a rule that deletes elsewhere on delete", sql: "CREATE RULE casc AS ON DELETE TO customers DO ALSO DELETE FROM invoices WHERE cust = old.id", want: "foreign-key-cascade",
			note: "as a cascading foreign key would"},
		{name: "a rule that updates elsewhere on update", sql: "CREATE RULE r AS ON UPDATE TO customers DO ALSO UPDATE invoices SET cust = new.id WHERE cust = old.id", want: "foreign-key-cascade"},
		{name: "a rule that archives deleted rows", sql: "CREATE RULE arch AS ON DELETE TO customers DO ALSO INSERT INTO customers_archive SELECT old.*"},
		{name: "a rule that makes a view updatable", sql: "CREATE RULE upd AS ON UPDATE TO v DO INSTEAD UPDATE base SET x = new.x WHERE id = old.id"},
		{name: "a subscription created", sql: "CREATE SUBSCRIPTION s CONNECTION 'host=10.0.0.9 dbname=src' PUBLICATION p WITH (copy_data = false)", want: "dynamic-sql",
			note: "the apply worker runs whatever the publisher sends, TRUNCATE included, with triggers silent"},
		{name: "a subscription pointed elsewhere", sql: "ALTER SUBSCRIPTION s CONNECTION 'host=10.0.0.9 dbname=src'", want: "dynamic-sql"},
		{name: "a subscription enabled", sql: "ALTER SUBSCRIPTION s ENABLE", want: "dynamic-sql"},
		{name: "a subscription given another publication", sql: "ALTER SUBSCRIPTION s SET PUBLICATION other", want: "dynamic-sql"},
		{name: "a subscription refreshed", sql: "ALTER SUBSCRIPTION s REFRESH PUBLICATION WITH (copy_data = true)", want: "dynamic-sql"},
		{name: "a subscription's options", sql: "ALTER SUBSCRIPTION s SET (synchronous_commit = 'off')"},
		{name: "a database's session defaults", sql: "ALTER DATABASE app SET session_replication_role = replica", want: "account-management",
			note: "checked on a server: every later session of the database, a human's among them, runs without triggers"},
		{name: "a database's session defaults reset", sql: "ALTER DATABASE app RESET ALL", want: "account-management"},
		{name: "a database closed to connections", sql: "ALTER DATABASE app WITH ALLOW_CONNECTIONS false", want: "account-management"},
		{name: "a database's connection limit", sql: "ALTER DATABASE app CONNECTION LIMIT 0", want: "account-management"},
		{name: "a database renamed", sql: "ALTER DATABASE app RENAME TO app_old"},
		{name: "a rule that replaces inserts with a select", sql: "CREATE RULE r AS ON INSERT TO t DO INSTEAD SELECT 1", want: "statement-rewrite",
			note: "checked on a server: later INSERTs answer INSERT 0 0 and store nothing"},
		{name: "a rule that replaces updates with a notification", sql: "CREATE RULE r AS ON UPDATE TO t DO INSTEAD NOTIFY x", want: "statement-rewrite"},
		{name: "a rule that replaces deletes with several non-writes", sql: "CREATE RULE r AS ON DELETE TO t DO INSTEAD (SELECT 1; NOTIFY x)", want: "statement-rewrite"},
		{name: "a view's insert rule that writes the base table", sql: "CREATE RULE r AS ON INSERT TO v DO INSTEAD INSERT INTO t VALUES (new.id)"},
		{name: "a rule that also notifies", sql: "CREATE RULE r AS ON INSERT TO t DO ALSO NOTIFY x"},
		{name: "a replication slot created", sql: "SELECT pg_create_logical_replication_slot('s', 'test_decoding')"},
		{name: "an operator class", sql: "CREATE OPERATOR CLASS c FOR TYPE int USING btree AS OPERATOR 1 <"},
		{name: "a session setting", sql: "SET work_mem = '64MB'"},
		{name: "a session setting through set_config", sql: "SELECT set_config('work_mem', '64MB', false)"},
	}
}

// corpusSystemCatalogs: a superuser's write to a system catalog drops a
// table, loses its data or creates a login without any statement of its own
// kind; reading the catalogs is what tools do all day.
func corpusSystemCatalogs() []corpusCase {
	const r = "system-catalog"
	return []corpusCase{
		{name: "a table's catalog row deleted", sql: "DELETE FROM pg_class WHERE relname = 't'", want: r,
			note: "checked on a server: the table is gone from every query, its data unreachable"},
		{name: "a qualified catalog row deleted", sql: "delete from PG_CATALOG.pg_attribute where attrelid = 't'::regclass and attnum = 2", want: r},
		{name: "a login written into pg_authid", sql: "INSERT INTO pg_catalog.pg_authid (oid, rolname, rolsuper, rolcanlogin) VALUES (9999, 'backdoor', true, true)", want: r},
		{name: "a database closed to logins", sql: "UPDATE pg_database SET datallowconn = false WHERE datname = 'app'", want: r},
		{name: "a large object's pages deleted", sql: "DELETE FROM pg_largeobject WHERE loid = 16401", want: r},
		{name: "a toast table emptied row by row", sql: "DELETE FROM pg_toast.pg_toast_16385 WHERE chunk_id = 1", want: r},
		{name: "a catalog written through merge", sql: "MERGE INTO pg_class c USING (SELECT 1) s ON c.oid = 1 WHEN MATCHED THEN DELETE", want: r},
		{name: "a catalog loaded by copy", sql: "COPY pg_catalog.pg_authid FROM STDIN", want: r},
		{name: "a catalog written in a data-modifying cte", sql: "WITH d AS (DELETE FROM pg_class WHERE oid = 16385 RETURNING 1) SELECT count(*) FROM d", want: r},
		{name: "a catalog written in a do block", sql: "DO $$ BEGIN DELETE FROM pg_class WHERE oid = 16385; END $$", want: r},
		{name: "a catalog written in a function", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ UPDATE pg_authid SET rolpassword = NULL WHERE rolname = 'alice' $$", want: r},
		{name: "a catalog renamed", sql: "ALTER TABLE pg_class RENAME TO c", want: r},
		{name: "a trigger on a catalog", sql: "CREATE TRIGGER t BEFORE INSERT ON pg_catalog.pg_class FOR EACH ROW EXECUTE FUNCTION f()", want: r},
		{name: "a rule on a catalog", sql: "CREATE RULE r AS ON UPDATE TO pg_authid DO ALSO NOTIFY x", want: r},
		{name: "a policy on a catalog", sql: "CREATE POLICY p ON pg_class USING (false)", want: r},
		{name: "every client's catalog reads revoked", sql: "REVOKE SELECT ON pg_catalog.pg_class FROM PUBLIC", want: r,
			note: "non-superuser clients can no longer list or describe tables"},
		{name: "password hashes granted", sql: "GRANT SELECT ON pg_authid TO reporting", want: r},
		{name: "every catalog granted", sql: "GRANT UPDATE ON ALL TABLES IN SCHEMA pg_catalog TO agent", want: r},
		{name: "catalogs read", sql: "SELECT c.relname, a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.relname = 't'"},
		{name: "a catalog copied out", sql: "COPY pg_catalog.pg_class TO STDOUT"},
		{name: "a catalog read into a table", sql: "CREATE TABLE snap AS SELECT * FROM pg_stat_activity", note: "the new table is the agent's own"},
		{name: "a catalog read into a table by insert", sql: "INSERT INTO audit_copy SELECT relname FROM pg_class"},
		{name: "an updatable view over a catalog", sql: "CREATE VIEW sizes AS SELECT relname, relpages FROM pg_catalog.pg_class", want: r,
			note: "checked on a server: UPDATE or DELETE through such a view writes the catalog"},
		{name: "an updatable view over pg_authid", sql: "CREATE VIEW public.roles_v AS SELECT * FROM pg_catalog.pg_authid", want: r},
		{name: "an aggregating view over a catalog", sql: "CREATE VIEW sizes AS SELECT relkind, count(*) FROM pg_class GROUP BY relkind", note: "not updatable"},
		{name: "a view joining catalogs", sql: "CREATE VIEW cols AS SELECT c.relname, a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid", note: "not updatable"},
		{name: "a view over a table of the agent's own", sql: "CREATE VIEW v AS SELECT * FROM public.pg_things"},
		{name: "an event trigger", sql: "CREATE EVENT TRIGGER stop_ddl ON ddl_command_start EXECUTE FUNCTION raise_it()", want: "statement-rewrite",
			note: "checked on a server: every human's DDL fails while it exists"},
		{name: "an event trigger switched", sql: "ALTER EVENT TRIGGER stop_ddl ENABLE ALWAYS", want: "statement-rewrite"},
		{name: "a loopback server", sql: "CREATE SERVER loop FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'localhost', dbname 'app')", want: "dynamic-sql",
			note: "checked on a server: statements over it reach the database without bulwark"},
		{name: "a user mapping", sql: "CREATE USER MAPPING FOR CURRENT_USER SERVER loop OPTIONS (user 'dba', password 'x')", want: "dynamic-sql"},
		{name: "a server's options changed", sql: "ALTER SERVER loop OPTIONS (SET host 'localhost')", want: "dynamic-sql"},
		{name: "a remote schema imported", sql: "IMPORT FOREIGN SCHEMA pg_catalog LIMIT TO (pg_authid) FROM SERVER loop INTO public", want: "dynamic-sql"},
		{name: "a file server", sql: "CREATE SERVER fs FOREIGN DATA WRAPPER file_fdw", note: "file_fdw reads files, it connects nowhere"},
		{name: "an updatable view over an information_schema table", sql: "CREATE VIEW v AS SELECT * FROM information_schema.sql_features", want: r,
			note: "checked on a server: DELETE FROM v empties the table"},
		{name: "a table inheriting from a catalog", sql: "CREATE TABLE x () INHERITS (pg_class)", want: r,
			note: "a child's rows show in every scan of pg_class"},
		{name: "information_schema read", sql: "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"},
		{name: "a table inheriting from a table of the agent's own", sql: "CREATE TABLE child () INHERITS (parent)"},
		{name: "a cursor over a catalog", sql: "DECLARE c CURSOR FOR SELECT * FROM pg_class", note: "psql with FETCH_COUNT reads this way"},
		{name: "a table of the agent's own named pg_", sql: "DELETE FROM public.pg_things WHERE id = 1", note: "qualified by its schema, so not a catalog"},
		{name: "a quoted upper-case name is not a catalog", sql: `UPDATE "PG_CLASS" SET x = 1 WHERE id = 1`},
		{name: "privileges on a table of the agent's own", sql: "GRANT SELECT ON public.pg_things TO reporting"},
		{name: "a table vacuumed", sql: "VACUUM ANALYZE pg_catalog.pg_class"},
		{name: "a session setting through pg_settings", sql: "UPDATE pg_catalog.pg_settings SET setting = '64MB' WHERE name = 'work_mem'",
			note: "the view's rule calls set_config: the same as SET"},
	}
}

// corpusBoundFunctions: a function bound by name in a definition (operator,
// aggregate, cast, trigger, ...) is called later without being named; every
// spelling of the name must be read as the server reads it.
func corpusBoundFunctions() []corpusCase {
	const lo, dyn = "drop-large-object", "dynamic-sql"
	return []corpusCase{
		{name: "a large object overwritten by its OID", sql: "SELECT lo_put(16401, 0, '\\x0000')", note: "one named object, as an UPDATE of one named row"},
		{name: "every large object overwritten", sql: "SELECT lo_put(oid, 0, decode(repeat('00', 64), 'hex')) FROM pg_largeobject_metadata", want: "drop-large-object",
			note: "checked on a server: every object's first 64 bytes are zeros"},
		{name: "large objects a query picks overwritten", sql: "SELECT lo_put(m.oid, 0, 'x') FROM pg_largeobject_metadata m WHERE m.lomowner = 10", want: "drop-large-object"},
		{name: "a large object written through a descriptor of a named one", sql: "SELECT lowrite(lo_open(16401, 131072), 'xxxx')"},
		{name: "a descriptor written", sql: "SELECT lowrite(0, 'xxxx')", note: "what psql's \\lo_import sends"},
		{name: "large objects a query picks written through descriptors", sql: "SELECT lowrite(lo_open(oid, 131072), 'xxxx') FROM pg_largeobject_metadata", want: "drop-large-object"},
		{name: "the lo extension's trigger bound", sql: "CREATE TRIGGER t_lo BEFORE UPDATE OR DELETE ON refs FOR EACH ROW EXECUTE FUNCTION lo_manage(ref)", want: "drop-large-object",
			note: "checked on a server: a later DELETE of the rows unlinks every object they refer to"},
		{name: "the lo extension installed", sql: "CREATE EXTENSION IF NOT EXISTS lo"},
		{name: "a large object read", sql: "SELECT loread(lo_open(16401, 262144), 100)"},
		{name: "a large object created", sql: "SELECT lo_from_bytea(0, 'contents')"},
		{name: "operator bound to lo_unlink named by a string", sql: "CREATE OPERATOR !!! (RIGHTARG = oid, FUNCTION = 'lo_unlink')", want: lo,
			note: "checked on a server: SELECT !!! 42::oid then unlinks"},
		{name: "operator bound to a qualified lo_unlink", sql: "CREATE OPERATOR !!! (RIGHTARG = oid, FUNCTION = pg_catalog.lo_unlink)", want: lo},
		{name: "operator bound to a quoted identifier", sql: `CREATE OPERATOR !!! (RIGHTARG = oid, FUNCTION = "lo_unlink")`, want: lo},
		{name: "operator bound to a qualified name in a string", sql: "CREATE OPERATOR !!! (RIGHTARG = oid, FUNCTION = 'pg_catalog.lo_unlink')", want: "statement-rewrite",
			note: "a string is one name as written: no function is called pg_catalog.lo_unlink (checked on a server)"},
		{name: "operator bound to an uppercase string name", sql: "CREATE OPERATOR !!! (RIGHTARG = oid, FUNCTION = 'LO_UNLINK')", want: "statement-rewrite",
			note: "a string is not folded to lower case: no function LO_UNLINK (checked on a server)"},
		{name: "operator bound by the procedure keyword to a string", sql: "CREATE OPERATOR !!! (RIGHTARG = oid, PROCEDURE = 'lo_truncate')", want: lo},
		{name: "operator bound to a dollar quoted name", sql: "CREATE OPERATOR !!! (RIGHTARG = oid, FUNCTION = $$lo_unlink$$)", want: lo},
		{name: "operator bound to dblink_exec by a string", sql: "CREATE OPERATOR ### (LEFTARG = text, RIGHTARG = text, FUNCTION = 'dblink_exec')", want: dyn},
		{name: "aggregate whose state function is lo_unlink by a string", sql: "CREATE AGGREGATE agg(oid) (SFUNC = 'lo_unlink', STYPE = int)", want: lo},
		{name: "aggregate whose final function is a string", sql: "CREATE AGGREGATE agg(int) (SFUNC = int4pl, STYPE = int, FINALFUNC = 'xpath_table')", want: dyn},
		{name: "old style aggregate", sql: "CREATE AGGREGATE agg (BASETYPE = oid, SFUNC = 'lo_unlink', STYPE = int)", want: lo},
		{name: "cast through lo_unlink", sql: "CREATE CAST (oid AS int) WITH FUNCTION lo_unlink(oid)", want: lo},
		{name: "cast through a qualified lo_truncate", sql: "CREATE CAST (int AS text) WITH FUNCTION pg_catalog.lo_truncate(int, int)", want: lo},
		{name: "trigger executing check_foreign_key", sql: "CREATE TRIGGER t_fk BEFORE DELETE OR UPDATE ON p FOR EACH ROW EXECUTE FUNCTION check_foreign_key(1, 'cascade', 'id', 'c', 'pid')", want: dyn,
			note: "refint builds DELETE text from the trigger's arguments"},
		{name: "operator restriction set to a string", sql: "ALTER OPERATOR === (int, int) SET (RESTRICT = 'lo_unlink')", want: lo},
		{name: "event trigger bound to lo_unlink", sql: "CREATE EVENT TRIGGER e ON ddl_command_start EXECUTE FUNCTION lo_unlink()", want: lo},
		{name: "language handler named lo_unlink", sql: "CREATE LANGUAGE l HANDLER lo_unlink", want: lo},
		{name: "text search parser function named by a string", sql: "CREATE TEXT SEARCH PARSER p (START = 'lo_unlink', GETTOKEN = a, END = b, LEXTYPES = c)", want: lo},
		{name: "operator bound to an ordinary function", sql: "CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq)", want: "statement-rewrite"},
		{name: "operator bound to an ordinary function by a string", sql: "CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = 'int4eq')", want: "statement-rewrite"},
		{name: "operator bound to a quoted uppercase name", sql: `CREATE OPERATOR !!! (RIGHTARG = oid, FUNCTION = "LO_UNLINK")`, want: "statement-rewrite", note: "a quoted name keeps its case: not lo_unlink"},
		{name: "aggregate over ordinary functions", sql: "CREATE AGGREGATE my_sum(int) (SFUNC = 'int4pl', STYPE = int, INITCOND = '0')"},
		{name: "cast through an ordinary function", sql: "CREATE CAST (text AS my_type) WITH FUNCTION my_type_in(text)"},
	}
}

// corpusTruncates: TRUNCATE in every spelling the grammar accepts.
func corpusTruncates() []corpusCase {
	const r = "truncate"
	return []corpusCase{
		{name: "truncate bare", sql: "TRUNCATE users", want: r},
		{name: "truncate table", sql: "TRUNCATE TABLE users", want: r},
		{name: "truncate only", sql: "TRUNCATE ONLY users", want: r},
		{name: "truncate table only", sql: "TRUNCATE TABLE ONLY users", want: r},
		{name: "truncate only with parenthesised name", sql: "TRUNCATE ONLY (users)", want: r},
		{name: "truncate with descendant star", sql: "TRUNCATE users *", want: r},
		{name: "truncate several tables", sql: "TRUNCATE users, orders, audit_log", want: r},
		{name: "truncate cascade", sql: "TRUNCATE users CASCADE", want: r},
		{name: "truncate restart identity", sql: "TRUNCATE users RESTART IDENTITY", want: r},
		{name: "truncate continue identity restrict", sql: "TRUNCATE TABLE public.users CONTINUE IDENTITY RESTRICT", want: r},
		{name: "truncate restart identity cascade with schema", sql: "truncate table only public.users restart identity cascade", want: r},
		{name: "truncate in odd casing", sql: "TrUnCaTe TaBlE UsErS", want: r},
	}
}

// corpusDeletes: DELETE without WHERE, with every always-true WHERE, and
// with a WHERE that does not depend on the target row (it reaches every row
// or none).
func corpusDeletes() []corpusCase {
	const nw, at = "delete-no-where", "delete-always-true"
	return []corpusCase{
		{name: "delete without where", sql: "DELETE FROM users", want: nw},
		{name: "delete from only without where", sql: "DELETE FROM ONLY users", want: nw},
		{name: "delete with descendant star", sql: "DELETE FROM users *", want: nw},
		{name: "delete with alias and returning", sql: "DELETE FROM users AS u RETURNING u.*", want: nw},
		{name: "delete with using but no where", sql: "DELETE FROM orders USING customers", want: nw},
		{name: "delete where true", sql: "DELETE FROM users WHERE true", want: at},
		{name: "delete where true cast from a string", sql: "DELETE FROM users WHERE 'true'::boolean", want: at},
		{name: "delete where one equals one", sql: "DELETE FROM users WHERE 1=1", want: at},
		{name: "delete where string equals itself", sql: "DELETE FROM users WHERE 'a'='a'", want: at},
		{name: "delete where not false", sql: "DELETE FROM users WHERE NOT false", want: at},
		{name: "delete where not not true", sql: "DELETE FROM users WHERE NOT NOT true", want: at},
		{name: "delete where column equals itself", sql: "DELETE FROM users WHERE id = id", want: at},
		{name: "delete where qualified column equals itself", sql: "DELETE FROM users WHERE users.id = users.id", want: at},
		{name: "delete where alias column equals itself", sql: "DELETE FROM users u WHERE u.id = u.id", want: at},
		{name: "delete where qualified and bare spellings of one column are equal", sql: "DELETE FROM users WHERE users.id = id", want: at, note: "both sides name the same column"},
		{name: "delete where quoted and folded spellings of one column are equal", sql: `DELETE FROM users WHERE "id" = ID`, want: at, note: "ID folds to id, the same column as \"id\""},
		{name: "delete where unicode escaped column equals its plain spelling", sql: `DELETE FROM users WHERE U&"\0069d" = id`, want: at},
		{name: "delete where expression equals itself", sql: "DELETE FROM users WHERE lower(email) = lower(email)", want: at},
		{name: "delete where is null or is not null", sql: "DELETE FROM users WHERE email IS NULL OR email IS NOT NULL", want: at},
		{name: "delete where is not null or is null", sql: "DELETE FROM users WHERE email IS NOT NULL OR email IS NULL", want: at},
		{name: "delete where isnull or notnull postfix spellings", sql: "DELETE FROM users WHERE email ISNULL OR email NOTNULL", want: at},
		{name: "delete where column in a list holding only itself", sql: "DELETE FROM users WHERE id IN (id)", want: at, note: "x IN (x) is x = x"},
		{name: "delete where null test pair split across a right nested or", sql: "DELETE FROM users WHERE id IS NULL OR (id = 5 OR id IS NOT NULL)", want: at,
			note: "the parser flattens only left nested ORs; the pair is still a tautology"},
		{name: "delete where is distinct from null or is null", sql: "DELETE FROM users WHERE email IS DISTINCT FROM NULL OR email IS NULL", want: at,
			note: "IS DISTINCT FROM NULL is another spelling of IS NOT NULL"},
		{name: "delete where or with a true arm", sql: "DELETE FROM users WHERE id = 5 OR true", want: at},
		{name: "delete where or with a tautology arm", sql: "DELETE FROM users WHERE id = 5 OR 1=1", want: at},
		{name: "delete where true or a row predicate", sql: "DELETE FROM users WHERE true OR id = 5", want: at},
		{name: "delete where and of tautologies", sql: "DELETE FROM users WHERE 1 = 1 AND 'x' = 'x'", want: at},
		{name: "delete where parenthesised tautology", sql: "DELETE FROM users WHERE ((1 = 1))", want: at},
		{name: "delete where case with every branch true", sql: "DELETE FROM users WHERE CASE WHEN id > 10 THEN true ELSE true END", want: at},
		{name: "delete where case whose branches are all parameters", sql: "DELETE FROM users WHERE CASE WHEN id > $1 THEN $2 ELSE $3 END", want: at,
			note: "the row only picks a branch; binding true to $2 and $3 deletes every row, like id = 5 OR $1"},
		{name: "delete where simple case with every branch a tautology", sql: "DELETE FROM users WHERE CASE id WHEN 1 THEN 1 = 1 ELSE 'a' = 'a' END", want: at},
		{name: "delete where constant comparison", sql: "DELETE FROM users WHERE 2 > 1", want: at},
		{name: "delete where null is null", sql: "DELETE FROM users WHERE NULL IS NULL", want: at},
		{name: "delete where true is true", sql: "DELETE FROM users WHERE true IS TRUE", want: at},
		{name: "delete where constant between", sql: "DELETE FROM users WHERE 1 BETWEEN 0 AND 2", want: at},
		{name: "delete where constant in list", sql: "DELETE FROM users WHERE 1 IN (1, 2)", want: at},
		{name: "delete where column is not distinct from itself", sql: "DELETE FROM users WHERE id IS NOT DISTINCT FROM id", want: at},
		{name: "delete where parameter", sql: "DELETE FROM users WHERE $1", want: at, note: "the row set depends only on the bound value: all rows or none"},
		{name: "delete where parameter cast to boolean", sql: "DELETE FROM users WHERE $1::boolean", want: at},
		{name: "delete where parameter equals itself", sql: "DELETE FROM users WHERE $1 = $1", want: at},
		{name: "delete where parameter compared with a constant", sql: "DELETE FROM users WHERE $1 = 'yes'", want: at, note: "no column of the target row is involved"},
		{name: "delete where row predicate or a parameter", sql: "DELETE FROM users WHERE id = 5 OR $1", want: at, note: "binding true to $1 deletes every row"},
		{name: "delete where row predicate or a row-independent arm", sql: "DELETE FROM users WHERE id = 5 OR current_user = 'app'", want: at, note: "for user app every row matches"},
		{name: "delete where exists select one", sql: "DELETE FROM users WHERE EXISTS (SELECT 1)", want: at},
		{name: "delete where uncorrelated exists on the same table", sql: "DELETE FROM users WHERE EXISTS (SELECT 1 FROM users)", want: at, note: "the subquery's users is a new range, not the target row"},
		{name: "delete where scalar subquery without correlation", sql: "DELETE FROM users WHERE (SELECT count(*) FROM bans) > 0", want: at},
		{name: "delete where random below two", sql: "DELETE FROM users WHERE random() < 2", want: at},
		{name: "delete where session function", sql: "DELETE FROM users WHERE current_user = 'app'", want: at},
		{name: "delete where coalesce of constants", sql: "DELETE FROM users WHERE coalesce(NULL, true)", want: at},
		{name: "delete where unicode escape string equals plain string", sql: `DELETE FROM users WHERE U&'\0061' = 'a'`, want: at, note: "both literals are the string a once lexed"},
		{name: "delete where dollar quoted string equals plain string", sql: "DELETE FROM users WHERE $$a$$ = 'a'", want: at},
		{name: "delete using where only the joined table is tested", sql: "DELETE FROM orders USING customers WHERE customers.active", want: at, note: "the predicate does not constrain orders: every order goes if any customer is active"},
		{name: "delete using aliased join whose predicate ignores the target", sql: "DELETE FROM orders o USING customers c WHERE c.id = 5", want: at},
		{name: "delete using self join that ignores the target", sql: "DELETE FROM users USING users u2 WHERE u2.id = u2.id", want: at},
		{name: "delete using a self join on the same column", sql: "DELETE FROM users USING users u2 WHERE users.id = u2.id", want: at,
			note: "every row joins to itself: all rows with an id go; beyond the letter of the USING rule, same effect as no WHERE"},
		{name: "delete where column in a subquery over the same table and column", sql: "DELETE FROM users WHERE id IN (SELECT id FROM users)", want: at,
			note: "every row's id is in the set of all ids; beyond the letter of the IN rule, same effect as no WHERE"},
		// Predicates that are never NULL: IS NOT NULL of them holds for
		// every row.
		{name: "delete where a system column is not null", sql: "DELETE FROM users WHERE ctid IS NOT NULL", want: at, note: "system columns are never NULL"},
		{name: "delete where xmin is not null", sql: "DELETE FROM users WHERE xmin IS NOT NULL", want: at},
		{name: "delete where a qualified system column is not null", sql: "DELETE FROM users u WHERE u.cmax IS NOT NULL", want: at},
		{name: "delete where a system column is distinct from null", sql: "DELETE FROM users WHERE xmax IS DISTINCT FROM NULL", want: at},
		{name: "delete where tableoid names the table", sql: "DELETE FROM users WHERE tableoid = 'users'::regclass", want: at,
			note: "tableoid is the same for every row of the table: all rows or none"},
		{name: "delete from a partition by tableoid", sql: "DELETE FROM measurements WHERE tableoid = 'measurements_2020'::regclass", want: at,
			note: "filters partitions, but tableoid is read as row-independent: refusing this rare filter is the safe side"},
		{name: "delete where a null test is not null", sql: "DELETE FROM users WHERE (id IS NULL) IS NOT NULL", want: at, note: "IS NULL is true or false, never NULL"},
		{name: "delete where a null test is in true and false", sql: "DELETE FROM users WHERE (email IS NULL) IN (true, false)", want: at},
		{name: "delete where a null test is known", sql: "DELETE FROM users WHERE (email IS NULL) IS NOT UNKNOWN", want: at},
		{name: "delete where a whole row reference is distinct from null", sql: "DELETE FROM users WHERE (users.*) IS DISTINCT FROM NULL", want: at,
			note: "a row value is never the NULL value itself, whatever its fields"},
		{name: "delete where the table's row is distinct from null", sql: "DELETE FROM users WHERE users IS DISTINCT FROM NULL", want: at},
		// Complementary pairs in other spellings.
		{name: "delete where is null or not is null", sql: "DELETE FROM users WHERE email IS NULL OR NOT (email IS NULL)", want: at},
		{name: "delete where a comparison or its negation", sql: "DELETE FROM users WHERE id = 5 OR id <> 5", want: at, note: "true for every row whose id is not NULL, like id = id"},
		{name: "delete where less or greater or equal", sql: "DELETE FROM users WHERE id < 5 OR id >= 5", want: at},
		{name: "delete where less or its negation with the sides swapped", sql: "DELETE FROM users WHERE id < 5 OR 5 <= id", want: at},
		{name: "delete where a comparison or not the comparison", sql: "DELETE FROM users WHERE id > 5 OR NOT (id > 5)", want: at},
		{name: "delete where is true or is not true", sql: "DELETE FROM users WHERE active IS TRUE OR active IS NOT TRUE", want: at},
		// Self-comparisons in other spellings.
		{name: "delete where column equals itself plus zero", sql: "DELETE FROM users WHERE id = id + 0", want: at},
		{name: "delete where column times zero is zero", sql: "DELETE FROM users WHERE id * 0 = 0", want: at},
		{name: "delete where column minus itself is zero", sql: "DELETE FROM users WHERE id - id = 0", want: at},
		{name: "delete where column times one equals it", sql: "DELETE FROM users WHERE id * 1 = id / 1", want: at},
		{name: "delete where column between itself and itself", sql: "DELETE FROM users WHERE id BETWEEN id AND id", want: at},
		{name: "delete where column equals any of an array of itself", sql: "DELETE FROM users WHERE id = ANY(ARRAY[id])", want: at},
		{name: "delete where column equals a from-less select of itself", sql: "DELETE FROM users WHERE id = (SELECT id)", want: at, note: "the unqualified id in (SELECT id) is the outer row's"},
		{name: "delete where column is in a from-less select of itself", sql: "DELETE FROM users WHERE id IN (SELECT id)", want: at},
		{name: "delete where text casts of a column are equal", sql: "DELETE FROM users WHERE id::text = id::varchar", want: at},
		// Subqueries that read the whole target table.
		{name: "delete where exists the same row", sql: "DELETE FROM users WHERE EXISTS (SELECT 1 FROM users AS x WHERE x.id = users.id)", want: at},
		{name: "delete where exists a row of the unaliased same table", sql: "DELETE FROM users WHERE EXISTS (SELECT 1 FROM users WHERE users.id = 5)", want: at,
			note: "users inside the subquery is the subquery's own: the test does not look at the target row"},
		{name: "delete where exists a row of another table named like the target", sql: "DELETE FROM users WHERE EXISTS (SELECT 1 FROM bans users WHERE users.id = 5)", want: at},
		{name: "delete where column in an always true subquery over the table", sql: "DELETE FROM users WHERE id IN (SELECT id FROM users WHERE true)", want: at},
		{name: "delete where column in a union with the whole table", sql: "DELETE FROM users WHERE id IN (SELECT id FROM users UNION SELECT 0)", want: at},
		{name: "delete where column in a union whose second arm is the whole table", sql: "DELETE FROM users WHERE id IN (SELECT 0 UNION ALL SELECT id FROM users)", want: at},
		{name: "delete where column in a long union whose first arm is the whole table", sql: "DELETE FROM users WHERE id IN (SELECT id FROM users" + strings.Repeat(" UNION SELECT 0", 12) + ")", want: at},
		{name: "delete where column in the table filtered by a parameter", sql: "DELETE FROM users WHERE id IN (SELECT id FROM users x WHERE $1)", want: at, note: "all rows or none"},
		{name: "delete where column in the schema qualified table", sql: "DELETE FROM users WHERE id IN (SELECT id FROM public.users)", want: at},
		{name: "delete from the qualified table where column in the table", sql: "DELETE FROM public.users WHERE id = ANY (SELECT id FROM users)", want: at},
		// Self-joins through a qualified name, a subquery or a CTE.
		{name: "delete using the schema qualified target", sql: "DELETE FROM users USING public.users s WHERE users.id = s.id", want: at},
		{name: "delete using a subquery over the target", sql: "DELETE FROM users USING (SELECT id FROM users) s WHERE users.id = s.id", want: at},
		{name: "delete using a subquery over the target with renamed columns", sql: "DELETE FROM users USING (SELECT id FROM users) s(k) WHERE users.id = s.k", want: at},
		{name: "delete using a subquery over the target with an aliased column", sql: "DELETE FROM users USING (SELECT id AS k FROM users) s WHERE s.k = users.id", want: at},
		{name: "delete using a grouped subquery over the target", sql: "DELETE FROM users USING (SELECT id, max(score) AS best FROM users GROUP BY id) s WHERE users.id = s.id", want: at,
			note: "grouping keeps every id"},
		{name: "delete using a cte over the target", sql: "WITH s AS (SELECT id FROM users) DELETE FROM users USING s WHERE users.id = s.id", want: at},
		{name: "data modifying cte using a sibling cte over the target", sql: "WITH s AS (SELECT id FROM users), d AS (DELETE FROM users USING s WHERE users.id = s.id RETURNING 1) SELECT count(*) FROM d", want: at},
		{name: "merge from a subquery over the target", sql: "MERGE INTO users USING (SELECT * FROM users) s ON users.id = s.id WHEN MATCHED THEN DELETE", want: at},
		{name: "merge from the schema qualified target", sql: "MERGE INTO users USING public.users s ON users.id = s.id WHEN MATCHED THEN DELETE", want: at},
		{name: "delete with where commented out by a line comment", sql: "DELETE FROM users -- WHERE id = 1", want: nw},
		{name: "delete with where commented out by a block comment", sql: "DELETE FROM users /* WHERE id = 1 */", want: nw},
		{name: "delete from a table named truncate", sql: `DELETE FROM "truncate"`, want: nw},
	}
}

// corpusNullEquals: x = NULL is NULL for every row, but with the setting
// transform_null_equals on (from a SET, the startup options, ALTER
// DATABASE/ROLE ... SET or a function's SET clause, none of which bulwark
// sees for sure) the server reads it as x IS NULL. A statement is judged
// under both readings and refused when either reaches every row; checked on
// PostgreSQL 15.
func corpusNullEquals() []corpusCase {
	const dat, uat = "delete-always-true", "update-always-true"
	return []corpusCase{
		{name: "delete where a comparison with null is not null", sql: "DELETE FROM t WHERE (id = NULL) IS NOT NULL", want: dat,
			note: "never true by default; (id IS NULL) IS NOT NULL, true for every row, with transform_null_equals on"},
		{name: "delete where a comparison with null is null", sql: "DELETE FROM t WHERE (id = NULL) IS NULL", want: dat, note: "true for every row by default"},
		{name: "delete where a comparison with null is known", sql: "DELETE FROM t WHERE (id = NULL) IS NOT UNKNOWN", want: dat},
		{name: "delete where equals null or is not null", sql: "DELETE FROM t WHERE id = NULL OR id IS NOT NULL", want: dat},
		{name: "delete where null equals a column or it is not null", sql: "DELETE FROM t WHERE NULL = note OR note IS NOT NULL", want: dat},
		{name: "delete where null equals null", sql: "DELETE FROM t WHERE NULL = NULL", want: dat, note: "NULL IS NULL with transform_null_equals on"},
		{name: "update where a comparison with null is not null", sql: "UPDATE t SET note = NULL, amount = 0 WHERE (note = NULL) IS NOT NULL", want: uat},
		{name: "data modifying cte where a comparison with null is not null", sql: "WITH d AS (DELETE FROM t WHERE (id = NULL) IS NOT NULL RETURNING 1) SELECT count(*) FROM d", want: dat},
		{name: "merge on a comparison with null that is not null", sql: "MERGE INTO t USING s ON (t.id = NULL) IS NOT NULL WHEN MATCHED THEN DELETE", want: dat},
		{name: "function deleting where a comparison with null is not null", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELETE FROM t WHERE (id = NULL) IS NOT NULL'", want: dat},
		{name: "plpgsql deleting where equals null or is not null", sql: "DO $$ BEGIN DELETE FROM t WHERE id = NULL OR id IS NOT NULL; END $$", want: dat},
		{name: "delete where id in the table filtered by a comparison with null", sql: "DELETE FROM t WHERE id IN (SELECT id FROM t x WHERE (x.note = NULL) IS NOT NULL)", want: dat},
		// Bounded under both readings.
		{name: "delete where equals null", sql: "DELETE FROM t WHERE id = NULL", note: "nothing by default, the rows where id IS NULL with transform_null_equals on"},
		{name: "delete where null equals a column", sql: "DELETE FROM t WHERE NULL = id"},
		{name: "delete where not equals null", sql: "DELETE FROM t WHERE NOT (id = NULL)", note: "id IS NOT NULL with the setting: the documented limit"},
		{name: "delete where is null", sql: "DELETE FROM t WHERE note IS NULL"},
		{name: "delete where equals null and a key", sql: "DELETE FROM t WHERE (note = NULL) IS NOT NULL AND id = 5"},
		{name: "update setting null where a key", sql: "UPDATE t SET note = NULL WHERE id = 3"},
		{name: "delete where a qualified equals operator with null or is not null", sql: "DELETE FROM t WHERE id OPERATOR(pg_catalog.=) NULL OR id IS NOT NULL",
			note: "the server rewrites only an unqualified =; NULL OR id IS NOT NULL is bounded"},
		{name: "delete where a comparison with a cast null is not null", sql: "DELETE FROM t WHERE (id = NULL::int) IS NOT NULL",
			note: "the server rewrites only a bare NULL; a comparison with NULL::int is never true"},
	}
}

// corpusReducibleTautologies: conditions that reduce to x = x (or to a test
// OR its negation) through functions that return one of their arguments,
// comparisons with values no row has, and subqueries that read the whole
// table back; a bind parameter counts as any value, NULL included. Each
// refused form stands beside the bounded look-alikes that must pass.
func corpusReducibleTautologies() []corpusCase {
	const dat, uat = "delete-always-true", "update-always-true"
	return []corpusCase{
		{name: "delete where id equals coalesce of null and id", sql: "DELETE FROM t WHERE id = COALESCE(NULL, id)", want: dat},
		{name: "delete where id equals nullif of id and null", sql: "DELETE FROM t WHERE id = NULLIF(id, NULL)", want: dat},
		{name: "delete where id equals greatest of id and id", sql: "DELETE FROM t WHERE id = GREATEST(id, id)", want: dat},
		{name: "delete where id equals least of id", sql: "DELETE FROM t WHERE id = LEAST(id)", want: dat},
		{name: "delete where id equals all of an array of itself", sql: "DELETE FROM t WHERE id = ALL(ARRAY[id])", want: dat},
		{name: "delete where id is at most any of an array of itself", sql: "DELETE FROM t WHERE id <= ANY(ARRAY[id, 0])", want: dat},
		{name: "delete where id equals a case whose first branch is true", sql: "DELETE FROM t WHERE id = CASE WHEN true THEN id END", want: dat},
		{name: "delete where id equals a case past a false branch", sql: "DELETE FROM t WHERE id = CASE WHEN false THEN 0 WHEN 1 = 1 THEN id END", want: dat},
		{name: "delete where a column equals itself collated or is null", sql: `DELETE FROM t WHERE note = note COLLATE "C" OR note IS NULL`, want: dat},
		{name: "delete where ctid differs from offset zero", sql: "DELETE FROM t WHERE ctid <> '(0,0)'", want: dat, note: "no row has offset 0"},
		{name: "delete where ctid is above the first tid", sql: "DELETE FROM t WHERE '(0,1)' <= ctid", want: dat},
		{name: "delete where xmin is not the invalid transaction", sql: "DELETE FROM t WHERE xmin <> '0'", want: dat},
		{name: "delete where a comparison is known", sql: "DELETE FROM t WHERE (id > 3) IS NOT UNKNOWN", want: dat, note: "id > 3 OR id <= 3"},
		{name: "delete where a comparison is not null", sql: "DELETE FROM t WHERE (id = 5) IS NOT NULL", want: dat},
		{name: "delete where like everything or is null", sql: "DELETE FROM t WHERE note LIKE '%' OR note IS NULL", want: dat},
		{name: "delete where an empty regular expression or is null", sql: "DELETE FROM t WHERE note ~ '' OR note IS NULL", want: dat},
		{name: "delete where id in the table except a constant", sql: "DELETE FROM t WHERE id IN (SELECT id FROM t EXCEPT SELECT -1)", want: dat},
		{name: "delete where id in a full table sample", sql: "DELETE FROM t WHERE id IN (SELECT id FROM t TABLESAMPLE SYSTEM (100))", want: dat},
		{name: "delete where id in a table sample of a parameter", sql: "DELETE FROM t WHERE id IN (SELECT id FROM t TABLESAMPLE BERNOULLI ($1))", want: dat},
		{name: "delete where id in the maximum of each id", sql: "DELETE FROM t WHERE id IN (SELECT max(id) FROM t GROUP BY id)", want: dat},
		{name: "delete where id in the minimum of each qualified id", sql: "DELETE FROM t WHERE id IN (SELECT min(id) FROM t GROUP BY t.id)", want: dat},
		{name: "delete where id in the maximum of each qualified id by its own name", sql: "DELETE FROM t WHERE id IN (SELECT max(y.id) FROM t y GROUP BY id)", want: dat},
		{name: "delete where id in the minimum of each qualified parent", sql: "DELETE FROM t WHERE id IN (SELECT min(id) FROM t GROUP BY t.parent_id)"},
		{name: "delete where a row at or above exists", sql: "DELETE FROM t WHERE EXISTS (SELECT FROM t x WHERE x.id >= t.id)", want: dat},
		{name: "delete where id in a field of the whole row", sql: "DELETE FROM t WHERE id IN (SELECT (t2).id FROM t t2)", want: dat},
		{name: "update where id equals coalesce of null and id", sql: "UPDATE t SET note = 'x' WHERE id = COALESCE(NULL, id)", want: uat},
		{name: "merge on coalesce of null and the source id", sql: "MERGE INTO t USING t s ON t.id = COALESCE(NULL, s.id) WHEN MATCHED THEN DELETE", want: dat},
		{name: "merge from the table except a constant", sql: "MERGE INTO t USING (SELECT id FROM t EXCEPT SELECT -1) s ON t.id = s.id WHEN MATCHED THEN DELETE", want: dat},
		{name: "upsert of a full table sample into itself", sql: "INSERT INTO t SELECT * FROM t TABLESAMPLE SYSTEM (100) ON CONFLICT (id) DO UPDATE SET note = NULL", want: uat},
		{name: "data modifying cte where id equals all of an array of itself", sql: "WITH d AS (DELETE FROM t WHERE id = ALL(ARRAY[id]) RETURNING 1) SELECT count(*) FROM d", want: dat},
		// A parameter may be bound to NULL (or true): the optional filter.
		{name: "delete where id equals coalesce of a parameter and id", sql: "DELETE FROM t WHERE id = COALESCE($1, id)", want: dat, note: "every row once $1 is bound to NULL"},
		{name: "update where a column equals coalesce of a cast parameter and itself", sql: "UPDATE t SET note = 'x' WHERE note = COALESCE($1::text, note)", want: uat},
		{name: "delete where id equals greatest of a parameter and id", sql: "DELETE FROM t WHERE id = GREATEST($1, id)", want: dat},
		{name: "delete where id equals nullif of id and a parameter", sql: "DELETE FROM t WHERE id = NULLIF(id, $1)", want: dat},
		{name: "delete where id equals a case on a parameter", sql: "DELETE FROM t WHERE id = CASE WHEN $1 THEN id ELSE 0 END", want: dat},
		{name: "delete where id is between coalesces of parameters and id", sql: "DELETE FROM t WHERE id BETWEEN COALESCE($1, id) AND COALESCE($2, id)", want: dat},
		// Bounded look-alikes.
		{name: "delete where id equals a parameter", sql: "DELETE FROM t WHERE id = $1"},
		{name: "delete where id equals coalesce of a parameter and a constant", sql: "DELETE FROM t WHERE id = COALESCE($1, 0)"},
		{name: "delete where a column equals coalesce of a parameter and a string", sql: "DELETE FROM t WHERE note = COALESCE($1, 'x')"},
		{name: "delete where id equals coalesce of a constant and id", sql: "DELETE FROM t WHERE id = COALESCE(5, id)", note: "id = 5"},
		{name: "delete where id equals coalesce of another column and id", sql: "DELETE FROM t WHERE id = COALESCE(parent_id, id)"},
		{name: "delete where id equals greatest of a parameter and a constant", sql: "DELETE FROM t WHERE id = GREATEST($1, 0)"},
		{name: "delete where id equals greatest of id and a constant", sql: "DELETE FROM t WHERE id = GREATEST(id, 0)", note: "id >= 0"},
		{name: "delete where id equals nullif of id and a constant", sql: "DELETE FROM t WHERE id = NULLIF(id, 5)", note: "id <> 5"},
		{name: "delete where id equals a case on the row", sql: "DELETE FROM t WHERE id = CASE WHEN id > 3 THEN id ELSE 0 END"},
		{name: "delete where id is any of a parameter array", sql: "DELETE FROM t WHERE id = ANY($1::int[])"},
		{name: "delete where id is below all of an array of itself", sql: "DELETE FROM t WHERE id < ALL(ARRAY[id])", note: "never true"},
		{name: "delete where ctid is one tid", sql: "DELETE FROM t WHERE ctid = '(0,3)'"},
		{name: "delete where ctid is not one tid", sql: "DELETE FROM t WHERE ctid <> '(0,3)'", note: "every row but one: bounded like id <> 5"},
		{name: "delete where like a prefix", sql: "DELETE FROM t WHERE note LIKE 'a%'"},
		{name: "delete where like a prefix or is null", sql: "DELETE FROM t WHERE note LIKE 'a%' OR note IS NULL"},
		{name: "delete where a comparison is unknown", sql: "DELETE FROM t WHERE (id > 3) IS NULL", note: "id IS NULL"},
		{name: "delete where id in a filtered table", sql: "DELETE FROM t WHERE id IN (SELECT id FROM t WHERE note = 'x')"},
		{name: "delete where id in another table", sql: "DELETE FROM t WHERE id IN (SELECT id FROM other)"},
		{name: "delete where id in the table except another table", sql: "DELETE FROM t WHERE id IN (SELECT id FROM t EXCEPT SELECT id FROM keep)", note: "like id NOT IN (SELECT id FROM keep)"},
		{name: "delete where id in the table except a series", sql: "DELETE FROM t WHERE id IN (SELECT id FROM t EXCEPT SELECT generate_series(1, 100))"},
		{name: "delete where id in a tenth of the table", sql: "DELETE FROM t WHERE id IN (SELECT id FROM t TABLESAMPLE SYSTEM (10))"},
		{name: "delete where id is the maximum", sql: "DELETE FROM t WHERE id IN (SELECT max(id) FROM t)"},
		{name: "delete where id in the maximum of each group of another column", sql: "DELETE FROM t WHERE id IN (SELECT max(id) FROM t GROUP BY note)", note: "one id per note"},
		{name: "delete where a row above exists", sql: "DELETE FROM t WHERE EXISTS (SELECT FROM t x WHERE x.id > t.id)", note: "every row but the last"},
		{name: "delete where a related row exists", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.t_id = t.id)"},
	}
}

// corpusValueLists: ANY of an empty array is false and ALL of one true for
// every row; a comparison with a list or array of only NULLs is NULL for
// every row; and more spellings of x = x (format('%s', x), (ARRAY[x])[1], a
// remainder tested against every value it can have, SIMILAR TO '%',
// unnest(array_agg(x)) of the whole table, BETWEEN SYMMETRIC with its
// bounds in either order). Checked on PostgreSQL 15.
func corpusValueLists() []corpusCase {
	const dat, uat = "delete-always-true", "update-always-true"
	return []corpusCase{
		{name: "delete where id equals all of an empty array literal", sql: "DELETE FROM t WHERE id = ALL('{}')", want: dat, note: "ALL of no element is true, NULLs too"},
		{name: "update where id is not any of an empty array literal", sql: "UPDATE t SET note = NULL, amount = 0 WHERE NOT id = ANY('{}')", want: uat},
		{name: "delete where id differs from all of an empty cast array", sql: "DELETE FROM t WHERE id <> ALL(ARRAY[]::int[])", want: dat},
		{name: "delete where not any of an empty array", sql: "DELETE FROM t WHERE NOT (id = ANY(ARRAY[]::int[]))", want: dat},
		{name: "delete where id differs from all of an optional array", sql: "DELETE FROM t WHERE id <> ALL(COALESCE($1, '{}'))", want: dat, note: "every row once $1 is bound to NULL"},
		{name: "delete where in a list of null is null", sql: "DELETE FROM t WHERE (id IN (NULL)) IS NULL", want: dat},
		{name: "delete where not in a list of nulls is unknown", sql: "DELETE FROM t WHERE (id NOT IN (NULL, NULL)) IS UNKNOWN", want: dat},
		{name: "delete where any of an array of null is not true", sql: "DELETE FROM t WHERE id = ANY(ARRAY[NULL]::int[]) IS NOT TRUE", want: dat},
		{name: "delete where any of a literal of nulls is not true", sql: "DELETE FROM t WHERE id = ANY('{NULL, null}') IS NOT TRUE", want: dat},
		{name: "delete where a comparison with null is not false", sql: "DELETE FROM t WHERE (id = NULL) IS NOT FALSE", want: dat, note: "NULL IS NOT FALSE is true"},
		{name: "delete where a column equals its format", sql: "DELETE FROM t WHERE note = format('%s', note)", want: dat},
		{name: "delete where id equals the first element of an array of itself", sql: "DELETE FROM t WHERE id = (ARRAY[id])[1]", want: dat},
		{name: "delete where id equals the second element of an array", sql: "DELETE FROM t WHERE id = (ARRAY[0, id])[2]", want: dat},
		{name: "delete where a remainder by two is in every value it can have", sql: "DELETE FROM t WHERE id % 2 IN (0, 1, -1)", want: dat},
		{name: "delete where mod by three is any of every value it can have", sql: "DELETE FROM t WHERE mod(id, 3) = ANY(ARRAY[2, 1, 0, -1, -2])", want: dat},
		{name: "delete where similar to everything or is null", sql: "DELETE FROM t WHERE note SIMILAR TO '%' OR note IS NULL", want: dat},
		{name: "delete where id in the unnested aggregate of the table", sql: "DELETE FROM t WHERE id IN (SELECT unnest(array_agg(id)) FROM t)", want: dat},
		{name: "delete where id in the unnested aggregate of each group", sql: "DELETE FROM t WHERE id IN (SELECT unnest(array_agg(id)) FROM t GROUP BY note)", want: dat},
		{name: "delete where between symmetric or not between its bounds swapped", sql: "DELETE FROM t WHERE id BETWEEN SYMMETRIC 10 AND -10 OR id NOT BETWEEN SYMMETRIC -10 AND 10", want: dat},
		{name: "merge on any of an empty array negated", sql: "MERGE INTO t USING s ON NOT t.id = ANY('{}') WHEN MATCHED THEN DELETE", want: dat},
		// Bounded look-alikes.
		{name: "delete where id is any of an array literal", sql: "DELETE FROM t WHERE id = ANY('{1,2}')"},
		{name: "delete where id differs from all of an array literal", sql: "DELETE FROM t WHERE id <> ALL('{1,2}')", note: "like NOT IN (1, 2)"},
		{name: "delete where id differs from all of a parameter", sql: "DELETE FROM t WHERE id <> ALL($1::int[])", note: "like NOT IN (...); see the rule reference"},
		{name: "delete where id is any of an empty array", sql: "DELETE FROM t WHERE id = ANY('{}')", note: "no row"},
		{name: "delete where id is in a list of null", sql: "DELETE FROM t WHERE id IN (NULL)", note: "no row"},
		{name: "delete where in a list of a value and null is null", sql: "DELETE FROM t WHERE (id IN (NULL, 1)) IS NULL", note: "every row but id 1"},
		{name: "delete where any of an array of null and a value is not true", sql: "DELETE FROM t WHERE id = ANY('{NULL,1}') IS NOT TRUE"},
		{name: "delete where not a null array test is null", sql: "DELETE FROM t WHERE NOT (id = ANY('{NULL}')) IS NULL", note: "NOT binds looser than IS NULL: NOT true, no row"},
		{name: "delete where a comparison with null is false", sql: "DELETE FROM t WHERE (id = NULL) IS FALSE", note: "no row"},
		{name: "delete where a column equals a format of it with a suffix", sql: "DELETE FROM t WHERE note = format('%s!', note)"},
		{name: "delete where id equals another element of an array of itself", sql: "DELETE FROM t WHERE id = (ARRAY[0, id])[1]"},
		{name: "delete where id equals an element past the end", sql: "DELETE FROM t WHERE id = (ARRAY[id])[2]"},
		{name: "delete where a remainder by two is zero", sql: "DELETE FROM t WHERE id % 2 = 0"},
		{name: "delete where a remainder by two is in the non-negative values", sql: "DELETE FROM t WHERE id % 2 IN (0, 1)", note: "not the negative odd ids"},
		{name: "delete where a remainder by three misses a value", sql: "DELETE FROM t WHERE id % 3 IN (0, 1, -1, 2)"},
		{name: "delete where similar to a prefix", sql: "DELETE FROM t WHERE note SIMILAR TO 'a%'"},
		{name: "delete where similar to a non-empty value or is null", sql: "DELETE FROM t WHERE note SIMILAR TO '_%' OR note IS NULL"},
		{name: "delete where id in a filtered subquery", sql: "DELETE FROM t WHERE id IN (SELECT id FROM t WHERE id > 3)"},
		{name: "delete where id in a filtered unnested aggregate", sql: "DELETE FROM t WHERE id IN (SELECT unnest(array_agg(id) FILTER (WHERE id > 3)) FROM t)"},
		{name: "delete where id in the unnested aggregate of another table", sql: "DELETE FROM t WHERE id IN (SELECT unnest(array_agg(id)) FROM other)"},
		{name: "delete where between symmetric", sql: "DELETE FROM t WHERE id BETWEEN SYMMETRIC 1 AND 5"},
		{name: "delete where between symmetric or not between other bounds", sql: "DELETE FROM t WHERE id BETWEEN SYMMETRIC 10 AND -10 OR id NOT BETWEEN SYMMETRIC -10 AND 11"},
		{name: "delete where a column is not null", sql: "DELETE FROM t WHERE deleted_at IS NOT NULL", note: "a test of the column's content: a real filter"},
	}
}

// corpusParameterIdentities: a bind parameter or a routine's parameter may
// be bound to any value, NULL included; where some value makes the compared
// expression the column itself (CASE $1 WHEN ... ELSE x END when $1 is NULL,
// x + $1 when it is 0, x * $1 when it is 1, x || $1 when it is the empty
// string), the condition can be x = x. Checked on PostgreSQL 15.
func corpusParameterIdentities() []corpusCase {
	const dat, uat = "delete-always-true", "update-always-true"
	return []corpusCase{
		{name: "delete where id equals a simple case on a parameter", sql: "DELETE FROM t WHERE id = CASE $1::int WHEN 1 THEN 0 ELSE id END", want: dat},
		{name: "delete where id equals a simple case on a constant", sql: "DELETE FROM t WHERE id = CASE 1 WHEN 1 THEN id END", want: dat},
		{name: "delete where id is any of an optional array of itself", sql: "DELETE FROM t WHERE id = ANY(coalesce($1::int[], ARRAY[id]))", want: dat},
		{name: "delete where id equals itself plus a parameter", sql: "DELETE FROM t WHERE id = id + $1::int", want: dat, note: "every row once $1 is bound to 0"},
		{name: "delete where id equals a parameter plus itself", sql: "DELETE FROM t WHERE id = $1 + id", want: dat},
		{name: "update where id equals itself plus a cast zero", sql: "UPDATE t SET amount = 0 WHERE id = id + 0::int", want: uat, note: "a client writes a bound 0 into the text so"},
		{name: "update where id equals itself plus a cast zero string", sql: "UPDATE t SET amount = 0 WHERE id = id + '0'::int", want: uat},
		{name: "delete where id equals itself minus a parameter", sql: "DELETE FROM t WHERE id = id - $1", want: dat},
		{name: "delete where id equals itself times a parameter", sql: "DELETE FROM t WHERE id = id * $1", want: dat},
		{name: "delete where id equals itself divided by a parameter", sql: "DELETE FROM t WHERE id = id / $1", want: dat},
		{name: "delete where a column equals itself with a parameter appended", sql: "DELETE FROM t WHERE note = note || $1", want: dat},
		{name: "delete where id equals greatest of itself and a parameter", sql: "DELETE FROM t WHERE id = greatest(id, $1)", want: dat},
		{name: "delete where id equals least of itself and a parameter", sql: "DELETE FROM t WHERE id = least(id, $1)", want: dat},
		{name: "update where id equals itself plus a parameter", sql: "UPDATE t SET note = 'x' WHERE id = id + $1", want: uat},
		{name: "function deleting where id equals itself plus its parameter", sql: "CREATE FUNCTION f(d int) RETURNS void LANGUAGE sql AS 'DELETE FROM t WHERE id = id + d'", want: dat},
		// Bounded look-alikes.
		{name: "delete where id equals a parameter plus one", sql: "DELETE FROM t WHERE id = $1 + 1"},
		{name: "delete where id equals a parameter minus itself", sql: "DELETE FROM t WHERE id = $1 - id"},
		{name: "delete where id equals another column plus a parameter", sql: "DELETE FROM t WHERE id = parent_id + $1"},
		{name: "delete where id equals itself plus one", sql: "DELETE FROM t WHERE id = id + 1", note: "no row"},
		{name: "delete where id equals itself times two", sql: "DELETE FROM t WHERE id = id * 2", note: "id 0"},
		{name: "delete where id equals itself plus a cast one", sql: "DELETE FROM t WHERE id = id + '1'::int"},
		{name: "delete where id equals a simple case of constants", sql: "DELETE FROM t WHERE id = CASE $1 WHEN 1 THEN 0 ELSE 5 END"},
		{name: "delete where id equals a simple case on the row", sql: "DELETE FROM t WHERE id = CASE id WHEN 1 THEN id END"},
		{name: "delete where id equals a simple case on another constant", sql: "DELETE FROM t WHERE id = CASE 2 WHEN 1 THEN id END", note: "NULL: no row"},
		{name: "delete where id is any of an optional array of constants", sql: "DELETE FROM t WHERE id = ANY(coalesce($1::int[], ARRAY[5]))"},
		{name: "delete where id is any of a parameter", sql: "DELETE FROM t WHERE id = ANY($1)", note: "a bound array is a bounded list, like IN (...)"},
		{name: "delete where id equals itself plus a parameter and a key", sql: "DELETE FROM t WHERE id = id + $1 AND id = 5"},
		{name: "update from a table where an amount equals itself times a rate", sql: "UPDATE t SET amount = 1 FROM s WHERE t.amount = t.amount * s.rate", note: "the rate differs between joined rows"},
		{name: "function deleting where id equals its parameter", sql: "CREATE FUNCTION f(d int) RETURNS void LANGUAGE sql AS 'DELETE FROM t WHERE id = d'"},
	}
}

// corpusOffsets: a column compared with itself moved by a constant,
// x < x + 1, is true for every row where x is not NULL, the standard of
// x = x; x = x + 1 and x < x - 1 are true for none. A parameter as the
// offset may be bound to any value, one that makes the comparison true for
// every row among them. Checked on PostgreSQL 15.
func corpusOffsets() []corpusCase {
	const dat, uat = "delete-always-true", "update-always-true"
	return []corpusCase{
		{name: "delete where id is below itself plus one", sql: "DELETE FROM t WHERE id < id + 1", want: dat},
		{name: "delete where id is below itself plus two halves", sql: "DELETE FROM t WHERE id < id + 2/2", want: dat, note: "integer arithmetic of literals is read as its value"},
		{name: "delete where id equals itself plus a difference of zero", sql: "DELETE FROM t WHERE id = id + (3 - 3)", want: dat},
		{name: "delete where id is below itself plus a product", sql: "DELETE FROM t WHERE id < id + 2 * 1", want: dat},
		{name: "delete where id is above itself minus a remainder", sql: "DELETE FROM t WHERE id > id - 7 % 4", want: dat},
		{name: "update where id is below itself plus a string three halved", sql: "UPDATE t SET note = 'x' WHERE id < id + '3'/2", want: uat, note: "'3' reads as an integer: 3/2 is 1"},
		{name: "delete where id is between itself moved by two halves", sql: "DELETE FROM t WHERE id BETWEEN id - 2/2 AND id + 2/2", want: dat},
		{name: "delete where id is below itself plus one integer half", sql: "DELETE FROM t WHERE id < id + 1/2", note: "integer division: 1/2 is 0, no row"},
		{name: "delete where id differs from itself plus a half", sql: "DELETE FROM t WHERE id <> id + 1/2", note: "no row"},
		{name: "delete where id is below itself plus a numeric half", sql: "DELETE FROM t WHERE id < id + 1::numeric/2", want: dat,
			note: "a value not computed here but the same for every row (see fixedValue) decides for every row alike"},
		{name: "delete where a timestamp is below itself plus an interval", sql: "DELETE FROM t WHERE created < created + interval '1 day'", want: dat},
		{name: "delete where a timestamp is below itself plus an untyped string", sql: "DELETE FROM t WHERE created < created + '1 day'", want: dat,
			note: "the server reads '1 day' as an interval"},
		{name: "update where a timestamp minus a cast interval is below itself", sql: "UPDATE t SET note = 'x' WHERE created - '1 day'::interval < created", want: uat},
		{name: "delete where a timestamp is at most itself plus a made interval", sql: "DELETE FROM t WHERE created <= created + make_interval(days => 1)", want: dat},
		{name: "delete where a timestamp plus an interval differs from it", sql: "DELETE FROM t WHERE created + interval '1 day' <> created", want: dat},
		{name: "delete where a date is below itself plus a length", sql: "DELETE FROM t WHERE d < d + length('ab')", want: dat},
		{name: "delete where id is below itself plus a function of a literal", sql: "DELETE FROM t WHERE id < id + abs(1)", want: dat},
		{name: "delete where id is below itself plus pi", sql: "DELETE FROM t WHERE id < id + pi()", want: dat},
		{name: "delete where id is below itself plus the user name's length", sql: "DELETE FROM t WHERE id < id + length(current_user)", want: dat},
		{name: "delete where id is below itself plus the table's count", sql: "DELETE FROM t WHERE id < id + (SELECT count(*) FROM t)", want: dat,
			note: "an uncorrelated subquery that reads no column is one value for every row"},
		{name: "delete where id is below itself plus a random number", sql: "DELETE FROM t WHERE id < id + random()", want: dat},
		{name: "delete where id minus a function of zero is itself", sql: "DELETE FROM t WHERE id - abs(0) = id", want: dat},
		{name: "delete where id times a function of one is itself", sql: "DELETE FROM t WHERE id * abs(1) = id", want: dat},
		{name: "delete where id over a function of one is itself", sql: "DELETE FROM t WHERE id / abs(1) = id", want: dat},
		{name: "delete where a text and a function's empty string is itself", sql: "DELETE FROM t WHERE note || lower('') = note", want: dat},
		{name: "delete where id is between itself moved by a function", sql: "DELETE FROM t WHERE id BETWEEN id - abs(1) AND id + abs(1)", want: dat},
		{name: "delete where id is in a list of itself plus a function of zero", sql: "DELETE FROM t WHERE id IN (id + abs(0))", want: dat},
		{name: "delete where id is the least of itself and itself plus a function", sql: "DELETE FROM t WHERE id = least(id, id + abs(1))", want: dat},
		{name: "delete where id is nullif of itself and itself plus a function", sql: "DELETE FROM t WHERE id = nullif(id, id + abs(1))", want: dat},
		{name: "delete where id equals itself plus a function of one", sql: "DELETE FROM t WHERE id = id + abs(1)", want: dat,
			note: "no row, refused on the safe side: the value is not computed here, and 0 would be every row"},
		{name: "delete where id plus one minus id is positive", sql: "DELETE FROM t WHERE id + 1 - id > 0", want: dat},
		{name: "update where a half added and id taken away is below one", sql: "UPDATE t SET note = 'x' WHERE (id + 0.5) - id < 1", want: uat},
		{name: "delete where id plus a parameter minus id is positive", sql: "DELETE FROM t WHERE id + $1 - id > 0", want: dat,
			note: "the row cancels out: the parameter decides for every row alike"},
		{name: "delete where id plus one minus id is two", sql: "DELETE FROM t WHERE id + 1 - id = 2", note: "no row"},
		{name: "delete where id plus one minus another column is positive", sql: "DELETE FROM t WHERE id + 1 - parent_id > 0"},
		{name: "delete where the whole row as text equals itself written otherwise", sql: "DELETE FROM t WHERE (t.*)::text = t::text", want: dat},
		{name: "update where an aliased row as json equals itself", sql: "UPDATE t AS x SET note = 'x' WHERE to_jsonb(x) = to_jsonb(x.*)", want: uat},
		{name: "delete where the whole row as text equals a value", sql: "DELETE FROM t WHERE t::text = '(1,a)'"},
		{name: "delete where the equality function of a column with itself", sql: "DELETE FROM t WHERE int4eq(id, id)", want: dat},
		{name: "update where id equals the addition function of itself and zero", sql: "UPDATE t SET note = 'x' WHERE id = pg_catalog.int8pl(id, 0)", want: uat},
		{name: "delete where a text is at most itself by its function", sql: "DELETE FROM t WHERE text_le(note, note)", want: dat},
		{name: "delete where id is below itself plus one by the functions", sql: "DELETE FROM t WHERE int4lt(id, int4pl(id, 1))", want: dat},
		{name: "delete where the equality function of a column and a value", sql: "DELETE FROM t WHERE int4eq(id, 5)"},
		{name: "delete where a function of another schema of that name", sql: "DELETE FROM t WHERE app.int4eq(id, id)", note: "not the built-in function"},
		{name: "delete where a row is below itself moved by one", sql: "DELETE FROM t WHERE (id, k) < (id + 1, k)", want: dat},
		{name: "update where a row is below itself moved in its second field", sql: "UPDATE t SET note = 'x' WHERE (k, id) < (k, id + 1)", want: uat},
		{name: "delete where a row is at most itself", sql: "DELETE FROM t WHERE (id, k) <= (id, k)", want: dat},
		{name: "delete where a row is below itself moved by a parameter", sql: "DELETE FROM t WHERE (id, k) < (id + $1, k)", want: dat},
		{name: "delete where a row is above itself moved by one", sql: "DELETE FROM t WHERE (id, k) > (id + 1, k)", note: "no row"},
		{name: "delete where a row is below itself", sql: "DELETE FROM t WHERE (id, k) < (id, k)", note: "no row"},
		{name: "delete after a keyset", sql: "DELETE FROM t WHERE (created_at, id) > ($1, $2)", note: "keyset pagination"},
		{name: "delete where a row is below another column's", sql: "DELETE FROM t WHERE (id, k) < (parent_id, k)"},
		{name: "a DO block deleting every row of a loop over the table", sql: "DO $$DECLARE r record; BEGIN FOR r IN SELECT id FROM t LOOP DELETE FROM t WHERE id = r.id; END LOOP; END$$", want: dat,
			note: "the loop visits every row, and the DELETE follows it"},
		{name: "a function updating every row of a loop over the table", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$DECLARE v int; BEGIN FOR v IN SELECT id FROM t LOOP UPDATE t SET note = NULL WHERE id = v; END LOOP; END$$", want: uat},
		{name: "a DO block deleting the rows of a filtered loop", sql: "DO $$DECLARE r record; BEGIN FOR r IN SELECT id FROM t WHERE created < now() - interval '1 year' LOOP DELETE FROM t WHERE id = r.id; END LOOP; END$$"},
		{name: "a DO block deleting in another table for each row", sql: "DO $$DECLARE r record; BEGIN FOR r IN SELECT id FROM t LOOP DELETE FROM audit WHERE id = r.id; END LOOP; END$$"},
		{name: "a DO block deleting over a counted loop", sql: "DO $$BEGIN FOR i IN 1..10 LOOP DELETE FROM t WHERE id = i; END LOOP; END$$"},
		{name: "a DO block deleting the least id until none is left", sql: "DO $$BEGIN LOOP DELETE FROM t WHERE id = (SELECT min(id) FROM t); EXIT WHEN NOT FOUND; END LOOP; END$$", want: dat,
			note: "each pass takes one row from what the table returns, until it returns none"},
		{name: "a DO block deleting batches while rows remain", sql: "DO $$BEGIN WHILE EXISTS (SELECT 1 FROM t) LOOP DELETE FROM t WHERE id IN (SELECT id FROM t LIMIT 1000); END LOOP; END$$", want: dat},
		{name: "a DO block deleting a batch of row addresses in a loop", sql: "DO $$BEGIN LOOP DELETE FROM t WHERE ctid = ANY (ARRAY(SELECT ctid FROM t LIMIT 3)); EXIT WHEN NOT FOUND; END LOOP; END$$", want: dat},
		{name: "a DO block deleting the first row address in a counted loop", sql: "DO $$BEGIN FOR i IN 1..1000000 LOOP DELETE FROM t WHERE ctid = (SELECT ctid FROM ONLY t LIMIT 1); END LOOP; END$$", want: dat},
		{name: "a function updating the greatest of an aliased table in a loop", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$BEGIN LOOP UPDATE t x SET note = NULL WHERE x.id = (SELECT max(y.id) FROM t y); EXIT WHEN NOT FOUND; END LOOP; END$$", want: uat},
		{name: "a DO block deleting in a loop over an array", sql: "DO $$DECLARE v int; BEGIN FOREACH v IN ARRAY ARRAY[1, 2] LOOP DELETE FROM t WHERE id IN (SELECT id FROM t ORDER BY id LIMIT 10); END LOOP; END$$", want: dat},
		{name: "a DO block deleting filtered batches in a loop", sql: "DO $$BEGIN LOOP DELETE FROM t WHERE id IN (SELECT id FROM t WHERE created < now() - interval '30 days' LIMIT 1000); EXIT WHEN NOT FOUND; END LOOP; END$$",
			note: "the batches are bounded by the filter"},
		{name: "a DO block deleting the least id once", sql: "DO $$BEGIN DELETE FROM t WHERE id = (SELECT min(id) FROM t); END$$", note: "one row: no loop"},
		{name: "a DO block deleting the least id of another table in a loop", sql: "DO $$BEGIN LOOP DELETE FROM t WHERE id = (SELECT min(id) FROM k); EXIT WHEN NOT FOUND; END LOOP; END$$"},
		{name: "a DO block deleting the same row's own value in a loop", sql: "DO $$BEGIN LOOP DELETE FROM t WHERE id = (SELECT min(x.id) FROM t x WHERE x.id > t.id); EXIT WHEN NOT FOUND; END LOOP; END$$",
			note: "correlated with the row being deleted, not a batch of the table"},
		{name: "a DO block deleting another column's least value in a loop", sql: "DO $$BEGIN LOOP DELETE FROM t WHERE parent_id < (SELECT min(id) FROM t); EXIT WHEN NOT FOUND; END LOOP; END$$"},
		{name: "delete where id equals a simple case of itself", sql: "DELETE FROM t WHERE id = CASE id WHEN 1 THEN 1 ELSE id END", want: dat},
		{name: "delete where id equals a case whose every result is id", sql: "DELETE FROM t WHERE id = CASE WHEN id > 0 THEN id ELSE id END", want: dat},
		{name: "delete where id equals a simple case that changes one value", sql: "DELETE FROM t WHERE id = CASE id WHEN 1 THEN 2 ELSE id END", note: "every row but id 1"},
		{name: "delete where id equals itself or itself", sql: "DELETE FROM t WHERE id = id | id", want: dat},
		// Functions that return their argument for every value, or for
		// the values a column commonly holds all of.
		{name: "delete where note equals its substring from one", sql: "DELETE FROM t WHERE note = substr(note, 1)", want: dat, note: "every value"},
		{name: "delete where note equals its substring from position one", sql: "DELETE FROM t WHERE note = substring(note FROM 1)", want: dat},
		{name: "delete where note equals its substring from zero", sql: "DELETE FROM t WHERE substr(note, 0) = note", want: dat},
		{name: "delete where note equals its left part of its own length", sql: "DELETE FROM t WHERE note = left(note, length(note))", want: dat},
		{name: "update where note equals its right part of its character length", sql: "UPDATE t SET k = 0 WHERE note = right(note, char_length(note))", want: uat},
		{name: "delete where note equals its padding to its own length", sql: "DELETE FROM t WHERE note = rpad(note, character_length(note))", want: dat},
		{name: "delete where note equals its left part of a varchar length", sql: "DELETE FROM t WHERE note = left(note, 255)", want: dat,
			note: "every value of a varchar(255) column"},
		{name: "delete where note equals its longest left part", sql: "DELETE FROM t WHERE note = left(note, 2147483647)", want: dat},
		{name: "delete where note equals a long substring from one", sql: "DELETE FROM t WHERE note = substr(note, 1, 100000000)", want: dat},
		{name: "delete where note equals its left part of a parameter's length", sql: "DELETE FROM t WHERE note = left(note, $1)", want: dat},
		{name: "delete where code equals its zero padding", sql: "DELETE FROM t WHERE note = lpad(note, 5, '0')", want: dat, note: "every value of a column of 5-character codes"},
		{name: "delete where note equals its lower case", sql: "DELETE FROM t WHERE note = lower(note)", want: dat, note: "every value stored in lower case, as e-mail addresses often all are"},
		{name: "update where note equals its upper case the other way round", sql: "UPDATE t SET k = 0 WHERE upper(note) = note", want: uat},
		{name: "delete where note equals its trimmed self", sql: "DELETE FROM t WHERE note = btrim(note)", want: dat},
		{name: "delete where note equals its trim", sql: "DELETE FROM t WHERE note = trim(note)", want: dat},
		{name: "delete where note equals its trim of given characters", sql: "DELETE FROM t WHERE note = rtrim(note, '.')", want: dat},
		{name: "delete where note equals its first field", sql: "DELETE FROM t WHERE note = split_part(note, ',', 1)", want: dat},
		{name: "delete where note equals a replacement in it", sql: "DELETE FROM t WHERE note = replace(note, '-', '')", want: dat},
		{name: "delete where note equals a pattern replacement in it", sql: "DELETE FROM t WHERE note = regexp_replace(note, '[ ]+$', '')", want: dat},
		{name: "delete where note equals its normal form", sql: "DELETE FROM t WHERE note = normalize(note)", want: dat},
		{name: "delete where id equals its absolute value", sql: "DELETE FROM t WHERE id = abs(id)", want: dat, note: "every positive key"},
		{name: "delete where id equals its rounding", sql: "DELETE FROM t WHERE id = round(id)", want: dat, note: "every integer"},
		{name: "delete where id equals its qualified floor", sql: "DELETE FROM t WHERE id = pg_catalog.floor(id)", want: dat},
		{name: "delete where id is at most its truncation to two places", sql: "DELETE FROM t WHERE id <= trunc(id, 2)", want: dat},
		{name: "delete where a text cut to one character equals itself", sql: "DELETE FROM users WHERE email::varchar(1) = email", want: dat,
			note: "every value of a column of one-character codes ('Y', 'N'), as left(x, 1) = x"},
		{name: "delete where created equals its day", sql: "DELETE FROM t WHERE created = date_trunc('day', created)", want: dat, note: "every timestamp at midnight: a column of dates kept as timestamps"},
		{name: "delete where created is at least its month", sql: "DELETE FROM t WHERE created >= date_trunc('month', created)", want: dat},
		{name: "delete where note equals its cast to a short varchar", sql: "DELETE FROM t WHERE note = note::varchar(10)", want: dat},
		{name: "update where a price equals its cast to two decimals", sql: "UPDATE t SET k = 0 WHERE price = CAST(price AS numeric(10, 2))", want: uat, note: "every price in cents"},
		{name: "delete where note differs from its cast to a short varchar", sql: "DELETE FROM t WHERE note <> note::varchar(10)", note: "the values longer than 10 characters"},
		{name: "delete where created equals the day of another column", sql: "DELETE FROM t WHERE created = date_trunc('day', other)"},
		{name: "delete where note is not distinct from its lower case", sql: "DELETE FROM t WHERE NOT (note <> lower(note))", want: dat, note: "is note = lower(note)"},
		{name: "delete where note differs from its lower case", sql: "DELETE FROM t WHERE note <> lower(note)", note: "the values not yet in lower case: a filter"},
		{name: "delete where note differs from its trim", sql: "DELETE FROM t WHERE note <> btrim(note)"},
		{name: "delete where note differs from its substring from one", sql: "DELETE FROM t WHERE note <> substr(note, 1)", note: "no row"},
		{name: "delete where note equals its substring from two", sql: "DELETE FROM t WHERE note = substr(note, 2)", note: "no value but the empty one"},
		{name: "delete where note equals its left part of length zero", sql: "DELETE FROM t WHERE note = left(note, 0)", note: "the empty values"},
		{name: "delete where note equals its left part of a negative length", sql: "DELETE FROM t WHERE note = left(note, -2)"},
		{name: "delete where note equals its left part of another column's length", sql: "DELETE FROM t WHERE note = left(note, length(other))"},
		{name: "delete where note equals the lower case of another column", sql: "DELETE FROM t WHERE note = lower(other)"},
		{name: "delete where the lower case of note is a value", sql: "DELETE FROM t WHERE lower(note) = 'a'"},
		{name: "delete where note equals its second field", sql: "DELETE FROM t WHERE note = split_part(note, ',', 2)"},
		{name: "delete where note equals a replacement by the row", sql: "DELETE FROM t WHERE note = replace(note, '-', other)"},
		{name: "delete where note equals a user function of it", sql: "DELETE FROM t WHERE note = myschema.lower(note)", note: "not the built-in"},
		{name: "delete where id equals a searched case that yields itself", sql: "DELETE FROM t WHERE id = CASE WHEN id = 1 THEN 1 ELSE id END", want: dat},
		{name: "delete where id equals a searched case that changes one value", sql: "DELETE FROM t WHERE id = CASE WHEN id = 1 THEN 2 ELSE id END", note: "every row but id 1"},
		{name: "delete where id equals itself or zero", sql: "DELETE FROM t WHERE id = id | 0", want: dat},
		{name: "delete where id equals zero or itself", sql: "DELETE FROM t WHERE id = 0 | id", want: dat},
		{name: "delete where id equals the least of itself and itself plus one", sql: "DELETE FROM t WHERE id = LEAST(id, id + 1)", want: dat},
		{name: "update where id equals the greatest of itself and itself minus one", sql: "UPDATE t SET note = 'x' WHERE id = GREATEST(id - 1, id, NULL)", want: uat},
		{name: "delete where id equals nullif of itself and itself plus one", sql: "DELETE FROM t WHERE id = NULLIF(id, id + 1)", want: dat},
		{name: "delete where id below the greatest of itself and itself plus one", sql: "DELETE FROM t WHERE id < GREATEST(id, id + 1)", want: dat},
		{name: "delete where id equals the least of itself and a parameter offset", sql: "DELETE FROM t WHERE id = LEAST(id, id + $1)", want: dat,
			note: "with $1 >= 0 the least is id"},
		{name: "delete where id equals nullif of itself and a parameter offset", sql: "DELETE FROM t WHERE id = NULLIF(id, id + $1)", want: dat},
		{name: "delete where id equals the least of itself and itself minus one", sql: "DELETE FROM t WHERE id = LEAST(id, id - 1)", note: "no row"},
		{name: "delete where id equals the greatest of itself and itself plus one", sql: "DELETE FROM t WHERE id = GREATEST(id, id + 1)", note: "no row"},
		{name: "delete where id equals nullif of itself and itself", sql: "DELETE FROM t WHERE id = NULLIF(id, id)", note: "NULL: no row"},
		{name: "delete where id equals the least of itself and another column", sql: "DELETE FROM t WHERE id = LEAST(id, parent_id + 1)"},
		{name: "delete where id equals itself xor zero", sql: "DELETE FROM t WHERE id = id # 0", want: dat},
		{name: "delete where id xor itself is zero", sql: "DELETE FROM t WHERE id # id = 0", want: dat},
		{name: "update where id shifted by nothing is itself", sql: "UPDATE t SET note = 'x' WHERE id << 0 = id", want: uat},
		{name: "delete where id shifted right by nothing is itself", sql: "DELETE FROM t WHERE id >> 0 = id", want: dat},
		{name: "delete where id xor one is itself", sql: "DELETE FROM t WHERE id # 1 = id", note: "no row"},
		{name: "delete where id shifted by one is itself", sql: "DELETE FROM t WHERE id << 1 = id", note: "the rows with 0"},
		{name: "delete where id xor a flag is zero", sql: "DELETE FROM t WHERE id # 5 = 0", note: "the rows with 5"},
		{name: "delete where id equals itself and itself", sql: "DELETE FROM t WHERE id = id & id", want: dat},
		{name: "delete where id equals itself or one", sql: "DELETE FROM t WHERE id = id | 1", note: "the odd ids"},
		{name: "delete where id equals its function-style cast", sql: "DELETE FROM t WHERE id = int4(id)", want: dat},
		{name: "delete where an array is contained in itself", sql: "DELETE FROM t WHERE ARRAY[id] <@ ARRAY[id]", want: dat},
		{name: "delete where a text starts with itself", sql: "DELETE FROM t WHERE note ^@ note", want: dat},
		{name: "delete where an array contains the empty array", sql: "DELETE FROM t WHERE tags @> '{}'", want: dat},
		{name: "delete where the empty array is contained in an array", sql: "DELETE FROM t WHERE '{}' <@ tags", want: dat},
		{name: "update where an array contains an empty array constructor", sql: "UPDATE t SET note = 'x' WHERE tags @> ARRAY[]::int[]", want: uat},
		{name: "delete where a text starts with the empty string", sql: "DELETE FROM t WHERE note ^@ ''", want: dat},
		{name: "delete where an array contains a value", sql: "DELETE FROM t WHERE tags @> '{1}'"},
		{name: "delete where an array is contained in the empty array", sql: "DELETE FROM t WHERE tags <@ '{}'", note: "only the empty arrays"},
		{name: "delete where a text starts with a letter", sql: "DELETE FROM t WHERE note ^@ 'a'"},
		{name: "update where a jsonb value contains itself", sql: "UPDATE t SET note = 'x' WHERE jsonb_build_object('a', id) @> jsonb_build_object('a', id)", want: uat},
		{name: "delete where an array column contains a value", sql: "DELETE FROM t WHERE tags @> ARRAY['old']"},
		// A range built around a value contains it where it is not NULL.
		{name: "delete where a closed range of id alone contains id", sql: "DELETE FROM t WHERE int4range(id, id, '[]') @> id", want: dat},
		{name: "delete where id is contained in a closed range of id alone", sql: "DELETE FROM t WHERE id <@ int4range(id, id, '[]')", want: dat},
		{name: "delete where a range from id to id plus one contains id", sql: "DELETE FROM t WHERE int8range(id, id + 1) @> id", want: dat,
			note: "the default bounds [) include id"},
		{name: "delete where a numeric range of id alone contains id", sql: "DELETE FROM t WHERE numrange(id, id, '[]') @> id::numeric", want: dat},
		{name: "delete where a range around id contains id", sql: "DELETE FROM t WHERE int4range(id - 1, id + 1) @> id", want: dat},
		{name: "delete where an unbounded range contains id", sql: "DELETE FROM t WHERE int4range(NULL, NULL) @> id", want: dat},
		{name: "delete where a range from id up contains id", sql: "DELETE FROM t WHERE int4range(id, NULL) @> id", want: dat},
		{name: "update where a qualified range of id alone contains id", sql: "UPDATE t SET note = 'x' WHERE pg_catalog.int4range(id, id, '[]') OPERATOR(pg_catalog.@>) id", want: uat},
		{name: "delete where an empty range of id does not contain id", sql: "DELETE FROM t WHERE NOT int4range(id, id) @> id", want: dat},
		{name: "delete where a closed range of id alone cast to its type contains id", sql: "DELETE FROM t WHERE int4range(id, id, '[]')::int4range @> id", want: dat},
		{name: "delete where a parenthesised range cast contains id cast", sql: "DELETE FROM t WHERE (int4range(id, id, '[]'))::int4range @> id::int4", want: dat},
		{name: "update where id is contained in a range around it cast with CAST", sql: "UPDATE t SET note = 'x' WHERE id::int8 <@ CAST(int8range(id - 1, id + 1) AS pg_catalog.int8range)", want: uat},
		{name: "delete where a from-less select of a closed range of id contains id", sql: "DELETE FROM t WHERE (SELECT int4range(id, id, '[]')) @> id", want: dat},
		{name: "delete where a twice cast closed range of id contains id", sql: "DELETE FROM t WHERE int4range(id, id, '[]')::int4range::int4range @> id", want: dat},
		{name: "delete where a range from id to a bound offset contains id", sql: "DELETE FROM t WHERE int4range(id, id + $1) @> id", want: dat,
			note: "the value bound decides for every row alike"},
		{name: "delete where a range of id with bound inclusion contains id", sql: "DELETE FROM t WHERE int4range(id, id, $1) @> id", want: dat,
			note: "'[]' includes id in every row"},
		{name: "delete where an empty range of id contains id", sql: "DELETE FROM t WHERE int4range(id, id) @> id", note: "the empty range contains nothing"},
		{name: "delete where a half-open range of id alone contains id", sql: "DELETE FROM t WHERE int4range(id, id, '(]') @> id", note: "empty"},
		{name: "delete where an empty range of id cast to its type contains id", sql: "DELETE FROM t WHERE int4range(id, id)::int4range @> id", note: "empty"},
		{name: "delete where a constant range cast to its type contains id", sql: "DELETE FROM t WHERE int4range(1, 10)::int4range @> id"},
		{name: "delete where a range of id cast to text is compared", sql: "DELETE FROM t WHERE int4range(id, id, '[]')::text = '[1,2)'"},
		{name: "delete where a constant range contains id", sql: "DELETE FROM t WHERE int4range(1, 10) @> id"},
		{name: "delete where a range above id contains id", sql: "DELETE FROM t WHERE int4range(id + 1, id + 5) @> id", note: "no row"},
		{name: "delete where a range of parameters contains id", sql: "DELETE FROM t WHERE int4range($1, $2) @> id"},
		{name: "delete where a range from id to a parameter contains id", sql: "DELETE FROM t WHERE int4range(id, $1) @> id"},
		{name: "delete where a range of another column contains id", sql: "DELETE FROM t WHERE int4range(parent_id, parent_id, '[]') @> id"},
		{name: "delete where id is below itself plus an untyped one", sql: "DELETE FROM t WHERE id < id + '1'", want: dat,
			note: "the literal takes id's type"},
		{name: "delete where id is below itself plus one by the qualified operator", sql: "DELETE FROM t WHERE id < id OPERATOR(pg_catalog.+) 1", want: dat},
		{name: "delete where id is below itself plus one by another schema's operator", sql: "DELETE FROM t WHERE id < id OPERATOR(app.+) 1",
			note: "an operator of one's own may do anything"},
		{name: "delete where id equals itself plus an untyped one", sql: "DELETE FROM t WHERE id = id + '1'", note: "no row"},
		{name: "delete where id is not itself plus a parameter", sql: "DELETE FROM t WHERE NOT (id = id + $1)", want: dat,
			note: "with $1 bound to 1 it is true for every row"},
		{name: "delete where id is not at most itself plus a parameter", sql: "DELETE FROM t WHERE NOT (id <= id + $1)", want: dat,
			note: "with $1 bound to -1 it is true for every row"},
		{name: "delete where id is distinct from itself plus a parameter, negated", sql: "DELETE FROM t WHERE NOT (id IS NOT DISTINCT FROM id + $1)", want: dat},
		{name: "update where id equal to itself plus a parameter is false", sql: "UPDATE t SET note = 'x' WHERE (id = id - $1) IS FALSE", want: uat},
		{name: "delete where id is not coalesce of a parameter and itself", sql: "DELETE FROM t WHERE NOT (id = coalesce($1, id))",
			note: "false for every row with $1 NULL, id <> $1 otherwise: a filter"},
		{name: "delete where id plus a parameter is not itself plus the parameter", sql: "DELETE FROM t WHERE NOT (id + $1 = id + $1)",
			note: "false for every row whatever $1 is"},
		{name: "delete where id plus one is above it", sql: "DELETE FROM t WHERE id + 1 > id", want: dat},
		{name: "delete where one plus id is above it", sql: "DELETE FROM t WHERE 1 + id > id", want: dat},
		{name: "delete where id differs from itself plus one", sql: "DELETE FROM t WHERE id <> id + 1", want: dat},
		{name: "delete where id differs from itself plus one spelt with a bang", sql: "DELETE FROM t WHERE id != id + 1", want: dat},
		{name: "delete where id minus one is below it", sql: "DELETE FROM t WHERE id - 1 < id", want: dat},
		{name: "delete where id is below itself minus minus one", sql: "DELETE FROM t WHERE id < id - -1", want: dat},
		{name: "delete where id is at most itself plus two minus one", sql: "DELETE FROM t WHERE id <= id + 2 - 1", want: dat},
		{name: "delete where id plus one minus one is at least it", sql: "DELETE FROM t WHERE (id + 1) - 1 >= id", want: dat},
		{name: "delete where id plus one minus one equals it", sql: "DELETE FROM t WHERE (id + 1) - 1 = id", want: dat},
		{name: "delete where exact decimals cancel out", sql: "DELETE FROM t WHERE id + 0.1 + 0.2 - 0.3 = id", want: dat, note: "numeric literals are exact"},
		{name: "delete where id is below itself plus a half", sql: "DELETE FROM t WHERE id < id + 0.5", want: dat},
		{name: "delete where id is below itself plus a cast one", sql: "DELETE FROM t WHERE id < id + '1'::int", want: dat},
		{name: "delete where a cast id is below itself plus one", sql: "DELETE FROM t WHERE id::bigint < id + 1", want: dat},
		{name: "delete where id is below itself plus a selected one", sql: "DELETE FROM t WHERE id < id + (SELECT 1)", want: dat},
		{name: "delete where id equals itself plus a fraction cast to an integer", sql: "DELETE FROM t WHERE id = id + 0.4::int", want: dat, note: "0.4::int is 0"},
		{name: "delete where id minus a fraction cast to an integer equals it", sql: "DELETE FROM t WHERE (id - 0.4)::int = id", want: dat,
			note: "true for every integer id; the rounding decides, refused as row-independent"},
		{name: "delete where a date is before itself plus one", sql: "DELETE FROM t WHERE created < created + 1", want: dat, note: "date + integer is the next day"},
		{name: "delete where a float is below itself plus one", sql: "DELETE FROM t WHERE price::float8 < price::float8 + 1", want: dat,
			note: "false only where the float is so large that adding 1 rounds back to it: refused on the safe side"},
		{name: "delete where id is distinct from itself plus one", sql: "DELETE FROM t WHERE id IS DISTINCT FROM id + 1", want: dat},
		{name: "delete where id is not distinct from itself plus one minus one", sql: "DELETE FROM t WHERE id IS NOT DISTINCT FROM (id + 1) - 1", want: dat},
		{name: "delete where id is not distinct from itself plus one or is not null", sql: "DELETE FROM t WHERE id IS NOT DISTINCT FROM id + 1 OR id IS NOT NULL", want: dat,
			note: "the first test is id IS NULL"},
		{name: "delete where id is between itself minus one and plus one", sql: "DELETE FROM t WHERE id BETWEEN id - 1 AND id + 1", want: dat},
		{name: "delete where id is not between itself plus one and plus two", sql: "DELETE FROM t WHERE id NOT BETWEEN id + 1 AND id + 2", want: dat},
		{name: "delete where id is between symmetric itself plus one and minus one", sql: "DELETE FROM t WHERE id BETWEEN SYMMETRIC id + 1 AND id - 1", want: dat},
		{name: "delete where id is not in itself plus one", sql: "DELETE FROM t WHERE id NOT IN (id + 1)", want: dat},
		{name: "delete where id is below any of itself plus one", sql: "DELETE FROM t WHERE id < ANY(ARRAY[id + 1])", want: dat},
		{name: "delete where id differs from all of itself plus one and plus two", sql: "DELETE FROM t WHERE id <> ALL(ARRAY[id + 1, id + 2])", want: dat},
		{name: "delete where id is below itself plus one or a status", sql: "DELETE FROM t WHERE id < id + 1 OR status = 'x'", want: dat},
		{name: "delete where id is in the table below itself plus one", sql: "DELETE FROM t WHERE id IN (SELECT id FROM t WHERE id < id + 1)", want: dat},
		{name: "delete using a copy of the table below itself plus one", sql: "DELETE FROM t USING t AS t2 WHERE t.id < t2.id + 1", want: dat,
			note: "each row pairs with its own copy"},
		{name: "delete where id is below an optional value plus one", sql: "DELETE FROM t WHERE id < coalesce($1, id) + 1", want: dat, note: "id < id + 1 when $1 is NULL"},
		{name: "update where id is below itself plus one", sql: "UPDATE t SET note = 'x' WHERE id < id + 1", want: uat},
		{name: "merge deleting when matched and id is below itself plus one", sql: "MERGE INTO t USING s ON true WHEN MATCHED AND t.id < t.id + 1 THEN DELETE", want: dat},
		{name: "merge updating when matched and id is below itself plus one", sql: "MERGE INTO t USING s ON true WHEN MATCHED AND t.id < t.id + 1 THEN UPDATE SET note = 'x'", want: uat},
		{name: "merge on id below itself plus one", sql: "MERGE INTO t USING s ON t.id < t.id + 1 WHEN MATCHED THEN DELETE", want: dat},
		{name: "upsert into itself updating where id is below the proposed plus one", sql: "INSERT INTO t SELECT * FROM t ON CONFLICT (id) DO UPDATE SET note = 'x' WHERE t.id < excluded.id + 1", want: uat},
		{name: "data modifying cte deleting where id is below itself plus one", sql: "WITH d AS (DELETE FROM t WHERE id < id + 1 RETURNING *) SELECT * FROM d", want: dat},
		{name: "function deleting where id plus one is above it", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELETE FROM t WHERE id + 1 > id'", want: dat},
		{name: "DO block updating where id differs from itself plus one", sql: "DO $$ BEGIN UPDATE t SET note = 'x' WHERE id <> id + 1; END $$", want: uat},
		// A parameter as the offset.
		{name: "delete where id is below itself plus a parameter", sql: "DELETE FROM t WHERE id < id + $1", want: dat, note: "every row once $1 is bound to 1"},
		{name: "delete where id differs from itself plus a parameter", sql: "DELETE FROM t WHERE id <> id + $1", want: dat},
		{name: "delete where id is above itself minus a cast parameter", sql: "DELETE FROM t WHERE id > id - $1::int", want: dat},
		{name: "delete where id equals itself plus one plus a parameter", sql: "DELETE FROM t WHERE id = id + 1 + $1", want: dat, note: "$1 = -1"},
		{name: "delete where id is distinct from itself plus a parameter", sql: "DELETE FROM t WHERE id IS DISTINCT FROM id + $1", want: dat},
		{name: "delete where id is not below itself plus a parameter", sql: "DELETE FROM t WHERE NOT (id < id + $1)", want: dat, note: "$1 = 0"},
		{name: "delete where id is between itself minus and plus a parameter", sql: "DELETE FROM t WHERE id BETWEEN id - $1 AND id + $1", want: dat},
		{name: "delete where id is not in itself plus a parameter", sql: "DELETE FROM t WHERE id NOT IN (id + $1)", want: dat},
		{name: "function deleting where id is below itself plus its parameter", sql: "CREATE FUNCTION f(d int) RETURNS void LANGUAGE sql AS 'DELETE FROM t WHERE id < id + d'", want: dat},
		{name: "DO block deleting where id is below itself plus a variable", sql: "DO $$ DECLARE k int := 1; BEGIN DELETE FROM t WHERE id < id + k; END $$", want: dat},
		// Bounded look-alikes.
		{name: "delete where id is below itself minus one", sql: "DELETE FROM t WHERE id < id - 1", note: "no row"},
		{name: "delete where id plus one is below it", sql: "DELETE FROM t WHERE id + 1 < id", note: "no row"},
		{name: "delete where id is above itself plus a half", sql: "DELETE FROM t WHERE id > id + 0.5", note: "no row"},
		{name: "delete where id equals itself plus two minus one", sql: "DELETE FROM t WHERE id = id + 2 - 1", note: "no row"},
		{name: "delete where id equals itself plus a selected one", sql: "DELETE FROM t WHERE id = id + (SELECT 1)", note: "no row"},
		{name: "delete where id is below itself plus a selected string", sql: "DELETE FROM t WHERE id < id + (SELECT 'a')", want: dat,
			note: "an error on the server; a value not read here, refused on the safe side"},
		{name: "delete where a timestamp is below itself plus an interval and a column is a value", sql: "DELETE FROM t WHERE created < created + interval '1 day' AND other = 1"},
		{name: "delete where a timestamp is below another plus an interval", sql: "DELETE FROM t WHERE created < updated + interval '1 day'"},
		{name: "delete where a timestamp is older than now minus an interval", sql: "DELETE FROM t WHERE created < now() - interval '30 days'"},
		{name: "delete where id is below itself plus another column", sql: "DELETE FROM t WHERE id < id + other"},
		{name: "delete where id is below itself plus a joined column", sql: "DELETE FROM t USING u WHERE t.id < t.id + u.k"},
		{name: "delete where id is below itself plus another table's maximum", sql: "DELETE FROM t WHERE id < id + (SELECT max(k) FROM u)",
			note: "a subquery that reads a column is not taken for one value (it may be correlated)"},
		{name: "delete where id times two is itself", sql: "DELETE FROM t WHERE id * 2 = id", note: "only 0"},
		{name: "delete where id is below another column plus one", sql: "DELETE FROM t WHERE id < parent_id + 1"},
		{name: "delete where id plus one is above another column", sql: "DELETE FROM t WHERE id + 1 > other"},
		{name: "delete where id is below a parameter plus one", sql: "DELETE FROM t WHERE id < $1 + 1"},
		{name: "delete where id is not distinct from itself plus one", sql: "DELETE FROM t WHERE id IS NOT DISTINCT FROM id + 1", note: "the rows where id IS NULL"},
		{name: "delete where id is between itself plus one and minus one", sql: "DELETE FROM t WHERE id BETWEEN id + 1 AND id - 1", note: "no row"},
		{name: "delete where id is between a constant and itself plus one", sql: "DELETE FROM t WHERE id BETWEEN 3 AND id + 1", note: "id >= 3"},
		{name: "delete where id is in itself minus one and plus one", sql: "DELETE FROM t WHERE id IN (id - 1, id + 1)", note: "no row"},
		{name: "delete where id is not in itself plus one and a constant", sql: "DELETE FROM t WHERE id NOT IN (id + 1, 5)", note: "id <> 5"},
		{name: "delete where id is below itself plus one and a status", sql: "DELETE FROM t WHERE id < id + 1 AND status = 'x'"},
		{name: "delete where id is not below itself plus one", sql: "DELETE FROM t WHERE NOT (id < id + 1)", note: "no row"},
		{name: "delete where id plus a parameter is below itself plus it", sql: "DELETE FROM t WHERE id + $1 < id + $1", note: "no row"},
		{name: "delete where id is below itself plus null", sql: "DELETE FROM t WHERE id < id + NULL", note: "NULL: no row"},
		{name: "delete using another table where id is below its id plus one", sql: "DELETE FROM t USING u WHERE t.id < u.id + 1"},
		{name: "merge on a key when matched and id is below itself plus one", sql: "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED AND t.id < t.id + 1 THEN DELETE"},
		{name: "upsert into itself updating where id is below the proposed minus one", sql: "INSERT INTO t SELECT * FROM t ON CONFLICT (id) DO UPDATE SET note = 'x' WHERE t.id < excluded.id - 1"},
		{name: "DO block deleting where id is below a variable plus one", sql: "DO $$ DECLARE k int := 1; BEGIN DELETE FROM t WHERE id < k + 1; END $$"},
	}
}

// corpusUpdates: the same reach analysis for UPDATE.
func corpusUpdates() []corpusCase {
	const nw, at = "update-no-where", "update-always-true"
	return []corpusCase{
		{name: "update without where", sql: "UPDATE users SET active = false", want: nw},
		{name: "update only without where", sql: "UPDATE ONLY users SET active = false", want: nw},
		{name: "update several columns without where", sql: "UPDATE users SET (name, email) = ('x', 'y')", want: nw},
		{name: "update from a subquery without where", sql: "UPDATE users SET score = (SELECT max(score) FROM users)", want: nw},
		{name: "update from another table without where", sql: "UPDATE users SET plan = o.plan FROM orgs o", want: nw},
		{name: "update a table named update setting a column named where", sql: `UPDATE "update" SET "where" = 'WHERE id = 1'`, want: nw},
		{name: "update where true", sql: "UPDATE users SET active = false WHERE true", want: at},
		{name: "update where one equals one", sql: "UPDATE users SET active = false WHERE 1=1", want: at},
		{name: "update where string equals itself", sql: "UPDATE users SET active = false WHERE 'a'='a'", want: at},
		{name: "update where not false", sql: "UPDATE users SET active = false WHERE NOT false", want: at},
		{name: "update where column equals itself", sql: "UPDATE users SET active = false WHERE id = id", want: at},
		{name: "update where is null or is not null", sql: "UPDATE users SET active = false WHERE email IS NULL OR email IS NOT NULL", want: at},
		{name: "update where or with a true arm", sql: "UPDATE users SET active = false WHERE id = 7 OR true", want: at},
		{name: "update where case with every branch true", sql: "UPDATE users SET active = false WHERE CASE WHEN id < 0 THEN 1=1 ELSE true END", want: at},
		{name: "update where parameter", sql: "UPDATE users SET active = false WHERE $1", want: at},
		{name: "update where parameter equals itself", sql: "UPDATE users SET active = false WHERE $1 = $1", want: at},
		{name: "update where exists select one", sql: "UPDATE users SET active = false WHERE EXISTS (SELECT 1)", want: at},
		{name: "update where random below two", sql: "UPDATE users SET active = false WHERE random() < 2", want: at},
		{name: "update from where only the joined table is tested", sql: "UPDATE users SET active = false FROM orgs WHERE orgs.suspended", want: at},
		{name: "update from where the predicate ignores the target", sql: "UPDATE users SET plan = o.plan FROM orgs o WHERE o.id = 5", want: at},
		{name: "update where a system column is not null", sql: "UPDATE users SET active = false WHERE ctid IS NOT NULL", want: at},
		{name: "update where a null test is not null", sql: "UPDATE users SET active = false WHERE (email IS NULL) IS NOT NULL", want: at},
		{name: "update where a comparison or its negation", sql: "UPDATE users SET active = false WHERE id <= 5 OR id > 5", want: at},
		{name: "update from a subquery over the target", sql: "UPDATE users SET active = false FROM (SELECT id FROM users) s WHERE users.id = s.id", want: at},
		{name: "update from the schema qualified target", sql: "UPDATE users u SET active = false FROM public.users s WHERE u.id = s.id", want: at},
		{name: "upsert of the whole table into itself", sql: "INSERT INTO users SELECT * FROM users ON CONFLICT (id) DO UPDATE SET email = NULL", want: at,
			note: "every row conflicts with itself, so the DO UPDATE changes every row"},
		{name: "upsert of the whole table into itself with an always true where", sql: "INSERT INTO users SELECT * FROM users ON CONFLICT (id) DO UPDATE SET email = NULL WHERE true", want: at},
		{name: "merge updating from a cte over the target", sql: "WITH s AS (SELECT * FROM users) MERGE INTO users USING s ON users.id = s.id WHEN MATCHED THEN UPDATE SET active = false", want: at},
		{name: "delete where exists a from-less select of the row", sql: "DELETE FROM users WHERE EXISTS (SELECT users.id)", want: RuleDeleteAlways, note: "a FROM-less SELECT always returns its row"},
		{name: "delete where exists values of the row", sql: "DELETE FROM users WHERE EXISTS (VALUES (users.id))", want: RuleDeleteAlways},
		{name: "update where exists a from-less select of the row", sql: "UPDATE users SET active = false WHERE EXISTS (SELECT users.id)", want: at},
		{name: "delete where coalesce with a literal is not null", sql: "DELETE FROM users WHERE coalesce(email, 'x') IS NOT NULL", want: RuleDeleteAlways},
		{name: "delete where a count of nulls is not negative", sql: "DELETE FROM users WHERE num_nulls(email) >= 0", want: RuleDeleteAlways},
		{name: "delete where num_nonnulls is not null", sql: "DELETE FROM users WHERE num_nonnulls(email) IS NOT NULL", want: RuleDeleteAlways},
		{name: "delete where a null test differs from its negation", sql: "DELETE FROM users WHERE (email IS NULL) <> (email IS NOT NULL)", want: RuleDeleteAlways},
		{name: "delete where a null test equals the not of its negation", sql: "DELETE FROM users WHERE (email IS NULL) = NOT (email IS NOT NULL)", want: RuleDeleteAlways},
		{name: "delete where a null test is not true or the null test", sql: "DELETE FROM users WHERE (id IS NULL) IS NOT TRUE OR id IS NULL", want: RuleDeleteAlways},
		{name: "delete where coalesce of a null test is not null", sql: "DELETE FROM users WHERE coalesce(id IS NULL, true) IS NOT NULL", want: RuleDeleteAlways},
		{name: "delete where the row as text is not null", sql: "DELETE FROM users WHERE users::text IS NOT NULL", want: RuleDeleteAlways, note: "a row value's text form is never NULL"},
		{name: "delete where the row as jsonb is not null", sql: "DELETE FROM users WHERE to_jsonb(users) IS NOT NULL", want: RuleDeleteAlways},
		{name: "delete where row_to_json of the row is not null", sql: "DELETE FROM users WHERE row_to_json(users) IS NOT NULL", want: RuleDeleteAlways},
		{name: "delete where a boolean is in true false or null", sql: "DELETE FROM users WHERE active IN (true, false) OR active IS NULL", want: RuleDeleteAlways},
		{name: "delete where id equals coalesce of itself", sql: "DELETE FROM users WHERE id = coalesce(id, 0)", want: RuleDeleteAlways},
		{name: "delete where id equals unary plus id", sql: "DELETE FROM users WHERE id = +id", want: RuleDeleteAlways},
		{name: "delete where id equals minus minus id", sql: "DELETE FROM users WHERE id = - - id", want: RuleDeleteAlways},
		{name: "delete where id cast to bigint equals id", sql: "DELETE FROM users WHERE id::bigint = id", want: RuleDeleteAlways},
		{name: "delete where a text equals itself with empty appended", sql: "DELETE FROM users WHERE email = email || ''", want: RuleDeleteAlways},
		{name: "delete where a text equals concat of itself", sql: "DELETE FROM users WHERE email = concat(email)", want: RuleDeleteAlways},
		{name: "delete where a text is like itself", sql: "DELETE FROM users WHERE email LIKE email", want: RuleDeleteAlways},
		{name: "delete where a text is ilike itself", sql: "DELETE FROM users WHERE email ILIKE email", want: RuleDeleteAlways},
		{name: "delete where id in values of itself", sql: "DELETE FROM users WHERE id IN (VALUES (id))", want: RuleDeleteAlways},
		{name: "delete where between or not between the same bounds", sql: "DELETE FROM users WHERE id BETWEEN 1 AND 5 OR id NOT BETWEEN 1 AND 5", want: RuleDeleteAlways},
		{name: "delete where in a list or not in it", sql: "DELETE FROM users WHERE id IN (1, 2) OR id NOT IN (1, 2)", want: RuleDeleteAlways},
		{name: "delete where id is any of an array of the table", sql: "DELETE FROM users WHERE id = ANY(ARRAY(SELECT id FROM users))", want: RuleDeleteAlways},
		{name: "delete where id in an intersect of the table with itself", sql: "DELETE FROM users WHERE id IN (SELECT id FROM users INTERSECT SELECT id FROM users)", want: RuleDeleteAlways},
		{name: "delete where id in a derived table over the target", sql: "DELETE FROM users WHERE id IN (SELECT id FROM (SELECT * FROM users) s)", want: RuleDeleteAlways},
		{name: "delete where id in the table limit all", sql: "DELETE FROM users WHERE id IN (SELECT id FROM users LIMIT ALL)", want: RuleDeleteAlways, note: "LIMIT ALL limits nothing"},
		{name: "delete where id in the table limit null", sql: "DELETE FROM users WHERE id IN (SELECT id FROM users LIMIT NULL)", want: RuleDeleteAlways},
		{name: "delete where id in the table offset zero", sql: "DELETE FROM users WHERE id IN (SELECT id FROM users OFFSET 0)", want: RuleDeleteAlways},
		{name: "delete where id in the table joined to one row", sql: "DELETE FROM users WHERE id IN (SELECT x.id FROM users x JOIN (SELECT 1) y ON true)", want: RuleDeleteAlways},
		{name: "delete where id in the table cross joined to one row", sql: "DELETE FROM users WHERE id IN (SELECT x.id FROM users x, (SELECT 1) y)", want: RuleDeleteAlways},
		{name: "delete where id in the table left joined to another", sql: "DELETE FROM users WHERE id IN (SELECT x.id FROM users x LEFT JOIN orgs o ON o.id = x.org_id)", want: RuleDeleteAlways, note: "a LEFT JOIN keeps every row of its left side"},
		{name: "update where id in a cte over the target", sql: "WITH s AS (SELECT id FROM users) UPDATE users SET active = false WHERE id IN (SELECT id FROM s)", want: at},
		{name: "delete where exists a from-less select with an always true where", sql: "DELETE FROM users WHERE EXISTS (SELECT WHERE users.id = users.id)", want: RuleDeleteAlways},
		{name: "delete where id in a with query over the target", sql: "DELETE FROM users WHERE id IN (WITH s AS (SELECT id FROM users) SELECT id FROM s)", want: RuleDeleteAlways},
		{name: "update where id in the table grouped having true", sql: "UPDATE users SET active = false WHERE id IN (SELECT id FROM users GROUP BY id HAVING true)", want: at},
		{name: "update where id in the table right joined on true to one row", sql: "UPDATE users SET active = false WHERE id IN (SELECT id FROM users RIGHT JOIN (SELECT 1) y ON true)", want: at},
		{name: "delete where id in a cte over the target", sql: "WITH s AS (SELECT id FROM users) DELETE FROM users WHERE id IN (SELECT id FROM s)", want: RuleDeleteAlways},
		{name: "upsert of a derived table over the target into it", sql: "INSERT INTO users SELECT * FROM (SELECT * FROM users) s ON CONFLICT (id) DO UPDATE SET email = NULL", want: at},
		{name: "upsert of a cte over the target into it", sql: "WITH s AS (SELECT * FROM users) INSERT INTO users SELECT * FROM s ON CONFLICT (id) DO UPDATE SET email = NULL", want: at},
		{name: "upsert into itself where exists a from-less select", sql: "INSERT INTO users SELECT * FROM users ON CONFLICT (id) DO UPDATE SET email = NULL WHERE EXISTS (SELECT users.id)", want: at},
		{name: "upsert into itself where excluded key equals the key", sql: "INSERT INTO users SELECT * FROM users ON CONFLICT (id) DO UPDATE SET email = NULL WHERE excluded.id = users.id", want: at, note: "the conflicting row has the proposed row's key by definition"},
		{name: "upsert of listed columns into itself where excluded key equals the key", sql: "INSERT INTO users (id, email) SELECT id, email FROM users ON CONFLICT (id) DO UPDATE SET email = NULL WHERE excluded.id = users.id", want: at},
		{name: "merge on exists a from-less select of the target row", sql: "MERGE INTO users USING (SELECT 1) s ON EXISTS (SELECT users.id) WHEN MATCHED THEN DELETE", want: RuleDeleteAlways},
		{name: "merge when matched and exists a from-less select", sql: "MERGE INTO users USING (SELECT 1 AS x) s ON s.x = 1 WHEN MATCHED AND EXISTS (SELECT users.id) THEN DELETE", want: RuleDeleteAlways},
	}
}

// corpusLexerDisguises: comments, casing, quoting, escapes and whitespace
// that a text matcher reads differently from the server.
func corpusLexerDisguises() []corpusCase {
	const d = "drop-object"
	return []corpusCase{
		{name: "block comment before drop", sql: "/* maintenance */ DROP TABLE users", want: d},
		{name: "line comment before drop", sql: "-- harmless\nDROP TABLE users", want: d},
		{name: "block comment between drop and table", sql: "DROP/* x */TABLE users", want: d},
		{name: "nested comment then drop", sql: "/* outer /* inner */ still a comment */ DROP TABLE users", want: d, note: "PostgreSQL nests block comments: the first */ does not end the comment"},
		{name: "drop after a closed nested comment", sql: "SELECT 1 /* /* */ */ ; DROP TABLE users", want: d},
		{name: "odd casing", sql: "dRoP tAbLe UsErS", want: d},
		{name: "quoted mixed case table", sql: `DROP TABLE "Users"`, want: d},
		{name: "no spaces around comments", sql: "DELETE/**/FROM/**/users", want: "delete-no-where"},
		{name: "tabs and newlines as separators", sql: "DROP\tTABLE\n\tusers\n", want: d},
		{name: "carriage returns as separators", sql: "DROP\r\nTABLE\r\nusers", want: d},
		{name: "form feeds as separators", sql: "DROP\fTABLE\fusers", want: d, note: "form feed is whitespace to the PostgreSQL lexer"},
		{name: "vertical tabs as separators", sql: "DROP\vTABLE\vusers", want: d, also: []string{"parse-error"},
			note: "PostgreSQL 15 does not treat vertical tab as whitespace (syntax error), later versions may; both refuse"},
		{name: "leading semicolons", sql: ";;; DROP TABLE users", want: d},
		{name: "unicode escaped identifier", sql: `DROP TABLE U&"\0075sers"`, want: d},
		{name: "unicode escaped identifier with six digit escape", sql: `TRUNCATE U&"\+000075sers"`, want: "truncate"},
		{name: "unicode escaped identifier with uescape", sql: `DROP TABLE U&"!0075sers" UESCAPE '!'`, want: d},
		{name: "unicode escaped delete target", sql: `DELETE FROM U&"d\0061ta"`, want: "delete-no-where"},
		{name: "drop after an e string with an escaped quote", sql: `SELECT E'it\'s'; DROP TABLE users`, want: d, note: `\' does not end an E'' string, the next quote does`},
		{name: "drop after an e string ending in an escaped backslash", sql: `SELECT E'\\'; DROP TABLE users; --'`, want: d, note: `E'\\' is one backslash, so the DROP is outside the string`},
		{name: "drop after a standard string ending in a backslash", sql: `SELECT 'a\'; DROP TABLE users; --'`, want: d, note: "with standard_conforming_strings on, the server's default, the backslash is literal and the string ends there"},
		{name: "drop after a string with a doubled quote", sql: "SELECT 'it''s'; DROP TABLE users", want: d},
		{name: "drop after a dollar quoted string containing a quote", sql: "SELECT $tag$ it's $tag$; DROP TABLE users", want: d},
		{name: "drop after an identifier containing dollar signs", sql: "SELECT 1 AS x$$; DROP TABLE users; --$$", want: d, note: "x$$ is an identifier, not the start of a dollar quote; checked on a server: the DROP runs"},
		{name: "drop after a dollar quoted comment opener", sql: "SELECT $$/*$$; DROP TABLE users; --*/", want: d, note: "the /* is inside a dollar quote, so no comment hides the DROP"},
		{name: "drop after a string holding a comment opener", sql: "SELECT '/*'; DROP TABLE users; --*/", want: d},
		{name: "drop after an identifier holding a line comment marker", sql: `SELECT 1 AS "--"; DROP TABLE users`, want: d},
		{name: "drop after a unicode string with a custom escape", sql: `SELECT U&'!0027' UESCAPE '!'; DROP TABLE users`, want: d, note: "!0027 is a quote character inside the string, the string ends at the next real quote"},
		{name: "mysql executable comment syntax is a plain comment", sql: "/*! DROP TABLE users */ SELECT 1", want: "", note: "PostgreSQL does not execute /*! ... */"},
		{name: "mysql hash comment is not a comment", sql: "# comment\nDROP TABLE users", want: "parse-error", note: "# is an operator character in PostgreSQL, so the text is a syntax error"},
	}
}

// corpusStacked: several statements in one text; the server runs them all.
func corpusStacked() []corpusCase {
	return []corpusCase{
		{name: "select then drop", sql: "SELECT 1; DROP TABLE users", want: "drop-object"},
		{name: "select then drop without spaces", sql: "SELECT 1;DROP TABLE users", want: "drop-object"},
		{name: "rollback then drop", sql: "ROLLBACK; DROP TABLE users", want: "drop-object", note: "escapes a read-only transaction opened by a wrapper"},
		{name: "read only transaction committed then drop", sql: "BEGIN READ ONLY; COMMIT; DROP TABLE users", want: "drop-object"},
		{name: "truncate third in a list", sql: "SELECT 1; SELECT 2; TRUNCATE users", want: "truncate"},
		{name: "bounded update then unbounded update", sql: "UPDATE users SET a = 1 WHERE id = 1; UPDATE users SET a = 2", want: "update-no-where"},
		{name: "insert then delete all", sql: "INSERT INTO log VALUES (1); DELETE FROM users", want: "delete-no-where"},
		{name: "empty statements around a drop", sql: "SELECT 'x';;DROP TABLE users;;", want: "drop-object"},
		{name: "drop on the line after a line comment", sql: "SELECT 1 -- trailing comment\n; DROP TABLE users", want: "drop-object"},
		{name: "string split across lines then drop", sql: "SELECT 'a'\n'b'; DROP TABLE users", want: "drop-object", note: "adjacent literals separated by a newline are one string"},
		{name: "prepare then execute", sql: "PREPARE p AS DELETE FROM users; EXECUTE p", want: "delete-no-where"},
		{name: "set standard strings off then backslash quote trick in the same text", sql: `SET standard_conforming_strings = off; SELECT 'a\'; DROP TABLE users; --'`, want: "drop-object",
			note: "the server lexes the whole text before the SET runs, so the backslash is literal and the DROP runs (checked on a server)"},
	}
}

// corpusWrappers: destructive statements nested inside statements whose
// first word looks harmless.
func corpusWrappers() []corpusCase {
	return []corpusCase{
		{name: "data modifying cte delete", sql: "WITH d AS (DELETE FROM users RETURNING *) SELECT count(*) FROM d", want: "delete-no-where"},
		{name: "data modifying cte update", sql: "WITH u AS (UPDATE users SET active = false RETURNING id) SELECT 1", want: "update-no-where"},
		{name: "data modifying cte delete with tautology", sql: "WITH d AS (DELETE FROM users WHERE 1=1 RETURNING id) SELECT id FROM d", want: "delete-always-true"},
		{name: "data modifying cte feeding an insert", sql: "WITH d AS (DELETE FROM users RETURNING *) INSERT INTO archive SELECT * FROM d", want: "delete-no-where"},
		{name: "data modifying cte under an update", sql: "WITH d AS (DELETE FROM users RETURNING id) UPDATE stats SET n = n + 1 WHERE id = 1", want: "delete-no-where"},
		{name: "data modifying cte in create table as", sql: "CREATE TABLE backup AS WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d", want: "delete-no-where", note: "checked on a server: the DELETE runs"},
		{name: "data modifying cte in select into", sql: "WITH d AS (DELETE FROM users RETURNING *) SELECT * INTO backup FROM d", want: "delete-no-where"},
		{name: "merge on true then delete", sql: "MERGE INTO users u USING stale s ON true WHEN MATCHED THEN DELETE", want: "delete-always-true"},
		{name: "merge on tautology then update", sql: "MERGE INTO users u USING (SELECT 1 AS x) s ON 1 = 1 WHEN MATCHED THEN UPDATE SET active = false", want: "update-always-true"},
		{name: "merge whose on condition ignores the target", sql: "MERGE INTO users u USING stale s ON s.expired WHEN MATCHED THEN DELETE", want: "delete-always-true"},
		{name: "merge on target column equal to itself", sql: "MERGE INTO users u USING stale s ON u.id = u.id WHEN MATCHED THEN DELETE", want: "delete-always-true"},
		{name: "copy of a delete returning", sql: "COPY (DELETE FROM users RETURNING *) TO STDOUT", want: "delete-no-where"},
		{name: "copy of an update returning", sql: "COPY (UPDATE users SET active = false RETURNING id) TO STDOUT", want: "update-no-where"},
		{name: "explain analyze delete", sql: "EXPLAIN ANALYZE DELETE FROM users", want: "delete-no-where", note: "EXPLAIN ANALYZE executes the statement"},
		{name: "explain analyse british spelling", sql: "EXPLAIN ANALYSE UPDATE users SET active = false", want: "update-no-where"},
		{name: "explain with comment before analyze", sql: "EXPLAIN/**/ANALYZE DELETE FROM users", want: "delete-no-where"},
		{name: "explain option list analyze", sql: "EXPLAIN (ANALYZE) DELETE FROM users", want: "delete-no-where"},
		{name: "explain option list verbose analyze", sql: "EXPLAIN (VERBOSE, ANALYZE) DELETE FROM users WHERE true", want: "delete-always-true"},
		{name: "explain analyze true", sql: "EXPLAIN (ANALYZE true, COSTS off) DELETE FROM users", want: "delete-no-where"},
		{name: "explain analyze on", sql: "EXPLAIN (ANALYZE on) DELETE FROM users", want: "delete-no-where"},
		{name: "explain analyze one", sql: "EXPLAIN (ANALYZE 1, FORMAT JSON) DELETE FROM users", want: "delete-no-where", note: "the server reads 1 as true for a boolean option"},
		{name: "explain analyze of a data modifying cte", sql: "EXPLAIN ANALYZE WITH d AS (DELETE FROM users RETURNING 1) SELECT 1", want: "delete-no-where"},
		{name: "explain analyze of create table as with a data modifying cte", sql: "EXPLAIN ANALYZE CREATE TABLE b AS WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d", want: "delete-no-where", note: "checked on a server: the DELETE runs"},
		{name: "explain analyze of merge on true", sql: "EXPLAIN ANALYZE MERGE INTO users USING stale s ON true WHEN MATCHED THEN DELETE", want: "delete-always-true"},
		{name: "explain with analyze false overridden by a later analyze true", sql: "EXPLAIN (ANALYZE false, ANALYZE true) DELETE FROM users", want: "delete-no-where", note: "the last occurrence wins; checked on a server: the DELETE runs"},
		{name: "explain analyze given as a quoted identifier", sql: `EXPLAIN (ANALYZE "on") DELETE FROM users`, want: "delete-no-where", note: "checked on a server: the DELETE runs"},
		{name: "explain with analyze true overridden by a later analyze false", sql: "EXPLAIN (ANALYZE true, ANALYZE false) DELETE FROM users", want: "", also: []string{"delete-no-where"}, note: "does not execute; refusing it is acceptable"},
		{name: "explain analyze false", sql: "EXPLAIN (ANALYZE false) DELETE FROM users", want: "", also: []string{"delete-no-where"}, note: "does not execute; refusing it is acceptable"},
		{name: "explain analyze off", sql: "EXPLAIN (ANALYZE off) DELETE FROM users", want: "", also: []string{"delete-no-where"}, note: "does not execute; refusing it is acceptable"},
		{name: "create rule doing an unbounded delete", sql: "CREATE RULE wipe AS ON INSERT TO events DO ALSO DELETE FROM users", want: "delete-no-where"},
		{name: "create rule doing an instead update", sql: "CREATE RULE r AS ON UPDATE TO v DO INSTEAD UPDATE users SET name = NEW.name", want: "update-no-where", note: "NEW is the rule's pseudo-row, not a restriction on users"},
		{name: "create rule with a multi action list", sql: "CREATE OR REPLACE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO log VALUES (1); DELETE FROM users WHERE true)", want: "delete-always-true"},
		{name: "view whose select unlinks a large object", sql: "CREATE VIEW v AS SELECT lo_unlink(16401)", want: "drop-large-object", note: "every read of the view unlinks"},
		{name: "cursor over a select that unlinks", sql: "DECLARE c CURSOR WITH HOLD FOR SELECT lo_unlink(16401)", want: "drop-large-object"},
		{name: "prepare a delete without where", sql: "PREPARE p AS DELETE FROM users", want: "delete-no-where"},
		{name: "prepare a delete where parameter", sql: "PREPARE p(boolean) AS DELETE FROM users WHERE $1", want: "delete-always-true"},
		{name: "prepare a data modifying cte", sql: "PREPARE p AS WITH d AS (DELETE FROM users RETURNING 1) SELECT 1", want: "delete-no-where"},
	}
}

// corpusBodies: function, procedure and DO bodies. SQL and plpgsql bodies
// are judged statically; EXECUTE of a string and other languages cannot be.
func corpusBodies() []corpusCase {
	return []corpusCase{
		{name: "sql function with a quoted body deleting everything", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELETE FROM users'", want: "delete-no-where"},
		{name: "sql function with a dollar quoted truncate", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ TRUNCATE users $$", want: "truncate"},
		{name: "sql function body with a doubled quote tautology", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELETE FROM users WHERE name = ''x'' OR true'", want: "delete-always-true"},
		{name: "sql function with an e string body", sql: `CREATE FUNCTION f() RETURNS void LANGUAGE sql AS E'DELETE FROM users WHERE \'a\' = \'a\''`, want: "delete-always-true"},
		{name: "sql function with several statements in its body", sql: "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1; DELETE FROM users; SELECT 2'", want: "delete-no-where"},
		{name: "sql procedure dropping a schema", sql: "CREATE PROCEDURE p() LANGUAGE sql SECURITY DEFINER AS $body$ DROP SCHEMA app CASCADE $body$", want: "drop-object"},
		{name: "sql function with uppercase language name", sql: "CREATE OR REPLACE FUNCTION f() RETURNS void LANGUAGE SQL AS $$ UPDATE users SET active = false $$", want: "update-no-where"},
		{name: "sql function begin atomic delete", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE sql BEGIN ATOMIC DELETE FROM users; END", want: "delete-no-where"},
		{name: "procedure begin atomic update without language clause", sql: "CREATE PROCEDURE p() BEGIN ATOMIC SELECT 1; UPDATE users SET active = false; END", want: "update-no-where", note: "a BEGIN ATOMIC body is SQL without saying so"},
		{name: "sql function return expression unlinking a large object", sql: "CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN lo_unlink(42)", want: "drop-large-object"},
		{name: "sql function body that does not parse", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELET FROM users'", want: "parse-error", also: []string{"dynamic-sql"}, note: "an unreadable body is unanalysable either way"},
		{name: "plpgsql function deleting everything", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DELETE FROM users; END $$", want: "delete-no-where"},
		{name: "plpgsql function with language after the body", sql: "CREATE FUNCTION f() RETURNS void AS $$ BEGIN DELETE FROM users; END $$ LANGUAGE plpgsql", want: "delete-no-where"},
		{name: "plpgsql function with quoted language name", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE 'plpgsql' AS $$ BEGIN TRUNCATE users; END $$", want: "truncate"},
		{name: "plpgsql body in a quoted string with doubled quotes", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS 'BEGIN DELETE FROM users WHERE name = ''x'' OR 1=1; END'", want: "delete-always-true"},
		{name: "plpgsql drop inside an if", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN IF now() > '2030-01-01' THEN DROP TABLE users; END IF; END $$", want: "drop-object"},
		{name: "plpgsql truncate in an exception handler", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN BEGIN PERFORM 1; EXCEPTION WHEN others THEN TRUNCATE users; END; END $$", want: "truncate"},
		{name: "plpgsql loop over a delete returning", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ DECLARE r record; BEGIN FOR r IN DELETE FROM users RETURNING id LOOP RAISE NOTICE '%', r.id; END LOOP; END $$", want: "delete-no-where"},
		{name: "plpgsql assignment unlinking a large object", sql: "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ DECLARE v int; BEGIN v := lo_unlink(42); RETURN v; END $$", want: "drop-large-object"},
		{name: "plpgsql if condition unlinking a large object", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN IF lo_unlink(42) = 1 THEN RETURN; END IF; END $$", want: "drop-large-object"},
		{name: "plpgsql perform unlinking a large object", sql: "DO $$ BEGIN PERFORM lo_unlink(42); END $$", want: "drop-large-object"},
		{name: "plpgsql trigger function wiping a table", sql: "CREATE FUNCTION wipe() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM users; RETURN NULL; END $$", want: "delete-no-where", note: "a trigger would run it on someone else's insert"},
		{name: "plpgsql procedure deleting then committing", sql: "CREATE OR REPLACE PROCEDURE purge() LANGUAGE plpgsql AS $$ BEGIN DELETE FROM users; COMMIT; END $$", want: "delete-no-where"},
		{name: "plpgsql execute of a concatenated string", sql: "CREATE FUNCTION f(t text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'TRUNCATE ' || quote_ident(t); END $$", want: "dynamic-sql"},
		{name: "plpgsql execute format", sql: "CREATE FUNCTION f(t text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE format('DROP TABLE %I', t); END $$", want: "dynamic-sql"},
		{name: "plpgsql return query execute", sql: "CREATE FUNCTION f(q text) RETURNS SETOF record LANGUAGE plpgsql AS $$ BEGIN RETURN QUERY EXECUTE q; END $$", want: "dynamic-sql"},
		{name: "plpgsql for in execute", sql: "CREATE FUNCTION f(q text) RETURNS void LANGUAGE plpgsql AS $$ DECLARE r record; BEGIN FOR r IN EXECUTE q LOOP END LOOP; END $$", want: "dynamic-sql"},
		// pg_query compiles plpgsql without a catalog and cannot resolve
		// the refcursor type ("variable must be of type cursor or
		// refcursor"), so the body is unreadable to it even though the
		// server accepts it: parse-error refuses in the same category.
		{name: "plpgsql open cursor for execute", sql: "CREATE FUNCTION f(q text) RETURNS refcursor LANGUAGE plpgsql AS $$ DECLARE c refcursor; BEGIN OPEN c FOR EXECUTE q; RETURN c; END $$", want: "dynamic-sql", also: []string{"parse-error"}},
		{name: "DO block deleting the current row of a cursor loop", sql: "DO $$DECLARE cur CURSOR FOR SELECT * FROM t; BEGIN FOR r IN cur LOOP DELETE FROM t WHERE CURRENT OF cur; END LOOP; END$$", want: "parse-error",
			note: "the server deletes every row; the cursor is unreadable to the parser, so the loop is refused unread"},
		{name: "DO block fetching a cursor and deleting its current row", sql: "DO $$DECLARE cur NO SCROLL CURSOR FOR SELECT * FROM t; r record; BEGIN OPEN cur; LOOP FETCH cur INTO r; EXIT WHEN NOT FOUND; DELETE FROM t WHERE CURRENT OF cur; END LOOP; END$$", want: "parse-error"},
		{name: "plpgsql body that does not parse", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DELET FROM users; END $$", want: "parse-error", also: []string{"dynamic-sql"}, note: "an unreadable body is unanalysable either way"},
		{name: "plpython function", sql: `CREATE FUNCTION f() RETURNS void LANGUAGE plpython3u AS $$ plpy.execute("DROP TABLE users") $$`, want: "dynamic-sql"},
		{name: "plperl function even with a harmless body", sql: "CREATE FUNCTION f() RETURNS int LANGUAGE plperl AS $$ return 1; $$", want: "dynamic-sql", note: "bodies in other languages cannot be read"},
		{name: "c language function", sql: "CREATE FUNCTION f() RETURNS int LANGUAGE c AS 'mylib', 'myfn'", want: "dynamic-sql"},
		{name: "internal language alias of lo_unlink", sql: "CREATE FUNCTION tidy(oid) RETURNS int LANGUAGE internal AS 'be_lo_unlink'", want: "dynamic-sql", also: []string{"drop-large-object"},
			note: "binds the server's lo_unlink implementation under a new name (checked on a server)"},
		{name: "do block deleting everything", sql: "DO $$ BEGIN DELETE FROM users; END $$", want: "delete-no-where"},
		{name: "do block with a plain string body", sql: "DO 'BEGIN DELETE FROM users; END'", want: "delete-no-where"},
		{name: "do block with an e string body and escaped quotes", sql: `DO E'BEGIN DELETE FROM users WHERE name = \'x\' OR true; END'`, want: "delete-always-true"},
		{name: "do block with language after the body", sql: "DO $$ BEGIN UPDATE users SET active = false; END $$ LANGUAGE plpgsql", want: "update-no-where"},
		{name: "do block with a quoted language before the body", sql: "DO LANGUAGE 'plpgsql' $$ BEGIN TRUNCATE users; END $$", want: "truncate"},
		{name: "do block with a tagged body containing a dollar string", sql: "DO $body$ BEGIN RAISE NOTICE $$x$$; DELETE FROM users; END $body$", want: "delete-no-where"},
		{name: "do block executing a concatenated string", sql: "DO $$ BEGIN EXECUTE 'DROP ' || 'TABLE users'; END $$", want: "dynamic-sql"},
		{name: "do block executing a constant string", sql: "DO $outer$ BEGIN EXECUTE $inner$DROP TABLE users$inner$; END $outer$", want: "dynamic-sql", also: []string{"drop-object"},
			note: "reading the constant and finding the DROP is as good as refusing it as dynamic"},
		{name: "do block calling dblink_exec", sql: "DO $$ BEGIN PERFORM dblink_exec('dbname=prod', 'DROP TABLE users'); END $$", want: "dynamic-sql"},
		{name: "do block copying to a program", sql: "DO $$ BEGIN COPY users TO PROGRAM 'id'; END $$", want: "copy-program"},
		{name: "sql function copying to a program", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ COPY users TO PROGRAM 'id' $$", want: "copy-program"},
		{name: "sql function running a do block", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ DO 'BEGIN DELETE FROM users; END' $$", want: "delete-no-where", note: "checked on a server: calling it deletes every row"},
		{name: "do blocks nested twelve deep", sql: corpusNestedDo(12, "DELETE FROM users"), want: "delete-no-where", also: []string{"dynamic-sql", "parse-error"},
			note: "nesting deeper than the analyser follows must be refused, not allowed; checked on a server: nested DO blocks run"},
		{name: "do blocks nested twelve deep doing nothing harmful", sql: corpusNestedDo(12, "PERFORM 1"), want: "", also: []string{"dynamic-sql", "parse-error"},
			note: "refusing excessive nesting is acceptable"},
		// A function body is stored as text and lexed again whenever it is
		// compiled, under the standard_conforming_strings in force then
		// (the caller's session, or the function's own SET clause). With
		// it off, 'a\'' is the string a' and the DELETE after it runs;
		// with it on, the DELETE is inside a string. Checked on a server:
		// each of these deletes every row once the setting is off, even
		// though the statement that calls the function has no backslash
		// for Preflight to notice.
		{name: "sql function body that hides a delete from standard string lexing", sql: `CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ SELECT 'a\'' ; DELETE FROM users; -- ' $$`,
			want: "delete-no-where", also: []string{"lexer-mismatch", "dynamic-sql", "parse-error"},
			note: "the body deletes every row when called in a session with standard_conforming_strings off"},
		{name: "plpgsql body that hides a delete from standard string lexing", sql: `CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM 'a\'' ; DELETE FROM users; -- ';` + "\n" + `END $$`,
			want: "delete-no-where", also: []string{"lexer-mismatch", "dynamic-sql", "parse-error"},
			note: "the body deletes every row when first called in a session with standard_conforming_strings off"},
		{name: "function that turns standard strings off for its own body", sql: `CREATE FUNCTION f() RETURNS void LANGUAGE sql SET standard_conforming_strings = off AS $$ SELECT 'a\'' ; DELETE FROM users; -- ' $$`,
			want: "delete-no-where", also: []string{"lexer-mismatch", "dynamic-sql", "parse-error"},
			note: "the SET clause applies when the body is lexed, so every call deletes every row"},
		{name: "altering a stored function to read its body without standard strings", sql: "ALTER FUNCTION f() SET standard_conforming_strings = off",
			want: "lexer-mismatch", also: []string{"dynamic-sql"},
			note: "changes how a body judged earlier is lexed; bulwark cannot see that body here"},
		{name: "altering a routine to take standard strings from the session", sql: "ALTER ROUTINE f SET standard_conforming_strings FROM CURRENT",
			want: "lexer-mismatch", also: []string{"dynamic-sql"}, note: "in a session with the setting off this freezes it off for the body"},
		{name: "altering a function's search path", sql: "ALTER FUNCTION f() SET search_path = app, public", note: "does not change how the body is lexed"},
		// Parameters and variables are values, not columns: WHERE ok is
		// WHERE $1.
		{name: "sql function deleting where a parameter", sql: "CREATE FUNCTION f_del(ok boolean) RETURNS void LANGUAGE sql AS $$ DELETE FROM users WHERE ok $$", want: "delete-always-true",
			note: "checked on a server: SELECT f_del(true) deletes every row"},
		{name: "sql function begin atomic deleting where a parameter", sql: "CREATE FUNCTION f_del(ok boolean) RETURNS void LANGUAGE sql BEGIN ATOMIC DELETE FROM users WHERE ok; END", want: "delete-always-true"},
		{name: "plpgsql function updating where a parameter", sql: "CREATE FUNCTION f(ok boolean) RETURNS void LANGUAGE plpgsql AS $$ BEGIN UPDATE users SET active = false WHERE ok; END $$", want: "update-always-true"},
		{name: "do block deleting where a declared variable", sql: "DO $$ DECLARE ok boolean := true; BEGIN DELETE FROM users WHERE ok; END $$", want: "delete-always-true"},
		{name: "trigger function deleting where TG_OP", sql: "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM users WHERE TG_OP = 'INSERT'; RETURN NEW; END $$", want: "delete-always-true",
			note: "checked on a server: a human's later INSERT into the trigger's table deleted every row"},
		{name: "trigger function updating where tg_nargs", sql: "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE users SET name = NULL WHERE tg_nargs >= 0; RETURN NEW; END $$", want: "update-always-true"},
		{name: "trigger function deleting the row it was given", sql: "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM users WHERE id = NEW.id AND TG_OP = 'INSERT'; RETURN NEW; END $$"},
		{name: "do block deleting where a loop variable", sql: "DO $$ BEGIN FOR i IN 1..3 LOOP DELETE FROM users WHERE i > 0; END LOOP; END $$", want: "delete-always-true"},
		{name: "sql function deleting where a parameter is not null", sql: "CREATE FUNCTION f(v text) RETURNS void LANGUAGE sql AS $$ DELETE FROM users WHERE v IS NOT NULL $$", want: "delete-always-true",
			note: "a column v would win in an sql function; reading the name as the parameter is the safe side"},
		{name: "sql function deleting where a column equals a parameter", sql: "CREATE FUNCTION f(ok int) RETURNS void LANGUAGE sql AS $$ DELETE FROM users WHERE id = ok $$"},
		{name: "plpgsql function deleting where a column equals a variable", sql: "DO $$ DECLARE k int := 5; BEGIN DELETE FROM users WHERE id = k; END $$"},
		{name: "do block in plperl", sql: "DO LANGUAGE plperl $$ spi_exec_query('DROP TABLE users'); $$", want: "dynamic-sql"},
	}
}

// corpusSideEffects: destructive functions and functions that run SQL
// text, reachable from a statement that starts with SELECT.
func corpusSideEffects() []corpusCase {
	const lo, dyn = "drop-large-object", "dynamic-sql"
	return []corpusCase{
		{name: "select lo_unlink", sql: "SELECT lo_unlink(16401)", want: lo},
		{name: "select lo_unlink over the catalog", sql: "SELECT lo_unlink(oid) FROM pg_largeobject_metadata", want: lo},
		{name: "schema qualified lo_unlink", sql: "SELECT pg_catalog.lo_unlink(16401)", want: lo},
		{name: "quoted lo_unlink", sql: `SELECT "lo_unlink"(16401)`, want: lo},
		{name: "unicode escaped lo_unlink", sql: `SELECT U&"lo\005funlink"(16401)`, want: lo, note: "the identifier is lo_unlink once lexed"},
		{name: "uppercase lo_unlink", sql: "SELECT LO_UNLINK(16401)", want: lo},
		{name: "lo_unlink in a where clause", sql: "SELECT 1 WHERE lo_unlink(16401) = 1", want: lo},
		{name: "lo_unlink as a table function", sql: "SELECT * FROM lo_unlink(16401)", want: lo},
		{name: "lo_unlink in values", sql: "VALUES (lo_unlink(16401))", want: lo},
		{name: "lo_unlink inside an insert", sql: "INSERT INTO log(n) VALUES (lo_unlink(16401))", want: lo},
		{name: "lo_unlink inside a copy query", sql: "COPY (SELECT lo_unlink(16401)) TO STDOUT", want: lo},
		{name: "lo_unlink under explain analyze", sql: "EXPLAIN ANALYZE SELECT lo_unlink(16401)", want: lo},
		{name: "lo_unlink under plain explain", sql: "EXPLAIN SELECT lo_unlink(16401)", want: "", also: []string{lo}, note: "plain EXPLAIN does not execute; refusing it is acceptable"},
		{name: "lo_unlink in a row security policy", sql: "CREATE POLICY p ON users USING (lo_unlink(16401) > 0)", want: lo, note: "runs on every read of users"},
		{name: "lo_unlink as the default of a new column", sql: "ALTER TABLE users ADD COLUMN n int DEFAULT lo_unlink(16401)", want: lo, note: "a volatile default is evaluated for every existing row"},
		{name: "lo_unlink in the returning list of a bounded update", sql: "UPDATE users SET a = 1 WHERE id = 5 RETURNING lo_unlink(16401)", want: lo},
		{name: "lo_unlink as a procedure argument", sql: "CALL log_event(lo_unlink(16401))", want: lo},
		{name: "lo_unlink in rows from", sql: "SELECT * FROM ROWS FROM (lo_unlink(16401))", want: lo},
		{name: "lo_unlink set as a column default", sql: "ALTER TABLE t ALTER COLUMN n SET DEFAULT lo_unlink(16401)", want: lo},
		{name: "lo_unlink as a column default", sql: "CREATE TABLE t (n int DEFAULT lo_unlink(16401))", want: lo, note: "every insert that takes the default unlinks"},
		{name: "operator bound to lo_unlink", sql: "CREATE OPERATOR !!! (RIGHTARG = oid, FUNCTION = lo_unlink)", want: lo, also: []string{dyn},
			note: "afterwards SELECT !!! 42::oid unlinks without naming lo_unlink (checked on a server)"},
		{name: "copy to program", sql: "COPY users TO PROGRAM 'gzip > /tmp/users.gz'", want: "copy-program", note: "runs a shell command on the database host"},
		{name: "copy from program", sql: "COPY users FROM PROGRAM 'curl -s http://example.com/rows.csv' WITH (FORMAT csv)", want: "copy-program"},
		{name: "copy query to program", sql: "COPY (SELECT 1) TO PROGRAM 'rm -rf /var/lib/postgresql'", want: "copy-program"},
		{name: "copy to program in odd casing with comments", sql: "cOpY users /* x */ tO/**/pRoGrAm 'sh -c id'", want: "copy-program"},
		{name: "copy to program after a harmless statement", sql: "SELECT 1; COPY users TO PROGRAM 'id'", want: "copy-program"},
		{name: "copy to program with a dollar quoted command", sql: "COPY users TO PROGRAM $$sh -c 'id'$$", want: "copy-program"},
		{name: "dblink_exec", sql: "SELECT dblink_exec('dbname=prod', 'DROP TABLE users')", want: dyn},
		{name: "unicode escaped dblink_exec", sql: `SELECT U&"dblink\005fexec"('dbname=prod', 'DROP TABLE users')`, want: dyn},
		{name: "schema qualified dblink_exec", sql: "SELECT public.dblink_exec('dbname=prod', 'SELECT 1')", want: dyn},
		{name: "dblink in from", sql: "SELECT * FROM dblink('dbname=prod', 'DELETE FROM users RETURNING id') AS t(id int)", want: dyn},
		{name: "dblink_send_query", sql: "SELECT dblink_send_query('conn', 'DROP TABLE users')", want: dyn, note: "runs the text on the linked connection like dblink_exec"},
		{name: "query_to_xml", sql: "SELECT query_to_xml('SELECT lo_unlink(16401)', true, false, '')", want: dyn, note: "checked on a server: the large object is unlinked"},
		{name: "query_to_xml_and_xmlschema", sql: "SELECT query_to_xml_and_xmlschema('SELECT 1', true, false, '')", want: dyn},
		{name: "crosstab runs its argument as a query", sql: "SELECT * FROM crosstab('SELECT lo_unlink(16401)::text, 1::text, 1::text') AS ct(a text, b text)", want: dyn,
			note: "tablefunc's crosstab runs SQL text; checked on a server: the large object is unlinked"},
		{name: "ts_stat runs its argument as a query", sql: "SELECT * FROM ts_stat('SELECT lo_unlink(16401)::text::tsvector')", want: dyn, note: "checked on a server: the large object is unlinked"},
		{name: "ts_rewrite runs its second argument as a query", sql: "SELECT ts_rewrite('a & b'::tsquery, 'SELECT t, s FROM aliases')", want: dyn, note: "the second argument is SQL text the server runs"},
		{name: "xpath_table runs its criteria as a query", sql: "SELECT * FROM xpath_table('id', 'val', 't', '/a', 'true; DELETE FROM t; SELECT 1, ''<a/>''::text') AS x(id int, v text)", want: dyn,
			note: "xml2 pastes its arguments into a query; checked on a server: every row is deleted"},
		{name: "schema qualified xpath_table", sql: "SELECT * FROM public.XPATH_TABLE('id', 'doc', 'docs', '/a', 'true') AS x(id int, v text)", want: dyn},
		{name: "lo_truncate", sql: "BEGIN; SELECT lo_truncate(lo_open(16401, 131072), 0); COMMIT", want: lo, note: "checked on a server: the large object is emptied"},
		{name: "qualified lo_truncate64", sql: "SELECT pg_catalog.lo_truncate64(lo_open(16401, 131072), 0)", want: lo},
		{name: "lo_truncate in a plpgsql body", sql: "DO $$ BEGIN PERFORM lo_truncate(lo_open(16401, 131072), 0); END $$", want: lo},
		{name: "xpath of a document", sql: "SELECT xpath('/a/text()', '<a>x</a>'::xml)", note: "core xpath evaluates a path, not SQL"},
		{name: "large object write", sql: "SELECT lo_put(16401, 0, 'abc')", note: "writes at a given offset, like an UPDATE of named data"},
	}
}

// corpusSessionToggles: statements that switch a guard off in some tools.
// The analyser allows them: bulwark's own guard does not depend on session
// state (lexing settings are handled by Preflight, identity by the proxy),
// so they are allowed here and other tests prove the guard stays on.
func corpusSessionToggles() []corpusCase {
	const why = "session toggle: does not switch bulwark's guard off"
	return []corpusCase{
		{name: "set role", sql: "SET ROLE admin", note: why},
		{name: "reset role", sql: "RESET ROLE", note: why},
		{name: "set session authorization", sql: "SET SESSION AUTHORIZATION postgres", note: why},
		{name: "reset all", sql: "RESET ALL", note: why},
		{name: "start transaction read write", sql: "START TRANSACTION READ WRITE", note: why},
		{name: "set transaction read write", sql: "SET TRANSACTION READ WRITE", note: why},
		{name: "begin serializable read write", sql: "BEGIN ISOLATION LEVEL SERIALIZABLE READ WRITE", note: why},
		{name: "default transaction read only off", sql: "SET default_transaction_read_only = off", note: why},
		{name: "standard conforming strings off", sql: "SET standard_conforming_strings = off", note: why + "; Preflight refuses later backslash text"},
		{name: "backslash quote on", sql: "SET backslash_quote = on", note: why},
		{name: "client encoding change", sql: "SET client_encoding = 'SJIS'", note: why + "; Preflight refuses later non-ASCII text"},
		{name: "set_config of standard conforming strings", sql: "SELECT set_config('standard_conforming_strings', 'off', false)", note: why},
		{name: "application name that looks human", sql: "SET application_name = 'alice-laptop'", note: "identity signals may only restrict a session"},
		{name: "search path change", sql: "SET search_path = app, public", note: why},
	}
}

// corpusSafeguards: the database's own protections (triggers, rules, row
// security, the foreign keys' checks) switched off, for the session or for
// every session, in each spelling the server accepts; and the statements
// that switch them back on, which stay allowed.
func corpusSafeguards() []corpusCase {
	const off = "disable-safeguard"
	return []corpusCase{
		{name: "replication role replica", sql: "SET session_replication_role = replica", want: off},
		{name: "replication role replica as a string, local", sql: "SET LOCAL session_replication_role TO 'replica'", want: off},
		{name: "replication role replica, shouted", sql: "SET SESSION SESSION_REPLICATION_ROLE = REPLICA", want: off},
		{name: "replication role quoted name", sql: `SET "session_replication_role" = 'replica'`, want: off},
		{name: "replication role by set_config", sql: "SELECT set_config('session_replication_role', 'replica', false)", want: off},
		{name: "replication role by qualified set_config", sql: "SELECT pg_catalog.set_config('Session_Replication_Role', ' Replica', true)", want: off},
		{name: "replication role from a value chosen at run time", sql: "SELECT set_config('session_replication_role', current_setting('my.role'), false)", want: off},
		{name: "setting chosen at run time by set_config", sql: "SELECT set_config(name, 'replica', false) FROM settings_to_apply", want: off,
			note: "a name computed at run time may be session_replication_role"},
		{name: "replication role by UPDATE pg_settings", sql: "UPDATE pg_settings SET setting = 'replica' WHERE name = 'session_replication_role'", want: off},
		{name: "UPDATE pg_settings of any setting", sql: "UPDATE pg_catalog.pg_settings SET setting = 'replica' WHERE name LIKE 'session%'", want: off},
		{name: "UPDATE pg_settings of a bound setting", sql: "UPDATE pg_settings SET setting = $1 WHERE name = $2", want: off},
		{name: "replication role in a DO block", sql: "DO $$BEGIN SET session_replication_role = replica; DELETE FROM audited WHERE id = 1; END$$", want: off},
		{name: "replication role by PERFORM in a DO block", sql: "DO $$BEGIN PERFORM set_config('session_replication_role', 'replica', true); END$$", want: off},
		{name: "replication role in a function's SET clause", sql: "CREATE FUNCTION purge(int) RETURNS void LANGUAGE sql SET session_replication_role = replica AS 'DELETE FROM audited WHERE id = $1'", want: off},
		{name: "replication role set on a function", sql: "ALTER FUNCTION purge(int) SET session_replication_role = replica", want: off},
		{name: "replication role in a data-modifying CTE", sql: "WITH s AS (UPDATE pg_settings SET setting = 'replica' WHERE name = 'session_replication_role' RETURNING 1) SELECT * FROM s", want: off},
		{name: "triggers disabled", sql: "ALTER TABLE audited DISABLE TRIGGER ALL", want: off},
		{name: "user triggers disabled", sql: "ALTER TABLE public.audited DISABLE TRIGGER USER", want: off},
		{name: "one trigger disabled among other actions", sql: "ALTER TABLE IF EXISTS ONLY audited ADD COLUMN note text, DISABLE TRIGGER keep_history", want: off},
		{name: "trigger made replica-only", sql: "ALTER TABLE audited ENABLE REPLICA TRIGGER keep_history", want: off},
		{name: "rule disabled", sql: "ALTER TABLE audited DISABLE RULE never_delete", want: off},
		{name: "rule made replica-only", sql: "ALTER TABLE audited ENABLE REPLICA RULE never_delete", want: off},
		{name: "row security disabled", sql: "ALTER TABLE accounts DISABLE ROW LEVEL SECURITY", want: off},
		{name: "row security no longer forced on the owner", sql: "ALTER TABLE accounts NO FORCE ROW LEVEL SECURITY", want: off},
		{name: "triggers disabled in a DO block", sql: "DO $$BEGIN ALTER TABLE audited DISABLE TRIGGER ALL; END$$", want: off},
		{name: "an updatable view over pg_settings", sql: "CREATE VIEW ps AS SELECT name, setting FROM pg_catalog.pg_settings", want: off,
			note: "UPDATE ps SET setting = 'replica' WHERE name = 'session_replication_role' goes through pg_settings' rule"},
		{name: "an updatable view over pg_settings, replaced", sql: "CREATE OR REPLACE VIEW ps AS SELECT * FROM pg_settings WHERE context = 'user'", want: off},
		{name: "an aggregate stepping with set_config", sql: "CREATE AGGREGATE cfg(text, boolean) (SFUNC = pg_catalog.set_config, STYPE = text, INITCOND = 'session_replication_role')", want: off},
		{name: "an aggregate stepping with set_config named by a string", sql: "CREATE AGGREGATE cfg(text, boolean) (SFUNC = 'set_config', STYPE = text)", want: off},
		{name: "an aggregate finishing with set_config", sql: "CREATE AGGREGATE cfg2(text) (SFUNC = textcat, STYPE = text, MSFUNC = set_config, MSTYPE = text, MINVFUNC = textcat)", want: off},
		{name: "a trigger replaced in place", sql: "CREATE OR REPLACE TRIGGER no_delete BEFORE DELETE ON orders FOR EACH ROW WHEN (false) EXECUTE FUNCTION protect()", want: off,
			note: "WHEN (false) silences the trigger of that name, as DISABLE TRIGGER would"},
		{name: "a rule replaced in place", sql: "CREATE OR REPLACE RULE keep_ledger AS ON DELETE TO ledger DO ALSO NOTIFY ledger_changed", want: off},
		{name: "a table made a view over pg_settings by an ON SELECT rule", sql: `CREATE RULE "_RETURN" AS ON SELECT TO ps DO INSTEAD SELECT name, setting FROM pg_settings`, want: off,
			note: "up to PostgreSQL 15 the rule turns the empty table into an updatable view"},
		{name: "a table made a view over a catalog by an ON SELECT rule", sql: `CREATE RULE "_RETURN" AS ON SELECT TO cls DO INSTEAD SELECT relname, relnamespace FROM pg_catalog.pg_class`, want: "system-catalog"},
		{name: "a table made a view over a table by an ON SELECT rule", sql: `CREATE RULE "_RETURN" AS ON SELECT TO v DO INSTEAD SELECT * FROM orders`},
		{name: "UPDATE pg_settings named by another relation's column", sql: "UPDATE pg_settings SET setting = 'replica' FROM (VALUES ('work_mem')) x(name) WHERE x.name = 'work_mem' AND pg_settings.name LIKE 'session_repl%'", want: off},
		{name: "UPDATE pg_settings joined to itself", sql: "UPDATE pg_settings p SET setting = 'replica' FROM pg_settings name WHERE name.name = 'work_mem' AND p.name ~ 'replication_role'", want: off},
		{name: "UPDATE pg_settings by its alias", sql: "UPDATE pg_settings s SET setting = '64MB' WHERE s.name = 'work_mem'"},
		{name: "a new trigger", sql: "CREATE TRIGGER no_delete2 BEFORE DELETE ON orders FOR EACH ROW EXECUTE FUNCTION protect()"},
		{name: "a new rule that also notifies", sql: "CREATE RULE tell AS ON INSERT TO ledger DO ALSO NOTIFY ledger_changed"},
		{name: "a view of pg_settings that is not updatable", sql: "CREATE VIEW changed AS SELECT DISTINCT name, setting FROM pg_settings WHERE source <> 'default'"},
		{name: "a view of pg_settings joined to another", sql: "CREATE VIEW ps2 AS SELECT s.name, s.setting FROM pg_settings s JOIN notes n ON n.name = s.name"},
		{name: "set_config called by an aggregate's argument", sql: "SELECT string_agg(set_config('work_mem', '8MB', false), ',')"},

		{name: "statement logging off", sql: "SET log_statement = 'none'", want: off},
		{name: "slow statement logging off", sql: "SET log_min_duration_statement = -1", want: off},
		{name: "pgaudit off", sql: "SET pgaudit.log = 'none'", want: off},
		{name: "pgaudit's level lowered by set_config", sql: "SELECT set_config('pgaudit.log_level', 'debug5', false)", want: off},
		{name: "statement logging off by UPDATE pg_settings", sql: "UPDATE pg_settings SET setting = 'none' WHERE name = 'log_statement'", want: off},
		{name: "statement logging reset", sql: "RESET log_statement"},
		{name: "replication role back to origin", sql: "SET session_replication_role = origin"},
		{name: "replication role local", sql: "SET LOCAL session_replication_role = local", note: "ordinary triggers and rules fire under local as under origin"},
		{name: "replication role to its default", sql: "SET session_replication_role TO DEFAULT"},
		{name: "replication role reset", sql: "RESET session_replication_role"},
		{name: "replication role kept from the caller", sql: "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET session_replication_role FROM CURRENT AS 'SELECT 1'",
			note: "FROM CURRENT keeps the creating session's value, which bulwark keeps at origin"},
		{name: "replication role back to origin by set_config", sql: "SELECT set_config('session_replication_role', 'origin', false)"},
		{name: "another setting by set_config", sql: "SELECT set_config('work_mem', 'replica', false)"},
		{name: "another setting by UPDATE pg_settings", sql: "UPDATE pg_settings SET setting = '64MB' WHERE name = 'work_mem'"},
		{name: "another setting by UPDATE pg_settings with more conditions", sql: "UPDATE pg_settings SET setting = 'on' WHERE name = 'enable_seqscan' AND setting = 'off'"},
		{name: "reading the replication role", sql: "SELECT current_setting('session_replication_role'), name FROM pg_settings WHERE name = 'session_replication_role'"},
		{name: "triggers enabled", sql: "ALTER TABLE audited ENABLE TRIGGER ALL"},
		{name: "trigger made to fire always", sql: "ALTER TABLE audited ENABLE ALWAYS TRIGGER keep_history"},
		{name: "rule enabled", sql: "ALTER TABLE audited ENABLE RULE never_delete"},
		{name: "row security enabled and forced", sql: "ALTER TABLE accounts ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY"},
		{name: "a table named like a safeguard", sql: "UPDATE session_replication_role SET note = 'disable trigger' WHERE id = 1"},
	}
}

// corpusUnparsable: text the parser rejects must be refused, never
// forwarded (fail-open parsing).
func corpusUnparsable() []corpusCase {
	const pe = "parse-error"
	return []corpusCase{
		{name: "misspelled verb", sql: "SELEC 1", want: pe},
		{name: "misspelled delete", sql: "DELET FROM users", want: pe},
		{name: "incomplete drop", sql: "DROP TABLE", want: pe},
		{name: "words run together", sql: "DROPTABLE users", want: pe},
		{name: "unterminated string", sql: "SELECT 'unterminated; DROP TABLE users", want: pe},
		{name: "unterminated block comment", sql: "SELECT 1 /* DROP TABLE users", want: pe},
		{name: "unterminated nested comment", sql: "SELECT 1 /* /* */ DROP TABLE users", want: pe, note: "the outer comment is still open at the end of the text"},
		{name: "unterminated dollar quote", sql: "SELECT $$unterminated; DROP TABLE users", want: pe},
		{name: "adjacent strings on one line", sql: "SELECT 'a' 'b'", want: pe, note: "literals concatenate only across a newline"},
		{name: "closing parentheses only", sql: ")))", want: pe},
		{name: "control characters", sql: "\x01\x02\x03", want: pe},
		{name: "psql meta command", sql: `\c otherdb`, want: pe, note: "psql commands are not SQL; the server would reject the text"},
		{name: "valid statement then garbage", sql: "SELECT 1; DROP TABLE users; garbage here", want: pe, also: []string{"drop-object"}, note: "the server rejects the whole text; refusing for the DROP is as good"},
		{name: "explain analyze cannot wrap truncate", sql: "EXPLAIN ANALYZE TRUNCATE users", want: pe, also: []string{"truncate"}, note: "TRUNCATE is not explainable"},
		{name: "prepare cannot wrap drop", sql: "PREPARE p AS DROP TABLE users", want: pe, also: []string{"drop-object"}, note: "DROP is not preparable"},
		{name: "mysql delete modifiers", sql: "DELETE QUICK IGNORE FROM users", want: pe},
		{name: "only semicolons", sql: ";;;", want: "", also: []string{pe}, note: "an empty query runs nothing"},
	}
}

// corpusBenign: ordinary work an agent must be able to do, including
// statements whose text contains the dangerous words.
func corpusBenign() []corpusCase {
	return []corpusCase{
		{name: "select one", sql: "SELECT 1"},
		{name: "select with where", sql: "SELECT * FROM users WHERE id = 5"},
		{name: "select with group by having", sql: "SELECT status, count(*) FROM orders GROUP BY status HAVING count(*) > 1"},
		{name: "select with join", sql: "SELECT u.name, o.total FROM users u JOIN orders o ON o.user_id = u.id"},
		{name: "select with a read only cte", sql: "WITH recent AS (SELECT * FROM orders WHERE created > now() - interval '1 day') SELECT * FROM recent"},
		{name: "recursive cte", sql: "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT * FROM r"},
		{name: "select for update", sql: "SELECT * FROM users WHERE id = 5 FOR UPDATE"},
		{name: "table command", sql: "TABLE users"},
		{name: "values list", sql: "VALUES (1, 'a'), (2, 'b')"},
		{name: "catalog query", sql: "SELECT pid, state FROM pg_stat_activity"},
		{name: "show", sql: "SHOW search_path"},
		{name: "insert values", sql: "INSERT INTO users (name) VALUES ('alice')"},
		{name: "insert returning", sql: "INSERT INTO users (name) VALUES ('alice') RETURNING id"},
		{name: "insert on conflict do nothing", sql: "INSERT INTO users (id, name) VALUES (1, 'a') ON CONFLICT (id) DO NOTHING"},
		{name: "insert on conflict do update without where", sql: "INSERT INTO users (id, name) VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name", note: "the update touches only the conflicting row"},
		{name: "insert from select", sql: "INSERT INTO archive SELECT * FROM users WHERE deleted_at IS NOT NULL"},
		{name: "update with where", sql: "UPDATE users SET name = 'b' WHERE id = 5"},
		{name: "update with parameter predicate", sql: "UPDATE users SET last_login = now() WHERE id = $1"},
		{name: "update with time predicate", sql: "UPDATE orders SET status = 'stale' WHERE created < now() - interval '30 days'"},
		{name: "update with in subquery", sql: "UPDATE users SET active = false WHERE id IN (SELECT user_id FROM bans)"},
		{name: "update from with join predicate", sql: "UPDATE users u SET total = o.sum FROM (SELECT user_id, sum(total) AS sum FROM orders GROUP BY user_id) o WHERE o.user_id = u.id"},
		{name: "update where current of", sql: "UPDATE users SET active = false WHERE CURRENT OF c"},
		{name: "update where false", sql: "UPDATE users SET active = false WHERE false", note: "affects nothing"},
		{name: "update where case depending on the row", sql: "UPDATE users SET active = false WHERE CASE WHEN id > 5 THEN true ELSE false END"},
		{name: "delete with where", sql: "DELETE FROM users WHERE id = 5"},
		{name: "delete with time predicate", sql: "DELETE FROM sessions WHERE expires_at < now()"},
		{name: "delete with relative time predicate", sql: "DELETE FROM events WHERE created < now() - interval '1 day'"},
		{name: "delete with in subquery", sql: "DELETE FROM users WHERE id IN (SELECT user_id FROM bans)"},
		{name: "delete with correlated exists", sql: "DELETE FROM users u WHERE EXISTS (SELECT 1 FROM bans b WHERE b.user_id = u.id)"},
		{name: "delete with any parameter", sql: "DELETE FROM users WHERE id = ANY($1)"},
		{name: "delete where current of", sql: "DELETE FROM users WHERE CURRENT OF c"},
		{name: "delete using with join predicate", sql: "DELETE FROM orders o USING users u WHERE o.user_id = u.id AND u.banned"},
		{name: "delete using with unaliased join predicate", sql: "DELETE FROM t USING u WHERE t.id = u.id"},
		{name: "delete where false", sql: "DELETE FROM users WHERE false", note: "affects nothing"},
		{name: "delete where one equals zero", sql: "DELETE FROM users WHERE 1=0", note: "affects nothing"},
		{name: "delete where not true", sql: "DELETE FROM users WHERE NOT true", note: "affects nothing"},
		{name: "delete where row predicate and a true arm", sql: "DELETE FROM users WHERE id = 5 AND true", note: "AND with true is still bounded by id = 5"},
		{name: "delete where row predicate and a parameter", sql: "DELETE FROM users WHERE id = 5 AND $1"},
		{name: "delete where row predicate or false", sql: "DELETE FROM users WHERE id = 5 OR false"},
		{name: "delete returning with where", sql: "DELETE FROM users WHERE id = 5 RETURNING *"},
		{name: "bounded data modifying cte", sql: "WITH d AS (DELETE FROM users WHERE id = 1 RETURNING *) SELECT * FROM d"},
		{name: "bounded copy of a delete", sql: "COPY (DELETE FROM users WHERE id = 1 RETURNING *) TO STDOUT"},
		{name: "merge with a join condition", sql: "MERGE INTO users u USING incoming i ON u.id = i.id WHEN MATCHED THEN UPDATE SET name = i.name WHEN NOT MATCHED THEN INSERT (id, name) VALUES (i.id, i.name)"},
		{name: "merge deleting on a join condition", sql: "MERGE INTO users u USING stale s ON u.id = s.id WHEN MATCHED THEN DELETE"},
		{name: "delete where column equals another column", sql: "DELETE FROM users WHERE created = updated", note: "two different columns: a real filter"},
		{name: "delete where column is not null", sql: "DELETE FROM users WHERE email IS NOT NULL", note: "a real filter: rows without an email stay"},
		{name: "delete where a whole row is not null", sql: "DELETE FROM users WHERE users IS NOT NULL", note: "true only when every field is not NULL"},
		{name: "delete where a comparison or another comparison", sql: "DELETE FROM users WHERE id < 5 OR id > 5"},
		{name: "delete where column plus one is a constant", sql: "DELETE FROM users WHERE id + 1 = 5"},
		{name: "delete where column between a constant and itself", sql: "DELETE FROM users WHERE id BETWEEN 3 AND id", note: "id >= 3"},
		{name: "delete where column equals any of a constant array", sql: "DELETE FROM users WHERE id = ANY(ARRAY[1, 2])"},
		{name: "delete where column in a filtered subquery over the table", sql: "DELETE FROM users WHERE id IN (SELECT id FROM users WHERE created < now())"},
		{name: "delete where column in a subquery over the table with having", sql: "DELETE FROM users WHERE id IN (SELECT id FROM users GROUP BY id HAVING count(*) > 1)"},
		{name: "delete where column in a limited subquery over the table", sql: "DELETE FROM users WHERE id IN (SELECT id FROM users ORDER BY id LIMIT 10)"},
		{name: "delete where column in a scalar subquery of another table", sql: "DELETE FROM users WHERE id = (SELECT user_id FROM bans WHERE bans.id = 7)"},
		{name: "delete where a parent row exists", sql: "DELETE FROM users WHERE EXISTS (SELECT 1 FROM users p WHERE p.id = users.parent_id)", note: "correlated on different columns"},
		{name: "delete where column in the table filtered by the outer row", sql: "DELETE FROM users WHERE id IN (SELECT id FROM users x WHERE users.active)", note: "users.active is the outer row's"},
		{name: "delete where the same row exists and the outer row is tested", sql: "DELETE FROM users WHERE EXISTS (SELECT 1 FROM users x WHERE x.id = users.id AND users.active)"},
		{name: "delete using a subquery over the target that swaps column names", sql: "DELETE FROM users USING (SELECT id AS k, parent_id AS id FROM users) s WHERE users.id = s.id", note: "s.id is parent_id"},
		{name: "delete where a table aliased like another is tested", sql: "DELETE FROM users u WHERE id IN (SELECT id FROM u)", note: "u in the subquery is the table u, not the alias"},
		{name: "delete using a filtered subquery over the target", sql: "DELETE FROM users USING (SELECT id FROM users WHERE created < now()) s WHERE users.id = s.id"},
		{name: "delete using a filtered cte over the target", sql: "WITH s AS (SELECT id FROM users WHERE active) DELETE FROM users USING s WHERE users.id = s.id"},
		{name: "merge from a filtered subquery over the target", sql: "MERGE INTO users USING (SELECT * FROM users WHERE id < 3) s ON users.id = s.id WHEN MATCHED THEN DELETE"},
		{name: "upsert of a filtered copy of the table", sql: "INSERT INTO users SELECT * FROM users WHERE id < 3 ON CONFLICT (id) DO UPDATE SET email = NULL"},
		{name: "upsert of the table into itself with a bounding where", sql: "INSERT INTO users SELECT * FROM users ON CONFLICT (id) DO UPDATE SET email = NULL WHERE users.id = 3"},
		{name: "upsert of another table", sql: "INSERT INTO users SELECT * FROM staging ON CONFLICT (id) DO UPDATE SET email = excluded.email"},
		{name: "delete where email is like a prefix", sql: "DELETE FROM users WHERE email LIKE 'a%'"},
		{name: "delete where any email is like percent", sql: "DELETE FROM users WHERE email LIKE '%'", note: "a bounded-looking filter that matches every row: the documented limit"},
		{name: "delete where email is like another column", sql: "DELETE FROM users WHERE email LIKE name"},
		{name: "delete where coalesce equals a literal", sql: "DELETE FROM users WHERE coalesce(email, 'x') = 'x'"},
		{name: "delete where coalesce of two columns is not null", sql: "DELETE FROM users WHERE coalesce(email, name) IS NOT NULL"},
		{name: "delete where a count of nulls is positive", sql: "DELETE FROM users WHERE num_nulls(email, name) > 0"},
		{name: "delete where null tests of two columns differ", sql: "DELETE FROM users WHERE (email IS NULL) <> (name IS NOT NULL)"},
		{name: "delete where a null test equals its negation", sql: "DELETE FROM users WHERE (email IS NULL) = (email IS NOT NULL)", note: "always false: deletes nothing"},
		{name: "delete where a null test is not true", sql: "DELETE FROM users WHERE (id IS NULL) IS NOT TRUE", note: "id IS NOT NULL: the documented limit"},
		{name: "delete where a boolean is in true false", sql: "DELETE FROM users WHERE active IN (true, false)"},
		{name: "delete where in a list or not in another", sql: "DELETE FROM users WHERE id IN (1, 2) OR id NOT IN (1, 3)"},
		{name: "delete where between or not between other bounds", sql: "DELETE FROM users WHERE id BETWEEN 1 AND 5 OR id NOT BETWEEN 1 AND 6"},
		{name: "delete where id equals coalesce of another column", sql: "DELETE FROM users WHERE id = coalesce(parent_id, 0)"},
		{name: "delete where id equals minus id", sql: "DELETE FROM users WHERE id = -id"},
		{name: "delete where a text equals itself with a suffix", sql: "DELETE FROM users WHERE email = email || 'x'"},
		{name: "delete where id in values of literals", sql: "DELETE FROM users WHERE id IN (VALUES (1), (2))"},
		{name: "delete where exists a from-less select with a where", sql: "DELETE FROM users WHERE EXISTS (SELECT 1 WHERE users.id = 5)"},
		{name: "delete where exists a set returning from-less select", sql: "DELETE FROM users WHERE EXISTS (SELECT generate_series(1, users.parent_id))"},
		{name: "delete where exists values and a key", sql: "DELETE FROM users WHERE EXISTS (VALUES (users.id)) AND id = 3"},
		{name: "delete where id is any of an array of a filtered table", sql: "DELETE FROM users WHERE id = ANY(ARRAY(SELECT id FROM users WHERE active))"},
		{name: "delete where id in an intersect with a filtered arm", sql: "DELETE FROM users WHERE id IN (SELECT id FROM users INTERSECT SELECT id FROM users WHERE active)"},
		{name: "delete where id in an except", sql: "DELETE FROM users WHERE id IN (SELECT id FROM users EXCEPT SELECT id FROM users WHERE active)"},
		{name: "delete where id in a filtered derived table", sql: "DELETE FROM users WHERE id IN (SELECT id FROM (SELECT * FROM users WHERE active) s)"},
		{name: "delete where id in the table limit five", sql: "DELETE FROM users WHERE id IN (SELECT id FROM users LIMIT 5)"},
		{name: "delete where id in the table offset one", sql: "DELETE FROM users WHERE id IN (SELECT id FROM users OFFSET 1)"},
		{name: "delete where id in the table joined on false", sql: "DELETE FROM users WHERE id IN (SELECT x.id FROM users x JOIN (SELECT 1) y ON false)"},
		{name: "delete where id in the table left joined to another and filtered by it", sql: "DELETE FROM users WHERE id IN (SELECT x.id FROM users x LEFT JOIN orgs o ON o.id = x.org_id WHERE o.suspended)"},
		{name: "delete where id in the table inner joined to another", sql: "DELETE FROM users WHERE id IN (SELECT x.id FROM users x JOIN bans b ON b.user_id = x.id)"},
		{name: "delete where exists a from-less select with a key where", sql: "DELETE FROM users WHERE EXISTS (SELECT WHERE users.id = 5)"},
		{name: "delete where id in a filtered with query", sql: "DELETE FROM users WHERE id IN (WITH s AS (SELECT id FROM users WHERE active) SELECT id FROM s)"},
		{name: "delete where id in a with query shadowing a cte over the target", sql: "WITH s AS (SELECT id FROM users) DELETE FROM users WHERE id IN (WITH s AS (SELECT 1 AS id) SELECT id FROM s)"},
		{name: "update where id in the table grouped having a count", sql: "UPDATE users SET active = false WHERE id IN (SELECT id FROM users GROUP BY id HAVING count(*) > 1)"},
		{name: "update where id in the table right joined on true to another", sql: "UPDATE users SET active = false WHERE id IN (SELECT users.id FROM users RIGHT JOIN bans b ON true)"},
		{name: "delete where id in a filtered cte", sql: "WITH s AS (SELECT id FROM users WHERE active) DELETE FROM users WHERE id IN (SELECT id FROM s)"},
		{name: "upsert of a filtered derived table over the target", sql: "INSERT INTO users SELECT * FROM (SELECT * FROM users WHERE id < 3) s ON CONFLICT (id) DO UPDATE SET email = NULL"},
		{name: "upsert of another table where excluded key equals the key", sql: "INSERT INTO users SELECT * FROM staging ON CONFLICT (id) DO UPDATE SET email = excluded.email WHERE excluded.id = users.id", note: "only staging's keys conflict"},
		{name: "upsert into itself where the proposed email differs", sql: "INSERT INTO users (id, email) SELECT id, 'new' FROM users ON CONFLICT (id) DO UPDATE SET email = NULL WHERE excluded.email = users.email"},
		{name: "merge with exists of a from-less select beside a join", sql: "MERGE INTO users USING staging s ON users.id = s.id WHEN MATCHED AND EXISTS (SELECT users.id) THEN DELETE"},
		{name: "merge on true that only inserts", sql: "MERGE INTO users USING incoming i ON true WHEN NOT MATCHED THEN INSERT (id) VALUES (i.id)", note: "nothing is updated or deleted"},
		{name: "create table", sql: "CREATE TABLE t (id serial PRIMARY KEY, name text NOT NULL)"},
		{name: "create table if not exists like", sql: "CREATE TABLE IF NOT EXISTS users_new (LIKE users INCLUDING ALL)"},
		{name: "create temp table as", sql: "CREATE TEMP TABLE tmp AS SELECT * FROM users WHERE id < 10"},
		{name: "select into", sql: "SELECT * INTO TEMP users_copy FROM users", note: "creates a table, destroys nothing"},
		{name: "create index concurrently", sql: "CREATE INDEX CONCURRENTLY users_email_idx ON users (email)"},
		{name: "create unique index", sql: "CREATE UNIQUE INDEX ON users (lower(email))"},
		{name: "create view", sql: "CREATE VIEW active_users AS SELECT * FROM users WHERE active"},
		{name: "create or replace view", sql: "CREATE OR REPLACE VIEW active_users AS SELECT id, name FROM users WHERE active"},
		{name: "create materialized view", sql: "CREATE MATERIALIZED VIEW totals AS SELECT user_id, sum(total) FROM orders GROUP BY user_id"},
		{name: "refresh materialized view", sql: "REFRESH MATERIALIZED VIEW CONCURRENTLY totals"},
		{name: "create schema", sql: "CREATE SCHEMA IF NOT EXISTS app"},
		{name: "create sequence", sql: "CREATE SEQUENCE order_no START 1000"},
		{name: "create extension", sql: "CREATE EXTENSION IF NOT EXISTS pgcrypto"},
		{name: "alter table add column", sql: "ALTER TABLE users ADD COLUMN age int"},
		{name: "alter table add column if not exists", sql: "ALTER TABLE users ADD COLUMN IF NOT EXISTS age int DEFAULT 0"},
		{name: "alter table rename column", sql: "ALTER TABLE users RENAME COLUMN name TO full_name"},
		{name: "alter table rename", sql: "ALTER TABLE users RENAME TO people"},
		{name: "alter column drop not null", sql: "ALTER TABLE users ALTER COLUMN email DROP NOT NULL", note: "drops a constraint flag, not the column"},
		{name: "alter column drop default", sql: "ALTER TABLE users ALTER COLUMN email DROP DEFAULT", note: "drops the default, not the column"},
		{name: "alter table add constraint", sql: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)"},
		{name: "create trigger", sql: "CREATE TRIGGER users_audit AFTER UPDATE ON users FOR EACH ROW EXECUTE FUNCTION audit_row()", note: "the trigger function's body is judged when it is created"},
		{name: "create rule doing nothing", sql: "CREATE RULE no_insert AS ON INSERT TO users DO INSTEAD NOTHING", want: "statement-rewrite"},
		{name: "create rule with a bounded delete", sql: "CREATE RULE del_v AS ON DELETE TO v DO INSTEAD DELETE FROM users WHERE users.id = OLD.id"},
		{name: "sql function adding numbers", sql: "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE SQL IMMUTABLE AS 'SELECT a + b'", note: "LANGUAGE SQL folds to sql"},
		{name: "sql function with a bounded delete", sql: "CREATE FUNCTION f(uid int) RETURNS void LANGUAGE sql AS $$ DELETE FROM sessions WHERE user_id = uid $$"},
		{name: "sql function return form", sql: "CREATE FUNCTION n() RETURNS bigint LANGUAGE sql RETURN (SELECT count(*) FROM users)"},
		{name: "sql function begin atomic with a bounded delete", sql: "CREATE FUNCTION f(i int) RETURNS void LANGUAGE sql BEGIN ATOMIC DELETE FROM users WHERE id = i; END"},
		{name: "plpgsql function with a bounded update", sql: "CREATE FUNCTION touch(uid int) RETURNS void LANGUAGE plpgsql AS $$ BEGIN UPDATE users SET last_seen = now() WHERE id = uid; END $$"},
		{name: "plpgsql loop with bounded deletes", sql: "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ DECLARE r record; BEGIN FOR r IN SELECT id FROM users WHERE banned LOOP DELETE FROM orders WHERE user_id = r.id; END LOOP; END $$"},
		{name: "plpgsql function whose comment and string mention execute", sql: "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN -- EXECUTE 'DROP TABLE users'\n RAISE NOTICE 'EXECUTE DROP TABLE users'; RETURN 1; END $$"},
		{name: "do block raising a notice about dropping", sql: "DO $$ BEGIN RAISE NOTICE 'DROP TABLE users'; END $$"},
		{name: "do block counting rows", sql: "DO $$ DECLARE n int; BEGIN SELECT count(*) INTO n FROM users; RAISE NOTICE '%', n; END $$"},
		{name: "begin", sql: "BEGIN"},
		{name: "commit", sql: "COMMIT"},
		{name: "rollback", sql: "ROLLBACK"},
		{name: "savepoint", sql: "SAVEPOINT s1"},
		{name: "rollback to savepoint", sql: "ROLLBACK TO SAVEPOINT s1"},
		{name: "release savepoint", sql: "RELEASE SAVEPOINT s1"},
		{name: "transaction with a bounded update", sql: "BEGIN; UPDATE users SET name = 'x' WHERE id = 1; COMMIT"},
		{name: "copy from stdin", sql: "COPY users FROM STDIN"},
		{name: "copy columns from stdin as csv", sql: "COPY users (id, name) FROM STDIN WITH (FORMAT csv, HEADER true)"},
		{name: "copy to stdout", sql: "COPY users TO STDOUT WITH (FORMAT csv, HEADER)"},
		{name: "copy query to stdout", sql: "COPY (SELECT * FROM users WHERE id < 10) TO STDOUT"},
		{name: "copy to stdout with program in a comment", sql: "COPY users TO STDOUT -- PROGRAM 'rm -rf /'"},
		{name: "explain delete without analyze", sql: "EXPLAIN DELETE FROM users", note: "plain EXPLAIN does not execute"},
		{name: "explain verbose update without analyze", sql: "EXPLAIN (VERBOSE, COSTS off) UPDATE users SET active = false"},
		{name: "explain analyze select", sql: "EXPLAIN ANALYZE SELECT * FROM users"},
		{name: "explain analyze bounded delete", sql: "EXPLAIN ANALYZE DELETE FROM users WHERE id = 1"},
		{name: "call a stored procedure", sql: "CALL refresh_stats()", note: "the procedure's body was judged when it was created"},
		{name: "prepare a bounded delete", sql: "PREPARE q(int) AS DELETE FROM users WHERE id = $1"},
		{name: "prepare and execute a select", sql: "PREPARE q AS SELECT 1; EXECUTE q; DEALLOCATE q"},
		{name: "cursor lifecycle", sql: "DECLARE c CURSOR FOR SELECT * FROM users; FETCH 10 FROM c; CLOSE c"},
		{name: "listen and notify with drop in the payload", sql: "LISTEN jobs; NOTIFY jobs, 'DROP TABLE users'"},
		{name: "grant", sql: "GRANT SELECT ON users TO reader"},
		{name: "comment on table mentioning drop", sql: "COMMENT ON TABLE users IS 'DROP me later'"},
		{name: "vacuum analyze", sql: "VACUUM (ANALYZE) users"},
		{name: "lock table", sql: "LOCK TABLE users IN SHARE MODE"},
		{name: "string containing drop", sql: "SELECT 'DROP TABLE users'"},
		{name: "insert of a message containing truncate", sql: "INSERT INTO log(msg) VALUES ('TRUNCATE everything')"},
		{name: "line comment containing drop", sql: "SELECT 1 -- DROP TABLE t"},
		{name: "semicolon inside a line comment", sql: "SELECT 1; -- ; DROP TABLE users"},
		{name: "block comment containing drop", sql: "SELECT /* DROP TABLE users */ 1"},
		{name: "nested comment containing a stacked drop", sql: "SELECT 1 /* /* */ ; DROP TABLE users; */", note: "the inner */ closes only the inner comment; checked on a server"},
		{name: "nested comment hiding a drop before the statement", sql: "/* outer /* inner */ DROP TABLE users */ SELECT 1"},
		{name: "bounded delete followed by a commented drop", sql: "DELETE FROM users WHERE id = 1 -- ; DROP TABLE users"},
		{name: "quoted keyword identifiers", sql: `SELECT "delete" FROM "truncate"`},
		{name: "unquoted keyword column names", sql: "SELECT drop, truncate, delete FROM kw", note: "DROP, TRUNCATE and DELETE are unreserved keywords; checked on a server"},
		{name: "insert into keyword named table", sql: `INSERT INTO "delete" ("drop") VALUES ('x')`},
		{name: "create keyword named table", sql: `CREATE TABLE "drop" ("truncate" int)`},
		{name: "bounded delete from keyword named table", sql: `DELETE FROM "drop" WHERE "truncate" = 1`},
		{name: "table named like a statement", sql: `SELECT * FROM "DROP TABLE users"`},
		{name: "like pattern containing delete", sql: "SELECT * FROM users WHERE note LIKE '%delete%'"},
		{name: "dollar quoted drop", sql: "SELECT $$DROP TABLE x$$"},
		{name: "tagged dollar quote containing a dollar quoted drop", sql: "SELECT $tag$ $$; DROP TABLE users; $$ $tag$"},
		{name: "e string whose escaped quote hides a drop", sql: `SELECT E'\'; DROP TABLE users; --'`, note: "the whole text after E' is one string; checked on a server"},
		{name: "identifier with a doubled quote hiding a drop", sql: `SELECT 1 AS "x""; DROP TABLE users; --"`},
		{name: "unicode escape string spelling drop", sql: `SELECT U&'\0044ROP TABLE users'`},
		{name: "e string with a hex escaped quote hiding a drop", sql: `SELECT E'\x27; DROP TABLE users; --'`, note: `\x27 is a quote character inside the string, not its end`},
		{name: "unicode string with an escaped quote hiding a drop", sql: `SELECT U&'\0027; DROP TABLE users; --'`},
		{name: "alter extension drop member", sql: "ALTER EXTENSION hstore DROP FUNCTION hstore_version_diag(hstore)", note: "detaches the function from the extension; nothing is dropped"},
		{name: "lo_unlink named in a string", sql: "SELECT 'lo_unlink(16401)'"},
		{name: "harmless large object read", sql: "SELECT lo_get(16401)"},
		{name: "pg_sleep", sql: "SELECT pg_sleep(0)"},
		{name: "drop of a session temporary table", sql: "DROP TABLE IF EXISTS pg_temp.tmp", note: "pg_temp is this session's own temporary schema, emptied when it ends"},
		{name: "drop of several session temporary relations", sql: `DROP TABLE "pg_temp".a, PG_TEMP.b RESTRICT`},
		{name: "drop of a session temporary view and index", sql: "DROP VIEW pg_temp.v; DROP INDEX IF EXISTS pg_temp.v_idx; DROP SEQUENCE pg_temp.s"},
	}
}

// corpusExtremes: deep nesting and huge texts. They must come back quickly
// with a verdict, parse or parse-error, and never panic; a dangerous
// statement at the very end of a large text must still be found.
func corpusExtremes() []corpusCase {
	const n = 5000
	parens := strings.Repeat("(", n) + "1" + strings.Repeat(")", n)
	parensTrue := strings.Repeat("(", n) + "true" + strings.Repeat(")", n)
	parensSelect := strings.Repeat("(", n) + "SELECT 1" + strings.Repeat(")", n)

	subq := func(depth int) string {
		return strings.Repeat("(SELECT ", depth) + "1" + strings.Repeat(")", depth)
	}
	ifs := func(depth int) string {
		return "DO $$ BEGIN " + strings.Repeat("IF true THEN ", depth) + "DELETE FROM users; " + strings.Repeat("END IF; ", depth) + "END $$"
	}

	orChain := func(arms int) string {
		var b strings.Builder
		for i := 0; i < arms; i++ {
			if i > 0 {
				b.WriteString(" OR ")
			}
			fmt.Fprintf(&b, "id = %d", i)
		}
		return b.String()
	}
	// 30000 arms (about 450 KB): parsing and a linear analysis take about
	// 0.6 s of CPU here, so anything quadratic in the number of arms shows
	// up clearly against the limit.
	longOr := orChain(30000)
	shortOr := orChain(10000)

	var calls strings.Builder
	calls.WriteString(strings.Repeat("abs(", 2000))
	calls.WriteString("1")
	calls.WriteString(strings.Repeat(")", 2000))

	// About 3 MiB of rows, so that the DROP comes long after any prefix a
	// guard might inspect, and after the cache's MaxCachedText.
	var ins strings.Builder
	ins.WriteString("INSERT INTO events (id, payload) VALUES ")
	for i := 0; ins.Len() < 3<<20; i++ {
		if i > 0 {
			ins.WriteString(",")
		}
		fmt.Fprintf(&ins, "(%d,'payload-%d-xxxxxxxxxx')", i, i)
	}
	hugeInsert := ins.String()

	padding := strings.Repeat("x", 20<<10)
	const big = 30 * time.Second // a hang guard; the multi-MiB parse is legitimately slower
	// Limits are hang guards, generous enough for the race detector on a
	// loaded 2-core machine; speed itself is measured by benchmarks.
	const chain = 20 * time.Second

	return []corpusCase{
		{name: "five thousand nested parentheses around a constant", sql: "SELECT " + parens, also: []string{"parse-error"}},
		{name: "five thousand nested parentheses around true in a delete", sql: "DELETE FROM users WHERE " + parensTrue, want: "delete-always-true", also: []string{"parse-error"}},
		{name: "five thousand nested parentheses around a select", sql: parensSelect, also: []string{"parse-error"}},
		{name: "five thousand nested parentheses before a drop", sql: "SELECT " + parens + "; DROP TABLE users", want: "drop-object", also: []string{"parse-error"}},
		{name: "a thousand nested scalar subqueries", sql: "SELECT " + subq(1000), also: []string{"parse-error"}},
		{name: "a thousand nested scalar subqueries in an unbounded delete", sql: "DELETE FROM users WHERE " + subq(1000) + " = 1", want: "delete-always-true", also: []string{"parse-error"}},
		{name: "three thousand nested scalar subqueries", sql: "SELECT " + subq(3000), also: []string{"parse-error"}, note: "deeper than the parse tree decoder's recursion limit"},
		{name: "five thousand nested scalar subqueries before a drop", sql: "SELECT " + subq(5000) + "; DROP TABLE users", want: "drop-object", also: []string{"parse-error"}, note: "deeper than the grammar's stack"},
		{name: "do block with two thousand nested ifs around a delete", sql: ifs(2000), want: "delete-no-where", also: []string{"parse-error"}},
		{name: "do block with five thousand nested ifs around a delete", sql: ifs(5000), want: "delete-no-where", also: []string{"parse-error"}},
		{name: "two thousand nested function calls", sql: "SELECT " + calls.String(), also: []string{"parse-error"}},
		{name: "three thousand nested nots", sql: "DELETE FROM users WHERE " + strings.Repeat("NOT ", 3001) + "false", want: "delete-always-true", also: []string{"parse-error"}, note: "an odd number of NOTs over false is true"},
		{name: "thirty thousand arm or chain of row predicates", sql: "DELETE FROM users WHERE " + longOr, limit: chain},
		{name: "ten thousand arm or chain ending in true", sql: "DELETE FROM users WHERE " + shortOr + " OR true", want: "delete-always-true", limit: chain},
		{name: "ten thousand arm or chain starting with true", sql: "DELETE FROM users WHERE true OR " + shortOr, want: "delete-always-true", limit: chain},
		{name: "ten thousand arm or chain with a null test pair at its ends", sql: "DELETE FROM users WHERE id IS NULL OR " + shortOr + " OR id IS NOT NULL", want: "delete-always-true", limit: chain},
		{name: "multi megabyte insert followed by a drop", sql: hugeInsert + "; DROP TABLE users", want: "drop-object", limit: big},
		{name: "multi megabyte insert alone", sql: hugeInsert, limit: big},
		{name: "drop after a twenty kilobyte comment", sql: "SELECT 1 /* " + padding + " */; DROP TABLE users", want: "drop-object"},
		{name: "truncate after a twenty kilobyte string", sql: "SELECT '" + padding + "'; TRUNCATE users", want: "truncate"},
		{name: "drop inside a twenty kilobyte string", sql: "SELECT '" + padding + "; DROP TABLE users'"},
	}
}

// corpusNestedDo nests depth DO blocks, each with its own dollar tag, around
// one plpgsql statement.
func corpusNestedDo(depth int, stmt string) string {
	s := stmt + ";"
	for i := depth; i >= 1; i-- {
		tag := fmt.Sprintf("$d%d$", i)
		s = "DO " + tag + " BEGIN " + s + " END " + tag
		if i > 1 {
			s += ";"
		}
	}
	return s
}

// corpusAnalyze runs the analyser with a time limit and turns a panic or a
// hang into a test failure instead of a crash of the whole test binary.
//
// The machine this runs on is shared (2 cores, other builds and tests at
// the same time), so a single wall-clock sample can be several times the
// real cost. An analysis over its limit is therefore timed again, up to
// corpusTimingAttempts times, and fails only if every attempt is over: a
// load spike rarely hits all of them, while super-linear behaviour does.
func corpusAnalyze(t *testing.T, an func(string) *sqlparse.Analysis, sql string, limit time.Duration) (*sqlparse.Analysis, bool) {
	t.Helper()
	if limit == 0 {
		limit = corpusDefaultLimit
	}
	var first *sqlparse.Analysis
	var fastest time.Duration
	for attempt := 0; attempt < corpusTimingAttempts; attempt++ {
		a, elapsed, ok := corpusAnalyzeOnce(t, an, sql, limit)
		if !ok {
			return nil, false
		}
		if first == nil {
			first = a
		}
		if attempt == 0 || elapsed < fastest {
			fastest = elapsed
		}
		if fastest <= limit {
			return first, true
		}
	}
	t.Errorf("analysis took at least %v in each of %d attempts, limit %v", fastest, corpusTimingAttempts, limit)
	return first, true
}

const corpusTimingAttempts = 3

// corpusAnalyzeOnce runs one analysis in its own goroutine, so that a panic
// is reported and a hang does not block the test run forever.
func corpusAnalyzeOnce(t *testing.T, an func(string) *sqlparse.Analysis, sql string, limit time.Duration) (*sqlparse.Analysis, time.Duration, bool) {
	t.Helper()
	type result struct {
		a         *sqlparse.Analysis
		recovered any
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{recovered: p}
			}
		}()
		done <- result{a: an(sql)}
	}()
	// Wait well past the limit so that a slow-but-finishing analysis is
	// reported with its duration rather than as a hang.
	select {
	case r := <-done:
		elapsed := time.Since(start)
		if r.recovered != nil {
			t.Errorf("analysis panicked: %v", r.recovered)
			return nil, 0, false
		}
		if r.a == nil {
			t.Errorf("analysis returned nil")
			return nil, 0, false
		}
		return r.a, elapsed, true
	case <-time.After(limit + 10*time.Second):
		t.Errorf("analysis did not return within %v", limit+10*time.Second)
		return nil, 0, false
	}
}

// corpusVerdict checks one analysis against a case and returns a failure
// description, or "" when the verdict is acceptable.
func corpusVerdict(c corpusCase, a *sqlparse.Analysis) string {
	fs := a.Findings()
	for _, f := range fs {
		if cat, known := corpusRuleCategory[f.Rule]; known && f.Category != cat {
			return fmt.Sprintf("finding %q reported under category %q, want %q", f.Rule, f.Category, cat)
		}
	}
	accept := append([]string{c.want}, c.also...)
	for _, w := range accept {
		if w == "" {
			if len(fs) == 0 {
				return ""
			}
			continue
		}
		for _, f := range fs {
			if f.Rule == w && f.Category == corpusRuleCategory[w] {
				return ""
			}
		}
	}
	var got []string
	for _, f := range fs {
		got = append(got, string(f.Category)+"/"+f.Rule)
	}
	if len(got) == 0 {
		got = []string{"allowed"}
	}
	want := make([]string, len(accept))
	for i, w := range accept {
		want[i] = w
		if w == "" {
			want[i] = "allowed"
		}
	}
	return fmt.Sprintf("got %s, want %s", strings.Join(got, ", "), strings.Join(want, " or "))
}

func corpusShow(sql string) string {
	if len(sql) > 200 {
		return fmt.Sprintf("%q... (%d bytes)", sql[:200], len(sql))
	}
	return fmt.Sprintf("%q", sql)
}

func TestCorpus(t *testing.T) {
	cases := corpusCases()
	if len(cases) < 220 {
		t.Fatalf("corpus has %d cases, want at least 220", len(cases))
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Errorf("duplicate case name %q", c.name)
		}
		seen[c.name] = true
		if _, ok := corpusRuleCategory[c.want]; c.want != "" && !ok {
			t.Errorf("case %q wants unknown rule %q", c.name, c.want)
		}
	}
	a := New()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			an, ok := corpusAnalyze(t, func(s string) *sqlparse.Analysis { return a.Analyze(s, sqlparse.Lexing{}) }, c.sql, c.limit)
			if !ok {
				return
			}
			if msg := corpusVerdict(c, an); msg != "" {
				if c.note != "" {
					msg += " (" + c.note + ")"
				}
				t.Errorf("%s: %s", corpusShow(c.sql), msg)
			}
		})
	}
}

// TestCorpusThroughCache replays the corpus through the verdict cache, in
// order and then in reverse, so that statements sharing a literal-free key
// (WHERE 1=1 and WHERE 1=0, EXPLAIN (ANALYZE true) and (ANALYZE false), DO
// blocks with different bodies) cannot lend one another their verdict.
func TestCorpusThroughCache(t *testing.T) {
	cases := corpusCases()
	direct := make([]string, len(cases))
	a := New()
	for i, c := range cases {
		if len(c.sql) > sqlparse.MaxCachedText {
			continue // never cached; TestCorpus covers it
		}
		direct[i] = corpusVerdict(c, a.Analyze(c.sql, sqlparse.Lexing{}))
	}
	cache := sqlparse.NewCache(a, 4096)
	check := func(pass string, i int) {
		c := cases[i]
		if len(c.sql) > sqlparse.MaxCachedText {
			return
		}
		got := corpusVerdict(c, cache.Analyze(c.sql, sqlparse.Lexing{}))
		if got != direct[i] {
			want := direct[i]
			if want == "" {
				want = "as expected"
			}
			t.Errorf("%s pass, %q: through the cache: %s; analysed directly: %s", pass, c.name, got, want)
		}
	}
	for i := range cases {
		check("forward", i)
	}
	for i := len(cases) - 1; i >= 0; i-- {
		check("reverse", i)
	}
}

// TestCorpusCachePoisoning analyses, through a fresh cache, first the
// literal-free key of each corpus statement (a text an agent can send: the
// key is the statement with its literals replaced by $n parameters) and then
// the statement itself. Whatever verdict the key text got, it must not be
// lent to the statement: otherwise an agent sends the parameter form once
// and every literal spelling of it afterwards is judged by that verdict.
func TestCorpusCachePoisoning(t *testing.T) {
	a := New()
	for _, c := range corpusCases() {
		if len(c.sql) > sqlparse.MaxCachedText {
			continue
		}
		key, ok := a.CacheKey(c.sql, sqlparse.Lexing{})
		if !ok {
			continue
		}
		// Turn the key back into a text that shares it: pg_query's
		// normalised form is SQL already ($n parameters); a fast key's
		// placeholders get literal values different from the statement's.
		switch {
		case key == c.sql:
			continue
		case strings.HasPrefix(key, "n:"):
			key = strings.TrimPrefix(key, "n:")
		case strings.HasPrefix(key, "f:"):
			key = strings.NewReplacer("'?'", "'poison'", "?", "0").Replace(strings.TrimPrefix(key, "f:"))
		}
		if key == c.sql {
			continue
		}
		direct := corpusVerdict(c, a.Analyze(c.sql, sqlparse.Lexing{}))
		cache := sqlparse.NewCache(a, 16)
		cache.Analyze(key, sqlparse.Lexing{})
		got := corpusVerdict(c, cache.Analyze(c.sql, sqlparse.Lexing{}))
		if got != direct {
			if direct == "" {
				direct = "as expected"
			}
			t.Errorf("%q: after %q was analysed, through the cache: %s; analysed directly: %s", c.name, key, got, direct)
		}
	}
}

func TestFindingsCarryReasonAndObject(t *testing.T) {
	cases := []struct {
		name, sql, rule string
		// objects must all appear in the finding's Object (lower-cased).
		objects []string
	}{
		{"drop table names the table", "DROP TABLE users", "drop-object", []string{"users"}},
		{"quoted drop names the table", `DROP TABLE "public"."users"`, "drop-object", []string{"users"}},
		{"drop of several tables names each", "DROP TABLE orders, users", "drop-object", []string{"orders", "users"}},
		{"drop schema names the schema", "DROP SCHEMA app CASCADE", "drop-object", []string{"app"}},
		{"drop database names the database", "DROP DATABASE prod", "drop-object", []string{"prod"}},
		{"drop column names the table", "ALTER TABLE users DROP COLUMN email", "alter-drop-column", []string{"users"}},
		{"truncate names the table", "TRUNCATE TABLE orders", "truncate", []string{"orders"}},
		{"delete names the table", "DELETE FROM users", "delete-no-where", []string{"users"}},
		{"always true delete names the table", "DELETE FROM users WHERE 1=1", "delete-always-true", []string{"users"}},
		{"update names the table", "UPDATE accounts SET balance = 0", "update-no-where", []string{"accounts"}},
		{"nested delete names the table", "WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d", "delete-no-where", []string{"users"}},
		{"delete in a function body names the table", "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELETE FROM invoices'", "delete-no-where", []string{"invoices"}},
		// Findings without an object still explain themselves.
		{"copy program has a reason", "COPY users TO PROGRAM 'gzip > /tmp/u.gz'", "copy-program", nil},
		{"dynamic sql has a reason", "DO $$ BEGIN EXECUTE 'DROP ' || 'TABLE users'; END $$", "dynamic-sql", nil},
		{"parse error has a reason", "SELEC 1", "parse-error", nil},
		{"lo_unlink has a reason", "SELECT lo_unlink(16401)", "drop-large-object", nil},
	}
	a := New()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var found bool
			for _, f := range a.Analyze(c.sql, sqlparse.Lexing{}).Findings() {
				if f.Rule != c.rule {
					continue
				}
				found = true
				if strings.TrimSpace(f.Reason) == "" {
					t.Errorf("%q: finding %s has an empty reason", c.sql, f.Rule)
				}
				for _, o := range c.objects {
					if !strings.Contains(strings.ToLower(f.Object), o) {
						t.Errorf("%q: finding %s has object %q, want it to name %q", c.sql, f.Rule, f.Object, o)
					}
				}
			}
			if !found {
				t.Errorf("%q: no %s finding", c.sql, c.rule)
			}
		})
	}
}

// corpusSelfReads: a subquery, derived table, CTE, MERGE source or upsert
// that reads the whole target back however its column travels: through
// SELECT * and any nesting, an alias's column list (on the table itself:
// which column it renames is not known, so it may be the compared one), a
// rename, x + 0 or a lossless cast, a row comparison, unnest(ARRAY(...)),
// or a join of the table with a whole copy of itself on the same column or
// NATURAL, or a field of a whole row of the table carried up. Look-alikes
// that filter stay allowed.
func corpusSelfReads() []corpusCase {
	const dat, uat = "delete-always-true", "update-always-true"
	return []corpusCase{
		{name: "delete where id in a star over a derived table", sql: "DELETE FROM t WHERE id IN (SELECT * FROM (SELECT id FROM t) x)", want: dat},
		{name: "delete where id in two levels of derived tables", sql: "DELETE FROM t WHERE id IN (SELECT id FROM (SELECT * FROM (SELECT id FROM t) y) x)", want: dat},
		{name: "delete where id in a column alias list on the table", sql: "DELETE FROM t WHERE id IN (SELECT x.i FROM t AS x(i))", want: dat},
		{name: "delete where id in the column plus zero", sql: "DELETE FROM t WHERE id IN (SELECT id + 0 FROM t)", want: dat},
		{name: "delete where id in a lossless cast of the column", sql: "DELETE FROM t WHERE id IN (SELECT id::bigint FROM t)", want: dat},
		{name: "delete where exists over a renamed derived column", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM (SELECT id AS i FROM t) x WHERE x.i = t.id)", want: dat},
		{name: "delete where a row is in the rows of the table", sql: "DELETE FROM t WHERE (id, note) IN (SELECT id, note FROM t)", want: dat},
		{name: "delete where id in the unnested array of the table", sql: "DELETE FROM t WHERE id IN (SELECT unnest(ARRAY(SELECT id FROM t)))", want: dat},
		{name: "delete where id in a self-join on the key", sql: "DELETE FROM t WHERE id IN (SELECT x.id FROM t x, t y WHERE x.id = y.id)", want: dat},
		{name: "delete where id in an explicit self-join on the key", sql: "DELETE FROM t WHERE id IN (SELECT x.id FROM t x JOIN t y ON x.id = y.id)", want: dat},
		{name: "update where id in a natural self-join", sql: "UPDATE t SET note = 'x' WHERE id IN (SELECT id FROM t NATURAL JOIN t x)", want: uat},
		{name: "delete where id in a self-join using the key", sql: "DELETE FROM t WHERE id IN (SELECT id FROM t x JOIN t y USING (id))", want: dat},
		{name: "delete using two levels of derived tables", sql: "DELETE FROM t USING (SELECT * FROM (SELECT id FROM t) y) x WHERE t.id = x.id", want: dat},
		{name: "delete using the column plus zero", sql: "DELETE FROM t USING (SELECT id + 0 AS id FROM t) s WHERE t.id = s.id", want: dat},
		{name: "delete with a cte over a derived table", sql: "WITH d AS (SELECT * FROM (SELECT id FROM t) y) DELETE FROM t USING d WHERE t.id = d.id", want: dat},
		{name: "merge using two levels of derived tables", sql: "MERGE INTO t USING (SELECT * FROM (SELECT id FROM t) y) s ON t.id = s.id WHEN MATCHED THEN DELETE", want: dat},
		{name: "merge using the column plus zero", sql: "MERGE INTO t USING (SELECT id + 0 AS id FROM t) s ON t.id = s.id WHEN MATCHED THEN DELETE", want: dat},
		{name: "upsert from two levels of derived tables", sql: "INSERT INTO t (id) SELECT id FROM (SELECT * FROM (SELECT id FROM t) y) x ON CONFLICT (id) DO UPDATE SET note = 'x'", want: uat},
		{name: "upsert from the table with a column alias list", sql: "INSERT INTO t (id) SELECT x.i FROM t AS x(i) ON CONFLICT (id) DO UPDATE SET note = 'x'", want: uat},
		// Look-alikes that filter.
		{name: "delete where id in another column of the table", sql: "DELETE FROM t WHERE id IN (SELECT parent_id FROM t)"},
		{name: "delete where id in a derived table filtered by a flag", sql: "DELETE FROM t WHERE id IN (SELECT id FROM (SELECT id FROM t WHERE flag) x)"},
		{name: "delete where id in a star over a filtered derived table", sql: "DELETE FROM t WHERE id IN (SELECT * FROM (SELECT id FROM t LIMIT 5) x)"},
		{name: "delete where id in a filtered column alias list", sql: "DELETE FROM t WHERE id IN (SELECT x.i FROM t AS x(i) WHERE x.i < 10)"},
		{name: "delete where id in a join to another table", sql: "DELETE FROM t WHERE id IN (SELECT id FROM t JOIN k USING (id))"},
		{name: "delete where id in a self-join on another column", sql: "DELETE FROM t WHERE id IN (SELECT x.id FROM t x, t y WHERE x.id = y.parent_id)"},
		{name: "delete where id in a self-join with a filter", sql: "DELETE FROM t WHERE id IN (SELECT x.id FROM t x JOIN t y ON x.id = y.id AND y.flag)"},
		{name: "delete where id in the column plus one", sql: "DELETE FROM t WHERE id IN (SELECT id + 1 FROM t)"},
		{name: "delete where a row is in other columns", sql: "DELETE FROM t WHERE (id, note) IN (SELECT parent_id, note FROM t)"},
		{name: "delete where id in the unnested array of a filter", sql: "DELETE FROM t WHERE id IN (SELECT unnest(ARRAY(SELECT id FROM t WHERE flag)))"},
		{name: "delete where exists over a renamed derived column tied to another", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM (SELECT parent_id AS i FROM t) x WHERE x.i = t.id)"},
		{name: "delete where id equals a constant of a one-row derived table", sql: "DELETE FROM t WHERE id = (SELECT x FROM (SELECT 5) s(x))"},
		{name: "delete where id equals another column through a one-row derived table", sql: "DELETE FROM t WHERE id = (SELECT x FROM (SELECT t.parent_id) s(x))"},
		{name: "delete where id equals a filtered one-row derived table", sql: "DELETE FROM t WHERE id = (SELECT x FROM (SELECT t.id) s(x) WHERE s.x > 5)"},
		{name: "delete where id in a narrowing cast of the column", sql: "DELETE FROM t WHERE id IN (SELECT id::numeric(3,0) FROM t)"},
		// Joins and clauses that keep every row of the table: an outer
		// join on the table's side, whatever ON says; a cross product
		// with anything that does not depend on the row (every row, or
		// none if it is empty); OFFSET NULL; the whole table as the list.
		{name: "delete where id in a full join of the table", sql: "DELETE FROM t WHERE id IN (SELECT t.id FROM t FULL JOIN k ON k.id = t.id)", want: dat},
		{name: "delete where id in a full join with the table on the right", sql: "DELETE FROM t WHERE id IN (SELECT t.id FROM k FULL JOIN t ON false)", want: dat},
		{name: "delete where id in a left join on true", sql: "DELETE FROM t WHERE id IN (SELECT t.id FROM t LEFT JOIN k ON true)", want: dat},
		{name: "delete where id in a cross product with another table", sql: "DELETE FROM t WHERE id IN (SELECT t.id FROM t, k)", want: dat},
		{name: "delete where id in a cross join", sql: "DELETE FROM t WHERE id IN (SELECT t.id FROM t CROSS JOIN k)", want: dat},
		{name: "delete where id in a join on true", sql: "DELETE FROM t WHERE id IN (SELECT t.id FROM t JOIN k ON true)", want: dat},
		{name: "delete where id in a product with a one-row function", sql: "DELETE FROM t WHERE id IN (SELECT t.id FROM t, generate_series(1, 1) g)", want: dat},
		{name: "delete where id in a product with a derived table", sql: "DELETE FROM t WHERE id IN (SELECT t.id FROM t, (SELECT 1 FROM k LIMIT 1) s)", want: dat},
		{name: "delete where id in the table offset null", sql: "DELETE FROM t WHERE id IN (SELECT id FROM t OFFSET NULL)", want: dat},
		{name: "delete where id in the table itself", sql: "DELETE FROM t WHERE id IN (TABLE t)", want: dat},
		{name: "update where id in every column of the table", sql: "UPDATE t SET note = 'x' WHERE id IN (SELECT * FROM t)", want: uat},
		{name: "delete where exists the same row multiplied by another table", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM t x, k WHERE x.id = t.id)", want: dat},
		{name: "delete where exists the same row left joined to another table", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM t x LEFT JOIN k ON k.id = x.k WHERE x.id = t.id)", want: dat},
		{name: "update where id in the same row cross joined", sql: "UPDATE t SET note = 'x' WHERE id IN (SELECT x.id FROM t x CROSS JOIN k WHERE x.id = t.id)", want: uat},
		{name: "delete where id in the table's column renamed by a lateral query", sql: "DELETE FROM t WHERE id IN (SELECT l.i FROM t, LATERAL (SELECT t.id AS i) l)", want: dat},
		{name: "delete where id in a lateral alias list of the column", sql: "DELETE FROM t WHERE id IN (SELECT l.x FROM t CROSS JOIN LATERAL (SELECT t.id) l(x))", want: dat},
		{name: "delete where id in the first id of each id", sql: "DELETE FROM t WHERE id IN (SELECT first_value(id) OVER (PARTITION BY id) FROM t)", want: dat},
		{name: "update where id in the greatest id over each id", sql: "UPDATE t SET note = 'x' WHERE id IN (SELECT max(id) OVER (PARTITION BY id) FROM t)", want: uat},
		// Window functions that return each row's own value (checked on
		// a server): lag or lead by 0 is the current row whatever the
		// window; a frame of the current row alone, or of its peers
		// when ordered by the column; a partition by a list that names
		// the column, or by ctid, with a frame that holds the row.
		{name: "delete where id in the id lagged by zero", sql: "DELETE FROM t WHERE id IN (SELECT lag(id, 0) OVER () FROM t)", want: dat},
		{name: "delete where id in the id led by zero over an order", sql: "DELETE FROM t WHERE id IN (SELECT lead(id, 0) OVER (ORDER BY x) FROM t)", want: dat},
		{name: "update where id in the id lagged by zero with a default", sql: "UPDATE t SET note = 'x' WHERE id IN (SELECT lag(id, 0, 5) OVER (PARTITION BY parent_id) FROM t)", want: uat},
		{name: "delete where id in the first nth value of each id", sql: "DELETE FROM t WHERE id IN (SELECT nth_value(id, 1) OVER (PARTITION BY id) FROM t)", want: dat},
		{name: "delete where id in the first id of a frame of the row alone", sql: "DELETE FROM t WHERE id IN (SELECT first_value(id) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND CURRENT ROW) FROM t)", want: dat},
		{name: "delete where id in the last id of a frame of the row alone", sql: "DELETE FROM t WHERE id IN (SELECT last_value(id) OVER (PARTITION BY parent_id ORDER BY x ROWS BETWEEN CURRENT ROW AND CURRENT ROW) FROM t)", want: dat},
		{name: "delete where id in the least id of a frame of the row alone", sql: "DELETE FROM t WHERE id IN (SELECT min(id) OVER (PARTITION BY x ROWS BETWEEN CURRENT ROW AND CURRENT ROW) FROM t)", want: dat},
		{name: "delete where id in the greatest id of the current row frame", sql: "DELETE FROM t WHERE id IN (SELECT max(id) OVER (ROWS CURRENT ROW) FROM t)", want: dat},
		{name: "delete where id in the first nth value of a frame of the row alone", sql: "DELETE FROM t WHERE id IN (SELECT nth_value(id, 1) OVER (ORDER BY x ROWS BETWEEN CURRENT ROW AND CURRENT ROW) FROM t)", want: dat},
		{name: "delete where id in the least id of each ordered id", sql: "DELETE FROM t WHERE id IN (SELECT min(id) OVER (PARTITION BY id ORDER BY x) FROM t)", want: dat},
		{name: "delete where id in the greatest id of each id and x", sql: "DELETE FROM t WHERE id IN (SELECT max(id) OVER (PARTITION BY id, x) FROM t)", want: dat},
		{name: "delete where id in the first id of each x and id", sql: "DELETE FROM t WHERE id IN (SELECT first_value(id) OVER (PARTITION BY x, id ORDER BY parent_id) FROM t)", want: dat},
		{name: "delete where id in the last id of a frame around the row in each id", sql: "DELETE FROM t WHERE id IN (SELECT last_value(id) OVER (PARTITION BY id, x ROWS BETWEEN 1 PRECEDING AND 2 FOLLOWING) FROM t)", want: dat},
		{name: "update where id in the first nth value of each id and x", sql: "UPDATE t SET note = 'x' WHERE id IN (SELECT nth_value(id, 1) OVER (PARTITION BY id, x) FROM t)", want: uat},
		{name: "delete where id in the greatest id of each row", sql: "DELETE FROM t WHERE id IN (SELECT max(id) OVER (PARTITION BY ctid) FROM t)", want: dat},
		{name: "delete where id in the last id ordered by id", sql: "DELETE FROM t WHERE id IN (SELECT last_value(id) OVER (ORDER BY id) FROM t)", want: dat,
			note: "the default frame ends at the row's last peer, which has its id"},
		{name: "delete where id in the first id of the peers onward", sql: "DELETE FROM t WHERE id IN (SELECT first_value(id) OVER (ORDER BY id RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM t)", want: dat},
		{name: "delete where id in the least id of the row's peers", sql: "DELETE FROM t WHERE id IN (SELECT min(id) OVER (ORDER BY id RANGE BETWEEN CURRENT ROW AND CURRENT ROW) FROM t)", want: dat},
		{name: "delete where id in the first id of the row's group excluding ties", sql: "DELETE FROM t WHERE id IN (SELECT first_value(id) OVER (ORDER BY id GROUPS BETWEEN CURRENT ROW AND 1 FOLLOWING EXCLUDE TIES) FROM t)", want: dat},
		{name: "delete where id is any of an array of ids lagged by zero", sql: "DELETE FROM t WHERE id = ANY(ARRAY(SELECT lag(id, 0) OVER () FROM t))", want: dat},
		{name: "delete where id in the greatest id over a named window of each id", sql: "DELETE FROM t WHERE id IN (SELECT max(id) OVER w FROM t WINDOW w AS (PARTITION BY id))", want: dat},
		{name: "delete where id in the greatest id over a window built on a named one", sql: "DELETE FROM t WHERE id IN (SELECT max(id) OVER (w ORDER BY x) FROM t WINDOW w AS (PARTITION BY id))", want: dat},
		{name: "update where id in the first id over a chain of named windows", sql: "UPDATE t SET note = 'x' WHERE id IN (SELECT first_value(id) OVER v FROM t WINDOW w AS (PARTITION BY id), v AS (w ORDER BY x))", want: uat},
		{name: "delete where id in the greatest id of each qualified id", sql: "DELETE FROM t WHERE id IN (SELECT max(id) OVER (PARTITION BY t.id) FROM t)", want: dat},
		{name: "delete where id in the greatest qualified id of each id", sql: "DELETE FROM t WHERE id IN (SELECT max(t.id) OVER (PARTITION BY id) FROM t)", want: dat},
		{name: "delete where id in the greatest id of each id of an alias", sql: "DELETE FROM t WHERE id IN (SELECT max(id) OVER (PARTITION BY y.id) FROM t y)", want: dat},
		{name: "delete where id in the greatest id so far ordered by id", sql: "DELETE FROM t WHERE id IN (SELECT max(id) OVER (ORDER BY id) FROM t)", want: dat,
			note: "the default frame ends at the row's last peer: no larger id before it"},
		{name: "delete where id in the greatest id so far ordered by id nulls first", sql: "DELETE FROM t WHERE id IN (SELECT max(id) OVER (ORDER BY id NULLS FIRST) FROM t)", want: dat},
		{name: "delete where id in the least id so far ordered by id descending", sql: "DELETE FROM t WHERE id IN (SELECT min(id) OVER (ORDER BY id DESC) FROM t)", want: dat},
		{name: "delete where id in the greatest id from the row on ordered by id descending", sql: "DELETE FROM t WHERE id IN (SELECT max(id) OVER (ORDER BY id DESC ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM t)", want: dat},
		{name: "delete where id in the sum over each row", sql: "DELETE FROM t WHERE id IN (SELECT sum(id) OVER (PARTITION BY ctid) FROM t)", want: dat},
		{name: "update where id in the average over each row", sql: "UPDATE t SET note = 'x' WHERE id IN (SELECT avg(id) OVER (PARTITION BY ctid) FROM t)", want: uat},
		{name: "delete where id in the sum over a frame of the row alone", sql: "DELETE FROM t WHERE id IN (SELECT sum(id) OVER (ROWS CURRENT ROW) FROM t)", want: dat},
		{name: "delete where id in the id lagged by a string zero", sql: "DELETE FROM t WHERE id IN (SELECT lag(id, '0') OVER () FROM t)", want: dat},
		{name: "delete where id in the id led by a spaced signed string zero", sql: "DELETE FROM t WHERE id IN (SELECT lead(id, ' -0 ') OVER () FROM t)", want: dat},
		{name: "delete where id in the first nth value by a string one of each id", sql: "DELETE FROM t WHERE id IN (SELECT nth_value(id, '1') OVER (PARTITION BY id) FROM t)", want: dat},
		{name: "delete where id in the least id of each row", sql: "DELETE FROM t WHERE id IN (SELECT min(id) FROM t GROUP BY ctid)", want: dat},
		{name: "delete where id in the sum over each id", sql: "DELETE FROM t WHERE id IN (SELECT sum(id) OVER (PARTITION BY id) FROM t)", want: dat,
			note: "one row per id where id is unique, as a key is; duplicates add up, and all other rows still go"},
		{name: "delete where id in the sum over a frame of the row's peers", sql: "DELETE FROM t WHERE id IN (SELECT sum(id) OVER (ORDER BY id RANGE CURRENT ROW) FROM t)", want: dat},
		{name: "delete where id in the bitwise or of each id", sql: "DELETE FROM t WHERE id IN (SELECT bit_or(id) FROM t GROUP BY id)", want: dat},
		{name: "update where id in the bitwise and of each qualified id", sql: "UPDATE t SET note = 'x' WHERE id IN (SELECT bit_and(t.id) FROM t GROUP BY t.id)", want: uat},
		{name: "delete where id in the average of each id", sql: "DELETE FROM t WHERE id IN (SELECT avg(id) FROM t GROUP BY id)", want: dat},
		{name: "delete where id in the sum of each row", sql: "DELETE FROM t WHERE id IN (SELECT sum(id) FROM t GROUP BY ctid)", want: dat},
		{name: "delete where id in the sum of each id", sql: "DELETE FROM t WHERE id IN (SELECT sum(id) FROM t GROUP BY id)", want: dat},
		{name: "delete where flag in every flag of each flag", sql: "DELETE FROM t WHERE flag IN (SELECT every(flag) FROM t GROUP BY flag)", want: dat},
		{name: "delete where flag in the boolean and of each flag over a window", sql: "DELETE FROM t WHERE flag IN (SELECT bool_and(flag) OVER (PARTITION BY flag) FROM t)", want: dat},
		{name: "delete where id in the bitwise and over each id", sql: "DELETE FROM t WHERE id IN (SELECT bit_and(id) OVER (PARTITION BY id) FROM t)", want: dat},
		{name: "update where id in the bitwise or over each row", sql: "UPDATE t SET note = 'x' WHERE id IN (SELECT bit_or(id) OVER (PARTITION BY ctid) FROM t)", want: uat},
		{name: "delete where id in the average over each id", sql: "DELETE FROM t WHERE id IN (SELECT avg(id) OVER (PARTITION BY id) FROM t)", want: dat},
		{name: "delete where id in the average over the row's peers", sql: "DELETE FROM t WHERE id IN (SELECT avg(id) OVER (ORDER BY id RANGE CURRENT ROW) FROM t)", want: dat},
		{name: "delete where id in any value over each id", sql: "DELETE FROM t WHERE id IN (SELECT any_value(id) OVER (PARTITION BY id) FROM t)", want: dat},
		{name: "delete where id in the id lagged by one minus one", sql: "DELETE FROM t WHERE id IN (SELECT lag(id, 1 - 1) OVER () FROM t)", want: dat},
		{name: "delete where id in the id led by minus one plus one", sql: "DELETE FROM t WHERE id IN (SELECT lead(id, -1 + 1) OVER () FROM t)", want: dat},
		{name: "delete where id in the id lagged by five modulo five", sql: "DELETE FROM t WHERE id IN (SELECT lag(id, 5 % 5) OVER () FROM t)", want: dat},
		{name: "delete where id in the id lagged by a string one minus one", sql: "DELETE FROM t WHERE id IN (SELECT lag(id, '1' - 1) OVER () FROM t)", want: dat},
		{name: "delete where id in the id lagged by a from-less zero", sql: "DELETE FROM t WHERE id IN (SELECT lag(id, (SELECT 0)) OVER () FROM t)", want: dat},
		{name: "delete where id in the id lagged by a fraction rounded to zero", sql: "DELETE FROM t WHERE id IN (SELECT lag(id, 0.4::int) OVER () FROM t)", want: dat},
		{name: "delete where id in the id lagged by a rounded fraction minus two", sql: "DELETE FROM t WHERE id IN (SELECT lag(id, 1.5::int - 2) OVER () FROM t)", want: dat,
			note: "1.5 rounds half away from zero, to 2"},
		{name: "delete where id in the id lagged by zero times a product", sql: "DELETE FROM t WHERE id IN (SELECT lag(id, 0 * (3 + 4)) OVER () FROM t)", want: dat},
		{name: "delete where id in the nth value two minus one from the row on", sql: "DELETE FROM t WHERE id IN (SELECT nth_value(id, 2 - 1) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM t)", want: dat},
		{name: "update where id in the nth value three halves of each id", sql: "UPDATE t SET note = 'x' WHERE id IN (SELECT nth_value(id, 3 / 2) OVER (PARTITION BY id) FROM t)", want: uat,
			note: "integer division: 3 / 2 is 1"},
		{name: "delete where id in the first id of a frame of zero rows either side", sql: "DELETE FROM t WHERE id IN (SELECT first_value(id) OVER (ROWS BETWEEN 0 PRECEDING AND 0 FOLLOWING) FROM t)", want: dat},
		{name: "delete where id in the first id from zero following on", sql: "DELETE FROM t WHERE id IN (SELECT first_value(id) OVER (ROWS BETWEEN 0 FOLLOWING AND UNBOUNDED FOLLOWING) FROM t)", want: dat},
		{name: "delete where id in the last id up to zero preceding", sql: "DELETE FROM t WHERE id IN (SELECT last_value(id) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 0 PRECEDING) FROM t)", want: dat},
		{name: "delete where id in the greatest id of a range of zero either side", sql: "DELETE FROM t WHERE id IN (SELECT max(id) OVER (ORDER BY id RANGE BETWEEN 0 PRECEDING AND 0 FOLLOWING) FROM t)", want: dat},
		{name: "update where id in the least id of zero groups either side ordered by id", sql: "UPDATE t SET note = 'x' WHERE id IN (SELECT min(id) OVER (ORDER BY id GROUPS BETWEEN 0 PRECEDING AND 0 FOLLOWING) FROM t)", want: uat},
		{name: "delete where id in the sum over a frame starting zero preceding", sql: "DELETE FROM t WHERE id IN (SELECT sum(id) OVER (ROWS 0 PRECEDING) FROM t)", want: dat,
			note: "without BETWEEN the frame ends at the current row"},
		{name: "delete where id in the first id of a frame starting one minus one preceding", sql: "DELETE FROM t WHERE id IN (SELECT first_value(id) OVER (ROWS BETWEEN 1 - 1 PRECEDING AND UNBOUNDED FOLLOWING) FROM t)", want: dat},
		{name: "delete where id is any of the table's aggregated ids", sql: "DELETE FROM t WHERE id = ANY((SELECT array_agg(id) FROM t)::int[])", want: dat},
		{name: "delete where id is at least any of the table's ids", sql: "DELETE FROM t WHERE id >= ANY (SELECT id FROM t)", want: dat, note: "each row's own id is among them"},
		{name: "update where id is at most any of the table's ids", sql: "UPDATE t SET note = 'x' WHERE id <= ANY (SELECT id FROM t)", want: uat},
		{name: "delete where id is not below all of the table's ids", sql: "DELETE FROM t WHERE NOT (id < ALL (SELECT id FROM t))", want: dat,
			note: "NOT (x < ALL ...) is x >= ANY (...)"},
		{name: "update where id is not above all of the table's ids", sql: "UPDATE t SET note = 'x' WHERE NOT (id > ALL (SELECT id FROM t))", want: uat},
		{name: "delete where id is not different from all of the table's ids", sql: "DELETE FROM t WHERE NOT (id <> ALL (SELECT id FROM t))", want: dat},
		{name: "delete where id is not below all of the table's greatest id", sql: "DELETE FROM t WHERE NOT (id < ALL (SELECT max(id) FROM t))", note: "the greatest only"},
		{name: "delete where id is not at most all of the table's ids", sql: "DELETE FROM t WHERE NOT (id <= ALL (SELECT id FROM t))", note: "x > ANY: all but the least"},
		{name: "delete where id is not below any of the table's ids", sql: "DELETE FROM t WHERE NOT (id < ANY (SELECT id FROM t))", note: "x >= ALL: the greatest only"},
		{name: "delete where id is not below all of a filtered set of the table's ids", sql: "DELETE FROM t WHERE NOT (id < ALL (SELECT id FROM t WHERE other = 1))"},
		{name: "delete where id is at least any of an array of the table's ids", sql: "DELETE FROM t WHERE id >= ANY (ARRAY(SELECT id FROM t))", want: dat},
		{name: "delete where id is at most any of the table's aggregated ids", sql: "DELETE FROM t WHERE id <= ANY ((SELECT array_agg(id) FROM t)::int[])", want: dat},
		{name: "delete where id is at most the table's greatest id", sql: "DELETE FROM t WHERE id <= (SELECT max(id) FROM t)", want: dat, note: "true for every row whose id is not NULL"},
		{name: "delete where the table's least id is at most id", sql: "DELETE FROM t WHERE (SELECT min(id) FROM t) <= id", want: dat},
		{name: "update where id is at least the least qualified id", sql: "UPDATE t SET note = 'x' WHERE t.id >= (SELECT min(t.id) FROM t)", want: uat},
		{name: "delete where id is at least the least id of an alias", sql: "DELETE FROM t WHERE id >= (SELECT min(x.id) FROM t x)", want: dat},
		{name: "delete where id is between the table's least and greatest ids", sql: "DELETE FROM t WHERE id BETWEEN (SELECT min(id) FROM t) AND (SELECT max(id) FROM t)", want: dat},
		{name: "delete where id is between the greatest and least ids symmetrically", sql: "DELETE FROM t WHERE id BETWEEN SYMMETRIC (SELECT max(id) FROM t) AND (SELECT min(id) FROM t)", want: dat},
		{name: "update where id is between the least id and itself", sql: "UPDATE t SET note = 'x' WHERE id BETWEEN (SELECT min(x.id) FROM t x) AND id", want: uat},
		{name: "delete where id equals its own row's id looked up", sql: "DELETE FROM t WHERE id = (SELECT id FROM t x WHERE x.id = t.id)", want: dat,
			note: "a scalar subquery that reads the row's own id back: x = x"},
		{name: "delete where its own row's id looked up equals id", sql: "DELETE FROM t WHERE (SELECT x.id FROM t x WHERE x.id = t.id) = id", want: dat},
		{name: "update where id is at most its own row's id looked up", sql: "UPDATE t SET note = 'x' WHERE id <= (SELECT id FROM t x WHERE x.id = t.id)", want: uat},
		{name: "delete where id equals the table's one id", sql: "DELETE FROM t WHERE id = (SELECT id FROM t)", want: dat,
			note: "every row of a one-row table, an error for more"},
		{name: "delete where id equals its own row's parent looked up", sql: "DELETE FROM t WHERE id = (SELECT parent_id FROM t x WHERE x.id = t.id)"},
		{name: "delete where id is below its own row's id looked up", sql: "DELETE FROM t WHERE id < (SELECT id FROM t x WHERE x.id = t.id)", note: "no row"},
		{name: "delete where id equals one row's id looked up", sql: "DELETE FROM t WHERE id = (SELECT id FROM t x WHERE x.id = 5)"},
		{name: "delete where id is at most the greatest id plus one", sql: "DELETE FROM t WHERE id <= (SELECT max(id) + 1 FROM t)", want: dat,
			note: "the extreme moved by numbers, inside the subquery or outside it"},
		{name: "delete where id is below the greatest id and one", sql: "DELETE FROM t WHERE id < (SELECT max(id) FROM t) + 1", want: dat},
		{name: "delete where id is above the least id less one", sql: "DELETE FROM t WHERE id > (SELECT min(id) FROM t) - 1", want: dat},
		{name: "delete where id less one is at most the greatest id", sql: "DELETE FROM t WHERE id - 1 <= (SELECT max(id) FROM t)", want: dat},
		{name: "delete where id is below the greatest id and a half", sql: "DELETE FROM t WHERE id < (SELECT max(id) + 0.5 FROM t)", want: dat},
		{name: "update where id is not at least the greatest id and one", sql: "UPDATE t SET note = 'x' WHERE NOT (id >= (SELECT max(id) FROM t) + 1)", want: uat},
		{name: "delete where id is between the moved least and greatest ids", sql: "DELETE FROM t WHERE id BETWEEN (SELECT min(id) - 1 FROM t) AND (SELECT max(id) + 1 FROM t)", want: dat},
		{name: "delete where id is at most all of the greatest id plus one", sql: "DELETE FROM t WHERE id <= ALL (SELECT max(id) + 1 FROM t)", want: dat},
		{name: "delete where the greatest id and one is above id", sql: "DELETE FROM t WHERE (SELECT max(id) FROM t) + 1 > id", want: dat},
		{name: "delete where id is at most the greatest id less one", sql: "DELETE FROM t WHERE id <= (SELECT max(id) - 1 FROM t)", note: "all but the greatest"},
		{name: "delete where id is below the greatest id plus zero", sql: "DELETE FROM t WHERE id < (SELECT max(id) FROM t) + 0", note: "all but the greatest"},
		{name: "delete where id and one is at most the greatest id", sql: "DELETE FROM t WHERE id + 1 <= (SELECT max(id) FROM t)", note: "all but the greatest"},
		{name: "delete where id is at least the greatest id and one", sql: "DELETE FROM t WHERE id >= (SELECT max(id) FROM t) + 1", note: "no row"},
		{name: "delete where id is at most the greatest id plus a parameter", sql: "DELETE FROM t WHERE id <= (SELECT max(id) FROM t) + $1", note: "not read: bounded for a negative value"},
		{name: "delete where id is at most another table's greatest id plus one", sql: "DELETE FROM t WHERE id <= (SELECT max(id) FROM u) + 1"},
		{name: "delete where id is at most the greatest id limited to one row", sql: "DELETE FROM t WHERE id <= (SELECT max(id) FROM t LIMIT 1)", want: dat, note: "the aggregate has one row to keep"},
		{name: "delete where id is at most the greatest id with every row and no offset", sql: "DELETE FROM t WHERE id <= (SELECT max(id) FROM t LIMIT ALL OFFSET 0)", want: dat},
		{name: "delete where id is at most the greatest id of the same row", sql: "DELETE FROM t WHERE id <= (SELECT max(x.id) FROM t x WHERE x.id = t.id)", want: dat},
		{name: "delete where id is not above the table's greatest id", sql: "DELETE FROM t WHERE NOT (id > (SELECT max(id) FROM t))", want: dat, note: "no row is above the greatest"},
		{name: "delete where id above the greatest id is not true", sql: "DELETE FROM t WHERE (id > (SELECT max(id) FROM t)) IS NOT TRUE", want: dat},
		{name: "update where id is not below the table's least id", sql: "UPDATE t SET note = 'x' WHERE NOT ((SELECT min(id) FROM t) > id)", want: uat},
		{name: "delete where id is at most all of the table's greatest id", sql: "DELETE FROM t WHERE id <= ALL (SELECT max(id) FROM t)", want: dat, note: "one row to compare with: the greatest"},
		{name: "delete where id is at least any of the table's least id", sql: "DELETE FROM t WHERE id >= ANY (SELECT min(id) FROM t)", want: dat},
		{name: "update where id is not above all of the table's greatest id", sql: "UPDATE t SET note = 'x' WHERE NOT (id > ALL (SELECT max(id) FROM t))", want: uat},
		{name: "delete where merge on id at least the least id", sql: "MERGE INTO t USING (SELECT 1) s ON t.id >= (SELECT min(id) FROM t) WHEN MATCHED THEN DELETE", want: dat},
		{name: "update where id is any of the table's ordered aggregated ids", sql: "UPDATE t SET note = 'x' WHERE id = ANY((SELECT array_agg(id ORDER BY id) FROM t)::bigint[])", want: uat},
		{name: "delete where id in a derived table filtered by its own constant", sql: "DELETE FROM t WHERE id IN (SELECT id FROM (SELECT id, 1 AS one FROM t) x WHERE one = 1)", want: dat},
		{name: "delete where id in a derived table filtered by a true constant", sql: "DELETE FROM t WHERE id IN (SELECT x.id FROM (SELECT id, true AS ok FROM t) x WHERE x.ok)", want: dat},
		{name: "delete where id equals itself through a one-row derived table", sql: "DELETE FROM t WHERE id = (SELECT x FROM (SELECT t.id) s(x))", want: dat},
		{name: "delete where id equals a renamed column of a one-row derived table", sql: "DELETE FROM t WHERE id = (SELECT s.x FROM (SELECT t.id AS x) s)", want: dat},
		{name: "update where id equals the star of a one-row derived table", sql: "UPDATE t SET note = 'x' WHERE id = (SELECT * FROM (SELECT t.id) s)", want: uat},
		{name: "delete where id is in a one-row derived table of itself", sql: "DELETE FROM t WHERE id IN (SELECT x FROM (SELECT t.id) s(x))", want: dat},
		// A query over another table that returns the outer row's own
		// value: every row when it returns a row, none when it does not.
		{name: "delete where id is in the outer id selected from another table", sql: "DELETE FROM t WHERE id IN (SELECT t.id FROM u)", want: dat},
		{name: "delete where id is in the outer id over a filtered table", sql: "DELETE FROM t WHERE id IN (SELECT t.id FROM u WHERE u.flag)", want: dat},
		{name: "update where id equals any outer id over another table", sql: "UPDATE t SET note = 'x' WHERE id = ANY (SELECT t.id + 0 FROM u)", want: uat},
		{name: "delete where id is in the outer id over a copy of the table", sql: "DELETE FROM t WHERE id IN (SELECT t.id FROM t y)", want: dat},
		{name: "delete where id is not in the outer id over another table", sql: "DELETE FROM t WHERE id NOT IN (SELECT t.id FROM u)", want: dat},
		{name: "delete where id is in the outer id over a table tied to the row", sql: "DELETE FROM t WHERE id IN (SELECT t.id FROM u WHERE u.id = t.id)"},
		{name: "delete where id is in the outer id over a table filtered by the row", sql: "DELETE FROM t WHERE id IN (SELECT t.id FROM u WHERE t.flag)"},
		{name: "delete where id is in the outer id over a table filtered by a self-comparison", sql: "DELETE FROM t WHERE id IN (SELECT t.id FROM u WHERE t.id = t.id)", want: dat},
		{name: "delete where a row is in the outer row's values over another table", sql: "DELETE FROM t WHERE (id, note) IN (SELECT t.id, t.note FROM u)", want: dat},
		{name: "delete where a row is in the outer id and another table's note", sql: "DELETE FROM t WHERE (id, note) IN (SELECT t.id, u.note FROM u)"},
		{name: "delete where exists another table's row for an outer self-comparison", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM u WHERE t.id = t.id)", want: dat},
		{name: "update where exists a flagged row of another table for an outer self-comparison", sql: "UPDATE t SET note = 'x' WHERE EXISTS (SELECT 1 FROM u WHERE t.id = t.id AND u.flag)", want: uat},
		{name: "delete where exists another table's row tied to the row", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.id = t.id)"},
		{name: "delete where exists another table's row for a flagged row", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM u WHERE t.flag)"},
		{name: "delete where exists a series as long as the row's id", sql: "DELETE FROM t WHERE EXISTS (SELECT generate_series(1, t.id) FROM u WHERE t.id = t.id)"},
		{name: "delete where id equals the first outer id over another table", sql: "DELETE FROM t WHERE id = (SELECT t.id FROM u LIMIT 1)", want: dat},
		{name: "update where the first outer id over another table equals id", sql: "UPDATE t SET note = 'x' WHERE (SELECT t.id FROM u LIMIT 1) = id", want: uat},
		{name: "delete where id is below the outer id plus one over another table", sql: "DELETE FROM t WHERE id < (SELECT t.id + 1 FROM u)", want: dat},
		{name: "delete where id equals another table's greatest id", sql: "DELETE FROM t WHERE id = (SELECT max(u.id) FROM u)"},
		{name: "delete where id equals the outer id over a table tied to the row", sql: "DELETE FROM t WHERE id = (SELECT t.id FROM u WHERE u.id = t.id)"},
		{name: "delete where id is above the first outer id over another table", sql: "DELETE FROM t WHERE id > (SELECT t.id FROM u LIMIT 1)"},
		{name: "delete where id is in another outer column over another table", sql: "DELETE FROM t WHERE id IN (SELECT t.parent_id FROM u)"},
		{name: "delete where id is in the outer id plus one over another table", sql: "DELETE FROM t WHERE id IN (SELECT t.id + 1 FROM u)"},
		{name: "delete where id is in another table's id", sql: "DELETE FROM t WHERE id IN (SELECT id FROM u)"},
		{name: "delete where id is below itself plus one through a derived table", sql: "DELETE FROM t WHERE id < (SELECT x FROM (SELECT t.id + 1) s(x))", want: dat},
		// A field of a joined-in copy's whole row, (s).id, is its column
		// s.id.
		{name: "delete using a copy joined on a field of its row", sql: "DELETE FROM t USING t s WHERE t.id = (s).id", want: dat},
		{name: "update from a copy joined on a field of its row", sql: "UPDATE t SET note = 'x' FROM t AS s WHERE (s).id = t.id", want: uat},
		{name: "merge a copy on a field of its row", sql: "MERGE INTO t USING t s ON t.id = (s).id WHEN MATCHED THEN DELETE", want: dat},
		{name: "delete using a derived copy joined on a field of its row", sql: "DELETE FROM t USING (SELECT * FROM t) s WHERE t.id = (s).id", want: dat},
		{name: "delete using a copy joined on another field of its row", sql: "DELETE FROM t USING t s WHERE t.id = (s).parent_id"},
		{name: "delete using another table joined on a field of its row", sql: "DELETE FROM t USING u s WHERE t.id = (s).id"},
		{name: "delete using a filtered copy joined on a field of its row", sql: "DELETE FROM t USING (SELECT * FROM t WHERE flag) s WHERE t.id = (s).id"},
		// The server reads (s).f as s.f under the names an alias's column
		// list or a derived table gives; a row held in a column, (s.t),
		// has the table's own field names.
		{name: "delete using a renamed copy joined on a field of its row", sql: "DELETE FROM t USING t AS s(i) WHERE t.id = (s).i", want: dat},
		{name: "update from a renamed copy joined on a field of its row", sql: "UPDATE t SET note = 'x' FROM t AS s(i, p) WHERE (s).p = t.id", want: uat},
		{name: "merge a renamed copy on a field of its row", sql: "MERGE INTO t USING t AS s(i) ON t.id = (s).i WHEN MATCHED THEN DELETE", want: dat},
		{name: "delete using a derived copy joined on a renamed field of its row", sql: "DELETE FROM t USING (SELECT id AS x FROM t) s WHERE t.id = (s).x", want: dat},
		{name: "delete using a derived copy joined on a field its alias list names", sql: "DELETE FROM t USING (SELECT id AS x FROM t) s(y) WHERE t.id = (s).y", want: dat},
		{name: "delete using a derived row joined on a field of it", sql: "DELETE FROM t USING (SELECT t FROM t) s WHERE t.id = (s.t).id", want: dat},
		{name: "delete using a derived row selected as a field joined on a field of it", sql: "DELETE FROM t USING (SELECT t FROM t) s WHERE t.id = ((s).t).id", want: dat},
		{name: "delete using a derived row named like the table joined on a field of it", sql: "DELETE FROM t USING (SELECT t AS s FROM t) s WHERE t.id = (s).id", want: dat},
		{name: "merge a derived row on a field of it", sql: "MERGE INTO t USING (SELECT t FROM t) s ON t.id = (s.t).id WHEN MATCHED THEN DELETE", want: dat},
		{name: "update from a derived row joined on a field of it", sql: "UPDATE t SET note = 'x' FROM (SELECT t FROM t) s WHERE (s.t).id = t.id", want: uat},
		// A field of a copy's row moved by a constant compares as the
		// copy's column does: t.id < s.id + 1 pairs every row with itself.
		{name: "delete using a derived row below a field of it plus one", sql: "DELETE FROM t USING (SELECT t FROM t) s WHERE t.id < (s.t).id + 1", want: dat},
		{name: "update from a derived row with a field of it plus one above", sql: "UPDATE t SET note = 'x' FROM (SELECT t FROM t) s WHERE (s.t).id + 1 > t.id", want: uat},
		{name: "delete using a derived row between a field of it moved by one", sql: "DELETE FROM t USING (SELECT t FROM t) s WHERE t.id BETWEEN (s.t).id - 1 AND (s.t).id + 1", want: dat},
		{name: "delete using a copy below a field of its row plus one", sql: "DELETE FROM t USING t s WHERE t.id < (s).id + 1", want: dat},
		{name: "delete using a renamed copy joined on another field of its row", sql: "DELETE FROM t USING t AS s(i) WHERE t.id = (s).parent_id"},
		{name: "delete using a filtered derived copy joined on a renamed field of its row", sql: "DELETE FROM t USING (SELECT id AS x FROM t WHERE flag) s WHERE t.id = (s).x"},
		{name: "delete using a derived copy whose column hides its row", sql: "DELETE FROM t USING (SELECT id AS x, parent_id AS s FROM t) s WHERE t.id = (s).x"},
		{name: "delete using a derived row joined on another field of it", sql: "DELETE FROM t USING (SELECT t FROM t) s WHERE t.id = (s.t).parent_id"},
		{name: "delete using a filtered derived row joined on a field of it", sql: "DELETE FROM t USING (SELECT t FROM t WHERE flag) s WHERE t.id = (s.t).id"},
		{name: "delete using a derived row below a field of it minus one", sql: "DELETE FROM t USING (SELECT t FROM t) s WHERE t.id < (s.t).id - 1"},
		{name: "delete using a derived row below another field of it plus one", sql: "DELETE FROM t USING (SELECT t FROM t) s WHERE t.id < (s.t).parent_id + 1"},
		{name: "delete using a filtered derived row below a field of it plus one", sql: "DELETE FROM t USING (SELECT t FROM t WHERE flag) s WHERE t.id < (s.t).id + 1"},
		{name: "delete using another table's row joined on a field of it", sql: "DELETE FROM t USING (SELECT u AS t FROM u) s WHERE t.id = (s.t).id"},
		{name: "delete using another renamed table joined on a field of its row", sql: "DELETE FROM t USING u AS s(i) WHERE t.id = (s).i"},
		{name: "delete where id in a field of a renamed copy's row", sql: "DELETE FROM t WHERE id IN (SELECT (s).i FROM t s(i))", want: dat},
		{name: "delete where exists a renamed copy tied by a field of its row", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM t s(i) WHERE (s).i = t.id)", want: dat},
		{name: "delete where id in a field of a renamed copy's starred row", sql: "DELETE FROM t WHERE id IN (SELECT (s.*).i FROM t s(i))", want: dat},
		{name: "delete where id in the columns of a renamed copy's row", sql: "DELETE FROM t WHERE id IN (SELECT i FROM (SELECT (s).* FROM t s(i)) z)", want: dat},
		{name: "delete where id in a filtered field of a renamed copy's row", sql: "DELETE FROM t WHERE id IN (SELECT (s).i FROM t s(i) WHERE (s).i < 10)"},
		// A joined-in copy whose alias's column list renames columns by
		// position: the renamed column may be the one compared.
		{name: "delete using the table with a column alias list", sql: "DELETE FROM t USING t AS s(i) WHERE t.id = s.i", want: dat},
		{name: "update from the table with a column alias list", sql: "UPDATE t SET note = 'x' FROM t AS s(i) WHERE t.id = s.i", want: uat},
		{name: "merge using the table with a column alias list", sql: "MERGE INTO t USING t AS s(i) ON t.id = s.i WHEN MATCHED THEN DELETE", want: dat},
		{name: "merge using an alias list with an arm condition", sql: "MERGE INTO t USING t AS s(i, n) ON t.note = s.n WHEN MATCHED AND s.i IS NOT NULL THEN UPDATE SET note = 'x'", want: uat},
		{name: "delete using a star subquery with an alias list", sql: "DELETE FROM t USING (SELECT * FROM t) AS s(i) WHERE t.id = s.i", want: dat},
		{name: "delete using a cte with a column list over the table", sql: "WITH s(i) AS (SELECT * FROM t) DELETE FROM t USING s WHERE t.id = s.i", want: dat},
		{name: "delete using the second renamed column", sql: "DELETE FROM t USING t AS s(i, n) WHERE t.note = s.n", want: dat},
		{name: "delete using a renamed column compared the other way", sql: "DELETE FROM t USING t AS s(i) WHERE s.i = t.id AND NOT (t.id < s.i)", want: dat},
		{name: "delete using five renamed columns compared", sql: "DELETE FROM t USING t AS s(a, b, c, d, e) WHERE t.x = s.a AND t.y = s.b AND t.z = s.c AND t.w = s.d AND t.v = s.e", want: dat,
			note: "more readings than are checked one at a time: refused on the safe side"},
		{name: "delete using renamed columns the condition does not name", sql: "DELETE FROM t USING t AS s(a, b, c, d, e, f, g) WHERE t.id = s.a", want: dat},
		{name: "delete using renamed columns in a long condition", sql: "DELETE FROM t USING t AS s(a, b, c) WHERE t.x < s.a AND t.y < s.b AND s.c < t.x" + strings.Repeat(" AND t.x <> 7", 2000), want: dat,
			note: "judging each reading of so long a condition would cost the proxy too much: refused on the safe side"},
		// Look-alikes that filter whichever column is renamed.
		{name: "delete duplicates through an alias list", sql: "DELETE FROM t USING t AS s(i, e) WHERE t.email = s.e AND t.id < s.i"},
		{name: "delete using an alias list and a value", sql: "DELETE FROM t USING t AS s(i) WHERE t.id = s.i AND t.id = 5"},
		{name: "delete using many renamed columns and a value", sql: "DELETE FROM t USING t AS s(a, b, c, d, e, f, g) WHERE t.id = s.a AND t.id = 5"},
		{name: "delete using an alias list and a strict order", sql: "DELETE FROM t USING t AS s(i) WHERE t.id = s.i AND t.x < s.x"},
		{name: "merge using an alias list filtered by the source", sql: "MERGE INTO t USING (SELECT * FROM t WHERE flag) AS s(i) ON t.id = s.i WHEN MATCHED THEN DELETE"},
		// Look-alikes that filter.
		{name: "delete where id in a derived table filtered by a false constant", sql: "DELETE FROM t WHERE id IN (SELECT id FROM (SELECT id, 1 AS one FROM t) x WHERE one = 2)"},
		{name: "delete where id in a derived table filtered by a column", sql: "DELETE FROM t WHERE id IN (SELECT id FROM (SELECT id, flag AS ok FROM t) x WHERE ok)"},
		{name: "delete where id is any of the flagged ids", sql: "DELETE FROM t WHERE id = ANY((SELECT array_agg(id) FROM t WHERE flag)::int[])"},
		{name: "delete where id is any of the aggregated parents", sql: "DELETE FROM t WHERE id = ANY((SELECT array_agg(parent_id) FROM t)::int[])"},
		{name: "delete where id is any of the ids an aggregate filters", sql: "DELETE FROM t WHERE id = ANY((SELECT array_agg(id) FILTER (WHERE flag) FROM t)::int[])"},
		{name: "delete where id in the first id of each parent", sql: "DELETE FROM t WHERE id IN (SELECT first_value(id) OVER (PARTITION BY parent_id) FROM t)"},
		{name: "delete where id in the next row's id", sql: "DELETE FROM t WHERE id IN (SELECT first_value(id) OVER (PARTITION BY id ROWS BETWEEN 1 FOLLOWING AND 1 FOLLOWING) FROM t)"},
		{name: "delete where id in the previous row's id", sql: "DELETE FROM t WHERE id IN (SELECT lag(id) OVER () FROM t)", note: "the first row has no previous row"},
		{name: "delete where id in the id lagged by one", sql: "DELETE FROM t WHERE id IN (SELECT lag(id, 1) OVER (ORDER BY id) FROM t)"},
		{name: "delete where id in the id led by a parameter", sql: "DELETE FROM t WHERE id IN (SELECT lead(id, $1) OVER () FROM t)"},
		{name: "delete where id in the id lagged by a column", sql: "DELETE FROM t WHERE id IN (SELECT lag(id, x) OVER () FROM t)"},
		{name: "delete where id in the id lagged by zero then filtered", sql: "DELETE FROM t WHERE id IN (SELECT lag(id, 0) OVER () FROM t WHERE flag)"},
		{name: "delete where id in the second id of each id", sql: "DELETE FROM t WHERE id IN (SELECT nth_value(id, 2) OVER (PARTITION BY id) FROM t)"},
		{name: "delete where id in the least id of the table", sql: "DELETE FROM t WHERE id IN (SELECT min(id) OVER () FROM t)"},
		{name: "delete where id in the first id ordered by id", sql: "DELETE FROM t WHERE id IN (SELECT first_value(id) OVER (ORDER BY id) FROM t)", note: "the smallest id only"},
		{name: "delete where id in a filtered greatest id of each id", sql: "DELETE FROM t WHERE id IN (SELECT max(id) FILTER (WHERE flag) OVER (PARTITION BY id) FROM t)"},
		{name: "delete where id in the least id of peers by another column", sql: "DELETE FROM t WHERE id IN (SELECT min(id) OVER (ORDER BY x RANGE BETWEEN CURRENT ROW AND CURRENT ROW) FROM t)"},
		{name: "delete where id in the last id ordered by another column", sql: "DELETE FROM t WHERE id IN (SELECT last_value(id) OVER (ORDER BY x) FROM t)"},
		{name: "delete where id in the least of the following ids of each id", sql: "DELETE FROM t WHERE id IN (SELECT min(id) OVER (PARTITION BY id ROWS BETWEEN 1 FOLLOWING AND 2 FOLLOWING) FROM t)"},
		{name: "delete where id in a frame of the row alone excluding it", sql: "DELETE FROM t WHERE id IN (SELECT first_value(id) OVER (ROWS CURRENT ROW EXCLUDE CURRENT ROW) FROM t)", note: "an empty frame: NULL"},
		{name: "delete where id in the least id from the start ordered by id", sql: "DELETE FROM t WHERE id IN (SELECT min(id) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t)", note: "the smallest id only"},
		{name: "delete where id in the greatest id so far ordered by id descending", sql: "DELETE FROM t WHERE id IN (SELECT max(id) OVER (ORDER BY id DESC) FROM t)", note: "the largest id only"},
		{name: "delete where id in the least id so far ordered by id", sql: "DELETE FROM t WHERE id IN (SELECT min(id) OVER (ORDER BY id) FROM t)", note: "the smallest id only"},
		{name: "delete where id in the greatest id so far ordered by another column first", sql: "DELETE FROM t WHERE id IN (SELECT max(id) OVER (ORDER BY x, id) FROM t)"},
		{name: "delete where id in the count over each row", sql: "DELETE FROM t WHERE id IN (SELECT count(id) OVER (PARTITION BY ctid) FROM t)"},
		{name: "delete where id in the greatest id over a named window of each parent", sql: "DELETE FROM t WHERE id IN (SELECT max(id) OVER w FROM t WINDOW w AS (PARTITION BY parent_id))"},
		{name: "delete where id in the greatest id over a missing named window", sql: "DELETE FROM t WHERE id IN (SELECT max(id) OVER w FROM t WINDOW v AS (PARTITION BY id))"},
		{name: "delete where id in the greatest id over a named window naming itself", sql: "DELETE FROM t WHERE id IN (SELECT max(id) OVER w FROM t WINDOW w AS (w))", note: "the server refuses it"},
		{name: "delete where id in the greatest id of each id of another copy", sql: "DELETE FROM t WHERE id IN (SELECT max(id) OVER (PARTITION BY t.id) FROM t y)"},
		{name: "delete where id in the id lagged by a string one", sql: "DELETE FROM t WHERE id IN (SELECT lag(id, '1') OVER () FROM t)"},
		{name: "delete where id is above any of the table's ids", sql: "DELETE FROM t WHERE id > ANY (SELECT id FROM t)", note: "every id but the least"},
		{name: "delete where id is at most any of the filtered ids", sql: "DELETE FROM t WHERE id <= ANY (SELECT id FROM t WHERE flag)"},
		{name: "delete where id is at least the table's greatest id", sql: "DELETE FROM t WHERE id >= (SELECT max(id) FROM t)", note: "the greatest only"},
		{name: "delete where id is above the table's greatest id", sql: "DELETE FROM t WHERE id > (SELECT max(id) FROM t)", note: "no row"},
		{name: "delete where id is not at least the table's greatest id", sql: "DELETE FROM t WHERE NOT (id >= (SELECT max(id) FROM t))", note: "every id but the greatest"},
		{name: "delete where id is at most all of the greatest ids of each parent", sql: "DELETE FROM t WHERE id <= ALL (SELECT max(id) FROM t GROUP BY parent_id)", note: "at most the least of them"},
		{name: "delete where id is at least all of the table's greatest id", sql: "DELETE FROM t WHERE id >= ALL (SELECT max(id) FROM t)", note: "the greatest only"},
		{name: "delete where id is below the table's greatest id", sql: "DELETE FROM t WHERE id < (SELECT max(id) FROM t)"},
		{name: "delete where id is at most another table's greatest id", sql: "DELETE FROM t WHERE id <= (SELECT max(id) FROM u)"},
		{name: "delete where id is at most the greatest of another column", sql: "DELETE FROM t WHERE id <= (SELECT max(parent_id) FROM t)"},
		{name: "delete where id is at most the greatest filtered id", sql: "DELETE FROM t WHERE id <= (SELECT max(id) FROM t WHERE flag)"},
		{name: "delete where id is at most the greatest id limited to no row", sql: "DELETE FROM t WHERE id <= (SELECT max(id) FROM t LIMIT 0)", note: "no row: NULL"},
		{name: "delete where id is at most the greatest id past an offset", sql: "DELETE FROM t WHERE id <= (SELECT max(id) FROM t OFFSET 1)"},
		{name: "delete where id is at most the greatest id limited by a parameter", sql: "DELETE FROM t WHERE id <= (SELECT max(id) FROM t LIMIT $1)"},
		{name: "delete where id is not between the table's least and greatest ids", sql: "DELETE FROM t WHERE id NOT BETWEEN (SELECT min(id) FROM t) AND (SELECT max(id) FROM t)"},
		{name: "delete where id is between the greatest and least ids", sql: "DELETE FROM t WHERE id BETWEEN (SELECT max(id) FROM t) AND (SELECT min(id) FROM t)", note: "without SYMMETRIC an empty range"},
		{name: "delete where id in the id lagged by three halves", sql: "DELETE FROM t WHERE id IN (SELECT lag(id, 3 / 2) OVER (ORDER BY id) FROM t)", note: "integer division: 3 / 2 is 1"},
		{name: "delete where id in the id lagged by one plus zero", sql: "DELETE FROM t WHERE id IN (SELECT lag(id, 1 + 0) OVER (ORDER BY id) FROM t)"},
		{name: "delete where id in the id lagged by a fraction rounded to one", sql: "DELETE FROM t WHERE id IN (SELECT lag(id, 0.5::int) OVER (ORDER BY id) FROM t)", note: "0.5 rounds half away from zero, to 1"},
		{name: "delete where id in the id lagged by zero plus a parameter", sql: "DELETE FROM t WHERE id IN (SELECT lag(id, 0 + $1) OVER () FROM t)"},
		{name: "delete where id in the id lagged by zero plus a column", sql: "DELETE FROM t WHERE id IN (SELECT lag(id, 0 + x) OVER () FROM t)"},
		{name: "delete where id in the id lagged by a division by zero", sql: "DELETE FROM t WHERE id IN (SELECT lag(id, 0 / 0) OVER () FROM t)", note: "the server fails it"},
		{name: "delete where id in the second nth value one plus one", sql: "DELETE FROM t WHERE id IN (SELECT nth_value(id, 1 + 1) OVER (PARTITION BY id) FROM t)"},
		{name: "delete where id in the first id of a frame from one preceding", sql: "DELETE FROM t WHERE id IN (SELECT first_value(id) OVER (ROWS BETWEEN 1 PRECEDING AND 0 FOLLOWING) FROM t)", note: "the previous row's id"},
		{name: "delete where id in the first id from one following on", sql: "DELETE FROM t WHERE id IN (SELECT first_value(id) OVER (ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) FROM t)"},
		{name: "delete where id in the greatest id of a range of zero and one", sql: "DELETE FROM t WHERE id IN (SELECT max(id) OVER (ORDER BY id RANGE BETWEEN 0 PRECEDING AND 1 FOLLOWING) FROM t)"},
		{name: "delete where id in the bitwise or of each parent", sql: "DELETE FROM t WHERE id IN (SELECT bit_or(id) FROM t GROUP BY parent_id)"},
		{name: "delete where id in the bitwise or over the table", sql: "DELETE FROM t WHERE id IN (SELECT bit_or(id) OVER () FROM t)"},
		{name: "delete where id in the sum over the whole table", sql: "DELETE FROM t WHERE id IN (SELECT sum(id) OVER () FROM t)"},
		{name: "delete where id in the sum so far ordered by id", sql: "DELETE FROM t WHERE id IN (SELECT sum(id) OVER (ORDER BY id) FROM t)", note: "running totals, not the ids"},
		{name: "delete where id in the average so far ordered by id", sql: "DELETE FROM t WHERE id IN (SELECT avg(id) OVER (ORDER BY id) FROM t)", note: "the minimum's trick does not hold for averages"},
		{name: "delete where id in the count of each id", sql: "DELETE FROM t WHERE id IN (SELECT count(id) FROM t GROUP BY id)"},
		{name: "delete where id in the filtered bitwise or of each id", sql: "DELETE FROM t WHERE id IN (SELECT bit_or(id) FILTER (WHERE flag) FROM t GROUP BY id)"},
		{name: "delete where id in the least id of each parent", sql: "DELETE FROM t WHERE id IN (SELECT min(id) FROM t GROUP BY parent_id)"},
		{name: "delete where id in another column renamed by a lateral query", sql: "DELETE FROM t WHERE id IN (SELECT l.i FROM t, LATERAL (SELECT t.parent_id AS i) l)"},
		{name: "delete where id in a filtered lateral rename", sql: "DELETE FROM t WHERE id IN (SELECT l.i FROM t, LATERAL (SELECT t.id AS i WHERE t.flag) l)"},
		{name: "delete where exists a row of another table with the id", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM t x, k WHERE id = t.id)", want: "delete-always-true",
			note: "id is x.id unless k has an id too, and then the server refuses it as ambiguous: every row (20 of 20 on PostgreSQL 15) or an error"},
		{name: "delete where a copy of the row exists with a nested copy of it", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM t x WHERE x.id = t.id AND EXISTS (SELECT 1 FROM t y WHERE y.id = t.id))", want: "delete-always-true",
			note: "the row's own copy meets a condition on the outer row that holds with the two read as one"},
		{name: "update where a copy of the row exists with the same note as the row", sql: "UPDATE t SET note = 'x' WHERE EXISTS (SELECT 1 FROM t x WHERE x.id = t.id AND x.note = t.note)", want: "update-always-true"},
		{name: "delete where a copy of the row exists and the row is flagged", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM t x WHERE x.id = t.id AND t.flag)"},
		{name: "delete where a copy of the row exists and the copy is flagged", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM t x WHERE x.id = t.id AND x.id > 5)"},
		{name: "delete where exists the same row joined on a key", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM t x JOIN k ON k.id = x.k WHERE x.id = t.id)"},
		{name: "delete where exists the same row and a matching row", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM t x, k WHERE x.id = t.id AND k.id = x.id)"},
		{name: "delete where id in a join written in the where clause", sql: "DELETE FROM t WHERE id IN (SELECT t.id FROM t, k WHERE k.id = t.id)"},
		{name: "delete where id in an inner join on a key", sql: "DELETE FROM t WHERE id IN (SELECT t.id FROM t JOIN k ON k.id = t.id)"},
		{name: "delete where id in a product with the row's own array", sql: "DELETE FROM t WHERE id IN (SELECT t.id FROM t, unnest(t.tags) g)"},
		{name: "delete where id in a product with a lateral filter", sql: "DELETE FROM t WHERE id IN (SELECT t.id FROM t, LATERAL (SELECT 1 WHERE t.flag) l)"},
		{name: "delete where id in the other side of a full join", sql: "DELETE FROM t WHERE id IN (SELECT k.id FROM k FULL JOIN t ON false)"},
		{name: "delete where id in the table offset ten", sql: "DELETE FROM t WHERE id IN (SELECT id FROM t OFFSET 10)"},
		{name: "delete where id in another table itself", sql: "DELETE FROM t WHERE id IN (TABLE k)"},
		{name: "delete where id in a right join of another table", sql: "DELETE FROM t WHERE id IN (SELECT t.id FROM t RIGHT JOIN k ON k.id = t.id)"},
		// A whole row of the table carried through a derived table or
		// CTE: a field of it is the table's column.
		{name: "delete where id in a field of a derived table's whole row", sql: "DELETE FROM t WHERE id IN (SELECT (x.t).id FROM (SELECT t FROM t) x)", want: dat},
		{name: "delete where id in a field of a derived table's aliased row", sql: "DELETE FROM t WHERE id IN (SELECT (x.s).id FROM (SELECT s FROM t s) x)", want: dat},
		{name: "delete where id in a field of a renamed whole row", sql: "DELETE FROM t WHERE id IN (SELECT (x.r).id FROM (SELECT t AS r FROM t) x)", want: dat},
		{name: "delete where id in a field of a cte's whole row", sql: "WITH x AS (SELECT t FROM t) DELETE FROM t WHERE id IN (SELECT (x.t).id FROM x)", want: dat},
		{name: "delete where id in a field of a cte's renamed whole row", sql: "WITH x(r) AS (SELECT t FROM t) DELETE FROM t WHERE id IN (SELECT (x.r).id FROM x)", want: dat},
		{name: "delete where id in a field of a star cast to the table's type", sql: "DELETE FROM t WHERE id IN (SELECT (x.r).id FROM (SELECT t.*::t AS r FROM t) x)", want: dat},
		{name: "delete where id in a field of a row of the star cast to the table's type", sql: "DELETE FROM t WHERE id IN (SELECT (x.r).id FROM (SELECT ROW(t.*)::t AS r FROM t) x)", want: dat},
		{name: "delete where id in a field of an unnamed cast star", sql: "DELETE FROM t WHERE id IN (SELECT (x.t).id FROM (SELECT t.*::t FROM t) x)", want: dat,
			note: "the cast star is one column named t (checked on a server)"},
		{name: "delete where id in every field of a carried whole row", sql: "DELETE FROM t WHERE id IN (SELECT (x.r).* FROM (SELECT t AS r FROM t) x)", want: dat,
			note: "the server runs it only for a table of one column, which id then is"},
		{name: "delete where id in a field of a whole row carried twice", sql: "DELETE FROM t WHERE id IN (SELECT ((y.x).t).id FROM (SELECT x FROM (SELECT t FROM t) x) y)", want: dat},
		{name: "delete where id in a field of an unqualified whole-row column", sql: "DELETE FROM t WHERE id IN (SELECT (t).id FROM (SELECT t FROM t) x)", want: dat},
		{name: "delete where id in a field of a column named like its derived table", sql: "DELETE FROM t WHERE id IN (SELECT (x).id FROM (SELECT t AS x FROM t) x)", want: dat,
			note: "the column x hides the row variable x (checked on a server)"},
		{name: "delete where id in a field of a whole row under a star", sql: "DELETE FROM t WHERE id IN (SELECT (x.t).id FROM (SELECT * FROM (SELECT t FROM t) y) x)", want: dat},
		{name: "delete where id in a renamed field of a carried whole row", sql: "DELETE FROM t WHERE id IN (SELECT i FROM (SELECT (x.t).id AS i FROM (SELECT t FROM t) x) z)", want: dat},
		{name: "delete where id in a field named by its selection", sql: "DELETE FROM t WHERE id IN (SELECT id FROM (SELECT (s).id FROM t s) z)", want: dat},
		{name: "delete where id in a field of a row under an alias list", sql: "DELETE FROM t WHERE id IN (SELECT (x.s).id FROM (SELECT s FROM t AS s(i)) x)", want: dat,
			note: "the table's whole row keeps the table's column names (checked on a server)"},
		{name: "delete where id in a field of a whole row of a union", sql: "DELETE FROM t WHERE id IN (SELECT (x.t).id FROM (SELECT t FROM t UNION ALL SELECT t FROM t) x)", want: dat},
		{name: "delete where id is any of an array of a carried field", sql: "DELETE FROM t WHERE id = ANY(ARRAY(SELECT (x.t).id FROM (SELECT t FROM t) x))", want: dat},
		{name: "delete using a field of a carried whole row", sql: "DELETE FROM t USING (SELECT (x.t).id FROM (SELECT t FROM t) x) s WHERE t.id = s.id", want: dat},
		{name: "update where id in a field of a derived table's whole row", sql: "UPDATE t SET note = 'x' WHERE id IN (SELECT (x.t).id FROM (SELECT t FROM t) x)", want: uat},
		{name: "update where id in a field of a cte's whole row", sql: "WITH x AS (SELECT t FROM t) UPDATE t SET note = 'x' WHERE id IN (SELECT (x.t).id FROM x)", want: uat},
		{name: "delete where exists a field of the row tied to the target", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM t s WHERE (s).id = t.id)", want: dat},
		{name: "delete where exists a field of a carried row tied to the target", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM (SELECT t FROM t) x WHERE (x.t).id = t.id)", want: dat},
		{name: "update where exists a field of a carried row at or below", sql: "UPDATE t SET note = 'x' WHERE EXISTS (SELECT 1 FROM (SELECT t FROM t) x WHERE t.id >= (x.t).id)", want: uat},
		// Look-alikes that filter, or carry another row or field.
		{name: "delete where exists a carried row whose other field is tied", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM (SELECT t FROM t) x WHERE (x.t).parent_id = t.id)"},
		{name: "delete where exists a tied carried row with a flag", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM (SELECT t FROM t) x WHERE (x.t).id = t.id AND (x.t).flag)"},
		{name: "delete where exists a tied row of a filtered derived table", sql: "DELETE FROM t WHERE EXISTS (SELECT 1 FROM (SELECT t FROM t WHERE flag) x WHERE (x.t).id = t.id)"},
		{name: "delete where id in a field of a filtered whole row", sql: "DELETE FROM t WHERE id IN (SELECT (x.t).id FROM (SELECT t FROM t WHERE flag) x)"},
		{name: "delete where id in a field of a limited whole row", sql: "DELETE FROM t WHERE id IN (SELECT (x.t).id FROM (SELECT t FROM t LIMIT 5) x)"},
		{name: "delete where id in a field of a filtered cte's whole row", sql: "WITH x AS (SELECT t FROM t WHERE flag) DELETE FROM t WHERE id IN (SELECT (x.t).id FROM x)"},
		{name: "delete where id in a field of a carried row filtered outside", sql: "DELETE FROM t WHERE id IN (SELECT (x.t).id FROM (SELECT t FROM t) x WHERE (x.t).flag)"},
		{name: "delete where id in a field of another table's whole row", sql: "DELETE FROM t WHERE id IN (SELECT (x.k).id FROM (SELECT k FROM k) x)"},
		{name: "delete where id in a field of another table's row beside the table", sql: "DELETE FROM t WHERE id IN (SELECT (x.k).id FROM (SELECT k FROM t, k) x)"},
		{name: "delete where id in another field of a carried whole row", sql: "DELETE FROM t WHERE id IN (SELECT (x.t).parent_id FROM (SELECT t FROM t) x)"},
		{name: "delete where id in a field of a row built in another order", sql: "DELETE FROM t WHERE id IN (SELECT (x.r).id FROM (SELECT ROW(parent_id, id, note, flag)::t AS r FROM t) x)",
			note: "the cast names the fields by position: its id is parent_id"},
		{name: "delete where id in a field of a carried row of another column", sql: "DELETE FROM t WHERE id IN (SELECT (x.s).i FROM (SELECT s FROM (SELECT parent_id AS i FROM t) s) x)"},
	}
}
