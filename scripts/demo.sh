#!/usr/bin/env bash
# make demo: a throwaway PostgreSQL, bulwark in front of it, and a short
# scripted agent session. Everything lives in a temporary directory that is
# removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

PGBIN=$(scripts/pg-bin.sh)
WORK=$(mktemp -d /tmp/bulwark-demo.XXXXXX)
RUNAS=()
if [ "$(id -u)" = 0 ]; then
	# initdb and postgres refuse to run as root.
	chown postgres "$WORK"
	RUNAS=(runuser -u postgres --)
fi
cleanup() {
	[ -n "${BULWARK_PID:-}" ] && kill "$BULWARK_PID" 2>/dev/null || true
	"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
	local p=$1
	while (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
	echo "$p"
}
PGPORT=$(free_port 55432)
BWPORT=$(free_port $((PGPORT + 1)))

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
SQL

cat >"$WORK/bulwark.yaml" <<YAML
listen:
  postgres: 127.0.0.1:$BWPORT
upstream:
  postgres:
    address: 127.0.0.1:$PGPORT
identity:
  default: agent
  agents:
    users: ["agent_*"]
  humans:
    users: [alice]
audit:
  path: $WORK/audit.db
log:
  format: text
  level: warn
YAML
say "starting bulwark on 127.0.0.1:$BWPORT"
"$WORK/bulwark" serve -c "$WORK/bulwark.yaml" 2>"$WORK/bulwark.log" &
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

say "the audit log (bulwark audit)"
"$WORK/bulwark" audit --db "$WORK/audit.db"
