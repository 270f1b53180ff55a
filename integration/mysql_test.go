//go:build !bulwark_no_mysql

package integration

// MySQL-protocol tests: bulwark's mysqlwire engine in front of a real
// MariaDB, driven by go-sql-driver/mysql in its three modes (text protocol,
// server-side prepared statements, multi-statements), by the real `mariadb`
// client, and by a small raw client for what drivers do not expose
// (COM_CHANGE_USER, unusual commands).

import (
	"bufio"
	"crypto/sha1"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/bulwarkdb/bulwark/config"
)

// myCategory is one kind of destructive statement and how to prove that it
// did (or did not) run.
type myCategory struct {
	name     string
	rule     string
	category string
	// sql is the statement for table tbl (and database db).
	sql func(tbl, db string) string
	// setup runs on the agent's (and the human's) connection before the
	// statement.
	setup func(tbl string) string
	// prepare, when set, is what the administrator runs once table tbl
	// and database db exist.
	prepare func(tbl, db string) string
	// then, when set, is what the human runs after the statement for it to
	// take effect (PREPARE only prepares, CREATE PROCEDURE only creates).
	then func(tbl string) string
	// noCLI: the mariadb client would split the statement at the
	// semicolons inside it (a BEGIN ... END body).
	noCLI bool
	// textOnly: the statement cannot run through COM_STMT_PREPARE on the
	// server (the human check then uses the text protocol only).
	textOnly bool
}

