#!/usr/bin/env bash
# Benchmark: what does putting bulwark between a client and a database cost?
#
# PostgreSQL part (bench/postgres.sh): four targets side by side against one
# throwaway PostgreSQL cluster: PostgreSQL itself (direct), pgbouncer (the
# usual C proxy), a bare Go TCP relay (the floor any Go proxy pays), and
# bulwark with every session identified as an agent, so every statement is
# parsed and judged. MySQL part (bench/mysql.sh): the same against a throwaway
# MariaDB with sysbench, minus pgbouncer. The headline is bulwark against the
# relay: that ratio isolates what bulwark's own work costs, apart from the
# extra hop.
#
# See bench/README.md for the knobs (BENCH_* variables) and how to read the
# report. The report goes to stdout (and to $BENCH_OUT if set); progress and
# diagnostics go to stderr.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PSQL=${PSQL:-$(command -v psql || echo "$PGBIN/psql")}

# Many short rounds rather than a few long ones: from one run to the next,
# where the scheduler happens to put the threads moves a proxy's throughput
# by ~8% at 8 clients whatever the run's length, so the median of 10 runs of
# 3 s is steadier than that of 3 runs of 10 s (bench/README.md, Method).
QUICK=${BENCH_QUICK:-0}
SECONDS_PER_RUN=${BENCH_SECONDS:-3}
if [[ $QUICK == 1 ]]; then
	ROUNDS=${BENCH_ROUNDS:-3}
	CLIENTS=${BENCH_CLIENTS:-"1 8"}
else
	ROUNDS=${BENCH_ROUNDS:-10}
	CLIENTS=${BENCH_CLIENTS:-"1 8 64"}
fi
PART=${BENCH_PART:-both}
SCALE=${BENCH_SCALE:-10}
WORKLOADS=${BENCH_WORKLOADS:-"select-simple select-extended select-prepared tpcb-simple tpcb-prepared"}
MY_THREADS=${BENCH_MYSQL_THREADS:-"1 8"}
MY_WORKLOADS=${BENCH_MYSQL_WORKLOADS:-"ro-prepared ro-text rw-prepared"}
MY_TABLE_SIZE=${BENCH_MYSQL_TABLE_SIZE:-100000}
MEMORY=${BENCH_MEMORY:-1}
BIG_ROWS=${BENCH_BIG_ROWS:-1000000}
STANDIN=${BENCH_BULWARK_STANDIN:-}
BASELINE=${BENCH_BULWARK_BASELINE:-}
STRICT=${BENCH_STRICT:-0}
PIN=${BENCH_PIN:-1}
TARGETS="direct pgbouncer relay bulwark"
MY_TARGETS="direct relay bulwark"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

case $PART in
both) DO_PG=1 DO_MY=1 ;;
postgres) DO_PG=1 DO_MY=0 ;;
mysql) DO_PG=0 DO_MY=1 ;;
*) die "BENCH_PART must be both, postgres or mysql, not '$PART'" ;;
esac

workload_args() {
	case $1 in
	select-simple) echo "-S -M simple" ;;
	select-extended) echo "-S -M extended" ;;
	select-prepared) echo "-S -M prepared" ;;
	tpcb-simple) echo "-M simple" ;;
	tpcb-prepared) echo "-M prepared" ;;
	*) die "unknown workload '$1' in BENCH_WORKLOADS" ;;
	esac
}
# sysbench prepares statements on the server by default (--db-ps-mode=auto),
# so only Execute packets reach the proxy after the first round; the text
# variants send every statement as COM_QUERY, each one parsed and judged.
mysql_workload_args() {
	case $1 in
	ro-prepared) echo "oltp_read_only --db-ps-mode=auto" ;;
	ro-text) echo "oltp_read_only --db-ps-mode=disable" ;;
	rw-prepared) echo "oltp_read_write --db-ps-mode=auto" ;;
	rw-text) echo "oltp_read_write --db-ps-mode=disable" ;;
	*) die "unknown workload '$1' in BENCH_MYSQL_WORKLOADS" ;;
	esac
}
if [[ $DO_PG == 1 ]]; then for w in $WORKLOADS; do workload_args "$w" >/dev/null; done; fi
if [[ $DO_MY == 1 ]]; then for w in $MY_WORKLOADS; do mysql_workload_args "$w" >/dev/null; done; fi
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive integer"

# ---------------------------------------------------------------------------
# Prerequisites.

