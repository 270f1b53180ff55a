#!/usr/bin/env bash
# Prints the directory holding the PostgreSQL server binaries (initdb,
# pg_ctl), installing Debian's server package first when none is found and
# we are root. Used by the demo and CI; the integration harness has its own
# lookup in Go.
set -euo pipefail
find_bin() {
	if command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir)
		[ -x "$d/initdb" ] && { echo "$d"; return 0; }
	fi
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		[ -x "$d/initdb" ] && { echo "$d"; return 0; }
	done
	return 1
}
if ! find_bin; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "installing PostgreSQL server packages" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >&2
		apt-get install -y -qq postgresql postgresql-client >&2
		find_bin
	else
		echo "no PostgreSQL server binaries found (install the postgresql package)" >&2
		exit 1
	fi
fi