var myCategories = []myCategory{
	{name: "drop table", rule: "drop-object", category: "drop",
		sql: func(tbl, _ string) string { return "DROP TABLE " + tbl }},
	{name: "drop database", rule: "drop-object", category: "drop",
		sql: func(_, db string) string { return "DROP DATABASE " + db }},
	{name: "alter table drop column", rule: "alter-drop-column", category: "drop",
		sql: func(tbl, _ string) string { return "ALTER TABLE " + tbl + " DROP COLUMN note" }},
	{name: "truncate", rule: "truncate", category: "truncate",
		sql: func(tbl, _ string) string { return "TRUNCATE TABLE " + tbl }},
	{name: "delete without where", rule: "delete-no-where", category: "delete",
		sql: func(tbl, _ string) string { return "DELETE FROM " + tbl }},
	{name: "delete where 1", rule: "delete-always-true", category: "delete",
		sql: func(tbl, _ string) string { return "DELETE FROM " + tbl + " WHERE 1" }},
	{name: "update without where", rule: "update-no-where", category: "update",
		sql: func(tbl, _ string) string { return "UPDATE " + tbl + " SET note = 'gone'" }},
	{name: "prepare from a variable", rule: "dynamic-sql", category: "unanalysable", textOnly: true,
		setup: func(tbl string) string { return "SET @v = 'DROP TABLE " + tbl + "'" },
		sql:   func(string, string) string { return "PREPARE s FROM @v" }, then: func(string) string { return "EXECUTE s" }},
	{name: "mysql executable comment", rule: "drop-object", category: "drop",
		sql: func(tbl, _ string) string { return "/*!50000 DROP TABLE " + tbl + "*/" }},
	{name: "mariadb executable comment", rule: "drop-object", category: "drop",
		sql: func(tbl, _ string) string { return "/*M! DROP TABLE " + tbl + "*/" }},
	// Disguises: spellings, comments and tautologies a text check misses,
	// and a session toggle that does not switch bulwark off.
	{name: "delete quick ignore", rule: "delete-no-where", category: "delete",
		sql: func(tbl, _ string) string { return "DELETE QUICK IGNORE FROM " + tbl }},
	{name: "delete low_priority where true", rule: "delete-always-true", category: "delete",
		sql: func(tbl, _ string) string { return "DELETE LOW_PRIORITY FROM " + tbl + " WHERE TRUE" }},
	{name: "delete where a column equals itself", rule: "delete-always-true", category: "delete",
		sql: func(tbl, _ string) string { return "DELETE FROM " + tbl + " WHERE id = id" }},
	// The outer row's own id selected from another table that has rows:
	// every row of the target.
	{name: "delete where in the outer row's own value from another table", rule: "delete-always-true", category: "delete",
		sql: func(tbl, _ string) string {
			return "DELETE FROM " + tbl + " WHERE id IN (SELECT " + tbl + ".id FROM information_schema.schemata)"
		}},
	{name: "where inside a hash comment", rule: "delete-no-where", category: "delete",
		sql: func(tbl, _ string) string { return "DELETE FROM " + tbl + " # WHERE id = 1\n" }},
	{name: "multi-table delete not tied to the other table", rule: "delete-always-true", category: "delete",
		sql: func(tbl, _ string) string { return "DELETE t1 FROM " + tbl + " t1, (SELECT 1 AS x) d WHERE d.x = 1" }},
	{name: "truncate in odd case around a comment", rule: "truncate", category: "truncate",
		sql: func(tbl, _ string) string { return "tRuNcAtE/**/TaBlE " + tbl }},
	{name: "sql_safe_updates switched off first", rule: "delete-no-where", category: "delete",
		setup: func(string) string { return "SET SQL_SAFE_UPDATES = 0" },
		sql:   func(tbl, _ string) string { return "DELETE FROM " + tbl }},
	// Literals are compared exactly, as the server compares them: in
	// doubles these two integers are equal and the arm looks false.
	{name: "delete or integers beyond a double's precision", rule: "delete-always-true", category: "delete",
		sql: func(tbl, _ string) string {
			return "DELETE FROM " + tbl + " WHERE id = 5 OR 9007199254740993 > 9007199254740992"
		}},
	{name: "update where largest unsigned integers differ", rule: "update-always-true", category: "update",
		sql: func(tbl, _ string) string {
			return "UPDATE " + tbl + " SET note = 'x' WHERE 18446744073709551615 <> 18446744073709551614"
		}},
	// A table of the same name in another database is another table: a
	// condition on it does not bound the target.
	{name: "multi-table delete tied to another database's table of the same name", rule: "delete-always-true", category: "delete",
		prepare: otherDatabaseTable,
		sql: func(tbl, db string) string {
			return "DELETE " + testDatabase + "." + tbl + " FROM " + testDatabase + "." + tbl + ", " + db + "." + tbl +
				" WHERE " + db + "." + tbl + ".id = 5"
		}},
	{name: "multi-table update tied to another database's table of the same name", rule: "update-always-true", category: "update",
		prepare: otherDatabaseTable,
		sql: func(tbl, db string) string {
			return "UPDATE " + testDatabase + "." + tbl + ", " + db + "." + tbl + " SET " + testDatabase + "." + tbl + ".note = 'x'" +
				" WHERE " + db + "." + tbl + ".id = 5"
		}},
	// In a stored procedure a parameter or local variable wins over a
	// column of the same name: WHERE v does not read the row.
	{name: "procedure delete where a parameter", rule: "delete-always-true", category: "delete", textOnly: true,
		prepare: func(tbl, _ string) string { return "DROP PROCEDURE IF EXISTS " + tbl + "_p" },
		sql: func(tbl, _ string) string {
			return "CREATE PROCEDURE " + tbl + "_p(IN v INT) DELETE FROM " + tbl + " WHERE v"
		},
		then: func(tbl string) string { return "CALL " + tbl + "_p(1)" }},
	{name: "procedure update where a local variable", rule: "update-always-true", category: "update", textOnly: true, noCLI: true,
		prepare: func(tbl, _ string) string { return "DROP PROCEDURE IF EXISTS " + tbl + "_p" },
		sql: func(tbl, _ string) string {
			return "CREATE PROCEDURE " + tbl + "_p() BEGIN DECLARE v INT DEFAULT 1; UPDATE " + tbl + " SET note = NULL WHERE v; END"
		},
		then: func(tbl string) string { return "CALL " + tbl + "_p()" }},
	// Respellings of x = x, p OR NOT p and EXISTS (SELECT 1).
	deleteWhere("delete where exists of a select without from", func(tbl string) string { return "EXISTS (SELECT " + tbl + ".id)" }),
	deleteWhere("delete where a column equals its scalar subquery", func(tbl string) string { return "id = (SELECT " + tbl + ".id)" }),
	deleteWhere("delete where in the whole table named with its database", func(tbl string) string {
		return "id IN (SELECT id FROM " + testDatabase + "." + tbl + ")"
	}),
	deleteWhere("delete where a column is like itself", func(string) string { return "id LIKE id" }),
	deleteWhere("delete where a column is between itself and itself", func(string) string { return "id BETWEEN id AND id" }),
	deleteWhere("delete where a comparison or its opposite", func(string) string { return "id = 5 OR id <> 5" }),
	deleteWhere("delete where a column minus itself is 0", func(string) string { return "id - id = 0" }),
	deleteWhere("delete where is not true or is true", func(string) string { return "id IS NOT TRUE OR id IS TRUE" }),
	deleteWhere("delete where a test is not true or the test", func(string) string { return "id = 5 IS NOT TRUE OR id = 5" }),
	deleteWhere("delete where an is true is not null", func(string) string { return "(id IS TRUE) IS NOT NULL" }),
	deleteWhere("delete where not isnull or isnull", func(string) string { return "NOT ISNULL(id) OR ISNULL(id)" }),
	deleteWhere("delete where a difference or an equality", func(string) string { return "id - 5 OR id = 5" }),
	deleteWhere("delete where a value xor its zero test", func(string) string { return "id XOR id = 0" }),
	deleteWhere("delete where a column equals itself plus 0", func(string) string { return "id = id + 0" }),
	deleteWhere("delete where a column times 1 equals itself", func(string) string { return "id * 1 = id" }),
	deleteWhere("delete where a column equals ifnull of itself", func(string) string { return "id = IFNULL(id, 0)" }),
	deleteWhere("delete where a column rlike itself", func(string) string { return "id RLIKE id" }),
	deleteWhere("delete where a column divided by itself is 1", func(string) string { return "id / id = 1" }),
	deleteWhere("delete where concat of a column equals it", func(string) string { return "CONCAT(id) = id" }),
	deleteWhere("delete where a column equals greatest of itself", func(string) string { return "id = GREATEST(id, id)" }),
	deleteWhere("delete where a column equals if true of itself", func(string) string { return "id = IF(1, id, 0)" }),
	deleteWhere("delete where strcmp of a column with itself", func(string) string { return "STRCMP(id, id) = 0" }),
	deleteWhere("delete where instr of a column in itself", func(string) string { return "INSTR(id, id)" }),
	deleteWhere("delete where like everything or is null", func(string) string { return "note LIKE '%' OR note IS NULL" }),
	deleteWhere("delete where equal to any of the whole table", func(tbl string) string { return "id = ANY (SELECT id FROM " + tbl + ")" }),
	deleteWhere("delete where in a union with the whole table", func(tbl string) string {
		return "id IN (SELECT id FROM " + tbl + " UNION SELECT 1)"
	}),
	deleteWhere("delete where in the whole table under where 1", func(tbl string) string { return "id IN (SELECT id FROM " + tbl + " WHERE 1)" }),
	deleteWhere("delete where in a cte over the table", func(tbl string) string {
		return "id IN (WITH c AS (SELECT id FROM " + tbl + ") SELECT id FROM c)"
	}),
	deleteWhere("delete where in a derived table over the table", func(tbl string) string {
		return "id IN (SELECT id FROM (SELECT id FROM " + tbl + ") x)"
	}),
	deleteWhere("delete where in a one-row select of itself", func(tbl string) string { return "id IN (SELECT " + tbl + ".id)" }),
	deleteWhere("delete where exists the row's own copy", func(tbl string) string {
		return "EXISTS (SELECT 1 FROM " + tbl + " x WHERE x.id = " + tbl + ".id)"
	}),
	// USING (id) between the table and a copy of it is id = id.
	{name: "multi-table delete self-joined using", rule: "delete-always-true", category: "delete",
		sql: func(tbl, _ string) string { return "DELETE c FROM " + tbl + " c JOIN " + tbl + " d USING (id)" }},
	{name: "multi-table delete joined using to a derived table of every row", rule: "delete-always-true", category: "delete",
		sql: func(tbl, _ string) string {
			return "DELETE c FROM " + tbl + " c JOIN (SELECT id FROM " + tbl + ") d USING (id)"
		}},
	// The column is followed through renames, SELECT *, nested derived
	// tables and what leaves its value unchanged (id + 0).
	{name: "multi-table delete joined on to a renamed derived column of every row", rule: "delete-always-true", category: "delete",
		sql: func(tbl, _ string) string {
			return "DELETE c FROM " + tbl + " c JOIN (SELECT id AS i FROM " + tbl + ") d ON c.id = d.i"
		}},
	{name: "multi-table delete joined using to select star of a nested derived table of every row", rule: "delete-always-true", category: "delete",
		sql: func(tbl, _ string) string {
			return "DELETE c FROM " + tbl + " c JOIN (SELECT * FROM (SELECT id FROM " + tbl + ") y) d USING (id)"
		}},
	{name: "multi-table update joined using to the column plus zero of every row", rule: "update-always-true", category: "update",
		sql: func(tbl, _ string) string {
			return "UPDATE " + tbl + " c JOIN (SELECT id + 0 AS id FROM " + tbl + ") d USING (id) SET c.note = 'x'"
		}},
	deleteWhere("delete where in a derived table's renamed column of every row", func(tbl string) string {
		return "id IN (SELECT i FROM (SELECT id AS i FROM " + tbl + ") x)"
	}),
	deleteWhere("delete where in the least id of each id", func(tbl string) string {
		return "id IN (SELECT m FROM (SELECT MIN(id) AS m FROM " + tbl + " GROUP BY id) x)"
	}),
	deleteWhere("delete where in the first id over each id", func(tbl string) string {
		return "id IN (SELECT m FROM (SELECT FIRST_VALUE(id) OVER (PARTITION BY id) AS m FROM " + tbl + ") x)"
	}),
	deleteWhere("delete where in a derived table filtered by its own constant", func(tbl string) string {
		return "id IN (SELECT id FROM (SELECT id, 1 AS one FROM " + tbl + ") x WHERE one = 1)"
	}),
	deleteWhere("delete where in a CTE filtered by its own constant", func(tbl string) string {
		return "id IN (WITH x AS (SELECT id, 1 AS one FROM " + tbl + ") SELECT id FROM x WHERE one = 1)"
	}),
	deleteWhere("delete where exists of a renamed derived copy of the row", func(tbl string) string {
		return "EXISTS (SELECT 1 FROM (SELECT id AS i FROM " + tbl + ") x WHERE x.i = " + tbl + ".id)"
	}),
	// At least any of every row's id, and at least (at most) the table's
	// own least (greatest) id, hold wherever id IN does.
	deleteEveryRowWhere("delete where at least any of the table's own ids", func(tbl string) string {
		return "id >= ANY (SELECT id FROM " + tbl + ")"
	}),
	deleteEveryRowWhere("delete where not below all of the table's own ids", func(tbl string) string {
		return "NOT (id < ALL (SELECT id FROM " + tbl + "))"
	}),
	deleteEveryRowWhere("delete where below the table's greatest id and one", func(tbl string) string {
		return "id < (SELECT MAX(id) + 1 FROM " + tbl + ")"
	}),
	deleteEveryRowWhere("delete where in the row's own id looked up", func(tbl string) string {
		return "id IN (SELECT x.id FROM " + tbl + " x WHERE x.id = " + tbl + ".id)"
	}),
	deleteEveryRowWhere("delete where at most the table's greatest id", func(tbl string) string {
		return "id <= (SELECT MAX(id) FROM " + tbl + ")"
	}),
	deleteEveryRowWhere("delete where between the least and greatest id of derived tables", func(tbl string) string {
		return "id BETWEEN (SELECT MIN(id) FROM (SELECT id FROM " + tbl + ") x) AND (SELECT MAX(id) FROM (SELECT id FROM " + tbl + ") y)"
	}),
	{name: "multi-table update self-joined using", rule: "update-always-true", category: "update",
		sql: func(tbl, _ string) string {
			return "UPDATE " + tbl + " c JOIN " + tbl + " d USING (id) SET c.note = 'x'"
		}},
	{name: "upsert of the table's own rows self-joined using", rule: "update-always-true", category: "update",
		sql: func(tbl, _ string) string {
			return "INSERT INTO " + tbl + " (id) SELECT id FROM " + tbl + " c JOIN " + tbl + " d USING (id) ON DUPLICATE KEY UPDATE note = NULL"
		}},
	// Tests of one column against constants that hold for every value,
	// x = x through identity operations, and NOT IN of no row.
	deleteWhere("delete where greater than 5 or less than 10", func(string) string { return "id > 5 OR id < 10" }),
	deleteWhere("delete where not 1 or not 2", func(string) string { return "id <> 1 OR id <> 2" }),
	deleteWhere("delete where not both 1 and 2", func(string) string { return "NOT (id = 1 AND id = 2)" }),
	deleteWhere("delete where not between an empty range", func(string) string { return "id NOT BETWEEN 5 AND 1" }),
	deleteWhere("delete where not in null is null", func(string) string { return "id NOT IN (NULL) IS NULL" }),
	deleteWhere("delete where null and true is null", func(string) string { return "(NULL AND 1) IS NULL" }),
	deleteWhere("delete where abs is not negative", func(string) string { return "ABS(id) >= 0" }),
	deleteWhere("delete where a column mod 1 is 0", func(string) string { return "id % 1 = 0" }),
	deleteWhere("delete where a column or 0 equals it", func(string) string { return "id|0 = id" }),
	deleteWhere("delete where a column plus 1 is above it", func(string) string { return "id + 1 > id" }),
	deleteWhere("delete where a column is not in a list of itself moved", func(string) string { return "id NOT IN (id + 1)" }),
	deleteWhere("delete where a column is below itself plus a double one", func(string) string { return "id < id + 1e0" }),
	deleteWhere("delete where a column is in a list of itself minus minus zero", func(string) string { return "id IN (id - (-0))" }),
	deleteWhere("delete where a column is not in a list of itself plus a string", func(string) string { return "id NOT IN (id + '1')" }),
	deleteWhere("delete where a time of the column is below itself plus an interval", func(string) string {
		return "FROM_UNIXTIME(id) < FROM_UNIXTIME(id) + INTERVAL 1 DAY"
	}),
	deleteWhere("delete where a column equals itself times a decimal one", func(string) string { return "id = id * 1.0" }),
	deleteWhere("delete where a column equals a variable assigned itself", func(string) string { return "id = (@a := id)" }),
	deleteWhere("delete where a column equals a simple case of itself", func(string) string { return "id = CASE id WHEN 1 THEN 1 ELSE id END" }),
	deleteWhere("delete where a column equals IF that yields itself", func(string) string { return "id = IF(id = 1, 1, id)" }),
	deleteWhere("delete where a column equals LAST_INSERT_ID of itself", func(string) string { return "id = LAST_INSERT_ID(id)" }),
	deleteWhere("delete where a column equals case when 1 of itself", func(string) string { return "id = CASE WHEN 1 THEN id END" }),
	deleteWhere("delete where a column equals its lower case", func(string) string { return "note = LOWER(note)" }),
	deleteWhere("delete where a column equals coalesce of null and itself", func(string) string { return "id = COALESCE(NULL, id)" }),
	// Each of these is the column itself on every row of the table once
	// every note is 7 characters long without a comma: the human's
	// statement deletes every row, which the reinsertion of every id, a
	// duplicate key otherwise, proves.
	{name: "delete where columns equal their first field, padding, conversion, insert of nothing and longest left part",
		rule: "delete-always-true", category: "delete",
		prepare: func(tbl, _ string) string {
			return "UPDATE " + tbl + " SET note = CONCAT('row ', LPAD(id, 3, '0'))"
		},
		sql: func(tbl, _ string) string {
			return "DELETE FROM " + tbl + " WHERE note = SUBSTRING_INDEX(note, ',', 1) AND SUBSTRING_INDEX(note, ',', -1) = note" +
				" AND note = LPAD(note, 7, '') AND note = RPAD(note, 7, '0') AND id = CONV(id, 10, 10)" +
				" AND note = INSERT(note, 1, 0, '') AND note = LEFT(note, 2147483647)"
		},
		then: func(tbl string) string {
			return fmt.Sprintf("INSERT INTO %s (id) SELECT seq FROM seq_1_to_%d", tbl, freshTableRows)
		}},
	{name: "delete where columns equal their left part of their own length, a short length and a first field by a string count",
		rule: "delete-always-true", category: "delete",
		prepare: func(tbl, _ string) string {
			return "UPDATE " + tbl + " SET note = CONCAT('row ', LPAD(id, 3, '0'))"
		},
		sql: func(tbl, _ string) string {
			return "DELETE FROM " + tbl + " WHERE note = LEFT(note, 7) AND note = LEFT(note, LENGTH(note))" +
				" AND SUBSTRING(note, 1, 7) = note AND note = SUBSTRING_INDEX(note, ',', '1')"
		},
		then: func(tbl string) string {
			return fmt.Sprintf("INSERT INTO %s (id) SELECT seq FROM seq_1_to_%d", tbl, freshTableRows)
		}},
	// A number column compares a string with it as a number; a test is
	// 1, 0 or NULL; some functions have the same value for every row.
	deleteWhere("delete where above a string or at most the number", func(string) string { return "id > '1' OR id <= 1" }),
	deleteWhere("delete where above a string with letters or below 2", func(string) string { return "id > '1a' OR id < 2" }),
	deleteWhere("delete where a sum of complementary tests", func(string) string { return "(id > 1) + (id <= 1)" }),
	deleteWhere("delete where complementary tests differ", func(string) string { return "(id > 1) <> (id <= 1)" }),
	deleteWhere("delete where greatest of complementary tests", func(string) string { return "GREATEST(id > 1, id <= 1)" }),
	deleteWhere("delete where if with equal branches", func(string) string { return "IF(id > 1, 1, 1)" }),
	deleteWhere("delete where not isnull of a test", func(string) string { return "NOT ISNULL(id > 3)" }),
	deleteWhere("delete where coalesce of a test or its complement", func(string) string { return "COALESCE(id > 3, 1) OR id <= 3" }),
	deleteWhere("delete where bitwise and with 0 is 0", func(string) string { return "id & 0 = 0" }),
	deleteWhere("delete where sign at least -1", func(string) string { return "SIGN(id) >= -1" }),
	deleteWhere("delete where least with 0 at most 0", func(string) string { return "LEAST(id, 0) <= 0" }),
	deleteWhere("delete where bit count not negative", func(string) string { return "BIT_COUNT(id) >= 0" }),
	deleteWhere("delete where not in an empty subquery", func(tbl string) string {
		return "id NOT IN (SELECT id FROM " + tbl + " WHERE 1 = 0)"
	}),
	deleteWhere("delete where not equal to all of an empty subquery", func(tbl string) string {
		return "id <> ALL (SELECT id FROM " + tbl + " WHERE 0)"
	}),
	{name: "update where a column equals minus minus itself", rule: "update-always-true", category: "update",
		sql: func(tbl, _ string) string { return "UPDATE " + tbl + " SET note = 'x' WHERE id = -(-id)" }},
	// Upserts of a table's own rows rewrite every row.
	{name: "upsert of the table's own rows", rule: "update-always-true", category: "update",
		sql: func(tbl, _ string) string {
			return "INSERT INTO " + tbl + " (id) SELECT id FROM " + tbl + " ON DUPLICATE KEY UPDATE note = NULL, extra = NULL"
		}},
	{name: "replace with the table's own rows", rule: "update-always-true", category: "update",
		sql: func(tbl, _ string) string { return "REPLACE INTO " + tbl + " (id) SELECT id FROM " + tbl }},
	{name: "upsert of the table's own rows through a derived table", rule: "update-always-true", category: "update",
		sql: func(tbl, _ string) string {
			return "INSERT INTO " + tbl + " (id) SELECT id FROM (SELECT id FROM " + tbl + ") x ON DUPLICATE KEY UPDATE note = NULL"
		}},
	{name: "upsert of the table's own rows through a cte", rule: "update-always-true", category: "update",
		sql: func(tbl, _ string) string {
			return "INSERT INTO " + tbl + " (id) WITH c AS (SELECT id FROM " + tbl + ") SELECT id FROM c ON DUPLICATE KEY UPDATE note = NULL"
		}},
	{name: "replace with the table's own rows through a derived table", rule: "update-always-true", category: "update",
		sql: func(tbl, _ string) string {
			return "REPLACE INTO " + tbl + " (id) SELECT id FROM (SELECT id FROM " + tbl + ") x"
		}},
	// ALTERs that destroy rows or values without dropping anything. The
	// server's default sql_mode is strict; IGNORE cuts and deletes anyway.
	{name: "alter ignore add unique on a shared prefix", rule: "alter-ignore", category: "drop",
		sql: func(tbl, _ string) string { return "ALTER IGNORE TABLE " + tbl + " ADD UNIQUE (note(3))" }},
	{name: "alter ignore modify in strict mode", rule: "alter-ignore", category: "drop",
		sql: func(tbl, _ string) string { return "ALTER IGNORE TABLE " + tbl + " MODIFY note VARCHAR(1)" }},
	{name: "alter modify to smaller types in a lax session", rule: "alter-column-truncate", category: "drop",
		setup: func(string) string { return "SET SESSION sql_mode = ''" },
		sql: func(tbl, _ string) string {
			return "ALTER TABLE " + tbl + " MODIFY note VARCHAR(0), MODIFY extra BIT(1)"
		}},
	{name: "alter convert to a narrower character set in a lax session", rule: "alter-column-truncate", category: "drop",
		prepare: func(tbl, _ string) string { return "UPDATE " + tbl + " SET note = 'h\u00e9llo \u20ac' WHERE id = 1" },
		setup:   func(string) string { return "SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'" },
		sql:     func(tbl, _ string) string { return "ALTER TABLE " + tbl + " CONVERT TO CHARACTER SET ascii" }},
	{name: "alter modify to a generated column", rule: "alter-column-rewrite", category: "drop",
		sql: func(tbl, _ string) string { return "ALTER TABLE " + tbl + " MODIFY extra INT AS (id * 0) STORED" }},
	{name: "alter engine blackhole", rule: "truncate", category: "truncate",
		prepare: func(string, string) string { return "INSTALL SONAME 'ha_blackhole'" },
		sql:     func(tbl, _ string) string { return "ALTER TABLE " + tbl + " ENGINE = BLACKHOLE" }},
	{name: "alter engine merge", rule: "truncate", category: "truncate",
		prepare: func(string, string) string { return "INSTALL SONAME 'ha_blackhole'" },
		sql:     func(tbl, _ string) string { return "ALTER TABLE " + tbl + " ENGINE = MRG_MyISAM" }},
}