apt_install() { # package...
	DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >&2 ||
		{ apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >&2; }
}

if [[ $DO_PG == 1 ]]; then
	[[ -x $PGBIN/initdb && -x $PGBIN/pgbench ]] || die "PostgreSQL server binaries not found in $PGBIN (set PGBIN)"
	[[ -x $PSQL ]] || die "psql not found"
	if ! command -v pgbouncer >/dev/null && [[ ! -x /usr/sbin/pgbouncer ]]; then
		if [[ $(id -u) == 0 ]]; then
			log "installing pgbouncer"
			apt_install pgbouncer
			# The package starts a system-wide instance; it is not ours to measure.
			service pgbouncer stop >/dev/null 2>&1 || true
		else
			die "pgbouncer is not installed (apt-get install pgbouncer)"
		fi
	fi
	PGBOUNCER=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
fi
if [[ $DO_MY == 1 ]]; then
	export PATH=$PATH:/usr/sbin # mariadbd lives there, outside a non-root PATH
	if ! command -v mariadbd >/dev/null || ! command -v mariadb-install-db >/dev/null ||
		! command -v mariadb >/dev/null || ! command -v sysbench >/dev/null; then
		if [[ $(id -u) == 0 ]]; then
			log "installing mariadb-server, mariadb-client and sysbench"
			apt_install mariadb-server mariadb-client sysbench
			# The package starts a system-wide server; it is not ours to measure.
			service mariadb stop >/dev/null 2>&1 || true
		else
			die "MariaDB or sysbench is not installed (apt-get install mariadb-server mariadb-client sysbench)"
		fi
	fi
fi
CLK_TCK=$(getconf CLK_TCK)

# initdb, postgres and pgbouncer all refuse to run as root.
AS_PG=()
if [[ $DO_PG == 1 && $(id -u) == 0 ]]; then
	id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user to run the server as"
	# setpriv execs in place (runuser forks), so $! stays the server's pid.
	AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi
