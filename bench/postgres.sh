# PostgreSQL part of bench/run.sh, sourced by it: pgbench against
# PostgreSQL directly, pgbouncer, the relay and bulwark. It relies on the
# helpers and settings run.sh defines and leaves its results in PG_RESULTS,
# MEMORY_TSV and, through postgres_report, GOALS.

# ---------------------------------------------------------------------------
# PostgreSQL.

free_port
PG_PORT=$PORT
export PGUSER=postgres PGDATABASE=postgres PGCONNECT_TIMEOUT=5
unset PGHOST PGHOSTADDR PGPORT PGSERVICE PGOPTIONS PGPASSWORD

log "initdb (PostgreSQL on 127.0.0.1:$PG_PORT)"
"${AS_PG[@]}" "$PGBIN/initdb" -D "$PGDATA_DIR" -A trust -U postgres -E UTF8 --no-instructions >"$TMP/initdb.log" 2>&1 ||
	{ cat "$TMP/initdb.log" >&2; die "initdb failed"; }
# Durability is off: the benchmark measures what a proxy adds per statement,
# and waiting on disk flushes would only bury that under storage noise.
cat >>"$PGDATA_DIR/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$TMP'
shared_buffers = 256MB
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 8GB
checkpoint_timeout = 30min
EOF
"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$TMP/postgres.log" -w -t 60 start >/dev/null ||
	{ cat "$TMP/postgres.log" >&2; die "postgres did not start"; }
PG_PID=$(head -n 1 "$PGDATA_DIR/postmaster.pid")
PG_VERSION=$("$PSQL" -X -qAt -h 127.0.0.1 -p "$PG_PORT" -c 'SHOW server_version')

log "pgbench -i -s $SCALE"
"$PGBIN/pgbench" -i -q -s "$SCALE" -h 127.0.0.1 -p "$PG_PORT" >"$TMP/pgbench-init.log" 2>&1 ||
	{ cat "$TMP/pgbench-init.log" >&2; die "pgbench -i failed"; }

# ---------------------------------------------------------------------------
# Proxies.

wait_ready() { # name port pid logfile
	local i
	for i in $(seq 100); do
		if "$PSQL" -X -qAt -h 127.0.0.1 -p "$2" -c 'SELECT 1' >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$3" 2>/dev/null || break
		sleep 0.1
	done
	tail -n 30 "$4" >&2 || true
	die "$1 on port $2 did not become ready"
}

start_pgbouncer() {
	free_port
	PGB_PORT=$PORT
	cat >"$TMP/userlist.txt" <<EOF
"postgres" ""
EOF
	# Session pooling gives each client its own server connection for the
	# whole session, the same shape as the other targets; the pool is sized
	# so no client ever waits for one.
	cat >"$TMP/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
unix_socket_dir =
auth_type = trust
auth_file = $TMP/userlist.txt
pool_mode = session
max_client_conn = 300
default_pool_size = 80
max_db_connections = 0
ignore_startup_parameters = extra_float_digits
log_connections = 0
log_disconnections = 0
EOF
	spawn "$TMP/pgbouncer.log" "${AS_PG[@]}" "$PGBOUNCER" "$TMP/pgbouncer.ini"
	PGB_PID=$LAST_PID
	wait_ready pgbouncer "$PGB_PORT" "$PGB_PID" "$TMP/pgbouncer.log"
}

start_relay() { # port logfile; sets LAST_PID
	spawn "$2" "$TMP/relay" -listen "127.0.0.1:$1" -upstream "127.0.0.1:$PG_PORT"
	wait_ready relay "$1" "$LAST_PID" "$2"
}

start_floor() { # port logfile; sets LAST_PID
	spawn "$2" "$TMP/floor" -dialect postgres -audit "$TMP/floor-$1.db" -listen "127.0.0.1:$1" -upstream "127.0.0.1:$PG_PORT"
	wait_ready floor "$1" "$LAST_PID" "$2"
}