// deleteWhere is a DELETE of every row of the table through a condition
// that is always true.
func deleteWhere(name string, where func(tbl string) string) myCategory {
	return myCategory{name: name, rule: "delete-always-true", category: "delete",
		sql: func(tbl, _ string) string { return "DELETE FROM " + tbl + " WHERE " + where(tbl) }}
}

// deleteEveryRowWhere is deleteWhere whose human run is proved to delete
// every row: the reinsertion of every id after it would otherwise hit a
// duplicate key.
func deleteEveryRowWhere(name string, where func(tbl string) string) myCategory {
	c := deleteWhere(name, where)
	c.then = func(tbl string) string {
		return fmt.Sprintf("INSERT INTO %s (id) SELECT seq FROM seq_1_to_%d", tbl, freshTableRows)
	}
	return c
}

// otherDatabaseTable creates a table of the same name in database db, with
// a row of id 5, that the agent may read.
func otherDatabaseTable(tbl, db string) string {
	return "CREATE TABLE " + db + "." + tbl + " SELECT 5 AS id; GRANT SELECT ON " + db + ".* TO " + agentUser + "@'%'"
}

func (cat myCategory) adminPrepare(t *testing.T, tbl, db string) {
	t.Helper()
	if cat.prepare != nil {
		myAdminExec(t, cat.prepare(tbl, db))
	}
}

// TestMySQLCategoriesAreRefusedForAgentsAndRunForHumans proves, for every
// destructive category and every way a client can send it, that the agent
// is refused with error 1227 naming the rule, that the data is intact, that
// the same connection still works, that the refusal is audited with
// protocol mysql; and that the same statement runs for the human dba.
func TestMySQLCategoriesAreRefusedForAgentsAndRunForHumans(t *testing.T) {
	p := startMySQLProxy(t)
	modes := []struct {
		name   string
		params []string
	}{
		{"text protocol", []string{"interpolateParams=true"}},
		{"server-side prepared statement", []string{"interpolateParams=false"}},
		{"multi-statement", []string{"multiStatements=true"}},
	}
	for ci, cat := range myCategories {
		for mi, mode := range modes {
			t.Run(cat.name+"/"+mode.name, func(t *testing.T) {
				tbl := fmt.Sprintf("my_cat_%d_%d", ci, mi)
				db := tbl + "_db"
				sum := myFreshTable(t, tbl)
				myAdminExec(t, "DROP DATABASE IF EXISTS "+db, "CREATE DATABASE "+db)
				cat.adminPrepare(t, tbl, db)
				before := sum()
				c := myConn(t, openMySQL(t, p.DSN(agentUser, mode.params...)))
				ctx := testCtx(t)
				if cat.setup != nil {
					if _, err := c.ExecContext(ctx, cat.setup(tbl)); err != nil {
						t.Fatalf("setup: %v", err)
					}
				}
				stmt := cat.sql(tbl, db)
				var err error
				switch mi {
				case 0:
					_, err = c.ExecContext(ctx, stmt)
				case 1:
					var ps *sql.Stmt
					if ps, err = c.PrepareContext(ctx, stmt); err == nil {
						ps.Close()
						t.Fatalf("COM_STMT_PREPARE of %q was not refused", stmt)
					}
				case 2:
					_, err = c.ExecContext(ctx, "SELECT 1; "+stmt)
				}
				id := requireMyRefused(t, err, cat.rule)
				if got := sum(); got != before || !myTableExists(t, tbl) {
					t.Fatalf("data changed behind a refusal: %s → %s", before, got)
				}
				if myQueryString(t, "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", db) != "1" {
					t.Fatalf("database %s is gone behind a refusal", db)
				}
				var n int
				if err := c.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+tbl).Scan(&n); err != nil || n != freshTableRows {
					t.Fatalf("the connection is not usable after the refusal: %d rows, %v", n, err)
				}
				requireMyAudited(t, p, id, wantEvent{User: agentUser, Rule: cat.rule, Category: cat.category, Statement: stmt})
			})
		}
		t.Run(cat.name+"/human", func(t *testing.T) {
			tbl := fmt.Sprintf("my_cat_%d_h", ci)
			db := tbl + "_db"
			sum := myFreshTable(t, tbl)
			myAdminExec(t, "DROP DATABASE IF EXISTS "+db, "CREATE DATABASE "+db)
			cat.adminPrepare(t, tbl, db)
			before := sum()
			c := myConn(t, openMySQL(t, p.DSN(humanUser)))
			ctx := testCtx(t)
			if cat.setup != nil {
				if _, err := c.ExecContext(ctx, cat.setup(tbl)); err != nil {
					t.Fatalf("setup: %v", err)
				}
			}
			if _, err := c.ExecContext(ctx, cat.sql(tbl, db)); err != nil {
				t.Fatalf("the human's %q failed: %v", cat.sql(tbl, db), err)
			}
			if cat.then != nil {
				if _, err := c.ExecContext(ctx, cat.then(tbl)); err != nil {
					t.Fatalf("%s: %v", cat.then(tbl), err)
				}
			}
			changed := !myTableExists(t, tbl) || sum() != before ||
				myQueryString(t, "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", db) != "1"
			if !changed {
				t.Fatalf("the human's statement had no effect")
			}
		})
	}
}

// TestMySQLCategoriesWithTheMariaDBClient sends every category through the
// real `mariadb` command-line client as the agent (refused, 1227, the
// session goes on) and as the human (runs).
func TestMySQLCategoriesWithTheMariaDBClient(t *testing.T) {
	cli, err := exec.LookPath("mariadb")
	if err != nil {
		if cli, err = exec.LookPath("mysql"); err != nil {
			skipUnlessRequired(t, "no mariadb client binary")
		}
	}
	p := startMySQLProxy(t)
	host, port, _ := net.SplitHostPort(p.Addr)
	run := func(t *testing.T, user, script string) (string, string, int) {
		cmd := exec.CommandContext(testCtx(t), cli, "--no-defaults", "--protocol=TCP", "-h", host, "-P", port,
			"-u", user, "-p"+myPasswordOf(user), "--force", "--batch", "--skip-ssl", testDatabase)
		cmd.Stdin = strings.NewReader(script)
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("mariadb: %v", err)
		}
		return out.String(), errb.String(), code
	}
	for ci, cat := range myCategories {
		if cat.noCLI {
			continue
		}
		t.Run(cat.name, func(t *testing.T) {
			tbl := fmt.Sprintf("my_cli_%d", ci)
			db := tbl + "_db"
			sum := myFreshTable(t, tbl)
			myAdminExec(t, "DROP DATABASE IF EXISTS "+db, "CREATE DATABASE "+db)
			cat.adminPrepare(t, tbl, db)
			before := sum()
			script := ""
			if cat.setup != nil {
				script += cat.setup(tbl) + ";\n"
			}
			stmt := cat.sql(tbl, db)
			script += stmt + ";\nSELECT 'still alive' AS probe;\n"
			out, errOut, code := run(t, agentUser, script)
			if !strings.Contains(errOut, "ERROR 1227 (42000)") || !strings.Contains(errOut, "bulwark refused") ||
				!strings.Contains(errOut, cat.rule) {
				t.Fatalf("agent: want ERROR 1227 naming %s, got exit %d\nstderr: %s\nstdout: %s", cat.rule, code, errOut, out)
			}
			if !strings.Contains(out, "still alive") {
				t.Fatalf("agent: the session did not go on after the refusal; stdout: %s", out)
			}
			if sum() != before || !myTableExists(t, tbl) {
				t.Fatalf("data changed behind a refusal")
			}
			var id int64
			if m := auditEventRe.FindStringSubmatch(errOut); m != nil {
				id, _ = strconv.ParseInt(m[1], 10, 64)
			}
			requireMyAudited(t, p, id, wantEvent{User: agentUser, Rule: cat.rule, Category: cat.category})

			script = stmt + ";\n"
			if cat.setup != nil {
				script = cat.setup(tbl) + ";\n" + script
			}
			if cat.then != nil {
				script += cat.then(tbl) + ";\n"
			}
			if _, errOut, code := run(t, humanUser, script); code != 0 {
				t.Fatalf("human: exit %d: %s", code, errOut)
			}
			if myTableExists(t, tbl) && sum() == before &&
				myQueryString(t, "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", db) == "1" {
				t.Fatalf("human: the statement had no effect")
			}
		})
	}
}

// TestMySQLParameterThatMayBeNullIsJudged: a statement is judged when it
// is prepared, and its parameters are chosen when it is executed; one that
// may be NULL turns id = COALESCE(?, id) into id = id (and IF(?, id, 0)
// is id for ? = 1). The agent is refused
// at COM_STMT_PREPARE and at SQL PREPARE, with the table intact; the
// human's identical statement, executed with NULL, changes every row; and
// a parameter that only selects rows passes.
func TestMySQLParameterThatMayBeNullIsJudged(t *testing.T) {
	p := startMySQLProxy(t)
	ctx := testCtx(t)
	for _, c := range []struct {
		name, sql, rule string
		args            []any    // the values that reach every row
		literals        []string // the same values in SQL
	}{
		{"delete where id equals coalesce of a parameter", "DELETE FROM %s WHERE id = COALESCE(?, id)", "delete-always-true", []any{nil}, []string{"NULL"}},
		{"update where id equals ifnull of a parameter", "UPDATE %s SET note = 'x' WHERE id = IFNULL(?, id)", "update-always-true", []any{nil}, []string{"NULL"}},
		{"delete where id equals if of a parameter", "DELETE FROM %s WHERE id = IF(?, id, 0)", "delete-always-true", []any{1}, []string{"1"}},
		// A parameter may be any value: 0, 1, '', the largest value.
		{"delete where id equals itself plus a parameter", "DELETE FROM %s WHERE id = id + ?", "delete-always-true", []any{0}, []string{"0"}},
		{"update where id equals itself times a parameter", "UPDATE %s SET note = 'x' WHERE id = id * ?", "update-always-true", []any{1}, []string{"1"}},
		{"delete where id equals case of a parameter", "DELETE FROM %s WHERE id = CASE ? WHEN 1 THEN id ELSE ? END", "delete-always-true", []any{1, 0}, []string{"1", "0"}},
		{"delete where note equals concat of a parameter", "DELETE FROM %s WHERE note = CONCAT(?, note)", "delete-always-true", []any{""}, []string{"''"}},
		{"delete where id equals least of itself and a parameter", "DELETE FROM %s WHERE id = LEAST(id, ?)", "delete-always-true", []any{99999999}, []string{"99999999"}},
		{"delete where note equals replace with parameters", "DELETE FROM %s WHERE note = REPLACE(note, ?, ?)", "delete-always-true", []any{"", ""}, []string{"''", "''"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tbl := "my_null_param"
			stmt := fmt.Sprintf(c.sql, tbl)
			sum := myFreshTable(t, tbl)
			before := sum()
			var sets, vars []string
			for i, l := range c.literals {
				sets = append(sets, fmt.Sprintf("@n%d = %s", i, l))
				vars = append(vars, fmt.Sprintf("@n%d", i))
			}
			set := "SET " + strings.Join(sets, ", ")
			execute := "EXECUTE s USING " + strings.Join(vars, ", ")

			// The binary protocol: COM_STMT_PREPARE, then COM_STMT_EXECUTE with the values.
			agent := myConn(t, openMySQL(t, p.DSN(agentUser, "interpolateParams=false")))
			_, err := agent.ExecContext(ctx, stmt, c.args...)
			id := requireMyRefused(t, err, c.rule)
			requireMyAudited(t, p, id, wantEvent{User: agentUser, Rule: c.rule, Statement: stmt})
			// SQL PREPARE ... EXECUTE USING @n0, ...
			quoted := strings.ReplaceAll(stmt, "'", "''")
			_, err = agent.ExecContext(ctx, "PREPARE s FROM '"+quoted+"'")
			requireMyRefused(t, err, c.rule)
			if _, err := agent.ExecContext(ctx, set); err != nil {
				t.Fatal(err)
			}
			if _, err := agent.ExecContext(ctx, execute); err == nil {
				t.Fatalf("EXECUTE of a statement whose PREPARE was refused ran")
			}
			if got := sum(); got != before {
				t.Fatalf("data changed behind a refusal: %s → %s", before, got)
			}

			// The human's identical statements reach every row.
			human := myConn(t, openMySQL(t, p.DSN(humanUser, "interpolateParams=false")))
			res, err := human.ExecContext(ctx, stmt, c.args...)
			if err != nil {
				t.Fatalf("human: %v", err)
			}
			if n, _ := res.RowsAffected(); n != freshTableRows {
				t.Fatalf("human's %q with %v changed %d rows, want %d", stmt, c.literals, n, freshTableRows)
			}
			sum = myFreshTable(t, tbl)
			for _, q := range []string{"PREPARE s FROM '" + quoted + "'", set, execute} {
				if _, err := human.ExecContext(ctx, q); err != nil {
					t.Fatalf("human %s: %v", q, err)
				}
			}
			if sum() == before {
				t.Fatalf("the human's %s had no effect", execute)
			}
		})
	}
	t.Run("parameters that select rows pass", func(t *testing.T) {
		sum := myFreshTable(t, "my_null_param_ok")
		before := sum()
		agent := myConn(t, openMySQL(t, p.DSN(agentUser, "interpolateParams=false")))
		for _, c := range []struct {
			sql  string
			args []any
			rows int64
		}{
			{"DELETE FROM my_null_param_ok WHERE id = COALESCE(?, 0)", []any{nil}, 0},
			{"DELETE FROM my_null_param_ok WHERE id = COALESCE(?, 0)", []any{5}, 1},
			{"DELETE FROM my_null_param_ok WHERE id = ?", []any{nil}, 0},
			{"DELETE FROM my_null_param_ok WHERE id IN (?, ?)", []any{6, nil}, 1},
			{"UPDATE my_null_param_ok SET note = 'x' WHERE id = COALESCE(?, id) AND extra = ?", []any{nil, 14}, 1},
			{"DELETE FROM my_null_param_ok WHERE id = ? + 1", []any{1}, 1},
			{"DELETE FROM my_null_param_ok WHERE note = CONCAT(?, '3')", []any{"row "}, 1},
			{"DELETE FROM my_null_param_ok WHERE id = LEAST(?, 10)", []any{4}, 1},
			{"UPDATE my_null_param_ok SET note = 'y' WHERE id = id + ? AND extra = ?", []any{0, 16}, 1},
		} {
			res, err := agent.ExecContext(ctx, c.sql, c.args...)
			if err != nil {
				t.Fatalf("%s %v: %v", c.sql, c.args, err)
			}
			if n, _ := res.RowsAffected(); n != c.rows {
				t.Fatalf("%s %v changed %d rows, want %d", c.sql, c.args, n, c.rows)
			}
		}
		if sum() == before {
			t.Fatalf("the allowed statements changed nothing")
		}
	})
}

