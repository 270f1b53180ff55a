# MySQL part of bench/run.sh, sourced by it: sysbench against MariaDB
# directly, through the relay and through bulwark. It relies on the helpers
# and settings run.sh defines and leaves its results in MY_RESULTS,
# MEMORY_TSV and, through mysql_report, GOALS.

# ---------------------------------------------------------------------------
# MariaDB.

MY_USER=sbtest
MY_PASSWORD=bench-$RANDOM$RANDOM
MY_SOCK=$MYSQL_DIR/mysqld.sock
free_port
MY_PORT=$PORT

# mariadbd refuses to run as root unless told to; the datadir is created and
# owned by whoever runs the benchmark either way.
MY_AS=()
if [[ $(id -u) == 0 ]]; then MY_AS=(--user=root); fi

mkdir -p "$MYSQL_DIR"
log "mariadb-install-db (MariaDB on 127.0.0.1:$MY_PORT)"
mariadb-install-db --no-defaults --datadir="$MYSQL_DIR/data" --auth-root-authentication-method=normal \
	"${MY_AS[@]}" >"$MYSQL_DIR/install.log" 2>&1 ||
	{ tail -n 30 "$MYSQL_DIR/install.log" >&2; die "mariadb-install-db failed"; }
# As for PostgreSQL, durability is off (no binary log, no flush per commit):
# the benchmark measures what a proxy adds, not the disk. The buffer pool
# holds the sysbench tables whole. skip-name-resolve keeps reverse DNS out of
# every connection and makes 127.0.0.1 match 'sbtest'@'%', not an anonymous
# ''@'localhost'.
spawn "$MYSQL_DIR/error.log" mariadbd --no-defaults --datadir="$MYSQL_DIR/data" --port="$MY_PORT" --socket="$MY_SOCK" \
	--bind-address=127.0.0.1 "${MY_AS[@]}" --pid-file="$MYSQL_DIR/mariadbd.pid" \
	--log-error="$MYSQL_DIR/error.log" --skip-log-bin --skip-name-resolve \
	--innodb-flush-log-at-trx-commit=0 --innodb-buffer-pool-size=512M --max-connections=300
MY_PID=$LAST_PID

mysql_root() { mariadb --no-defaults -u root -S "$MY_SOCK" "$@"; }
for _ in $(seq 300); do
	mysql_root -e 'SELECT 1' >/dev/null 2>&1 && break
	kill -0 "$MY_PID" 2>/dev/null || break
	sleep 0.1
done
mysql_root -e 'SELECT 1' >/dev/null 2>&1 || { tail -n 30 "$MYSQL_DIR/error.log" >&2; die "mariadbd did not start"; }
MY_VERSION=$(mysql_root -N -B -e 'SELECT VERSION()')

mysql_root <<EOF || die "creating the sbtest database and user failed"
DELETE FROM mysql.global_priv WHERE User = '';
FLUSH PRIVILEGES;
CREATE DATABASE sbtest;
CREATE USER '$MY_USER'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('$MY_PASSWORD');
GRANT ALL PRIVILEGES ON sbtest.* TO '$MY_USER'@'%';
EOF

SYSBENCH_CONN=(--db-driver=mysql --mysql-host=127.0.0.1 --mysql-user="$MY_USER" --mysql-password="$MY_PASSWORD"
	--mysql-db=sbtest --tables=4 --table-size="$MY_TABLE_SIZE")
log "sysbench prepare: 4 tables of $MY_TABLE_SIZE rows"
sysbench oltp_read_only "${SYSBENCH_CONN[@]}" --mysql-port="$MY_PORT" prepare >"$MYSQL_DIR/prepare.log" 2>&1 ||
	{ tail -n 10 "$MYSQL_DIR/prepare.log" >&2; die "sysbench prepare failed"; }

# ---------------------------------------------------------------------------
# Proxies: a relay and a bulwark of their own, so their CPU and memory are
# the MySQL traffic's alone.

