//go:build !bulwark_no_mysql

package snapshot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	gomysql "github.com/go-mysql-org/go-mysql/mysql"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// fakeUpstream answers the taker's statements from a script: the first
// rule whose prefix the statement starts with answers it. Every statement
// is recorded.
type fakeUpstream struct {
	rules []fakeRule
	sent  []string
	tx    byte
}

type fakeRule struct {
	prefix string
	rows   [][][]byte
	err    error
}

func (f *fakeUpstream) Exec(_ context.Context, sql string) (*Result, error) {
	f.sent = append(f.sent, sql)
	tx := f.tx
	if tx == 0 {
		tx = 'I'
	}
	for _, r := range f.rules {
		if strings.HasPrefix(sql, r.prefix) {
			return &Result{Rows: r.rows, Err: r.err, TxStatus: tx}, nil
		}
	}
	return &Result{TxStatus: tx}, nil
}

func row(vals ...string) [][]byte {
	out := make([][]byte, len(vals))
	for i, v := range vals {
		out[i] = []byte(v)
	}
	return out
}

func (f *fakeUpstream) sentLike(prefix string) []string {
	var out []string
	for _, s := range f.sent {
		if strings.HasPrefix(s, prefix) {
			out = append(out, s)
		}
	}
	return out
}

// baseRules describe database app with a plain table t of 10 rows.
func baseRules() []fakeRule {
	return []fakeRule{
		{prefix: "SELECT DATABASE()", rows: [][][]byte{row("app")}},
		{prefix: "SHOW CREATE TABLE", rows: [][][]byte{row("t", "CREATE TABLE `t` (`id` int)")}},
		{prefix: "SELECT TABLE_NAME, TABLE_TYPE", rows: [][][]byte{row("t", "BASE TABLE", "10", "16384")}},
		{prefix: "SELECT @@SESSION.sql_mode", rows: [][][]byte{row("STRICT_TRANS_TABLES")}},
		{prefix: "SELECT COLUMN_NAME, EXTRA", rows: [][][]byte{row("id", "", "t"), row("v", "VIRTUAL GENERATED", "t")}},
		{prefix: "SELECT ROW_COUNT()", rows: [][][]byte{row("10")}},
	}
}

func request(op string, u *sqlparse.Undo) Request {
	return Request{EventID: 7, SessionID: "s1", User: "bot", Operation: op, Statement: "stmt", Undo: []*sqlparse.Undo{u}}
}

func fixedNow() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC) }

func TestMySQLQuoting(t *testing.T) {
	if got := myIdent("we`ird"); got != "`we``ird`" {
		t.Errorf("myIdent = %s", got)
	}
	if got := myString("it's \\ \"x\""); got != "_utf8mb4 X'69742773205c20227822'" {
		t.Errorf("myString = %s", got)
	}
	if got := myTime(fixedNow()); got != "'2026-01-02 03:04:05.000006'" {
		t.Errorf("myTime = %s", got)
	}
}