// TestMySQLAgentRoutineWorkPasses: the everyday statements of an agent go
// through in every mode, prepared statements with parameters included.
func TestMySQLAgentRoutineWorkPasses(t *testing.T) {
	p := startMySQLProxy(t)
	myFreshTable(t, "my_routine")
	for _, params := range [][]string{{"interpolateParams=true"}, {"interpolateParams=false"}, {"multiStatements=true"}} {
		t.Run(strings.Join(params, ","), func(t *testing.T) {
			db := openMySQL(t, p.DSN(agentUser, params...))
			ctx := testCtx(t)
			var note string
			if err := db.QueryRowContext(ctx, "SELECT note FROM my_routine WHERE id = ?", 7).Scan(&note); err != nil || note != "row 7" {
				t.Fatalf("select: %q, %v", note, err)
			}
			if _, err := db.ExecContext(ctx, "UPDATE my_routine SET extra = extra + 1 WHERE id = ?", 8); err != nil {
				t.Fatalf("update with where: %v", err)
			}
			if _, err := db.ExecContext(ctx, "DELETE FROM my_routine WHERE id = ?", 9); err != nil {
				t.Fatalf("delete with where: %v", err)
			}
			if _, err := db.ExecContext(ctx, "INSERT INTO my_routine VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE note = VALUES(note)", 9, "back", 1); err != nil {
				t.Fatalf("insert: %v", err)
			}
			// Data fixes that test a column's own content: they look
			// like x = x to a careless reading, and are real filters.
			for _, fix := range []string{
				"UPDATE my_routine SET note = LOWER(note) WHERE note <> LOWER(note)",
				"UPDATE my_routine SET note = LOWER(note) WHERE BINARY note <> BINARY LOWER(note)",
				// A batched delete: MySQL allows no LIMIT directly in IN.
				"DELETE FROM my_routine WHERE id IN (SELECT id FROM (SELECT id FROM my_routine WHERE id > 295 ORDER BY id LIMIT 2) x)",
				"DELETE FROM my_routine WHERE id IN (SELECT id FROM (SELECT id FROM my_routine ORDER BY id DESC LIMIT 1) x)",
				// A dedup: the ids that occur more than once.
				"DELETE FROM my_routine WHERE id IN (SELECT id FROM (SELECT id FROM my_routine GROUP BY id HAVING COUNT(*) > 1) x)",
				"UPDATE my_routine SET note = TRIM(note) WHERE BINARY note <> TRIM(note)",
				"DELETE FROM my_routine WHERE extra IS NULL AND id > 290",
				"UPDATE my_routine SET extra = 0 WHERE extra IS NOT NULL AND id = 10",
				"DELETE FROM my_routine WHERE NOT (note IS NULL) AND id = 11",
			} {
				if _, err := db.ExecContext(ctx, fix); err != nil {
					t.Fatalf("%s: %v", fix, err)
				}
			}
		})
	}
	// A purge of soft-deleted rows.
	myAdminExec(t, "UPDATE my_routine SET note = NULL WHERE id BETWEEN 100 AND 109")
	db := openMySQL(t, p.DSN(agentUser))
	ctx := testCtx(t)
	if _, err := db.ExecContext(ctx, "UPDATE my_routine SET note = 'x' WHERE note IS NULL"); err != nil {
		t.Fatalf("update of the rows without a note: %v", err)
	}
	if _, err := db.ExecContext(ctx, "DELETE FROM my_routine WHERE note IS NOT NULL"); err != nil {
		t.Fatalf("purge of the rows with a note: %v", err)
	}
	if got := myQueryString(t, "SELECT COUNT(*) FROM my_routine"); got != "0" {
		t.Fatalf("after the purge %s rows are left", got)
	}
}

// TestMySQLVerdictsCoverOtherLiteralsOnlyWhenTheyDoNotDecide: a session
// remembers the shapes it was allowed, so the same statement with new
// literals passes unjudged; a verdict its literals decide must not cover
// the next text of its shape, nor one read under another sql_mode.
func TestMySQLVerdictsCoverOtherLiteralsOnlyWhenTheyDoNotDecide(t *testing.T) {
	p := startMySQLProxy(t)
	sum := myFreshTable(t, "my_shapes")
	conn := myConn(t, openMySQL(t, p.DSN(agentUser)))
	ctx := testCtx(t)
	for i := range 4 {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("UPDATE my_shapes SET extra = extra + %d WHERE id = %d", i+1, i+1)); err != nil {
			t.Fatalf("bounded update %d: %v", i+1, err)
		}
	}
	// extra starts at 2 * id: 20 for the first four rows, plus 1 + 2 + 3 + 4.
	if got := myQueryString(t, "SELECT SUM(extra) FROM my_shapes WHERE id <= 4"); got != "30" {
		t.Fatalf("four bounded updates left SUM(extra) = %s, want 30", got)
	}
	before := sum()
	for _, c := range []struct{ allowed, refused, rule string }{
		{"DELETE FROM my_shapes WHERE 1 = 2", "DELETE FROM my_shapes WHERE 1 = 1", "delete-always-true"},
		{"DELETE FROM my_shapes WHERE id = 1000 OR 1 = 2", "DELETE FROM my_shapes WHERE id = 1000 OR 2 = 2", "delete-always-true"},
		{"UPDATE my_shapes SET extra = 0 WHERE 'a' = 'b'", "UPDATE my_shapes SET extra = 0 WHERE 'a' = 'a'", "update-always-true"},
	} {
		if _, err := conn.ExecContext(ctx, c.allowed); err != nil {
			t.Fatalf("%s: %v", c.allowed, err)
		}
		_, err := conn.ExecContext(ctx, c.refused)
		requireMyRefused(t, err, c.rule)
	}
	// Under the default sql_mode "id" is a string, under ANSI_QUOTES the
	// column: the same text bounds the delete in one mode and is always
	// true in the other.
	const quoted = `DELETE FROM my_shapes WHERE id = "id"`
	if _, err := conn.ExecContext(ctx, quoted); err != nil {
		t.Fatalf("a comparison with a string under the default sql_mode: %v", err)
	}
	if _, err := conn.ExecContext(ctx, "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')"); err != nil {
		t.Fatal(err)
	}
	_, err := conn.ExecContext(ctx, quoted)
	requireMyRefused(t, err, "delete-always-true")
	if sum() != before {
		t.Fatal("a refused statement changed the table")
	}
}

// TestMySQLRefusalInsideATransactionLeavesItUsable: MySQL errors do not
// abort transactions, and neither does a refusal: the statements before and
// after it commit together.
func TestMySQLRefusalInsideATransactionLeavesItUsable(t *testing.T) {
	p := startMySQLProxy(t)
	sum := myFreshTable(t, "my_tx")
	before := sum()
	db := openMySQL(t, p.DSN(agentUser))
	ctx := testCtx(t)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO my_tx VALUES (1001, 'a', 0)"); err != nil {
		t.Fatal(err)
	}
	_, err = tx.ExecContext(ctx, "DELETE FROM my_tx")
	requireMyRefused(t, err, "delete-no-where")
	if _, err := tx.ExecContext(ctx, "INSERT INTO my_tx VALUES (1002, 'b', 0)"); err != nil {
		t.Fatalf("the transaction is not usable after the refusal: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("commit: %v", err)
	}
	if n := myQueryString(t, "SELECT COUNT(*) FROM my_tx WHERE id IN (1001, 1002)"); n != "2" {
		t.Fatalf("both inserts should have committed, found %s", n)
	}
	myAdminExec(t, "DELETE FROM my_tx WHERE id IN (1001, 1002)")
	if sum() != before {
		t.Fatalf("data changed")
	}
}

// TestMySQLWrongPasswordIsRefusedByTheUpstream: authentication is the
// server's decision, relayed through bulwark unchanged.
func TestMySQLWrongPasswordIsRefusedByTheUpstream(t *testing.T) {
	p := startMySQLProxy(t)
	for _, user := range []string{agentUser, humanUser} {
		db := openMySQL(t, mysqlDSN(p.Addr, user, "wrong-password", testDatabase))
		err := db.PingContext(testCtx(t))
		var me *mysql.MySQLError
		if !errors.As(err, &me) || me.Number != 1045 {
			t.Fatalf("%s with a wrong password: want the server's error 1045, got %v", user, err)
		}
	}
}

// TestMySQLEd25519AuthenticationIsRelayed: MariaDB's ed25519 plugin needs
// an auth switch round trip, relayed like any other.
func TestMySQLEd25519AuthenticationIsRelayed(t *testing.T) {
	p := startMySQLProxy(t)
	if !my.Ed25519 {
		skipUnlessRequired(t, "the server has no ed25519 plugin")
	}
	db := openMySQL(t, p.DSN(edUser))
	var one int
	err := db.QueryRowContext(testCtx(t), "SELECT 1").Scan(&one)
	for try := 0; try < 3 && errors.Is(err, mysql.ErrMalformPkt); try++ {
		// go-sql-driver strips a trailing zero byte from the server's
		// auth data, so one ed25519 nonce in 256 (those ending in 0x00)
		// comes out 31 bytes long and the driver gives up, with or
		// without bulwark in between. A new connection gets a new nonce.
		err = db.QueryRowContext(testCtx(t), "SELECT 1").Scan(&one)
	}
	if err != nil {
		t.Fatalf("ed25519 through bulwark: %v", err)
	}
	bad := openMySQL(t, mysqlDSN(p.Addr, edUser, "wrong", testDatabase))
	if err := bad.PingContext(testCtx(t)); err == nil {
		t.Fatalf("a wrong ed25519 password was accepted")
	}
}

// TestMySQLLargeResultStreams reads a 100 MB result through bulwark, as the
// agent and as the human.
func TestMySQLLargeResultStreams(t *testing.T) {
	p := startMySQLProxy(t)
	for _, user := range []string{agentUser, humanUser} {
		t.Run(user, func(t *testing.T) {
			for _, params := range [][]string{{"interpolateParams=true"}, {"interpolateParams=false"}} {
				db := openMySQL(t, p.DSN(user, params...))
				ctx := testCtx(t)
				// The prepared form uses the binary protocol.
				rows, err := db.QueryContext(ctx, "SELECT seq, REPEAT('x', ?) FROM seq_1_to_100", 1<<20)
				if err != nil {
					t.Fatal(err)
				}
				total, n := 0, 0
				for rows.Next() {
					var id int
					var s sql.RawBytes
					if err := rows.Scan(&id, &s); err != nil {
						t.Fatal(err)
					}
					total += len(s)
					n++
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				rows.Close()
				if n != 100 || total != 100<<20 {
					t.Fatalf("got %d rows, %d bytes", n, total)
				}
				var one int
				if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
					t.Fatalf("after the large result: %v", err)
				}
			}
		})
	}
}

// TestMySQLLoadDataLocalInfile streams a client file through bulwark.
func TestMySQLLoadDataLocalInfile(t *testing.T) {
	p := startMySQLProxy(t)
	myAdminExec(t, "SET GLOBAL local_infile = 1")
	for _, user := range []string{agentUser, humanUser} {
		t.Run(user, func(t *testing.T) {
			tbl := "my_infile_" + user
			myAdminExec(t, "DROP TABLE IF EXISTS "+tbl, "CREATE TABLE "+tbl+" (id INT PRIMARY KEY, note VARCHAR(100))")
			file := filepath.Join(t.TempDir(), "data.tsv")
			var b strings.Builder
			for i := 1; i <= 50000; i++ {
				fmt.Fprintf(&b, "%d\tline %d with some padding to make the file larger than one packet\n", i, i)
			}
			if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
				t.Fatal(err)
			}
			mysql.RegisterLocalFile(file)
			db := openMySQL(t, p.DSN(user, "allowAllFiles=true"))
			ctx := testCtx(t)
			res, err := db.ExecContext(ctx, "LOAD DATA LOCAL INFILE '"+file+"' INTO TABLE "+tbl)
			if err != nil {
				t.Fatalf("LOAD DATA LOCAL INFILE: %v", err)
			}
			if n, _ := res.RowsAffected(); n != 50000 {
				t.Fatalf("loaded %d rows", n)
			}
			if got := myQueryString(t, "SELECT COUNT(*) FROM "+tbl); got != "50000" {
				t.Fatalf("table holds %s rows", got)
			}
			var one int
			if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
				t.Fatalf("after LOAD DATA: %v", err)
			}
		})
	}
}

