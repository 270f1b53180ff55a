//go:build !bulwark_no_mysql

package snapshot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	gomysql "github.com/go-mysql-org/go-mysql/mysql"
)

// MySQLCatalog implements Catalog on one MySQL or MariaDB server, over one
// connection of its own: it is not safe for concurrent use. The catalog
// covers every database of the server.
type MySQLCatalog struct {
	conn *client.Conn
	run  myRunner
	now  func() time.Time
}

var _ Catalog = (*MySQLCatalog)(nil)

// mysqlConnectTimeout bounds the TCP connect to the server.
const mysqlConnectTimeout = 10 * time.Second

// mysqlCollation is the connection's character set and collation, sent in
// the handshake: utf8mb4, so that every name and statement reads back as
// stored, with a collation MySQL and MariaDB both know.
const mysqlCollation = "utf8mb4_general_ci"

// OpenMySQLCatalog connects to the server a URL names:
// mysql://USER:PASSWORD@HOST:PORT/DATABASE (or mariadb://), port 3306 by
// default, the database optional. The user needs privileges on every
// database snapshots come from and on bulwark_recycle*. Close the catalog
// when done.
func OpenMySQLCatalog(ctx context.Context, rawURL string) (*MySQLCatalog, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	port := u.Port()
	if port == "" {
		port = "3306"
	}
	password, _ := u.User.Password()
	conn, err := client.ConnectWithContext(ctx, net.JoinHostPort(u.Hostname(), port), u.User.Username(), password,
		strings.TrimPrefix(u.Path, "/"), mysqlConnectTimeout, func(c *client.Conn) error { return c.SetCollation(mysqlCollation) })
	var refused *gomysql.MyError
	if errors.As(err, &refused) {
		return nil, refused // the server's own words, without the library's call path
	}
	if err != nil {
		return nil, err
	}
	return &MySQLCatalog{conn: conn, run: clientRunner(conn), now: time.Now}, nil
}

// Close says goodbye to the server (COM_QUIT) and closes the connection.
func (c *MySQLCatalog) Close() error {
	if err := c.conn.Quit(); err != nil {
		_ = c.conn.Close()
		return err
	}
	return nil
}

// clientRunner runs each statement with COM_QUERY on conn. A server error
// comes back as *gomysql.MyError. A context that ends while an answer is
// owed wakes the read and closes the connection, whose state is then
// unknown.
func clientRunner(conn *client.Conn) myRunner {
	return func(ctx context.Context, q string) ([][][]byte, error) {
		stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
		res, err := conn.Execute(q)
		if !stop() {
			_ = conn.Close()
			return nil, ctx.Err()
		}
		if err != nil {
			return nil, err
		}
		defer res.Close()
		return mysqlTextRows(res.Resultset)
	}
}

// mysqlTextRows returns the rows of a text protocol result set as the
// server sent them: each value's text, nil for NULL. (The library's parsed
// values would turn numbers back into text, not always as the server wrote
// them.) The rows are copies: the result set's memory is reused.
func mysqlTextRows(rs *gomysql.Resultset) ([][][]byte, error) {
	if rs == nil {
		return nil, nil
	}
	out := make([][][]byte, len(rs.RowDatas))
	for i, data := range rs.RowDatas {
		row := make([][]byte, len(rs.Fields))
		pos := 0
		for j := range row {
			v, isNull, n, err := gomysql.LengthEncodedString(data[pos:])
			if err != nil {
				return nil, fmt.Errorf("malformed row from the server: %w", err)
			}
			pos += n
			if !isNull {
				row[j] = append([]byte{}, v...)
			}
		}
		out[i] = row
	}
	return out, nil
}
