#!/usr/bin/env bash
# make demo: a throwaway PostgreSQL and MariaDB, bulwark in front of both,
# and short scripted agent sessions. Everything lives in a temporary
# directory that is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

PGBIN=$(scripts/pg-bin.sh)
if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "installing MariaDB server packages" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server mariadb-client >&2
	else
		echo "no MariaDB server found (install the mariadb-server package)" >&2
		exit 1
	fi
fi
MARIADBD=$(command -v mariadbd || echo /usr/sbin/mariadbd)
WORK=$(mktemp -d /tmp/bulwark-demo.XXXXXX)
RUNAS=()
if [ "$(id -u)" = 0 ]; then
	# initdb and postgres refuse to run as root.
	chown postgres "$WORK"
	RUNAS=(runuser -u postgres --)
fi
cleanup() {
	[ -n "${BULWARK_PID:-}" ] && kill "$BULWARK_PID" 2>/dev/null || true
	[ -n "${MARIADB_PID:-}" ] && kill "$MARIADB_PID" 2>/dev/null && wait "$MARIADB_PID" 2>/dev/null || true
	"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT

# free_port: the first port from $1 up that nothing listens on and no
# recent connection still holds (a client's port in TIME-WAIT makes the
# server's bind fail too).
free_port() {
	local p=$1
	while (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || ss -Htan "sport = :$p" 2>/dev/null | grep -q .; do
		p=$((p + 1))
	done
	echo "$p"
}
PGPORT=$(free_port 55432)
BWPORT=$(free_port $((PGPORT + 1)))
MYPORT=$(free_port $((BWPORT + 1)))
BWMYPORT=$(free_port $((MYPORT + 1)))

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "building bulwark"
go build -o "$WORK/bulwark" ./cmd/bulwark

say "starting a throwaway PostgreSQL on 127.0.0.1:$PGPORT"
"${RUNAS[@]}" "$PGBIN/initdb" -D "$WORK/data" -A trust -U postgres >/dev/null
"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/postgres.log" -w \
	-o "-p $PGPORT -k $WORK -c listen_addresses=127.0.0.1" start >/dev/null
PSQL=(psql -X -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1)
"${PSQL[@]}" <<'SQL'
CREATE ROLE agent_claude LOGIN;
CREATE ROLE alice LOGIN SUPERUSER;
CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text);
INSERT INTO customers SELECT g, 'customer ' || g, 'c' || g || '@example.com' FROM generate_series(1, 1000) g;
GRANT ALL ON customers TO agent_claude;
CREATE ROLE agent_ops LOGIN;
GRANT CREATE ON DATABASE postgres TO agent_ops;
CREATE TABLE invoices (id serial PRIMARY KEY, customer int NOT NULL, amount numeric(10,2) CHECK (amount >= 0));
CREATE INDEX invoices_customer ON invoices (customer);
INSERT INTO invoices (customer, amount) SELECT g % 100, g * 2.5 FROM generate_series(1, 2000) g;
ALTER TABLE invoices OWNER TO agent_ops;
SQL

say "starting a throwaway MariaDB on 127.0.0.1:$MYPORT"
MYUSER=()
[ "$(id -u)" = 0 ] && MYUSER=(--user=root)
mariadb-install-db --no-defaults --datadir="$WORK/mysql" --auth-root-authentication-method=normal \
	--skip-test-db "${MYUSER[@]}" >"$WORK/mariadb-install.log" 2>&1
"$MARIADBD" --no-defaults --datadir="$WORK/mysql" --socket="$WORK/mysqld.sock" --port="$MYPORT" \
	--bind-address=127.0.0.1 --skip-log-bin --innodb-buffer-pool-size=64M \
	--log-error="$WORK/mariadb.log" "${MYUSER[@]}" >/dev/null 2>&1 &
MARIADB_PID=$!
MYSQL=(mariadb --no-defaults -h 127.0.0.1 -P "$MYPORT" -u root)
for _ in $(seq 100); do "${MYSQL[@]}" -e "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
"${MYSQL[@]}" <<'SQL'
CREATE DATABASE shop;
CREATE USER agent_claude@'%' IDENTIFIED BY 'agent-secret';
GRANT ALL ON shop.* TO agent_claude@'%';
CREATE USER alice@'%' IDENTIFIED BY 'alice-secret';
GRANT ALL ON *.* TO alice@'%';
USE shop;
CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10,2));
INSERT INTO orders SELECT seq, seq * 1.5 FROM seq_1_to_500;
SQL

cat >"$WORK/bulwark.yaml" <<YAML
listen:
  postgres: 127.0.0.1:$BWPORT
  mysql: 127.0.0.1:$BWMYPORT