// TestMySQLMultipleResultSets: a procedure returning two result sets and a
// multi-statement text, answered in full and in order.
func TestMySQLMultipleResultSets(t *testing.T) {
	p := startMySQLProxy(t)
	myAdminExec(t, "DROP PROCEDURE IF EXISTS my_two_results",
		"CREATE PROCEDURE my_two_results() BEGIN SELECT 1 AS a; SELECT 2 AS b, 3 AS c; END",
		"GRANT EXECUTE ON PROCEDURE "+testDatabase+".my_two_results TO "+agentUser+"@'%'")
	for _, user := range []string{agentUser, humanUser} {
		for _, q := range []string{"CALL my_two_results()", "SELECT 1 AS a; SELECT 2 AS b, 3 AS c"} {
			t.Run(user+"/"+q, func(t *testing.T) {
				db := openMySQL(t, p.DSN(user, "multiStatements=true"))
				ctx := testCtx(t)
				rows, err := db.QueryContext(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for {
					cols, _ := rows.Columns()
					for rows.Next() {
						vals := make([]any, len(cols))
						for i := range vals {
							vals[i] = new(string)
						}
						if err := rows.Scan(vals...); err != nil {
							t.Fatal(err)
						}
						for _, v := range vals {
							got = append(got, *(v.(*string)))
						}
					}
					if !rows.NextResultSet() {
						break
					}
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				rows.Close()
				if strings.Join(got, ",") != "1,2,3" {
					t.Fatalf("got %v", got)
				}
				var one int
				if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
					t.Fatalf("after the multi-result: %v", err)
				}
			})
		}
	}
}

// TestMySQLOversizedStatementIsRefusedUnread: a statement above
// limits.max_statement_bytes is refused without being parsed, as a
// refusal (1227), not as a broken connection (1153, 08S01), with advice
// that works on MySQL, and the session stays usable.
func TestMySQLOversizedStatementIsRefusedUnread(t *testing.T) {
	p := startMySQLProxy(t, func(c *config.Config) { c.Limits.MaxStatementBytes = 64 << 10 })
	c := myConn(t, openMySQL(t, p.DSN(agentUser)))
	ctx := testCtx(t)
	big := "SELECT '" + strings.Repeat("a", 1<<20) + "'"
	_, err := c.ExecContext(ctx, big)
	id := requireMyRefused(t, err, "statement-too-large")
	requireMyAudited(t, p, id, wantEvent{User: agentUser, Rule: "statement-too-large"})
	if !strings.Contains(err.Error(), "LOAD DATA LOCAL INFILE") {
		t.Fatalf("the refusal gives no advice for MySQL: %v", err)
	}
	if err := c.PingContext(ctx); err != nil {
		t.Fatalf("ping after the refusal: %v", err)
	}
}

// TestMySQLGlobalSettingsAreRefusedForAgents: SET GLOBAL reconfigures the
// server for everyone (general_log_file can point the server's log at a
// table's data file); an agent may only change its own session.
func TestMySQLGlobalSettingsAreRefusedForAgents(t *testing.T) {
	p := startMySQLProxy(t)
	ctx := testCtx(t)
	before := myQueryString(t, "SELECT @@GLOBAL.net_read_timeout")
	t.Cleanup(func() { myAdminExec(t, "SET GLOBAL net_read_timeout = "+before) })
	changed, _ := strconv.Atoi(before)
	stmt := fmt.Sprintf("SET GLOBAL net_read_timeout = %d", changed+7)

	// An agent the server would let do it, so that only bulwark stops it.
	const superAgent, superPassword = "agent_super", "agent-super-pw"
	myAdminExec(t, "CREATE USER IF NOT EXISTS '"+superAgent+"'@'%' IDENTIFIED BY '"+superPassword+"'",
		"GRANT SUPER ON *.* TO '"+superAgent+"'@'%'", "GRANT SELECT ON "+testDatabase+".* TO '"+superAgent+"'@'%'")
	t.Cleanup(func() { myAdminExec(t, "DROP USER IF EXISTS '"+superAgent+"'@'%'") })
	agent := myConn(t, openMySQL(t, mysqlDSN(p.Addr, superAgent, superPassword, testDatabase)))
	_, err := agent.ExecContext(ctx, stmt)
	id := requireMyRefused(t, err, "alter-system")
	requireMyAudited(t, p, id, wantEvent{User: superAgent, Rule: "alter-system"})
	if got := myQueryString(t, "SELECT @@GLOBAL.net_read_timeout"); got != before {
		t.Fatalf("the refused SET GLOBAL changed the setting to %s", got)
	}
	if _, err := agent.ExecContext(ctx, fmt.Sprintf("SET SESSION net_read_timeout = %d", changed+7)); err != nil {
		t.Fatalf("the agent's own session setting was refused: %v", err)
	}

	human := myConn(t, openMySQL(t, p.DSN(humanUser)))
	if _, err := human.ExecContext(ctx, stmt); err != nil {
		t.Fatalf("the human's identical statement failed: %v", err)
	}
	if got := myQueryString(t, "SELECT @@GLOBAL.net_read_timeout"); got != strconv.Itoa(changed+7) {
		t.Fatalf("the human's SET GLOBAL left %s", got)
	}
}

// TestMySQLServerAndAccountStatementsAreRefusedForAgents: SHUTDOWN stops
// the server for everyone, KILL ends any session (a human's among them), and
// account statements can lock the humans out or give an agent a login that
// does not go through bulwark. The agent here holds every privilege, so only
// bulwark stops it.
func TestMySQLServerAndAccountStatementsAreRefusedForAgents(t *testing.T) {
	p := startMySQLProxy(t)
	ctx := testCtx(t)
	const adminAgent, adminPassword = "agent_admin", "agent-admin-pw"
	agent, human := myAllPrivilegesSessions(t, p, adminAgent, adminPassword)

	// SHUTDOWN: the human's identical statement is not run, since it
	// would stop the server the other tests share.
	_, err := agent.ExecContext(ctx, "SHUTDOWN")
	id := requireMyRefused(t, err, "server-control")
	requireMyAudited(t, p, id, wantEvent{User: adminAgent, Rule: "server-control"})
	if got := myQueryString(t, "SELECT 1"); got != "1" {
		t.Fatalf("the server does not answer after the refused SHUTDOWN: %q", got)
	}

	// KILL of a human's session.
	victim := myConn(t, openMySQL(t, p.DSN(humanUser)))
	var victimID string
	if err := victim.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&victimID); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{"KILL " + victimID, "KILL QUERY " + victimID, "KILL CONNECTION " + victimID} {
		_, err := agent.ExecContext(ctx, stmt)
		requireMyRefused(t, err, "server-control")
	}
	if _, err := victim.ExecContext(ctx, "SELECT 1"); err != nil {
		t.Fatalf("the human's session died after the refused KILL: %v", err)
	}
	if _, err := human.ExecContext(ctx, "KILL "+victimID); err != nil {
		t.Fatalf("the human's identical KILL failed: %v", err)
	}
	if _, err := victim.ExecContext(ctx, "SELECT 1"); err == nil {
		t.Fatalf("the human's KILL left the session alive")
	}

	// The protocol forms: COM_PROCESS_KILL is KILL, COM_REFRESH is FLUSH
	// (its REFRESH_MASTER flag is RESET MASTER); the server runs both.
	victim = myConn(t, openMySQL(t, p.DSN(humanUser)))
	if err := victim.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&victimID); err != nil {
		t.Fatal(err)
	}
	id64, _ := strconv.ParseUint(victimID, 10, 32)
	kill := binary.LittleEndian.AppendUint32([]byte{0x0c}, uint32(id64))
	rawAgent := dialRawMySQL(t, p.Addr, adminAgent, adminPassword, testDatabase)
	for _, c := range []struct {
		name string
		cmd  []byte
	}{{"COM_PROCESS_KILL", kill}, {"COM_REFRESH", []byte{0x07, 0x01}}} {
		rawAgent.write(t, 0, c.cmd)
		pkt := rawAgent.read(t)
		if pkt[0] != 0xff || binary.LittleEndian.Uint16(pkt[1:]) != 1227 || !strings.Contains(string(pkt), "server-control") {
			t.Fatalf("%s: want bulwark's refusal, got %q", c.name, pkt)
		}
		if v := rawAgent.queryValue(t, "SELECT 'alive'"); v != "alive" {
			t.Fatalf("after the refused %s: %q", c.name, v)
		}
	}
	if _, err := victim.ExecContext(ctx, "SELECT 1"); err != nil {
		t.Fatalf("the human's session died after the refused COM_PROCESS_KILL: %v", err)
	}
	rawHuman := dialRawMySQL(t, p.Addr, humanUser, humanPassword, testDatabase)
	for _, cmd := range [][]byte{{0x07, 0x01}, kill} {
		rawHuman.write(t, 0, cmd)
		if pkt := rawHuman.read(t); pkt[0] != 0x00 {
			t.Fatalf("the human's command 0x%02x: %q", cmd[0], pkt)
		}
	}
	if _, err := victim.ExecContext(ctx, "SELECT 1"); err == nil {
		t.Fatalf("the human's COM_PROCESS_KILL left the session alive")
	}

	// Account statements. The state is every bw_ account and role with
	// its password, lock and global privileges.
	reset := func() {
		myAdminExec(t, "DROP USER IF EXISTS 'bw_victim'@'%', 'bw_victim2'@'%', 'bw_backdoor'@'%'", "DROP ROLE IF EXISTS bw_role",
			"CREATE USER 'bw_victim'@'%' IDENTIFIED BY 'victim-pw'", "GRANT SELECT ON *.* TO 'bw_victim'@'%'")
	}
	t.Cleanup(func() {
		myAdminExec(t, "DROP USER IF EXISTS 'bw_victim'@'%', 'bw_victim2'@'%', 'bw_backdoor'@'%'", "DROP ROLE IF EXISTS bw_role")
	})
	state := func() string {
		return myQueryString(t, "SELECT GROUP_CONCAT(CONCAT(User, '@', Host, ' ', Priv) ORDER BY User) FROM mysql.global_priv WHERE User LIKE 'bw\\_%'")
	}
	for _, stmt := range []string{
		"SET PASSWORD FOR 'bw_victim'@'%' = PASSWORD('owned')",
		"ALTER USER 'bw_victim'@'%' ACCOUNT LOCK",
		"ALTER USER 'bw_victim'@'%' IDENTIFIED BY 'owned'",
		"RENAME USER 'bw_victim'@'%' TO 'bw_victim2'@'%'",
		"CREATE USER 'bw_backdoor'@'%' IDENTIFIED BY 'backdoor-pw'",
		"GRANT ALL ON *.* TO 'bw_victim'@'%'",
		"REVOKE SELECT ON *.* FROM 'bw_victim'@'%'",
		"CREATE ROLE bw_role",
	} {
		reset()
		requireMyRefusedThenRun(t, p, agent, human, stmt, wantEvent{User: adminAgent, Rule: "account-management"}, state)
	}
	// Switching among the roles a session already holds stays allowed.
	if _, err := agent.ExecContext(ctx, "SET ROLE NONE"); err != nil {
		t.Fatalf("SET ROLE was refused: %v", err)
	}
}