func TestMySQLTake(t *testing.T) {
	table := []sqlparse.ObjectName{{Name: "t"}}
	t.Run("drop table moves it, records it and is replaced", func(t *testing.T) {
		up := &fakeUpstream{rules: baseRules()}
		s, err := (&MySQL{Now: fixedNow}).Take(context.Background(), request("drop", &sqlparse.Undo{Kind: sqlparse.UndoMove, ObjectType: "TABLE", Objects: table}), up)
		if err != nil {
			t.Fatal(err)
		}
		if s == nil || !s.Replace || s.SQL != "DO 0" {
			t.Fatalf("snapshot = %+v, want DO 0 in the statement's place", s)
		}
		area := "bulwark_recycle_" + myInt(fixedNow().UnixMicro())
		want := "RENAME TABLE `app`.`t` TO `" + area + "`.`t`"
		renames := up.sentLike("RENAME TABLE")
		if len(renames) != 1 || renames[0] != want {
			t.Errorf("renames = %q, want %q", renames, want)
		}
		var order []string
		for _, s := range up.sent {
			for _, p := range []string{"CREATE DATABASE `bulwark_recycle_", "RENAME TABLE", "INSERT INTO `bulwark_recycle`", "COMMIT"} {
				if strings.HasPrefix(s, p) {
					order = append(order, p)
				}
			}
		}
		if strings.Join(order, " | ") != "CREATE DATABASE `bulwark_recycle_ | RENAME TABLE | INSERT INTO `bulwark_recycle` | COMMIT" {
			t.Errorf("steps in order %q: the catalog row must follow the move", order)
		}
	})
	t.Run("a catalog that cannot be written undoes the move", func(t *testing.T) {
		up := &fakeUpstream{rules: append([]fakeRule{{prefix: "INSERT INTO `bulwark_recycle`", err: &gomysql.MyError{Code: 1142, Message: "INSERT command denied"}}}, baseRules()...)}
		_, err := (&MySQL{Now: fixedNow}).Take(context.Background(), request("drop", &sqlparse.Undo{Kind: sqlparse.UndoMove, ObjectType: "TABLE", Objects: table}), up)
		if err == nil || !strings.Contains(err.Error(), "INSERT command denied") {
			t.Fatalf("err = %v", err)
		}
		renames := up.sentLike("RENAME TABLE")
		if len(renames) != 2 || !strings.HasSuffix(renames[1], "TO `app`.`t`") {
			t.Errorf("renames = %q, want the move and its undo", renames)
		}
	})
	t.Run("a missing table without IF EXISTS reads like the server", func(t *testing.T) {
		up := &fakeUpstream{rules: append([]fakeRule{{prefix: "SHOW CREATE TABLE", err: &gomysql.MyError{Code: 1146, Message: "no"}}}, baseRules()...)}
		_, err := (&MySQL{}).Take(context.Background(), request("drop", &sqlparse.Undo{Kind: sqlparse.UndoMove, ObjectType: "TABLE", Objects: table}), up)
		if err == nil || !strings.HasPrefix(err.Error(), "Unknown table 'app.t'") {
			t.Fatalf("err = %v", err)
		}
		if len(up.sentLike("CREATE")) > 0 || len(up.sentLike("RENAME")) > 0 {
			t.Errorf("something was changed: %q", up.sent)
		}
		s, err := (&MySQL{}).Take(context.Background(), request("drop", &sqlparse.Undo{Kind: sqlparse.UndoMove, ObjectType: "TABLE", Objects: table, MissingOK: true}), up)
		if err != nil || s == nil || !s.Replace {
			t.Errorf("IF EXISTS: %+v, %v; want the statement answered with DO 0", s, err)
		}
	})
	t.Run("a delete copies the stored columns and runs as sent", func(t *testing.T) {
		up := &fakeUpstream{rules: baseRules()}
		s, err := (&MySQL{Limits: Limits{MaxRows: 100}}).Take(context.Background(), request("delete", &sqlparse.Undo{Kind: sqlparse.UndoRows, ObjectType: "TABLE", Objects: table}), up)
		if err != nil || s != nil {
			t.Fatalf("got %+v, %v; want no replacement", s, err)
		}
		ins := up.sentLike("INSERT INTO `bulwark_recycle_")
		if len(ins) != 1 || !strings.Contains(ins[0], "(`id`) SELECT `id` FROM `app`.`t`") {
			t.Errorf("copy = %q", ins)
		}
		modes := up.sentLike("SET SESSION sql_mode")
		if len(modes) != 2 || !strings.Contains(modes[0], myString("STRICT_TRANS_TABLES,NO_AUTO_VALUE_ON_ZERO")) || modes[1] != "SET SESSION sql_mode = "+myString("STRICT_TRANS_TABLES") {
			t.Errorf("sql_mode changes = %q, want NO_AUTO_VALUE_ON_ZERO for the copy, then the session's own", modes)
		}
	})
	t.Run("a delete over the limits does nothing", func(t *testing.T) {
		up := &fakeUpstream{rules: baseRules()}
		_, err := (&MySQL{Limits: Limits{MaxRows: 5}}).Take(context.Background(), request("delete", &sqlparse.Undo{Kind: sqlparse.UndoRows, ObjectType: "TABLE", Objects: table}), up)
		if err == nil || !strings.Contains(err.Error(), "more than the limits") {
			t.Fatalf("err = %v", err)
		}
		if len(up.sentLike("CREATE")) > 0 {
			t.Errorf("something was created: %q", up.sent)
		}
	})
	t.Run("a delete inside a transaction is refused", func(t *testing.T) {
		up := &fakeUpstream{rules: baseRules(), tx: 'T'}
		_, err := (&MySQL{}).Take(context.Background(), request("update", &sqlparse.Undo{Kind: sqlparse.UndoRows, ObjectType: "TABLE", Objects: table}), up)
		if err == nil || !strings.Contains(err.Error(), "transaction open") {
			t.Fatalf("err = %v", err)
		}
		if len(up.sentLike("CREATE")) > 0 {
			t.Errorf("something was created: %q", up.sent)
		}
	})
	t.Run("system databases are never snapshotted", func(t *testing.T) {
		for _, db := range []string{"mysql", "bulwark_recycle", "bulwark_recycle_1", "INFORMATION_SCHEMA"} {
			up := &fakeUpstream{rules: baseRules()}
			_, err := (&MySQL{}).Take(context.Background(), request("drop", &sqlparse.Undo{Kind: sqlparse.UndoMove, ObjectType: "DATABASE", Objects: []sqlparse.ObjectName{{Name: db}}}), up)
			if err == nil {
				t.Errorf("DROP DATABASE %s was snapshotted", db)
			}
		}
	})
}