upstream:
  postgres:
    address: 127.0.0.1:$PGPORT
  mysql:
    address: 127.0.0.1:$MYPORT
identity:
  default: agent
  agents:
    users: ["agent_*"]
  humans:
    users: [alice]
policy:
  overrides:
    - users: [agent_ops]   # this agent may drop and empty tables, undoably
      drop: snapshot
      delete: snapshot
routes:
  app:   # the account sessions of bulwark identities with route "app" use
    postgres: {user: agent_ops, password_env: DEMO_APP_PASSWORD, database: postgres}
audit:
  path: $WORK/audit.db
log:
  format: text
  level: warn
YAML
say "starting bulwark on 127.0.0.1:$BWPORT (PostgreSQL) and 127.0.0.1:$BWMYPORT (MySQL)"
DEMO_APP_PASSWORD=unused-with-trust-auth "$WORK/bulwark" serve -c "$WORK/bulwark.yaml" 2>"$WORK/bulwark.log" &
BULWARK_PID=$!
for _ in $(seq 50); do (echo >"/dev/tcp/127.0.0.1/$BWPORT") 2>/dev/null && break; sleep 0.1; done

run() { # run USER SQL: one psql call through bulwark, echoing the statement
	local user=$1 sql=$2
	printf '\n%s=> %s\n' "$user" "$sql"
	psql -X -h 127.0.0.1 -p "$BWPORT" -U "$user" -d postgres -c "$sql" 2>&1 | sed 's/^/   /' || true
}

say "an agent (user agent_claude) works through bulwark"
run agent_claude "SELECT count(*) FROM customers"
run agent_claude "UPDATE customers SET email = NULL WHERE id = 7"
run agent_claude "DROP TABLE customers"
run agent_claude "DELETE FROM customers"
run agent_claude "DELETE FROM customers WHERE 1 = 1"
run agent_claude "SELECT count(*) FROM customers"

say "a human (user alice) runs the same statement through the same bulwark"
run alice "DELETE FROM customers"
run alice "DROP TABLE customers"

say "another agent (agent_ops), whose policy says snapshot: its DROP runs, and can be undone"
run agent_ops "SELECT count(*), sum(amount) FROM invoices"
run agent_ops "DROP TABLE invoices"
run agent_ops "SELECT count(*) FROM invoices"

say "a DBA finds the snapshot and puts the table back (bulwark snapshots)"
export BULWARK_DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres?sslmode=disable"
"$WORK/bulwark" snapshots list
"$WORK/bulwark" snapshots restore 1
run agent_ops "SELECT count(*), sum(amount) FROM invoices"
unset BULWARK_DATABASE_URL

say "an agent identity: a connection string of bulwark's own, no database password in it"
IDENT_OUT=$("$WORK/bulwark" identities add demo-agent --route app -c "$WORK/bulwark.yaml")
echo "$IDENT_OUT" | sed 's/^/   /'
AGENT_URL=$(echo "$IDENT_OUT" | sed -n 's/^  *\(postgres:\/\/[^ ]*\)$/\1/p' | head -1)
sleep 0.5 # a running bulwark picks up new identities within 250 ms
urlrun() { # urlrun SQL: one psql call with the identity's connection string
	printf '\ndemo-agent=> %s\n' "$1"
	psql -X "$AGENT_URL" -c "$1" 2>&1 | sed 's/^/   /' || true
}
urlrun "SELECT current_user AS runs_as_upstream_account, count(*) FROM invoices"
urlrun "TRUNCATE invoices"
"$WORK/bulwark" identities revoke demo-agent -c "$WORK/bulwark.yaml" | sed 's/^/   /'
sleep 0.5
urlrun "SELECT 1"

myrun() { # myrun USER PASSWORD SQL: one mariadb client call through bulwark
	local user=$1 password=$2 sql=$3
	printf '\n%s (mysql)> %s\n' "$user" "$sql"
	mariadb --no-defaults -h 127.0.0.1 -P "$BWMYPORT" -u "$user" -p"$password" shop -e "$sql" 2>&1 | sed 's/^/   /' || true
}

say "the same agent on MariaDB, through bulwark's MySQL listener"
myrun agent_claude agent-secret "SELECT COUNT(*) FROM orders"
myrun agent_claude agent-secret "DELETE FROM orders WHERE 1"
myrun agent_claude agent-secret "/*!50000 DROP TABLE orders */"
myrun agent_claude agent-secret "DELETE FROM orders WHERE id = 3; SELECT COUNT(*) FROM orders"
myrun alice alice-secret "TRUNCATE TABLE orders; SELECT COUNT(*) FROM orders"

say "the audit log (bulwark audit)"
"$WORK/bulwark" audit --db "$WORK/audit.db"