// TestMySQLAgentsCannotChangeTheMysqlDatabase: the mysql database's grant
// tables are the accounts. An agent with write privileges there creates a
// login or locks a human out with a bounded INSERT, UPDATE or DELETE, and
// with mysql as its default database the same statements need no database
// name. Writes naming it are refused, and so is making it (or the recycle
// area) the default database at login, by COM_INIT_DB or COM_CHANGE_USER.
func TestMySQLAgentsCannotChangeTheMysqlDatabase(t *testing.T) {
	p := startMySQLProxy(t)
	ctx := testCtx(t)
	const adminAgent, adminPassword = "agent_sysdb", "agent-sysdb-pw"
	t.Cleanup(func() { myAdminExec(t, "DROP USER IF EXISTS 'bw_sys_victim'@'%', 'bw_sys_backdoor'@'%'") })
	agent, human := myAllPrivilegesSessions(t, p, adminAgent, adminPassword)
	reset := func() {
		myAdminExec(t, "DROP USER IF EXISTS 'bw_sys_victim'@'%', 'bw_sys_backdoor'@'%'",
			"CREATE USER 'bw_sys_victim'@'%' IDENTIFIED BY 'victim-pw'")
	}
	state := func() string {
		return myQueryString(t, "SELECT GROUP_CONCAT(CONCAT(User, '@', Host, ' ', Priv) ORDER BY User) FROM mysql.global_priv WHERE User LIKE 'bw\\_sys\\_%'")
	}
	for _, stmt := range []string{
		"DELETE FROM mysql.global_priv WHERE User = 'bw_sys_victim'",
		"UPDATE mysql.global_priv SET Priv = JSON_SET(Priv, '$.account_locked', true) WHERE User = 'bw_sys_victim'",
		"INSERT INTO mysql.global_priv (Host, User, Priv) VALUES ('%', 'bw_sys_backdoor', '{}')",
		"/*!50000 DELETE FROM `mysql`.global_priv WHERE User = 'bw_sys_victim' */",
	} {
		reset()
		requireMyRefusedThenRun(t, p, agent, human, stmt, wantEvent{User: adminAgent, Rule: "system-catalog", Category: "protected"}, state)
	}
	var n int
	if err := agent.QueryRowContext(ctx, "SELECT COUNT(*) FROM mysql.global_priv WHERE User = ?", adminAgent).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the agent's read of the accounts: %d, %v", n, err)
	}

	// The default database.
	_, err := agent.ExecContext(ctx, "USE mysql")
	requireMyRefused(t, err, "system-catalog")
	rc := dialRawMySQL(t, p.Addr, adminAgent, adminPassword, testDatabase)
	for _, c := range []struct{ db, rule string }{{"mysql", "system-catalog"}, {"bulwark_recycle_1", "recycle-area"}} {
		rc.write(t, 0, append([]byte{0x02}, c.db...)) // COM_INIT_DB
		pkt := rc.read(t)
		if pkt[0] != 0xff || binary.LittleEndian.Uint16(pkt[1:]) != 1227 || !strings.Contains(string(pkt), c.rule) {
			t.Fatalf("COM_INIT_DB %s: want bulwark's refusal (rule %s), got %q", c.db, c.rule, pkt)
		}
		if v := rc.queryValue(t, "SELECT DATABASE()"); v != testDatabase {
			t.Fatalf("after the refused COM_INIT_DB %s the default database is %q", c.db, v)
		}
	}
	hc := dialRawMySQL(t, p.Addr, humanUser, humanPassword, testDatabase)
	hc.write(t, 0, append([]byte{0x02}, "mysql"...))
	if pkt := hc.read(t); pkt[0] != 0x00 {
		t.Fatalf("the human's COM_INIT_DB mysql: %q", pkt)
	}
	if v := hc.queryValue(t, "SELECT DATABASE()"); v != "mysql" {
		t.Fatalf("after the human's COM_INIT_DB the default database is %q", v)
	}
	// COM_CHANGE_USER to mysql: the server's OK is replaced by the
	// refusal, and the connection ends.
	rc.sendChangeUser(t, adminAgent, adminPassword, "mysql")
	for {
		pkt := rc.read(t)
		if pkt[0] == 0xfe { // auth switch: answer it
			_, rest, _ := strings.Cut(string(pkt[1:]), "\x00")
			rc.write(t, rc.seq, nativePassword([]byte(strings.TrimSuffix(rest, "\x00")), adminPassword))
			continue
		}
		if pkt[0] != 0xff || !strings.Contains(string(pkt), "system-catalog") {
			t.Fatalf("COM_CHANGE_USER to mysql: want bulwark's refusal, got %q", pkt)
		}
		break
	}
	// At login.
	login := openMySQL(t, mysqlDSN(p.Addr, adminAgent, adminPassword, "mysql"))
	id := requireMyRefused(t, login.PingContext(ctx), "system-catalog")
	if e := auditEvent(t, p.testProxy, id); e.User != adminAgent || e.Database != "mysql" || e.Rule != "system-catalog" {
		t.Fatalf("the login's refusal was recorded as %+v", e)
	}
	if err := openMySQL(t, mysqlDSN(p.Addr, humanUser, humanPassword, "mysql")).PingContext(ctx); err != nil {
		t.Fatalf("the human's login to mysql: %v", err)
	}
}

// TestMySQLBinlogEventsAreRefusedForAgents: BINLOG applies base64-encoded
// binary-log events (what mysqlbinlog prints for a replay), and a query
// event carries any statement, a DROP among them: nothing bulwark can read.
// The human's identical statement reaches the server, which judges the
// event itself.
func TestMySQLBinlogEventsAreRefusedForAgents(t *testing.T) {
	p := startMySQLProxy(t)
	ctx := testCtx(t)
	const stmt = "BINLOG 'AAAAAA=='"
	agent := myConn(t, openMySQL(t, p.DSN(agentUser)))
	_, err := agent.ExecContext(ctx, stmt)
	id := requireMyRefused(t, err, "dynamic-sql")
	requireMyAudited(t, p, id, wantEvent{User: agentUser, Rule: "dynamic-sql", Statement: "BINLOG"})
	if err := agent.PingContext(ctx); err != nil {
		t.Fatalf("ping after the refusal: %v", err)
	}
	_, err = myConn(t, openMySQL(t, p.DSN(humanUser))).ExecContext(ctx, stmt)
	var me *mysql.MySQLError
	if !errors.As(err, &me) || strings.Contains(me.Message, "bulwark") {
		t.Fatalf("the human's BINLOG: want the server's own error, got %v", err)
	}
}

// TestMySQLFileWritesAndGlobalLocksAreRefusedForAgents: SELECT ... INTO
// OUTFILE writes a new file on the database host, and a .TRG file in the
// data directory is a trigger the server runs as any definer it names;
// FLUSH TABLES WITH READ LOCK stops every human's writes.
func TestMySQLFileWritesAndGlobalLocksAreRefusedForAgents(t *testing.T) {
	p := startMySQLProxy(t)
	ctx := testCtx(t)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	agent := myConn(t, openMySQL(t, p.DSN(agentUser)))
	human := myConn(t, openMySQL(t, p.DSN(humanUser)))
	for i, stmt := range []string{
		"SELECT 'a' INTO OUTFILE '%s'",
		"SELECT 'a' UNION ALL SELECT 'b' INTO OUTFILE '%s'",
		"/*!50000 SELECT 'a' INTO OUTFILE '%s' */",
	} {
		file := filepath.Join(dir, fmt.Sprintf("out%d.txt", i))
		stmt = fmt.Sprintf(stmt, file)
		_, err := agent.ExecContext(ctx, stmt)
		id := requireMyRefused(t, err, "server-file-write")
		requireMyAudited(t, p, id, wantEvent{User: agentUser, Rule: "server-file-write", Category: "unanalysable"})
		if _, err := os.Stat(file); err == nil {
			t.Fatalf("%s: the file exists after the refusal", stmt)
		}
		if _, err := human.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("the human's %s: %v", stmt, err)
		}
		if _, err := os.Stat(file); err != nil {
			t.Fatalf("the human's %s wrote no file: %v", stmt, err)
		}
	}
	_, err := agent.ExecContext(ctx, "FLUSH TABLES WITH READ LOCK")
	requireMyRefused(t, err, "server-control")
	if _, err := human.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS my_lock_probe (id INT)"); err != nil {
		t.Fatalf("a human's write after the refused lock: %v", err)
	}
	myAdminExec(t, "DROP TABLE IF EXISTS my_lock_probe")
}

// TestMySQLServerRoutinesAndCascadesAreRefusedForAgents: the server ships
// routines that run SQL text they are given (sys.execute_prepared_stmt) or
// paste their arguments into an ALTER TABLE (mysql.DropGeometryColumn); a
// routine created in the mysql database runs with it as the default
// database; a foreign key with ON DELETE CASCADE added to a table makes a
// bounded write to another table delete its rows.
func TestMySQLServerRoutinesAndCascadesAreRefusedForAgents(t *testing.T) {
	p := startMySQLProxy(t)
	const adminAgent, adminPassword = "agent_routines", "agent-routines-pw"
	agent, human := myAllPrivilegesSessions(t, p, adminAgent, adminPassword)
	const tbl, parent = "my_routine_victim", "my_routine_parent"
	reset := func() {
		myAdminExec(t, "DROP TABLE IF EXISTS "+tbl, "DROP TABLE IF EXISTS "+parent,
			"CREATE TABLE "+parent+" (id INT PRIMARY KEY) ENGINE = InnoDB", "INSERT INTO "+parent+" VALUES (1), (2), (3)",
			"CREATE TABLE "+tbl+" (id INT PRIMARY KEY, note VARCHAR(20)) ENGINE = InnoDB",
			"INSERT INTO "+tbl+" VALUES (1, 'a'), (2, 'b'), (3, 'c')",
			"DROP PROCEDURE IF EXISTS mysql.bw_routine")
	}
	t.Cleanup(func() {
		myAdminExec(t, "DROP TABLE IF EXISTS "+tbl, "DROP TABLE IF EXISTS "+parent, "DROP PROCEDURE IF EXISTS mysql.bw_routine")
	})
	state := func() string {
		return myQueryString(t, `SELECT CONCAT_WS(' | ',
			(SELECT COUNT(*) FROM `+tbl+`),
			(SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '`+tbl+`'),
			(SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = '`+tbl+`'),
			(SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'mysql' AND ROUTINE_NAME = 'bw_routine'))`)
	}
	for _, c := range []struct{ stmt, rule string }{
		{"CALL sys.execute_prepared_stmt('DELETE FROM " + testDatabase + "." + tbl + "')", "dynamic-sql"},
		{"CALL mysql.DropGeometryColumn('', '" + testDatabase + "', '" + tbl + "', 'note')", "dynamic-sql"},
		{"CREATE PROCEDURE mysql.bw_routine() DELETE FROM global_priv WHERE User = 'bw_nobody'", "system-catalog"},
		{"ALTER TABLE " + tbl + " ADD CONSTRAINT " + tbl + "_fk FOREIGN KEY (id) REFERENCES " + parent + " (id) ON DELETE CASCADE", "foreign-key-cascade"},
	} {
		reset()
		requireMyRefusedThenRun(t, p, agent, human, c.stmt, wantEvent{User: adminAgent, Rule: c.rule}, state)
	}
	// The cascade the human added does what the refusal kept from the
	// agent: a bounded delete in the parent removes the child's row.
	myAdminExec(t, "DELETE FROM "+parent+" WHERE id = 1")
	if got := myQueryString(t, "SELECT COUNT(*) FROM "+tbl); got != "2" {
		t.Fatalf("after the parent's row went, the child has %s rows", got)
	}
}

// TestMySQLTemporalNarrowingIsRefusedForAgents: a DATETIME column changed
// to TIME or DATE loses the date or the time of day of every value, and a
// strict sql_mode does not stop it (the server adds notes only).
func TestMySQLTemporalNarrowingIsRefusedForAgents(t *testing.T) {
	p := startMySQLProxy(t)
	const tbl = "my_temporal"
	reset := func() {
		myAdminExec(t, "DROP TABLE IF EXISTS "+tbl, "CREATE TABLE "+tbl+" (id INT PRIMARY KEY, ts DATETIME)",
			"INSERT INTO "+tbl+" VALUES (1, '2024-05-06 12:34:56'), (2, '2023-01-01 23:59:59')")
	}
	t.Cleanup(func() { myAdminExec(t, "DROP TABLE IF EXISTS "+tbl) })
	state := func() string {
		return myQueryString(t, "SELECT GROUP_CONCAT(CONCAT(id, '=', ts) ORDER BY id) FROM "+tbl)
	}
	agent := myConn(t, openMySQL(t, p.DSN(agentUser)))
	human := myConn(t, openMySQL(t, p.DSN(humanUser)))
	for _, stmt := range []string{"ALTER TABLE " + tbl + " MODIFY ts TIME", "ALTER TABLE " + tbl + " MODIFY ts DATE"} {
		reset()
		requireMyRefusedThenRun(t, p, agent, human, stmt, wantEvent{User: agentUser, Rule: "alter-column-truncate", Category: "drop"}, state)
	}
}

// TestMySQLMemoryEngineIsRefusedForAgents: a table moved to the MEMORY
// engine keeps its rows until the server restarts, then is empty. Nothing
// is lost at once, so the human's proof is the engine the table has.
func TestMySQLMemoryEngineIsRefusedForAgents(t *testing.T) {
	p := startMySQLProxy(t)
	ctx := testCtx(t)
	const tbl = "my_memory_engine"
	myAdminExec(t, "DROP TABLE IF EXISTS "+tbl, "CREATE TABLE "+tbl+" (id INT PRIMARY KEY, qty INT) ENGINE = InnoDB",
		"INSERT INTO "+tbl+" VALUES (1, 10), (2, 20)")
	t.Cleanup(func() { myAdminExec(t, "DROP TABLE IF EXISTS "+tbl) })
	engine := func() string {
		return myQueryString(t, "SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", testDatabase, tbl)
	}
	agent := myConn(t, openMySQL(t, p.DSN(agentUser)))
	for _, stmt := range []string{"ALTER TABLE " + tbl + " ENGINE = MEMORY", "ALTER TABLE " + tbl + " ENGINE = 'heap', COMMENT 'fast'"} {
		_, err := agent.ExecContext(ctx, stmt)
		id := requireMyRefused(t, err, "non-durable-table")
		requireMyAudited(t, p, id, wantEvent{User: agentUser, Rule: "non-durable-table", Category: "drop"})
		if got := engine(); got != "InnoDB" {
			t.Fatalf("%s: the table's engine is %s after the refusal", stmt, got)
		}
	}
	if _, err := myConn(t, openMySQL(t, p.DSN(humanUser))).ExecContext(ctx, "ALTER TABLE "+tbl+" ENGINE = MEMORY"); err != nil {
		t.Fatalf("the human's ALTER: %v", err)
	}
	if got := engine(); got != "MEMORY" {
		t.Fatalf("after the human's ALTER the engine is %s", got)
	}
}

