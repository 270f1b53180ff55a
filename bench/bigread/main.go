// Command bigread runs one query and reads its result row by row without
// keeping it, printing how many rows and value bytes came back. psql buffers
// a whole result set in its own memory before printing it; this client
// streams, so the only place a large result could pile up is the proxy.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
)

func main() {
	dsn := flag.String("dsn", "", "connection string")
	query := flag.String("query", "SELECT * FROM big", "statement to read")
	mode := flag.String("mode", "simple", "protocol: simple or extended")
	flag.Parse()

	cfg, err := pgx.ParseConfig(*dsn)
	if err != nil {
		fail(err)
	}
	switch *mode {
	case "simple":
		cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	case "extended":
		// Exec mode skips the describe round trip and statement cache, so the
		// run is one Parse/Bind/Execute with a large stream of DataRows.
		cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	default:
		fail(fmt.Errorf("unknown -mode %q", *mode))
	}

	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		fail(err)
	}
	defer conn.Close(ctx)

	start := time.Now()
	rows, err := conn.Query(ctx, *query)
	if err != nil {
		fail(err)
	}
	var nrows, nbytes int64
	for rows.Next() {
		nrows++
		// RawValues avoids decoding: the client should cost as little as
		// possible so the proxy is what the run stresses.
		for _, v := range rows.RawValues() {
			nbytes += int64(len(v))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		fail(err)
	}
	fmt.Printf("rows=%d bytes=%d seconds=%.2f\n", nrows, nbytes, time.Since(start).Seconds())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bigread:", err)
	os.Exit(1)
}