func TestMySQLEntryRoundTrip(t *testing.T) {
	r := row("12", "2026-01-02 03:04:05.000006", "7", "s1", "bot", "drop", "TABLE", "app", "t", "move", "bulwark_recycle_12", "t",
		"10", "1", "16384", "DROP TABLE t")
	r = append(r, nil, nil, []byte("2026-02-01 00:00:00.000000"))
	e, err := parseMySQLEntry(r)
	if err != nil {
		t.Fatal(err)
	}
	if e.ID != 12 || !e.TakenAt.Equal(fixedNow()) || !e.RowsEstimated || e.RestoredAt != nil || e.PurgedAt == nil || e.Statement != "DROP TABLE t" {
		t.Errorf("entry = %+v", e)
	}
	if _, err := parseMySQLEntry(row("1")); err == nil {
		t.Errorf("a short catalog row was read")
	}
}

func TestMySQLTextRows(t *testing.T) {
	t.Run("values come back as the server wrote them, NULL as nil", func(t *testing.T) {
		rs := &gomysql.Resultset{Fields: make([]*gomysql.Field, 4)}
		var data []byte
		for _, v := range []string{"1.50", "", "2026-01-02 03:04:05.000006"} {
			data = append(data, gomysql.PutLengthEncodedString([]byte(v))...)
		}
		rs.RowDatas = []gomysql.RowData{append(data, 0xfb)}
		rows, err := mysqlTextRows(rs)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || len(rows[0]) != 4 {
			t.Fatalf("rows = %q", rows)
		}
		r := rows[0]
		if string(r[0]) != "1.50" || r[1] == nil || len(r[1]) != 0 || string(r[2]) != "2026-01-02 03:04:05.000006" || r[3] != nil {
			t.Errorf("row = %q (nil: %v %v), want 1.50, an empty string, the time and NULL", r, r[1] == nil, r[3] == nil)
		}
		data[1] = 'X'
		if string(r[0]) != "1.50" {
			t.Errorf("the row shares the result set's memory")
		}
	})
	t.Run("a statement without a result set has no rows", func(t *testing.T) {
		if rows, err := mysqlTextRows(nil); rows != nil || err != nil {
			t.Errorf("got %q, %v", rows, err)
		}
	})
	t.Run("a truncated row is an error", func(t *testing.T) {
		rs := &gomysql.Resultset{Fields: make([]*gomysql.Field, 1), RowDatas: []gomysql.RowData{{5, 'a'}}}
		if _, err := mysqlTextRows(rs); err == nil {
			t.Errorf("a truncated row was read")
		}
	})
}

func TestMySQLErrors(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", &gomysql.MyError{Code: myErrNoSuchTable, Message: "Table 'app.t' doesn't exist"})
	if myErrno(err) != myErrNoSuchTable || myMessage(err) != "Table 'app.t' doesn't exist" {
		t.Errorf("myErrno, myMessage = %d, %q", myErrno(err), myMessage(err))
	}
	if other := errors.New("io"); myErrno(other) != 0 || myMessage(other) != "io" {
		t.Errorf("another error: %d, %q", myErrno(other), myMessage(other))
	}
}