my_wait_ready() { # name port pid logfile
	local i
	for i in $(seq 100); do
		if MYSQL_PWD=$MY_PASSWORD mariadb --no-defaults -h 127.0.0.1 -P "$2" -u "$MY_USER" -e 'SELECT 1' >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$3" 2>/dev/null || break
		sleep 0.1
	done
	tail -n 30 "$4" >&2 || true
	die "$1 on port $2 did not become ready"
}

my_start_relay() { # port logfile; sets LAST_PID
	spawn "$2" "$TMP/relay" -listen "127.0.0.1:$1" -upstream "127.0.0.1:$MY_PORT"
	my_wait_ready relay "$1" "$LAST_PID" "$2"
}

my_start_floor() { # port logfile; sets LAST_PID
	spawn "$2" "$TMP/floor" -dialect mysql -audit "$TMP/floor-mysql-$1.db" -listen "127.0.0.1:$1" -upstream "127.0.0.1:$MY_PORT"
	my_wait_ready floor "$1" "$LAST_PID" "$2"
}

my_start_bulwark() { # port logfile [binary]; sets LAST_PID
	if [[ $STANDIN == relay ]]; then
		my_start_relay "$@"
		return
	fi
	local cfg=$TMP/bulwark-mysql-$1.yaml
	# No identity rules: every session is an agent, the path where every
	# statement is parsed and judged.
	cat >"$cfg" <<EOF
listen:
  mysql: 127.0.0.1:$1
upstream:
  mysql:
    address: 127.0.0.1:$MY_PORT
identity:
  default: agent
audit:
  path: $TMP/audit-mysql-$1.db
log:
  level: warn
EOF
	spawn "$2" "${3:-$BULWARK_BIN}" serve -c "$cfg"
	my_wait_ready bulwark "$1" "$LAST_PID" "$2"
}

log "starting relay and bulwark in front of MariaDB"
free_port
MY_RELAY_PORT=$PORT
my_start_relay "$MY_RELAY_PORT" "$TMP/relay-mysql.log"
MY_RELAY_PID=$LAST_PID
free_port
MY_BULWARK_PORT=$PORT
my_start_bulwark "$MY_BULWARK_PORT" "$TMP/bulwark-mysql.log"
MY_BULWARK_PID=$LAST_PID
MY_BASELINE_PID=""
if [[ -n $BASELINE_BIN ]]; then
	free_port
	MY_BASELINE_PORT=$PORT
	my_start_bulwark "$MY_BASELINE_PORT" "$TMP/baseline-mysql.log" "$BASELINE_BIN"
	MY_BASELINE_PID=$LAST_PID
fi

my_target_port() {
	case $1 in
	direct) echo "$MY_PORT" ;;
	relay) echo "$MY_RELAY_PORT" ;;
	bulwark) echo "$MY_BULWARK_PORT" ;;
	baseline) echo "$MY_BASELINE_PORT" ;;
	esac
}
my_target_pid() {
	case $1 in
	direct) echo "" ;;
	relay) echo "$MY_RELAY_PID" ;;
	bulwark) echo "$MY_BULWARK_PID" ;;
	baseline) echo "$MY_BASELINE_PID" ;;
	esac
}

# ---------------------------------------------------------------------------
# Throughput: as for PostgreSQL, every cell runs the targets back to back and
# the whole round repeats.

MY_RESULTS=$TMP/results-mysql.tsv
: >"$MY_RESULTS"

my_proxies_ticks() {
	local p sum=0
	for p in "$MY_RELAY_PID" "$MY_BULWARK_PID" $MY_BASELINE_PID; do sum=$((sum + $(cpu_ticks "$p"))); done
	echo "$sum"
}

