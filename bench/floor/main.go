// Command floor is the bare relay (bench/internal/relay) plus the libraries bulwark
// cannot do without: both SQL parsers the product requires (pg_query_go for
// PostgreSQL, TiDB's for MySQL), the MySQL and PostgreSQL protocol
// libraries, and SQLite for the audit log. For every connection it parses
// one statement with the parser of its dialect and writes one audit row,
// then copies bytes both ways without looking at them.
//
// The benchmark measures its memory next to the relay and bulwark: what it
// uses above the relay is what linking and starting those libraries costs
// any firewall built on them, before a single feature; what bulwark uses
// above it is bulwark's own.
package main

import (
	"database/sql"
	"flag"
	"log"
	"net"

	_ "github.com/go-mysql-org/go-mysql/mysql"
	_ "github.com/jackc/pgx/v5/pgproto3"
	_ "github.com/mattn/go-sqlite3"
	pg_query "github.com/pganalyze/pg_query_go/v5"
	"github.com/pingcap/tidb/pkg/parser"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"

	"github.com/bulwarkdb/bulwark/bench/internal/relay"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to accept clients on")
	upstream := flag.String("upstream", "", "address to forward every connection to")
	dialect := flag.String("dialect", "postgres", "parser used for each connection: postgres or mysql")
	audit := flag.String("audit", "", "SQLite file the audit rows go to")
	flag.Parse()
	if *upstream == "" || *audit == "" {
		log.Fatal("floor: -upstream and -audit are required")
	}
	db, err := sql.Open("sqlite3", "file:"+*audit+"?_busy_timeout=10000&_journal_mode=WAL&_synchronous=FULL")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER, client_addr TEXT, statement TEXT)"); err != nil {
		log.Fatal(err)
	}
	parse := func(q string) error { _, err := pg_query.Parse(q); return err }
	if *dialect == "mysql" {
		parse = func(q string) error { _, _, err := parser.New().Parse(q, "", ""); return err }
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(relay.Serve(ln, *upstream, func(client net.Conn) error {
		const q = "SELECT * FROM big WHERE g > 0"
		if err := parse(q); err != nil {
			return err
		}
		_, err := db.Exec("INSERT INTO events (time, client_addr, statement) VALUES (strftime('%s'), ?, ?)", client.RemoteAddr().String(), q)
		return err
	}))
}