TMP=$(mktemp -d /tmp/bulwark-bench.XXXXXX)
chmod 755 "$TMP"
if [[ ${#AS_PG[@]} -gt 0 ]]; then chown postgres: "$TMP"; fi

PIDS=()
# spawn logfile command...: runs command in the background, its output
# appended to logfile; sets LAST_PID and has the process stopped on exit.
spawn() {
	local log=$1
	shift
	"$@" >>"$log" 2>&1 &
	LAST_PID=$!
	PIDS+=("$LAST_PID")
}
PGDATA_DIR=$TMP/data
MYSQL_DIR=$TMP/mariadb
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	if [[ -f $PGDATA_DIR/postmaster.pid ]]; then
		"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m immediate stop >/dev/null 2>&1 || true
	fi
	if [[ ${BENCH_KEEP:-0} == 1 ]]; then
		log "kept $TMP"
	else
		rm -rf "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

forget_pid() {
	local p keep=()
	for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
	PIDS=("${keep[@]}")
}

stop_pid() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	forget_pid "$1"
}

# Ports come from below the kernel's ephemeral range, so a client socket's
# local port (every pgbench connection has one) can never hold a port that a
# proxy is about to bind; ss also catches sockets in any state.
EPHEMERAL_LOW=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
PORT_LOW=10000
PORT_SPAN=$((EPHEMERAL_LOW - PORT_LOW))
((PORT_SPAN > 1000)) || { PORT_LOW=20000 PORT_SPAN=10000; }
USED_PORTS=" "
free_port() { # sets PORT; not for $(...), which would lose USED_PORTS
	local p
	for _ in $(seq 200); do
		p=$((PORT_LOW + (RANDOM * 32768 + RANDOM) % PORT_SPAN))
		[[ $USED_PORTS == *" $p "* ]] && continue
		if command -v ss >/dev/null; then
			[[ -z $(ss -Htan "sport = :$p" 2>/dev/null) ]] || continue
		elif (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			continue # a connection was accepted: somebody listens there
		fi
		USED_PORTS+="$p "
		PORT=$p
		return
	done
	die "no free TCP port found"
}

# Every proxy binary measured (relay and bulwark, built here or given) runs
# from a plain copy in $TMP, not from the file the Go linker wrote. The linker
# writes its output through mmap, and the page cache can then hold that file
# in 2 MiB large folios, which the kernel maps whole (FilePmdMapped in
# /proc/PID/smaps): every touched byte of the binary charges 2 MiB to the
# process's RSS, ~10 MiB more for an idle bulwark. A copy (cp, install, a
# package or an image layer: what a deployment runs) is cached in small pages.
install_binary() { # source name: copies source to $TMP/name
	install -m 755 "$1" "$TMP/$2"
}
BUILD=$TMP/build
mkdir -p "$BUILD"

log "building relay, floor, bigread and bulwark into $TMP"
(cd "$ROOT" && go build -o "$BUILD/relay" ./bench/relay)
install_binary "$BUILD/relay" relay
(cd "$ROOT" && go build -o "$BUILD/floor" ./bench/floor)
install_binary "$BUILD/floor" floor
(cd "$ROOT" && go build -o "$TMP/bigread" ./bench/bigread)
BULWARK_NOTE=""
BULWARK_PG_BIN=""
BULWARK_MY_BIN=""
if [[ $STANDIN == relay ]]; then
	BULWARK_NOTE="STAND-IN: the bulwark target is a second bare relay, not bulwark"
	log "$BULWARK_NOTE"
elif [[ -n ${BENCH_BULWARK_BIN:-} ]]; then
	[[ -x $BENCH_BULWARK_BIN ]] || die "BENCH_BULWARK_BIN=$BENCH_BULWARK_BIN is not executable"
	install_binary "$BENCH_BULWARK_BIN" bulwark
	BULWARK_BIN=$TMP/bulwark
	BULWARK_NOTE="bulwark binary: a copy of $BENCH_BULWARK_BIN"
else
	if ! (cd "$ROOT" && go build -o "$BUILD/bulwark" ./cmd/bulwark) >"$TMP/bulwark-build.log" 2>&1; then
		cat "$TMP/bulwark-build.log" >&2
		die "./cmd/bulwark does not build (BENCH_BULWARK_STANDIN=relay runs the harness with a relay in its place)"
	fi
	install_binary "$BUILD/bulwark" bulwark
	BULWARK_BIN=$TMP/bulwark
	# The single-protocol builds (make build-postgres, make build-mysql) are
	# measured for memory next to the default build.
	for b in postgres:bulwark_no_mysql mysql:bulwark_no_postgres; do
		if ! (cd "$ROOT" && go build -tags "${b#*:}" -o "$BUILD/bulwark-${b%%:*}" ./cmd/bulwark) >"$TMP/bulwark-build.log" 2>&1; then
			cat "$TMP/bulwark-build.log" >&2
			die "./cmd/bulwark does not build with -tags ${b#*:}"
		fi
		install_binary "$BUILD/bulwark-${b%%:*}" "bulwark-${b%%:*}"
	done
	BULWARK_PG_BIN=$TMP/bulwark-postgres
	BULWARK_MY_BIN=$TMP/bulwark-mysql
fi
# A second bulwark build to compare with, run as one more target of the
# PostgreSQL rounds: two builds measured in separate runs differ by more
# than most changes do (bench/README.md, Reading the report).
BASELINE_BIN=""
if [[ -n $BASELINE ]]; then
	[[ -x $BASELINE ]] || die "BENCH_BULWARK_BASELINE=$BASELINE is not executable"
	install_binary "$BASELINE" baseline
	BASELINE_BIN=$TMP/baseline
	TARGETS="$TARGETS baseline"
	MY_TARGETS="$MY_TARGETS baseline"
fi
# The linker's output files are not needed any more.
rm -rf "$BUILD"


# ---------------------------------------------------------------------------
# Helpers shared by both parts.

# utime+stime of every thread of the process so far (exited threads included),
# in clock ticks.
# run_interleaved LABEL TOTAL WORKLOADS CLIENTS TARGETS RUNNER PIN: every
# cell's targets in rounds (A B C A B C ...), so the machine's drift hits
# them alike. One-client cells pin the load generator (LOAD_PREFIX, read by
# the runner), the server and the proxies to one core (PIN), which makes them
# repeatable. RUNNER is called as RUNNER target workload clients seconds round
# and sets RUN_LINE.
run_interleaved() {
	local label=$1 total=$2 workloads=$3 clients=$4 targets=$5 runner=$6 pin=$7 i=0 wl c round t
	for wl in $workloads; do
		for c in $clients; do
			LOAD_PREFIX=()
			if [[ $PINNED == 1 && $c == 1 ]]; then
				"$pin" "$PIN_CPU"
				LOAD_PREFIX=(taskset -c "$PIN_CPU")
			fi
			for round in $(seq "$ROUNDS"); do
				for t in $targets; do
					i=$((i + 1))
					"$runner" "$t" "$wl" "$c" "$SECONDS_PER_RUN" "$round"
					log "[$i/$total] $label $wl clients=$c round $round $t: $RUN_LINE"
				done
			done
			if [[ ${#LOAD_PREFIX[@]} -gt 0 ]]; then "$pin" "$ALL_CPUS"; fi
		done
	done
}

cpu_ticks() {
	local s
	s=$(<"/proc/$1/stat")
	s=${s##*) } # the command name may hold spaces; fields resume after it
	# shellcheck disable=SC2086
	set -- $s
	echo $((${12} + ${13}))
}

# Busy ticks of the whole machine in process context (user+nice+system).
# Interrupt time is left out: loopback TCP work runs in softirq context and
# is charged to no process, so it would look like somebody else's load.
machine_busy_ticks() {
	local _ user nice system idle iowait irq softirq
	read -r _ user nice system idle iowait irq softirq _ </proc/stat
	echo $((user + nice + system))
}

# At one client every transaction is a chain of wake-ups (client, proxy,
# server and back). Across two vCPUs each wake-up may need an interrupt to
# another core, and whether it does depends on where the scheduler happened
# to put each process: runs of the very same target differ by 2x. Pinning
# every process of the benchmark to one core for those cells makes them
# repeatable, and makes them measure the work on the path. With more clients
# there is enough to do that the cores stay busy, so those cells run free.
ALL_CPUS=0-$(($(nproc) - 1))
PIN_CPU=$(($(nproc) - 1))
PINNED=0
if [[ $PIN == 1 ]] && command -v taskset >/dev/null && (($(nproc) > 1)); then
	PINNED=1
fi

# Memory: stream about 1 GiB through a fresh proxy process and record two
# peaks. VmHWM is the kernel's exact lifetime peak of the whole RSS, which
# includes the file-backed pages of the binary (code and read-only data: for
# bulwark ~15 MiB of a ~25 MB binary, shared with the page cache and
# reclaimable). RssAnon is the anonymous part only (heap, stacks, buffers):
# what grows when a proxy holds data. The kernel keeps no peak of it, so it is
# sampled every 50 ms during the read; a spike shorter than that can be missed,
# but buffering a result is not short.
MEMORY_TSV=$TMP/memory.tsv
: >"$MEMORY_TSV"
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

# Runs until $2.stop exists or the process is gone, then writes the largest
# RssAnon (kB) it saw to $2. Pure bash reads, so the sampler itself costs
# next to nothing on a machine the read keeps busy.
sample_anon() { # pid outfile
	local max=0 k v _
	while [[ ! -e $2.stop ]] && [[ -r /proc/$1/status ]]; do
		while read -r k v _; do
			if [[ $k == RssAnon: ]]; then
				((v > max)) && max=$v
				break
			fi
		done <"/proc/$1/status" 2>/dev/null || true
		sleep 0.05
	done
	echo "$max" >"$2"
}

# measure_read protocol kind target pid reader...: runs the reader command
# (which prints "bytes seconds") against the already started, idle proxy
# pid and appends a row to MEMORY_TSV:
#   protocol kind target idle_rss peak_rss idle_anon peak_anon bytes seconds
measure_read() {
	local proto=$1 kind=$2 t=$3 pid=$4
	shift 4
	local idle idle_anon peak peak_anon res out=$TMP/anon-$proto-$kind-$t sampler
	idle=$(status_kb "$pid" VmRSS)
	idle_anon=$(status_kb "$pid" RssAnon)
	rm -f "$out" "$out.stop"
	sample_anon "$pid" "$out" &
	sampler=$!
	if res=$("$@"); then
		peak=$(status_kb "$pid" VmHWM)
		touch "$out.stop"
		wait "$sampler" || true
		peak_anon=$(<"$out")
		# The last sample may predate the end of the read.
		local now
		now=$(status_kb "$pid" RssAnon)
		((now > peak_anon)) && peak_anon=$now
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$proto" "$kind" "$t" "$idle" "$peak" "$idle_anon" "$peak_anon" "${res// /$'\t'}" >>"$MEMORY_TSV"
		log "memory $proto $kind via $t: RSS idle ${idle} kB peak ${peak} kB; anon idle ${idle_anon} kB peak ${peak_anon} kB; bytes+seconds $res"
	else
		touch "$out.stop"
		wait "$sampler" || true
		log "FAILED: memory read $proto $kind via $t"
		printf '%s\t%s\t%s\t%s\tNA\t%s\tNA\tNA\tNA\n' "$proto" "$kind" "$t" "$idle" "$idle_anon" >>"$MEMORY_TSV"
	fi
}

# The throughput reports of both parts start their awk program with this.
# Rows are results lines: workload, clients, target, round, TPS, latency,
# transactions, CPU per transaction ("-" for direct), other load (%).
# record() files a row; pair(w, c) sets, for a cell, pr (median over rounds
# of bulwark's TPS over the relay's in the same round), pd (median of the
# per-round CPU differences) and spread (the range of those ratios, and how
# many runs shared the machine with other work).
REPORT_AWK='
function median(list,    a, n, i, j, t) {
	n = split(list, a, " ")
	if (n == 0) return "NA"
	for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return n % 2 ? a[(n + 1) / 2] + 0 : (a[n / 2] + a[n / 2 + 1]) / 2
}
function ratio(a, b) { return (a == "NA" || b == "NA" || b == 0) ? "NA" : a / b }
function fx(v)  { return v == "NA" ? "NA" : sprintf("%.2fx", v) }
function f1(v)  { return v == "NA" ? "NA" : sprintf("%.1f", v) }
function sd(v)  { return v == "NA" ? "NA" : sprintf("%+.1f", v) }
function ms(v)  { return v == "NA" ? "NA" : sprintf("%+.3f", v) }
function record(    k) {
	if ($9 + 0 > 10) busy[$1, $2]++
	if ($5 == "NA") return
	k = $1 SUBSEP $2 SUBSEP $3
	tps[k] = tps[k] " " $5; lat[k] = lat[k] " " $6
	rt[$1, $2, $4, $3] = $5
	if ($8 != "-") { cpu[k] = cpu[k] " " $8; rc[$1, $2, $4, $3] = $8 }
}
# bulwark against the relay of the same round: the pair ran back to back,
# so drift cancels.
function pair(w, c,    r, v, lo, hi, rl, dl) {
	lo = ""; hi = ""; rl = ""; dl = ""
	for (r = 1; r <= rounds; r++) {
		if (!((w, c, r, "bulwark") in rt) || !((w, c, r, "relay") in rt)) continue
		v = rt[w, c, r, "bulwark"] / rt[w, c, r, "relay"]
		rl = rl " " v
		if (lo == "" || v < lo) lo = v
		if (hi == "" || v > hi) hi = v
		if ((w, c, r, "bulwark") in rc && (w, c, r, "relay") in rc) dl = dl " " (rc[w, c, r, "bulwark"] - rc[w, c, r, "relay"])
	}
	pr[w, c] = median(rl); pd[w, c] = median(dl)
	spread[w, c] = lo == "" ? "" : sprintf("(%.2f-%.2f)", lo, hi)
	# A cell with runs that shared the machine is worth rerunning before
	# it is believed.
	if ((w, c) in busy) spread[w, c] = spread[w, c] sprintf(" %d busy", busy[w, c])
}
# bulwark against the baseline build (BENCH_BULWARK_BASELINE): the two
# builds of the same round, back to back, so the difference a change makes
# is read with the noise of separate runs taken out. width: of the workload
# column; count: the name of the clients column.
function baseline_table(nw, W, nc, C, width, count,    i, j, w, c, r, v, dl, rl, lo, hi) {
	print ""
	print "== bulwark against the baseline build, the same rounds: CPU us/txn and TPS =="
	printf "%-" width "s %7s %9s %8s %17s %-16s %16s\n", "workload", count, "baseline", "bulwark", "bulwark-baseline", "per-round", "bulwark/baseline"
	for (i = 1; i <= nw; i++) for (j = 1; j <= nc; j++) {
		w = W[i]; c = C[j]; dl = ""; rl = ""; lo = ""; hi = ""
		for (r = 1; r <= rounds; r++) {
			if ((w, c, r, "bulwark") in rc && (w, c, r, "baseline") in rc) {
				v = rc[w, c, r, "bulwark"] - rc[w, c, r, "baseline"]
				dl = dl " " v
				if (lo == "" || v < lo) lo = v
				if (hi == "" || v > hi) hi = v
			}
			if ((w, c, r, "bulwark") in rt && (w, c, r, "baseline") in rt) rl = rl " " rt[w, c, r, "bulwark"] / rt[w, c, r, "baseline"]
		}
		printf "%-" width "s %7s %9s %8s %17s %-16s %16s\n", w, c, f1(median(cpu[w, c, "baseline"])), f1(median(cpu[w, c, "bulwark"])),
			sd(median(dl)), lo == "" ? "" : sprintf("(%+.1f..%+.1f)", lo, hi), fx(median(rl))
	}
}
'

# Median, min and max of the "other load" column of a results file.
other_load_line() { # results.tsv
	awk -F'\t' 'NF >= 9 && $9 != "" { n++; v[n] = $9 + 0; s += $9; if ($9 + 0 > 10) busy++ }
	END {
		if (!n) exit
		for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
		printf "other load on the machine during runs: median %d%% of a core, max %d%%; %d of %d runs above 10%%\n", v[int((n + 1) / 2)], v[n], busy, n
		if (v[int((n + 1) / 2)] > 10) print "WARNING: the machine was busy with other work; expect noisy numbers and rerun on an idle machine"
	}' "$1"
}

GOALS=$TMP/goals.tsv
: >"$GOALS"
PG_FAILED_RUNS=0
MY_FAILED_RUNS=0

# ---------------------------------------------------------------------------
# The parts. Each starts its own servers and proxies and stops its proxies
# when done; the servers live until exit.

if [[ $DO_PG == 1 ]]; then
	# shellcheck source=bench/postgres.sh
	source "$ROOT/bench/postgres.sh"
fi
if [[ $DO_MY == 1 ]]; then
	# shellcheck source=bench/mysql.sh
	source "$ROOT/bench/mysql.sh"
fi

# ---------------------------------------------------------------------------
# Report.

# One row per read and target: the whole RSS (VmHWM, the kernel's exact
# peak) and the anonymous RSS (sampled peak), each next to the relay's. The
# goal is worded on the first; the second leaves out the binary's
# file-backed pages, which differ with the binaries' sizes and do not grow
# with data. The floor row shows how much of the difference the libraries
# bulwark requires take before any of bulwark's own code. Every bulwark
# build measured gets a goal line of each kind, so that it is plain which
# holds.
memory_report() {
	awk -F'\t' -v goals="$GOALS" '
	function mib(kb) { return (kb == "NA" || kb == "") ? "NA" : sprintf("%.1f", kb / 1024) }
	function diff(b, r) { return (r == "NA" || b == "NA" || r == "" || b == "") ? "NA" : sprintf("%+.1f", (b - r) / 1024) }
	function goal(what, k, t, b, r) {
		printf "GOAL\t%s\tmemory %-24s %-17s %s %s MiB <= relay %s + 16\n",
			(r != "NA" && b != "NA" && b <= r + 16384) ? "PASS" : "FAIL", k, t, what, mib(b), mib(r) >> goals
	}
	{
		k = $1 " " $2
		if (!(k in seen)) { seen[k] = 1; order[++n] = k }
		if (!((k, $3) in has)) { has[k, $3] = 1; targets[k] = targets[k] " " $3 }
		idle[k, $3] = $4; peak[k, $3] = $5; aidle[k, $3] = $6; apeak[k, $3] = $7; bytes[k, $3] = $8; secs[k, $3] = $9
	}
	END {
		if (!n) exit
		print "== Memory: ~1 GiB result streamed through a fresh proxy process; MiB =="
		printf "%-24s %-17s %5s %6s %6s %9s %11s %9s %9s %10s %7s\n", "read", "target", "GiB", "idle", "peak", "peak-relay", "growth-relay", "anon idle", "anon peak", "anon-relay", "seconds"
		for (i = 1; i <= n; i++) {
			k = order[i]; ri = idle[k, "relay"]; r = peak[k, "relay"]; ra = apeak[k, "relay"]
			m = split(substr(targets[k], 2), ts, " ")
			for (j = 1; j <= m; j++) {
				t = ts[j]; bi = idle[k, t]; b = peak[k, t]
				printf "%-24s %-17s %5s %6s %6s %9s %11s %9s %9s %10s %7s\n", (j == 1 ? k : ""), t,
					(bytes[k, t] == "NA" || bytes[k, t] == "") ? "NA" : sprintf("%.2f", bytes[k, t] / 1073741824),
					mib(bi), mib(b), diff(b, r),
					(r == "NA" || b == "NA") ? "NA" : sprintf("%+.1f", ((b - bi) - (r - ri)) / 1024),
					mib(aidle[k, t]), mib(apeak[k, t]), diff(apeak[k, t], ra), secs[k, t]
			}
		}
		for (i = 1; i <= n; i++) {
			k = order[i]
			m = split(substr(targets[k], 2), ts, " ")
			for (j = 1; j <= m; j++) {
				t = ts[j]
				if (t !~ /^bulwark/) continue
				goal("peak RSS", k, t, peak[k, t], peak[k, "relay"])
				goal("peak anonymous RSS", k, t, apeak[k, t], apeak[k, "relay"])
			}
		}
	}' "$MEMORY_TSV"
}

REPORT=$TMP/report.txt
{
	echo "bulwark benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(go version | awk '{print $3}')"
	echo "relay = bare Go io.Copy both ways; bulwark: identity.default agent, so every statement is parsed and judged"
	if [[ -n $BULWARK_NOTE ]]; then echo "$BULWARK_NOTE"; fi
	if [[ -n $BASELINE_BIN ]]; then echo "baseline: a copy of $BASELINE, a second bulwark in every PostgreSQL and MySQL round"; fi
	# The binaries' sizes bound their file-backed RSS, part of the peak RSS below.
	sizes="bulwark $(du -m --apparent-size "${BULWARK_BIN:-$TMP/relay}" | cut -f1) MiB"
	for b in "$BULWARK_PG_BIN" "$BULWARK_MY_BIN" "$TMP/floor" "$TMP/relay"; do
		if [[ -n $b ]]; then sizes+=", $(basename "$b") $(du -m --apparent-size "$b" | cut -f1) MiB"; fi
	done
	echo "binaries: $sizes"
	if [[ $PINNED == 1 ]]; then echo "1-client cells: the load generator, the server and every proxy pinned to CPU $PIN_CPU (repeatable; measures the work on the path)"; fi
	if [[ $DO_PG == 1 ]]; then
		echo
		echo "######## PostgreSQL ########"
		postgres_report
	fi
	if [[ $DO_MY == 1 ]]; then
		echo
		echo "######## MySQL (MariaDB) ########"
		mysql_report
	fi
	if [[ $MEMORY == 1 ]]; then
		echo
		memory_report
		if [[ $DO_PG == 1 ]]; then
			echo "postgres copy = psql COPY ... TO STDOUT; postgres select-* = SELECT * FROM big read row by row with pgx,"
			echo "  simple or extended protocol"
		fi
		if [[ $DO_MY == 1 ]]; then echo "mysql select = mariadb --quick -e 'SELECT * FROM big': text protocol, rows not buffered by the client"; fi
		echo "idle = once ready; growth-relay = the target's peak-idle minus the relay's. Peak RSS includes the binaries'"
		echo "file-backed pages (sizes in the header), which do not grow with data; anonymous RSS is what does."
		echo "floor = the relay plus the libraries bulwark requires (both SQL parsers, SQLite), one statement parsed and"
		echo "  one audit row written per connection; bulwark-postgres / bulwark-mysql = the single-protocol builds"
	fi

	echo
	echo "== Goals =="
	awk -F'\t' '{printf "[%s] %s\n", $2, $3}' "$GOALS"
	met=$(awk -F'\t' '$2 == "PASS"' "$GOALS" | wc -l)
	all=$(wc -l <"$GOALS")
	echo "goals met: $met of $all"
	if [[ $STANDIN == relay ]]; then echo "(stand-in run: these goals say nothing about bulwark)"; fi
} >"$REPORT"

cat "$REPORT"
if [[ -n ${BENCH_OUT:-} ]]; then
	mkdir -p "$(dirname "$BENCH_OUT")"
	cp "$REPORT" "$BENCH_OUT"
fi

missed=$(awk -F'\t' '$2 != "PASS"' "$GOALS" | wc -l)
mem_failed=$(awk -F'\t' '$5 == "NA"' "$MEMORY_TSV" | wc -l)
if [[ $PG_FAILED_RUNS != 0 || $MY_FAILED_RUNS != 0 || $mem_failed != 0 ]]; then
	exit 1
fi
if [[ $STRICT == 1 && $missed != 0 ]]; then
	exit 2
fi