start_bulwark() { # port logfile [binary]; sets LAST_PID
	if [[ $STANDIN == relay ]]; then
		start_relay "$@"
		return
	fi
	local cfg=$TMP/bulwark-$1.yaml
	# No identity rules: every session is an agent, the path where every
	# statement is parsed and judged.
	cat >"$cfg" <<EOF
listen:
  postgres: 127.0.0.1:$1
upstream:
  postgres:
    address: 127.0.0.1:$PG_PORT
identity:
  default: agent
audit:
  path: $TMP/audit-$1.db
log:
  level: warn
EOF
	spawn "$2" "${3:-$BULWARK_BIN}" serve -c "$cfg"
	wait_ready bulwark "$1" "$LAST_PID" "$2"
}

log "starting pgbouncer, relay and bulwark"
start_pgbouncer
free_port
RELAY_PORT=$PORT
start_relay "$RELAY_PORT" "$TMP/relay.log"
RELAY_PID=$LAST_PID
free_port
BULWARK_PORT=$PORT
start_bulwark "$BULWARK_PORT" "$TMP/bulwark.log"
BULWARK_PID=$LAST_PID
BASELINE_PID=""
if [[ -n $BASELINE_BIN ]]; then
	free_port
	BASELINE_PORT=$PORT
	start_bulwark "$BASELINE_PORT" "$TMP/baseline.log" "$BASELINE_BIN"
	BASELINE_PID=$LAST_PID
fi

target_port() {
	case $1 in
	direct) echo "$PG_PORT" ;;
	pgbouncer) echo "$PGB_PORT" ;;
	relay) echo "$RELAY_PORT" ;;
	bulwark) echo "$BULWARK_PORT" ;;
	baseline) echo "$BASELINE_PORT" ;;
	esac
}
target_pid() {
	case $1 in
	direct) echo "" ;;
	pgbouncer) echo "$PGB_PID" ;;
	relay) echo "$RELAY_PID" ;;
	bulwark) echo "$BULWARK_PID" ;;
	baseline) echo "$BASELINE_PID" ;;
	esac
}

# ---------------------------------------------------------------------------
# Throughput: every cell runs all four targets back to back, and the whole
# round repeats, so drift (caches, autovacuum, thermal) hits all alike.

PG_RESULTS=$TMP/results.tsv
: >"$PG_RESULTS"

