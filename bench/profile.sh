#!/usr/bin/env bash
# bench/profile.sh: profile Wharf under one benchmark workload.
#
#   sudo bench/profile.sh WORKLOAD [LOADGEN FLAGS...]
#   sudo bench/profile.sh list100k
#   sudo bench/profile.sh login300 -clients 100
#   WHARF_ENV=GODEBUG=gctrace=1 sudo -E bench/profile.sh nlst100k
#
# Starts Wharf alone with the benchmark's config (bench/run.sh must have run
# once: it installs the data set and the account), records it with
# `perf record -g` (frame pointers; Go keeps them on amd64) while loadgen
# runs the workload once, and prints the hottest functions, flat and with
# callers. The perf data stays in bench/.work/perf-WORKLOAD.data for
# `perf report -i`. Wharf's stderr (e.g. gctrace) goes to
# bench/.work/logs/wharf.log.
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
source "$BENCH/lib/common.sh"
# One benchmark at a time on this machine: the runs share the control port,
# the passive range and the two cores. A second run waits here.
# (A script started by one that holds the lock does not wait for itself.)
if [ -z "${WHARF_BENCH_LOCKED:-}" ]; then
	exec 9>"${TMPDIR:-/tmp}/wharf-bench.lock"
	flock 9
	export WHARF_BENCH_LOCKED=1
fi

[[ $# -ge 1 ]] || { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
wl=$1
shift
[[ $(id -u) == 0 ]] || die "run as root (perf and setpriv)"
command -v perf >/dev/null || die "perf is not installed"
build
setup_user
[[ -d $DATA/d100k ]] || die "no data set: run bench/run.sh once first"
setup_keys
PORT=$(free_port 2121)
SSH_PORT=$(free_port 2222)
set_mode "$wl"
mkdir -p "$LOGS"
write_configs
trap 'stop_server' EXIT
start_server wharf
pdata=$WORK/perf-$wl.data
perf record -q -F 1999 -g -p "$SERVER_PID" -o "$pdata" 2>/dev/null &
perf_pid=$!
sleep 0.5
"$BIN/loadgen" run -w "$wl" -server wharf -addr "$MODE_ADDR" -user "$USER_NAME" \
	-pass "$PASS" -pid "$SERVER_PID" -data "$DATA" -out /dev/null "${MODE_ARGS[@]}" "$@"
kill -INT "$perf_pid"
wait "$perf_pid" || true
stop_server
echo "== flat (self) profile"
perf report -i "$pdata" --no-children --stdio --percent-limit 1 -g none 2>/dev/null | grep -v '^#' | grep . | head -40
echo "== inclusive (children) profile"
perf report -i "$pdata" --children --stdio --percent-limit 3 -g none 2>/dev/null | grep -v '^#' | grep . | head -40