// TestMySQLDeepStatementIsRefusedUnparsed: a chain of four million minus
// signs cost the parser 2 GB; past the nesting bound an agent's statement is
// refused before it is parsed, and the session goes on.
func TestMySQLDeepStatementIsRefusedUnparsed(t *testing.T) {
	p := startMySQLProxy(t)
	c := myConn(t, openMySQL(t, p.DSN(agentUser)))
	ctx := testCtx(t)
	for _, deep := range []string{
		"SELECT " + strings.Repeat("-", 4<<20) + "1",
		"SELECT " + strings.Repeat("(", 1<<20) + "1" + strings.Repeat(")", 1<<20),
		"SELECT " + strings.Repeat("1,", 1_100_000) + "1",
	} {
		_, err := c.ExecContext(ctx, deep)
		rule := "nesting-too-deep"
		if strings.HasPrefix(deep, "SELECT 1,") {
			rule = "too-many-tokens"
		}
		id := requireMyRefused(t, err, rule)
		requireMyAudited(t, p, id, wantEvent{User: agentUser, Rule: rule})
		if err := c.PingContext(ctx); err != nil {
			t.Fatalf("ping after the refusal: %v", err)
		}
	}
}

// TestMySQLChangeUserCannotMakeAnAgentHuman: COM_CHANGE_USER re-classifies
// the session, and the result is the more restricted of the two identities.
func TestMySQLChangeUserCannotMakeAnAgentHuman(t *testing.T) {
	p := startMySQLProxy(t)
	myFreshTable(t, "my_chu")
	t.Run("agent to human stays an agent", func(t *testing.T) {
		rc := dialRawMySQL(t, p.Addr, agentUser, agentPassword, testDatabase)
		rc.changeUser(t, humanUser, humanPassword, testDatabase)
		if u := rc.queryValue(t, "SELECT CURRENT_USER()"); !strings.HasPrefix(u, humanUser+"@") {
			t.Fatalf("the server did not change the user: %s", u)
		}
		code, msg := rc.queryErr(t, "DELETE FROM my_chu")
		if code != 1227 || !strings.Contains(msg, "bulwark refused") {
			t.Fatalf("after changing to the human the session must still be judged: got %d %s", code, msg)
		}
	})
	t.Run("human to agent becomes an agent", func(t *testing.T) {
		rc := dialRawMySQL(t, p.Addr, humanUser, humanPassword, testDatabase)
		rc.changeUser(t, agentUser, agentPassword, testDatabase)
		code, msg := rc.queryErr(t, "DELETE FROM my_chu")
		if code != 1227 || !strings.Contains(msg, "bulwark refused") {
			t.Fatalf("after changing to the agent the session must be judged: got %d %s", code, msg)
		}
	})
	if got := myQueryString(t, "SELECT COUNT(*) FROM my_chu"); got != strconv.Itoa(freshTableRows) {
		t.Fatalf("rows deleted behind refusals: %s left", got)
	}
}

// TestMySQLUnknownCommandsAreRefusedForAgents: a command bulwark cannot
// judge gets an ERR and the session goes on.
func TestMySQLUnknownCommandsAreRefusedForAgents(t *testing.T) {
	p := startMySQLProxy(t)
	rc := dialRawMySQL(t, p.Addr, agentUser, agentPassword, testDatabase)
	rc.write(t, 0, []byte{0x0f}) // COM_TIME
	pkt := rc.read(t)
	if pkt[0] != 0xff || binary.LittleEndian.Uint16(pkt[1:]) != 1227 || !strings.Contains(string(pkt), "unsupported-command") {
		t.Fatalf("COM_TIME: want bulwark's refusal, got %q", pkt)
	}
	if v := rc.queryValue(t, "SELECT 'alive'"); v != "alive" {
		t.Fatalf("after the refusal: %q", v)
	}
	// An empty command packet is COM_SLEEP to the server, which answers
	// 1047 Unknown command and keeps the session; so does bulwark.
	for _, user := range []string{agentUser, humanUser} {
		password := agentPassword
		if user == humanUser {
			password = humanPassword
		}
		rc := dialRawMySQL(t, p.Addr, user, password, testDatabase)
		rc.write(t, 0, nil)
		if pkt := rc.read(t); pkt[0] != 0xff || binary.LittleEndian.Uint16(pkt[1:]) != 1047 {
			t.Fatalf("%s: an empty command: want the server's 1047, got %q", user, pkt)
		}
		if v := rc.queryValue(t, "SELECT 'alive'"); v != "alive" {
			t.Fatalf("%s: after an empty command: %q", user, v)
		}
	}
}

// ---- a raw client, for what drivers do not expose ----

type rawMySQL struct {
	c        net.Conn
	r        *bufio.Reader
	seq      byte
	scramble []byte
}

func dialRawMySQL(t *testing.T, addr, user, password, db string) *rawMySQL {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(60 * time.Second))
	rc := &rawMySQL{c: nc, r: bufio.NewReader(nc)}
	g := rc.read(t)
	// version, connection id, scramble 1, filler, caps, charset, status,
	// caps, scramble length, reserved, scramble 2.
	i := strings.IndexByte(string(g[1:]), 0) + 2 + 4
	rc.scramble = append([]byte(nil), g[i:i+8]...)
	j := i + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10
	rc.scramble = append(rc.scramble, g[j:j+12]...)
	caps := uint32(0x00000200 | 0x00008000 | 0x00080000 | 0x00000008 | 0x00020000 | 0x00010000) // PROTOCOL_41 SECURE_CONNECTION PLUGIN_AUTH CONNECT_WITH_DB MULTI_RESULTS MULTI_STATEMENTS
	resp := binary.LittleEndian.AppendUint32(nil, caps)
	resp = binary.LittleEndian.AppendUint32(resp, 1<<24)
	resp = append(resp, 33)
	resp = append(resp, make([]byte, 23)...)
	resp = append(resp, user...)
	resp = append(resp, 0)
	auth := nativePassword(rc.scramble, password)
	resp = append(resp, byte(len(auth)))
	resp = append(resp, auth...)
	resp = append(resp, db...)
	resp = append(resp, 0)
	resp = append(resp, "mysql_native_password"...)
	resp = append(resp, 0)
	rc.write(t, rc.seq, resp)
	rc.finishAuth(t, password)
	return rc
}

// finishAuth answers auth switches until OK.
func (rc *rawMySQL) finishAuth(t *testing.T, password string) {
	t.Helper()
	for {
		p := rc.read(t)
		switch p[0] {
		case 0x00:
			return
		case 0xff:
			t.Fatalf("authentication failed: %s", p[9:])
		case 0xfe:
			_, rest, _ := strings.Cut(string(p[1:]), "\x00")
			rc.write(t, rc.seq, nativePassword([]byte(strings.TrimSuffix(rest, "\x00")), password))
		default:
			t.Fatalf("unexpected authentication packet %q", p)
		}
	}
}

func nativePassword(scramble []byte, password string) []byte {
	if password == "" {
		return nil
	}
	h1 := sha1.Sum([]byte(password))
	h2 := sha1.Sum(h1[:])
	h := sha1.New()
	h.Write(scramble[:20])
	h.Write(h2[:])
	s := h.Sum(nil)
	for i := range s {
		s[i] ^= h1[i]
	}
	return s
}

func (rc *rawMySQL) changeUser(t *testing.T, user, password, db string) {
	t.Helper()
	rc.sendChangeUser(t, user, password, db)
	rc.finishAuth(t, password)
}

// sendChangeUser sends COM_CHANGE_USER with a mysql_native_password answer
// and leaves the reply to the caller.
func (rc *rawMySQL) sendChangeUser(t *testing.T, user, password, db string) {
	t.Helper()
	p := []byte{0x11}
	p = append(p, user...)
	p = append(p, 0)
	auth := nativePassword(rc.scramble, password)
	p = append(p, byte(len(auth)))
	p = append(p, auth...)
	p = append(p, db...)
	p = append(p, 0, 33, 0)
	p = append(p, "mysql_native_password"...)
	p = append(p, 0)
	rc.write(t, 0, p)
}

func (rc *rawMySQL) write(t *testing.T, seq byte, p []byte) {
	t.Helper()
	b := []byte{byte(len(p)), byte(len(p) >> 8), byte(len(p) >> 16), seq}
	if _, err := rc.c.Write(append(b, p...)); err != nil {
		t.Fatal(err)
	}
	rc.seq = seq + 1
}

func (rc *rawMySQL) read(t *testing.T) []byte {
	t.Helper()
	var h [4]byte
	if _, err := io.ReadFull(rc.r, h[:]); err != nil {
		t.Fatalf("read: %v", err)
	}
	p := make([]byte, int(h[0])|int(h[1])<<8|int(h[2])<<16)
	if _, err := io.ReadFull(rc.r, p); err != nil {
		t.Fatalf("read: %v", err)
	}
	rc.seq = h[3] + 1
	return p
}

// queryValue runs a query returning one text value (without
// CLIENT_DEPRECATE_EOF: count, column, EOF, row, EOF).
func (rc *rawMySQL) queryValue(t *testing.T, q string) string {
	t.Helper()
	rc.write(t, 0, append([]byte{0x03}, q...))
	p := rc.read(t)
	if p[0] == 0xff {
		t.Fatalf("%s: %s", q, p[9:])
	}
	rc.read(t) // column
	rc.read(t) // EOF
	row := rc.read(t)
	rc.read(t) // EOF
	return string(row[1 : 1+int(row[0])])
}

// queryErr runs a statement expected to fail and returns its error.
func (rc *rawMySQL) queryErr(t *testing.T, q string) (uint16, string) {
	t.Helper()
	rc.write(t, 0, append([]byte{0x03}, q...))
	p := rc.read(t)
	if p[0] != 0xff {
		t.Fatalf("%s succeeded", q)
	}
	return binary.LittleEndian.Uint16(p[1:]), string(p[9:])
}

// TestMySQLSQLModeIsReadForLexingSensitiveStatements: after the agent
// changes sql_mode, bulwark reads it from the server (a query of its own,
// whose answer the client never sees) and judges the next statements under
// it; the session's answers stay in order.
func TestMySQLSQLModeIsReadForLexingSensitiveStatements(t *testing.T) {
	p := startMySQLProxy(t)
	sum := myFreshTable(t, "my_mode")
	before := sum()
	c := myConn(t, openMySQL(t, p.DSN(agentUser)))
	ctx := testCtx(t)
	if _, err := c.ExecContext(ctx, "SET SESSION sql_mode = 'ANSI_QUOTES'"); err != nil {
		t.Fatal(err)
	}
	var note string
	if err := c.QueryRowContext(ctx, `SELECT "note" FROM my_mode WHERE "id" = 3`).Scan(&note); err != nil || note != "row 3" {
		t.Fatalf(`under ANSI_QUOTES "note" is a column: got %q, %v`, note, err)
	}
	_, err := c.ExecContext(ctx, `DELETE FROM "my_mode"`)
	requireMyRefused(t, err, "delete-no-where")
	var mode string
	if err := c.QueryRowContext(ctx, "SELECT @@SESSION.sql_mode").Scan(&mode); err != nil || mode != "ANSI_QUOTES" {
		t.Fatalf("sql_mode = %q, %v", mode, err)
	}
	if sum() != before {
		t.Fatalf("data changed behind a refusal")
	}
}

// myReadingCase is a statement whose reading depends on the session's
// settings (character set, sql_mode, the statements before it in the same
// text) or on which version-gated comments the server runs.
type myReadingCase struct {
	name string
	// params are extra DSN parameters (multiStatements, the handshake's
	// collation).
	params []string
	// setup runs on the session before the statement, as its own
	// command, for the agent and the human alike.
	setup []string
	sql   func(tbl string) string
	rule  string
	cat   string
}