# CPU ticks of PostgreSQL: the postmaster, its live children, and the
# children it has reaped (cutime+cstime), so a backend that exits between two
# samples is still counted once.
postgres_ticks() {
	local total=0 f s ppid
	local -a fields
	for f in /proc/[0-9]*/stat; do
		{ read -r s <"$f"; } 2>/dev/null || continue # the process may be gone
		s=${s##*) }
		read -r -a fields <<<"$s"
		ppid=${fields[1]}
		if [[ $ppid == "$PG_PID" ]]; then
			total=$((total + fields[11] + fields[12]))
		elif [[ ${f#/proc/} == "$PG_PID/stat" ]]; then
			total=$((total + fields[11] + fields[12] + fields[13] + fields[14]))
		fi
	done
	echo "$total"
}

proxies_ticks() {
	local t=0 p
	for p in "$PGB_PID" "$RELAY_PID" "$BULWARK_PID"; do
		t=$((t + $(cpu_ticks "$p")))
	done
	echo "$t"
}

# A run's backends exit after pgbench does. Until the postmaster has reaped
# them, a walk of /proc can miss one (the postmaster read before the reaping,
# the backend gone by its turn), which shows up as load from elsewhere; so
# the final sample waits for their number to fall back to what it was (at
# most 1 s: pgbouncer keeps its server connections).
wait_reaped() { # children of the postmaster before the run
	local i
	for i in {1..50}; do
		(($(pgrep -c -P "$PG_PID" || true) <= $1)) && return 0
		sleep 0.02
	done
}

run_pgbench() { # target workload clients seconds round; sets RUN_LINE
	local target=$1 wl=$2 c=$3 secs=$4 round=$5
	local port pid jobs out before after rc
	port=$(target_port "$target")
	pid=$(target_pid "$target")
	jobs=$((c < 2 ? c : 2))
	out=$TMP/pgbench-$target-$wl-$c-$round.log
	before=0 after=0
	local busy0 pg0 px0 t0 busy1 pg1 px1 t1 children
	children=$(pgrep -c -P "$PG_PID" || true)
	busy0=$(machine_busy_ticks)
	pg0=$(postgres_ticks)
	px0=$(proxies_ticks)
	if [[ -n $pid ]]; then before=$(cpu_ticks "$pid"); fi
	t0=$EPOCHREALTIME
	rc=0
	# The time keyword gives pgbench's own user+system seconds, needed to
	# tell the benchmark's CPU use from other load on the machine.
	local TIMEFORMAT='%U %S'
	# shellcheck disable=SC2046
	{ time "${LOAD_PREFIX[@]}" "$PGBIN/pgbench" -n $(workload_args "$wl") -c "$c" -j "$jobs" -T "$secs" \
		-h 127.0.0.1 -p "$port" >"$out" 2>&1; } 2>"$out.time" || rc=$?
	wait_reaped "$children"
	t1=$EPOCHREALTIME
	if [[ -n $pid ]]; then after=$(cpu_ticks "$pid"); fi
	px1=$(proxies_ticks)
	pg1=$(postgres_ticks)
	busy1=$(machine_busy_ticks)
	# Share of one core used by processes that are not part of the benchmark
	# (other builds and tests on a shared machine): the main source of noise.
	local other
	other=$(awk -v b=$((busy1 - busy0)) -v pg=$((pg1 - pg0)) -v px=$((px1 - px0)) -v hz="$CLK_TCK" \
		-v t0="$t0" -v t1="$t1" '{ own = pg + px + ($1 + $2) * hz; v = (b - own) / ((t1 - t0) * hz) * 100; if (v < 0) v = 0; printf "%.0f", v }' "$out.time")
	local tps lat txns cpu
	tps=$(awk '/^tps = /{print $3; exit}' "$out")
	lat=$(awk '/^latency average = /{print $4; exit}' "$out")
	txns=$(awk -F': *' '/number of transactions actually processed/{split($2, a, "/"); print a[1]; exit}' "$out")
	if [[ $rc != 0 || -z $tps || -z $lat || -z $txns || $txns == 0 ]]; then
		log "FAILED: $target $wl c=$c round $round (pgbench exit $rc):"
		tail -n 5 "$out" >&2
		RUN_LINE="FAILED"
		printf '%s\t%s\t%s\t%s\tNA\tNA\tNA\tNA\t%s\n' "$wl" "$c" "$target" "$round" "$other" >>"$PG_RESULTS"
		return
	fi
	if [[ -n $pid ]]; then
		cpu=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$txns" 'BEGIN{printf "%.3f", t / hz * 1e6 / n}')
	else
		cpu=-
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$wl" "$c" "$target" "$round" "$tps" "$lat" "$txns" "$cpu" "$other" >>"$PG_RESULTS"
	RUN_LINE="tps=$tps lat=${lat}ms proxy_cpu_us/txn=$cpu other_load=${other}%"
}

MAX_CLIENTS=$(tr ' ' '\n' <<<"$CLIENTS" | sort -n | tail -n 1)
log "warm-up: 2 s per target at $MAX_CLIENTS clients (fills caches and pgbouncer's pool)"
for t in $TARGETS; do
	"$PGBIN/pgbench" -n -S -c "$MAX_CLIENTS" -j $((MAX_CLIENTS < 2 ? MAX_CLIENTS : 2)) -T 2 \
		-h 127.0.0.1 -p "$(target_port "$t")" >"$TMP/warmup-$t.log" 2>&1 ||
		{ tail -n 5 "$TMP/warmup-$t.log" >&2; die "warm-up through $t failed"; }
done

n_cells=$(($(wc -w <<<"$WORKLOADS") * $(wc -w <<<"$CLIENTS")))
total=$((n_cells * ROUNDS * $(wc -w <<<"$TARGETS")))
log "throughput: $total runs of $SECONDS_PER_RUN s (~$((total * (SECONDS_PER_RUN + 1) / 60 + 1)) min)"
# 1-client cells are pinned to one core (see PINNED in run.sh).
pin_everything() { # cpu list
	local p
	for p in "$PG_PID" $(pgrep -P "$PG_PID" || true) "$PGB_PID" "$RELAY_PID" "$BULWARK_PID" $BASELINE_PID; do
		taskset -a -p -c "$1" "$p" >/dev/null 2>&1 || true # a child may be gone
	done
}

run_interleaved postgres "$total" "$WORKLOADS" "$CLIENTS" "$TARGETS" run_pgbench pin_everything
PG_FAILED_RUNS=$(awk -F'\t' '$5 == "NA"' "$PG_RESULTS" | wc -l)

# ---------------------------------------------------------------------------
# Memory: stream about 1 GiB through each proxy. A proxy that passes rows on
# as they come stays flat; one that buffers a result grows with it. Each read
# gets a fresh process, because VmHWM is a lifetime peak (measure_read in
# run.sh).

if [[ -n $BASELINE_PID ]]; then stop_pid "$BASELINE_PID"; fi
if [[ $MEMORY == 1 ]]; then
	stop_pid "$RELAY_PID"
	stop_pid "$BULWARK_PID"
	log "memory: creating table big ($BIG_ROWS rows of ~1 kB)"
	"$PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" >/dev/null <<EOF
CREATE UNLOGGED TABLE big AS SELECT g, repeat('x', 1000) AS pad FROM generate_series(1, $BIG_ROWS) g;
VACUUM ANALYZE big;
EOF
	# Read once directly so the table is in the OS cache for every proxy.
	"$PSQL" -X -h 127.0.0.1 -p "$PG_PORT" -c 'COPY (SELECT * FROM big) TO STDOUT' >/dev/null

	read_big() { # kind port -> "bytes seconds" on stdout
		local start end bytes
		start=$(date +%s.%N)
		case $1 in
		copy)
			bytes=$("$PSQL" -X -h 127.0.0.1 -p "$2" -c 'COPY (SELECT * FROM big) TO STDOUT' | wc -c)
			;;
		select-simple | select-extended)
			bytes=$("$TMP/bigread" -mode "${1#select-}" -dsn "host=127.0.0.1 port=$2 user=postgres dbname=postgres" |
				sed -n 's/.*bytes=\([0-9]*\).*/\1/p')
			;;
		esac
		end=$(date +%s.%N)
		[[ -n $bytes && $bytes -gt 0 ]] || return 1
		echo "$bytes $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b - a}')"
	}

	mem_targets="relay floor${BULWARK_PG_BIN:+ bulwark-postgres} bulwark"
	for kind in copy select-simple select-extended; do
		for t in $mem_targets; do
			free_port
			port=$PORT
			case $t in
			relay) start_relay "$port" "$TMP/relay-mem.log" ;;
			floor) start_floor "$port" "$TMP/floor-mem.log" ;;
			bulwark-postgres) start_bulwark "$port" "$TMP/bulwark-mem.log" "$BULWARK_PG_BIN" ;;
			bulwark) start_bulwark "$port" "$TMP/bulwark-mem.log" ;;
			esac
			pid=$LAST_PID
			measure_read postgres "$kind" "$t" "$pid" read_big "$kind" "$port"
			stop_pid "$pid"
		done
	done