# Columns as for PostgreSQL, plus queries per transaction (10th), so the
# per-transaction CPU can be read per statement too.
run_sysbench() { # target workload threads seconds round; sets RUN_LINE
	local target=$1 wl=$2 c=$3 secs=$4 round=$5
	local port pid out before=0 after=0 rc=0
	port=$(my_target_port "$target")
	pid=$(my_target_pid "$target")
	out=$TMP/sysbench-$target-$wl-$c-$round.log
	local busy0 my0 px0 t0 busy1 my1 px1 t1
	busy0=$(machine_busy_ticks)
	my0=$(cpu_ticks "$MY_PID")
	px0=$(my_proxies_ticks)
	if [[ -n $pid ]]; then before=$(cpu_ticks "$pid"); fi
	t0=$EPOCHREALTIME
	local TIMEFORMAT='%U %S'
	# shellcheck disable=SC2046
	{ time "${LOAD_PREFIX[@]}" sysbench $(mysql_workload_args "$wl") "${SYSBENCH_CONN[@]}" --mysql-port="$port" \
		--threads="$c" --time="$secs" --report-interval=0 run >"$out" 2>&1; } 2>"$out.time" || rc=$?
	t1=$EPOCHREALTIME
	if [[ -n $pid ]]; then after=$(cpu_ticks "$pid"); fi
	px1=$(my_proxies_ticks)
	my1=$(cpu_ticks "$MY_PID")
	busy1=$(machine_busy_ticks)
	local other
	other=$(awk -v b=$((busy1 - busy0)) -v db=$((my1 - my0)) -v px=$((px1 - px0)) -v hz="$CLK_TCK" \
		-v t0="$t0" -v t1="$t1" '{ own = db + px + ($1 + $2) * hz; v = (b - own) / ((t1 - t0) * hz) * 100; if (v < 0) v = 0; printf "%.0f", v }' "$out.time")
	# "transactions:  2063   (686.90 per sec.)", "queries: ...", and the
	# "avg:" line of the latency block (ms).
	local tps lat txns queries cpu qpt
	txns=$(awk '$1 == "transactions:" {print $2; exit}' "$out")
	tps=$(awk '$1 == "transactions:" {sub(/^\(/, "", $3); print $3; exit}' "$out")
	queries=$(awk '$1 == "queries:" {print $2; exit}' "$out")
	lat=$(awk '$1 == "avg:" {print $2; exit}' "$out")
	if [[ $rc != 0 || -z $tps || -z $lat || -z $txns || $txns == 0 ]]; then
		log "FAILED: $target $wl threads=$c round $round (sysbench exit $rc):"
		tail -n 5 "$out" >&2
		RUN_LINE="FAILED"
		printf '%s\t%s\t%s\t%s\tNA\tNA\tNA\tNA\t%s\tNA\n' "$wl" "$c" "$target" "$round" "$other" >>"$MY_RESULTS"
		return
	fi
	qpt=$(awk -v q="$queries" -v n="$txns" 'BEGIN{printf "%.1f", q / n}')
	if [[ -n $pid ]]; then
		cpu=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$txns" 'BEGIN{printf "%.3f", t / hz * 1e6 / n}')
	else
		cpu=-
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$wl" "$c" "$target" "$round" "$tps" "$lat" "$txns" "$cpu" "$other" "$qpt" >>"$MY_RESULTS"
	RUN_LINE="tps=$tps lat=${lat}ms proxy_cpu_us/txn=$cpu queries/txn=$qpt other_load=${other}%"
}

my_pin_everything() { # cpu list
	local p
	for p in "$MY_PID" "$MY_RELAY_PID" "$MY_BULWARK_PID" $MY_BASELINE_PID; do
		taskset -a -p -c "$1" "$p" >/dev/null 2>&1 || true
	done
}

MY_MAX_THREADS=$(tr ' ' '\n' <<<"$MY_THREADS" | sort -n | tail -n 1)
log "warm-up: 2 s of oltp_read_only per target at $MY_MAX_THREADS threads"
for t in $MY_TARGETS; do
	sysbench oltp_read_only "${SYSBENCH_CONN[@]}" --mysql-port="$(my_target_port "$t")" --threads="$MY_MAX_THREADS" \
		--time=2 --report-interval=0 run >"$TMP/warmup-mysql-$t.log" 2>&1 ||
		{ tail -n 5 "$TMP/warmup-mysql-$t.log" >&2; die "warm-up through $t failed"; }
done