var myReadingCases = []myReadingCase{
	// In gbk 0xBF 0x5C is one character: the string ends at the next
	// quote, and what follows is code.
	{name: "set names gbk hides a drop", params: []string{"multiStatements=true"}, setup: []string{"SET NAMES gbk"},
		sql: func(tbl string) string { return "SELECT '\xbf\\'; DROP TABLE " + tbl + "; -- '" }, rule: "lexer-mismatch", cat: "unanalysable"},
	{name: "gbk collation in the handshake hides a drop", params: []string{"multiStatements=true", "collation=gbk_chinese_ci"},
		sql: func(tbl string) string { return "SELECT '\xbf\\'; DROP TABLE " + tbl + "; -- '" }, rule: "lexer-mismatch", cat: "unanalysable"},
	{name: "set character set gbk hides an or", setup: []string{"SET CHARACTER SET gbk"},
		sql: func(tbl string) string {
			return "DELETE FROM " + tbl + " WHERE id = 5 AND '\xbf\\' OR 1 -- ' IS NOT NULL"
		}, rule: "lexer-mismatch", cat: "unanalysable"},
	// The server reads each statement of a text after the previous one
	// has run, under the settings it left.
	{name: "sql_mode changed earlier in the text", params: []string{"multiStatements=true"},
		sql: func(tbl string) string {
			return "SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'; SELECT '\\'; DROP TABLE " + tbl + "; -- '"
		}, rule: "lexer-mismatch", cat: "unanalysable"},
	{name: "ansi quotes switched off earlier in the text", params: []string{"multiStatements=true"},
		setup: []string{"SET SESSION sql_mode = 'ANSI_QUOTES'"},
		sql:   func(tbl string) string { return `SET SESSION sql_mode = ''; DELETE FROM ` + tbl + ` WHERE "1"` }, rule: "lexer-mismatch", cat: "unanalysable"},
	// Whether a type change may cut values depends on sql_mode, and the
	// SET runs before the server reads the ALTER.
	{name: "sql_mode made lax earlier in the text of a type change", params: []string{"multiStatements=true"},
		sql: func(tbl string) string {
			return "SET SESSION sql_mode = ''; ALTER TABLE " + tbl + " MODIFY note VARCHAR(0)"
		}, rule: "alter-column-truncate", cat: "drop"},
	{name: "set names gbk earlier in the text", params: []string{"multiStatements=true"},
		sql: func(tbl string) string { return "SET NAMES gbk; SELECT '\xbf\\'; DROP TABLE " + tbl + "; -- '" }, rule: "lexer-mismatch", cat: "unanalysable"},
	// Under EMPTY_STRING_IS_NULL '' is NULL.
	{name: "empty string is null", setup: []string{"SET SESSION sql_mode = CONCAT(@@sql_mode, ',EMPTY_STRING_IS_NULL')"},
		sql: func(tbl string) string { return "DELETE FROM " + tbl + " WHERE id = 3 OR '' IS NULL" }, rule: "delete-always-true", cat: "delete"},
	{name: "empty string is null in an update", setup: []string{"SET SESSION sql_mode = 'EMPTY_STRING_IS_NULL'"},
		sql: func(tbl string) string { return "UPDATE " + tbl + " SET note = 'pwned' WHERE '' IS NULL" }, rule: "update-always-true", cat: "update"},
	// bulwark reads sql_mode with a query of its own on the session; no
	// other setting of the session may change what that query returns:
	// not the character set of results (UTF-16 and UTF-32 answers), not
	// sql_select_limit = 0 (no row), not a sql_mode that changes quoting.
	// Read as the default mode, the string below ends at the last quote.
	{name: "no backslash escapes with utf16 results", setup: []string{"SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'", "SET character_set_results = utf16"},
		sql: func(tbl string) string { return "DELETE FROM " + tbl + ` WHERE note = 'x\' OR 1=1 -- '` }, rule: "delete-always-true", cat: "delete"},
	{name: "no backslash escapes with utf32 results", setup: []string{"SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'", "SET character_set_results = utf32"},
		sql: func(tbl string) string { return "DELETE FROM " + tbl + ` WHERE note = 'x\' OR 1=1 -- '` }, rule: "delete-always-true", cat: "delete"},
	{name: "no backslash escapes with ucs2 results", setup: []string{"SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'", "SET character_set_results = ucs2"},
		sql: func(tbl string) string { return "DELETE FROM " + tbl + ` WHERE note = 'x\' OR 1=1 -- '` }, rule: "delete-always-true", cat: "delete"},
	{name: "no backslash escapes with utf16le results", setup: []string{"SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'", "SET character_set_results = utf16le"},
		sql: func(tbl string) string { return "DELETE FROM " + tbl + ` WHERE note = 'x\' OR 1=1 -- '` }, rule: "delete-always-true", cat: "delete"},
	{name: "no backslash escapes with sql_select_limit 0", setup: []string{"SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'", "SET SESSION sql_select_limit = 0"},
		sql: func(tbl string) string { return "DELETE FROM " + tbl + ` WHERE note = 'x\' OR 1=1 -- '` }, rule: "delete-always-true", cat: "delete"},
	// Under ANSI_QUOTES "id" is the column: id = id holds for every row.
	{name: "ansi quotes and pipes with utf16 results",
		setup: []string{"SET SESSION sql_mode = 'ANSI_QUOTES,PIPES_AS_CONCAT'", "SET character_set_results = utf16", "SET SESSION sql_select_limit = 0"},
		sql:   func(tbl string) string { return "DELETE FROM " + tbl + ` WHERE id = "id"` }, rule: "delete-always-true", cat: "delete"},
	{name: "ansi mode with utf32 results", setup: []string{"SET SESSION sql_mode = 'ANSI'", "SET character_set_results = utf32"},
		sql: func(tbl string) string { return "UPDATE " + tbl + ` SET note = 'pwned' WHERE id = "id"` }, rule: "update-always-true", cat: "update"},
	// MariaDB runs /*M!100000 but skips /*!50700 (MySQL 5.7 syntax).
	{name: "mariadb gate runs and mysql 5.7 gate is skipped",
		sql: func(tbl string) string {
			return "DELETE FROM " + tbl + " WHERE id = 5 /*M!100000 OR 1 */ /*!50700 AND 0 */"
		}, rule: "delete-always-true", cat: "delete"},
}

// myReadingLookalikes are statements like those above that every reading
// agrees on: they run for the agent.
var myReadingLookalikes = []myReadingCase{
	{name: "ascii text under gbk", setup: []string{"SET NAMES gbk"},
		sql: func(tbl string) string { return "SELECT note FROM " + tbl + " WHERE note <> 'a\\'b'" }},
	{name: "utf-8 text under utf8mb4", setup: []string{"SET NAMES utf8mb4"},
		sql: func(tbl string) string { return "UPDATE " + tbl + " SET note = 'h\\'éllo' WHERE id = 1" }},
	{name: "a set statement alone", sql: func(string) string { return "SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'" }},
	{name: "several statements without sensitive characters", params: []string{"multiStatements=true"},
		sql: func(tbl string) string { return "SET @a = 2; UPDATE " + tbl + " SET extra = 0 WHERE id = @a" }},
	{name: "mysqldump style comment", sql: func(string) string { return "/*!40101 SET NAMES utf8 */" }},
	// Ordinary migrations under the server's default, strict, sql_mode.
	{name: "widening a column in strict mode",
		sql: func(tbl string) string { return "ALTER TABLE " + tbl + " MODIFY note VARCHAR(500)" }},
	{name: "a type change after a strict sql_mode of its own", setup: []string{"SET SESSION sql_mode = 'STRICT_ALL_TABLES'"},
		sql: func(tbl string) string { return "ALTER TABLE " + tbl + " CHANGE extra extra BIGINT NOT NULL" }},
	{name: "a unique key without ignore",
		sql: func(tbl string) string { return "ALTER TABLE " + tbl + " ADD UNIQUE (note)" }},
	{name: "another engine", sql: func(tbl string) string { return "ALTER TABLE " + tbl + " ENGINE = InnoDB" }},
	{name: "a generated column added", sql: func(tbl string) string {
		return "ALTER TABLE " + tbl + " ADD COLUMN extra10 INT AS (extra * 10) STORED"
	}},
	{name: "empty string compared with a column",
		sql: func(tbl string) string { return "DELETE FROM " + tbl + " WHERE note = ''" }},
	{name: "a backslash string under utf16 results", setup: []string{"SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'", "SET character_set_results = utf16"},
		sql: func(tbl string) string { return "UPDATE " + tbl + ` SET note = 'x\' WHERE id = 1` }},
	{name: "a backslash string under sql_select_limit 0", setup: []string{"SET SESSION sql_select_limit = 0"},
		sql: func(tbl string) string { return "SELECT note FROM " + tbl + ` WHERE note <> 'a\'b'` }},
	{name: "quoted names under ansi, pipes and utf32 results",
		setup: []string{"SET SESSION sql_mode = 'ANSI_QUOTES,PIPES_AS_CONCAT'", "SET character_set_results = utf32", "SET SESSION sql_select_limit = 0"},
		sql:   func(tbl string) string { return `DELETE FROM "` + tbl + `" WHERE "id" = 1 || 1` }},
	{name: "gated conditions that bound every reading",
		sql: func(tbl string) string {
			return "DELETE FROM " + tbl + " WHERE id = 5 /*M!100000 AND extra = 10 */ /*!50700 AND extra = 0 */"
		}},
}

// TestMySQLStatementsAreJudgedAsTheServerReadsThem: a statement whose
// reading depends on the session's character set or sql_mode, on a setting
// changed earlier in the same text, or on the version-gated comments the
// server runs, is refused for the agent with the data intact; the human's
// identical statement really changes the data on the server. Look-alikes
// that read the same every way run for the agent.
func TestMySQLStatementsAreJudgedAsTheServerReadsThem(t *testing.T) {
	p := startMySQLProxy(t)
	session := func(t *testing.T, user string, c myReadingCase) *sql.Conn {
		conn := myConn(t, openMySQL(t, p.DSN(user, c.params...)))
		for _, q := range c.setup {
			if _, err := conn.ExecContext(testCtx(t), q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		return conn
	}
	for i, c := range myReadingCases {
		t.Run(c.name, func(t *testing.T) {
			tbl := fmt.Sprintf("my_read_%d", i)
			sum := myFreshTable(t, tbl)
			before := sum()
			stmt := c.sql(tbl)
			_, err := session(t, agentUser, c).ExecContext(testCtx(t), stmt)
			id := requireMyRefused(t, err, c.rule)
			if !myTableExists(t, tbl) || sum() != before {
				t.Fatalf("data changed behind a refusal")
			}
			requireMyAudited(t, p, id, wantEvent{User: agentUser, Rule: c.rule, Category: c.cat})

			if _, err := session(t, humanUser, c).ExecContext(testCtx(t), stmt); err != nil {
				t.Fatalf("the human's identical statement failed: %v", err)
			}
			if myTableExists(t, tbl) && sum() == before {
				t.Fatalf("the server did nothing destructive with the human's statement: the refusal was a false alarm")
			}
		})
	}
	for i, c := range myReadingLookalikes {
		t.Run("look-alikes/"+c.name, func(t *testing.T) {
			tbl := fmt.Sprintf("my_read_l%d", i)
			myFreshTable(t, tbl)
			if _, err := session(t, agentUser, c).ExecContext(testCtx(t), c.sql(tbl)); err != nil {
				t.Fatalf("the agent's harmless statement failed: %v", err)
			}
			// Each touches one row at most.
			if n, _ := strconv.Atoi(myQueryString(t, "SELECT COUNT(*) FROM "+tbl)); !myTableExists(t, tbl) || n < freshTableRows-1 {
				t.Fatalf("rows are gone: %d left", n)
			}
		})
	}
}

// skipUnlessRequired skips for a missing piece of the environment, except
// under BULWARK_REQUIRE_DB=1 (CI), where every test must run.
func skipUnlessRequired(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("BULWARK_REQUIRE_DB") == "1" {
		t.Fatalf("BULWARK_REQUIRE_DB=1 but %s", why)
	}
	t.Skip(why)
}

// TestMySQLAgentsCannotKeepChangesOutOfTheLogs: with sql_log_bin = 0 a
// session's changes stay out of the binary log, so replicas never get them
// and a point-in-time recovery cannot replay them; another server_id, a
// skip mark or another GTID domain lets replicas discard them; sql_log_off
// keeps them out of the general log. The settings are the session's own,
// so the state is read on both sessions.
func TestMySQLAgentsCannotKeepChangesOutOfTheLogs(t *testing.T) {
	p := startMySQLProxy(t)
	const adminAgent, adminPassword = "agent_binlog", "agent-binlog-pw"
	agent, human := myAllPrivilegesSessions(t, p, adminAgent, adminPassword)
	settings := func(c *sql.Conn) string {
		var v string
		if err := c.QueryRowContext(testCtx(t), "SELECT CONCAT_WS(' ', @@SESSION.sql_log_bin, @@SESSION.server_id, @@SESSION.skip_replication, "+
			"@@SESSION.gtid_domain_id, @@SESSION.sql_log_off, @@SESSION.log_disabled_statements)").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	state := func() string { return "agent " + settings(agent) + ", human " + settings(human) }
	const restore = "SET sql_log_bin = 1, server_id = DEFAULT, skip_replication = 0, gtid_domain_id = DEFAULT, sql_log_off = 0, log_disabled_statements = DEFAULT"
	for _, stmt := range []string{
		"SET sql_log_bin = 0",
		"SET SESSION sql_log_bin = OFF",
		"SET @@session.sql_log_bin = FALSE, autocommit = 1",
		"/*!40101 SET sql_log_bin = 0 */",
		"SET SESSION server_id = 4242",
		"SET skip_replication = 1",
		"SET gtid_domain_id = 7",
		"SET sql_log_off = ON",
		"SET SESSION log_disabled_statements = 'slave,sp'",
	} {
		requireMyRefusedThenRun(t, p, agent, human, stmt, wantEvent{User: adminAgent, Rule: "disable-safeguard", Category: "unanalysable"}, state)
		if _, err := human.ExecContext(testCtx(t), restore); err != nil {
			t.Fatal(err)
		}
	}
	// Putting them back stays allowed.
	for _, stmt := range []string{"SET sql_log_bin = 1", "SET SESSION sql_log_bin = ON", "SET sql_log_bin = DEFAULT", restore} {
		if _, err := agent.ExecContext(testCtx(t), stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if got, want := settings(agent), settings(human); got != want || !strings.HasPrefix(got, "ON ") {
		t.Fatalf("the agent's settings: %s, the human's: %s", got, want)
	}
}