fi

# Whatever follows (the MySQL part) should not share the machine with an idle
# cluster's background work or with proxies nobody uses any more.
for p in "$PGB_PID" "$RELAY_PID" "$BULWARK_PID"; do stop_pid "$p"; done
"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast stop >/dev/null 2>&1 || true

# ---------------------------------------------------------------------------
# Report section.

postgres_report() {
	echo "PostgreSQL $PG_VERSION on 127.0.0.1 (fsync, synchronous_commit and full_page_writes off: proxy cost, not disk, is measured)"
	echo "$($PGBOUNCER --version | head -n 1) in session pooling mode"
	echo "pgbench scale $SCALE, $SECONDS_PER_RUN s per run, -j min(clients,2), $ROUNDS interleaved rounds; medians shown"
	other_load_line "$PG_RESULTS"
	if [[ $PG_FAILED_RUNS != 0 ]]; then echo "WARNING: $PG_FAILED_RUNS pgbench runs failed (shown as NA; see stderr)"; fi
	echo
	awk -F'\t' -v workloads="$WORKLOADS" -v clients="$CLIENTS" -v rounds="$ROUNDS" -v baseline="$BASELINE_BIN" "$REPORT_AWK"'
	{ record() }
	END {
		nw = split(workloads, W, " "); nc = split(clients, C, " ")
		for (i = 1; i <= nw; i++) for (j = 1; j <= nc; j++) {
			w = W[i]; c = C[j]
			split("direct pgbouncer relay bulwark", T, " ")
			for (x = 1; x <= 4; x++) {
				k = w SUBSEP c SUBSEP T[x]
				mt[k] = median(tps[k]); ml[k] = median(lat[k]); mc[k] = median(cpu[k])
			}
			pair(w, c)
		}

		print "== Throughput: pgbench TPS, proxies as a fraction of direct =="
		printf "%-16s %7s %11s %10s %8s %8s %14s %s\n", "workload", "clients", "direct tps", "pgbouncer", "relay", "bulwark", "bulwark/relay", "per-round"
		for (i = 1; i <= nw; i++) for (j = 1; j <= nc; j++) {
			w = W[i]; c = C[j]; d = mt[w, c, "direct"]
			printf "%-16s %7s %11s %10s %8s %8s %14s %s\n", w, c, f1(d),
				fx(ratio(mt[w, c, "pgbouncer"], d)), fx(ratio(mt[w, c, "relay"], d)),
				fx(ratio(mt[w, c, "bulwark"], d)), fx(pr[w, c]), spread[w, c]
		}

		print ""
		print "== Proxy CPU per transaction: user+system microseconds of the proxy process =="
		printf "%-16s %7s %10s %8s %8s %14s\n", "workload", "clients", "pgbouncer", "relay", "bulwark", "bulwark-relay"
		for (i = 1; i <= nw; i++) for (j = 1; j <= nc; j++) {
			w = W[i]; c = C[j]; r = mc[w, c, "relay"]; b = mc[w, c, "bulwark"]
			printf "%-16s %7s %10s %8s %8s %14s\n", w, c, f1(mc[w, c, "pgbouncer"]), f1(r), f1(b),
				sd(pd[w, c])
		}

		print ""
		print "== Latency at 1 client: pgbench latency average (ms), added = target - direct =="
		printf "%-16s %9s %11s %8s %10s %14s\n", "workload", "direct", "pgbouncer+", "relay+", "bulwark+", "bulwark-relay"
		one = 0
		for (j = 1; j <= nc; j++) if (C[j] == 1) one = 1
		if (!one) print "(no 1-client cells in this run)"
		for (i = 1; i <= nw && one; i++) {
			w = W[i]; d = ml[w, 1, "direct"]
			p = ml[w, 1, "pgbouncer"]; r = ml[w, 1, "relay"]; b = ml[w, 1, "bulwark"]
			printf "%-16s %9s %11s %8s %10s %14s\n", w, d == "NA" ? "NA" : sprintf("%.3f", d),
				(p == "NA" || d == "NA") ? "NA" : ms(p - d), (r == "NA" || d == "NA") ? "NA" : ms(r - d),
				(b == "NA" || d == "NA") ? "NA" : ms(b - d), (b == "NA" || r == "NA") ? "NA" : ms(b - r)
		}

		if (baseline != "") baseline_table(nw, W, nc, C, 16, "clients")

		# Goals, one line each, read by the shell for the summary.
		for (i = 1; i <= nw; i++) for (j = 1; j <= nc; j++) {
			w = W[i]; c = C[j]
			if (w ~ /^select-/) {
				need = (w == "select-simple") ? 0.90 : 0.95
				v = pr[w, c]
				printf "GOAL\t%s\tpostgres %-16s c=%-3s bulwark/relay TPS %s >= %.2fx\n", (v != "NA" && v >= need) ? "PASS" : "FAIL", w, c, v == "NA" ? "NA" : sprintf("%.3fx", v), need
			}
			v = pd[w, c]
			printf "GOAL\t%s\tpostgres %-16s c=%-3s bulwark CPU %s us/txn over the relay <= +10\n", (v != "NA" && v <= 10) ? "PASS" : "FAIL", w, c, sd(v)
		}
	}' "$PG_RESULTS" >"$TMP/tables.txt"
	grep -v '^GOAL' "$TMP/tables.txt"
	grep '^GOAL' "$TMP/tables.txt" >>"$GOALS" || true
}