n_cells=$(($(wc -w <<<"$MY_WORKLOADS") * $(wc -w <<<"$MY_THREADS")))
n_targets=$(wc -w <<<"$MY_TARGETS")
total=$((n_cells * ROUNDS * n_targets))
log "mysql throughput: $total runs of $SECONDS_PER_RUN s (~$((total * (SECONDS_PER_RUN + 1) / 60 + 1)) min)"
run_interleaved mysql "$total" "$MY_WORKLOADS" "$MY_THREADS" "$MY_TARGETS" run_sysbench my_pin_everything
MY_FAILED_RUNS=$(awk -F'\t' '$5 == "NA"' "$MY_RESULTS" | wc -l)

# ---------------------------------------------------------------------------
# Memory: the same ~1 GiB read as for PostgreSQL, through fresh processes.

if [[ $MEMORY == 1 ]]; then
	if [[ -n $MY_BASELINE_PID ]]; then stop_pid "$MY_BASELINE_PID"; fi
	stop_pid "$MY_RELAY_PID"
	stop_pid "$MY_BULWARK_PID"
	log "memory: creating table big ($BIG_ROWS rows of ~1 kB)"
	# MyISAM reads go through the OS page cache, as PostgreSQL's do, so after
	# one warm read every proxy gets the table from memory; InnoDB would read
	# it with O_DIRECT through a buffer pool smaller than the table.
	mysql_root sbtest -e "CREATE TABLE big ENGINE=MyISAM AS SELECT seq AS g, REPEAT('x', 1000) AS pad FROM seq_1_to_$BIG_ROWS" ||
		die "creating table big failed"

	# --quick prints each row as it arrives instead of buffering the result
	# in the client (mysql_use_result), so only the proxy could pile it up.
	my_read_big() { # port -> "bytes seconds" on stdout
		local start end bytes
		start=$(date +%s.%N)
		bytes=$(MYSQL_PWD=$MY_PASSWORD mariadb --no-defaults --quick -N -B -h 127.0.0.1 -P "$1" -u "$MY_USER" sbtest \
			-e 'SELECT * FROM big' | wc -c)
		end=$(date +%s.%N)
		[[ -n $bytes && $bytes -gt 0 ]] || return 1
		echo "$bytes $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b - a}')"
	}
	my_read_big "$MY_PORT" >/dev/null

	for t in relay floor${BULWARK_MY_BIN:+ bulwark-mysql} bulwark; do
		free_port
		port=$PORT
		case $t in
		relay) my_start_relay "$port" "$TMP/relay-mysql-mem.log" ;;
		floor) my_start_floor "$port" "$TMP/floor-mysql-mem.log" ;;
		bulwark-mysql) my_start_bulwark "$port" "$TMP/bulwark-mysql-mem.log" "$BULWARK_MY_BIN" ;;
		bulwark) my_start_bulwark "$port" "$TMP/bulwark-mysql-mem.log" ;;
		esac
		pid=$LAST_PID
		measure_read mysql select "$t" "$pid" my_read_big "$port"
		stop_pid "$pid"
	done
fi
for p in "$MY_RELAY_PID" "$MY_BULWARK_PID" $MY_BASELINE_PID; do stop_pid "$p"; done

# ---------------------------------------------------------------------------
# Report section.

mysql_report() {
	echo "MariaDB $MY_VERSION on 127.0.0.1 (no binary log, innodb_flush_log_at_trx_commit=0: proxy cost, not disk, is measured)"
	echo "sysbench $(sysbench --version | awk '{print $2}'), 4 tables of $MY_TABLE_SIZE rows, $SECONDS_PER_RUN s per run, $ROUNDS interleaved rounds; medians shown"
	echo "workloads: ro = oltp_read_only, rw = oltp_read_write; prepared = --db-ps-mode=auto (server-side prepared"
	echo "statements: COM_STMT_EXECUTE), text = --db-ps-mode=disable (every statement a COM_QUERY)"
	other_load_line "$MY_RESULTS"
	if [[ $MY_FAILED_RUNS != 0 ]]; then echo "WARNING: $MY_FAILED_RUNS sysbench runs failed (shown as NA; see stderr)"; fi
	echo
	awk -F'\t' -v workloads="$MY_WORKLOADS" -v clients="$MY_THREADS" -v rounds="$ROUNDS" -v baseline="$BASELINE_BIN" "$REPORT_AWK"'
	{ record(); if ($5 != "NA") qpt[$1, $2] = $10 }
	END {
		nw = split(workloads, W, " "); nc = split(clients, C, " ")
		nt = split("direct relay bulwark", T, " ")
		for (i = 1; i <= nw; i++) for (j = 1; j <= nc; j++) {
			w = W[i]; c = C[j]
			for (x = 1; x <= nt; x++) {
				k = w SUBSEP c SUBSEP T[x]
				mt[k] = median(tps[k]); ml[k] = median(lat[k]); mc[k] = median(cpu[k])
			}
			pair(w, c)
		}

		print "== Throughput: sysbench transactions/s, proxies as a fraction of direct =="
		printf "%-12s %7s %11s %8s %8s %14s %s\n", "workload", "threads", "direct tps", "relay", "bulwark", "bulwark/relay", "per-round"
		for (i = 1; i <= nw; i++) for (j = 1; j <= nc; j++) {
			w = W[i]; c = C[j]; d = mt[w, c, "direct"]
			printf "%-12s %7s %11s %8s %8s %14s %s\n", w, c, f1(d),
				fx(ratio(mt[w, c, "relay"], d)), fx(ratio(mt[w, c, "bulwark"], d)),
				fx(pr[w, c]), spread[w, c]
		}

		print ""
		print "== Proxy CPU per transaction: user+system microseconds of the proxy process =="
		printf "%-12s %7s %8s %8s %14s %11s %15s\n", "workload", "threads", "relay", "bulwark", "bulwark-relay", "queries/txn", "per query"
		for (i = 1; i <= nw; i++) for (j = 1; j <= nc; j++) {
			w = W[i]; c = C[j]; r = mc[w, c, "relay"]; b = mc[w, c, "bulwark"]; q = ((w, c) in qpt) ? qpt[w, c] : "NA"; v = pd[w, c]
			printf "%-12s %7s %8s %8s %14s %11s %15s\n", w, c, f1(r), f1(b), sd(v), q,
				(v == "NA" || q == "NA" || q == 0) ? "NA" : sprintf("%+.2f", v / q)
		}

		print ""
		print "== Latency at 1 thread: sysbench latency avg (ms), added = target - direct =="
		printf "%-12s %9s %8s %10s %14s\n", "workload", "direct", "relay+", "bulwark+", "bulwark-relay"
		one = 0
		for (j = 1; j <= nc; j++) if (C[j] == 1) one = 1
		if (!one) print "(no 1-thread cells in this run)"
		for (i = 1; i <= nw && one; i++) {
			w = W[i]; d = ml[w, 1, "direct"]; r = ml[w, 1, "relay"]; b = ml[w, 1, "bulwark"]
			printf "%-12s %9s %8s %10s %14s\n", w, d == "NA" ? "NA" : sprintf("%.3f", d),
				(r == "NA" || d == "NA") ? "NA" : ms(r - d), (b == "NA" || d == "NA") ? "NA" : ms(b - d),
				(b == "NA" || r == "NA") ? "NA" : ms(b - r)
		}

		if (baseline != "") baseline_table(nw, W, nc, C, 12, "threads")

		for (i = 1; i <= nw; i++) for (j = 1; j <= nc; j++) {
			w = W[i]; c = C[j]
			v = pr[w, c]
			printf "GOAL\t%s\tmysql %-12s threads=%-3s bulwark/relay TPS %s >= 0.90x\n", (v != "NA" && v >= 0.90) ? "PASS" : "FAIL", w, c, v == "NA" ? "NA" : sprintf("%.3fx", v)
		}
	}' "$MY_RESULTS" >"$TMP/tables-mysql.txt"
	grep -v '^GOAL' "$TMP/tables-mysql.txt"
	grep '^GOAL' "$TMP/tables-mysql.txt" >>"$GOALS" || true
}
