#!/usr/bin/env bash
# bench/run.sh: Wharf against vsftpd, ProFTPD, Pure-FTPd and pyftpdlib (FTP
# and FTPS) and OpenSSH's sftp-server (SFTP), on loopback, with the same
# load client for every server (bench/loadgen; OpenSSH's sftp for SFTP).
#
#   sudo bench/run.sh                     # the full suite (about 11 min on 2 cores);
#                                         # writes bench/RESULTS.md
#   sudo bench/run.sh -w retr1g,list100k  # only these workloads (bench/.work/RESULTS.md)
#   sudo bench/run.sh -s wharf,vsftpd -n 1
#   sudo bench/run.sh -l                  # list the workloads
#
# Options:
#   -w LIST  workloads, comma-separated (default: all; `-l` lists them; the
#            ceiling runs inside retr1g and stor1g, or alone as -w ceiling)
#   -s LIST  servers (default: wharf,vsftpd,proftpd,pure-ftpd,pyftpdlib,openssh;
#            openssh serves only the sftp-* workloads, and a server that
#            cannot run a workload gets an n/a row)
#   -n N     runs per workload (default 3, and 5 for the 1 GiB transfers and
#            the ceiling; -n applies to all), interleaved: run r starts every server once, in
#            an order rotated by r
#   -o FILE  Markdown output (default: bench/RESULTS.md for a full run, else
#            bench/.work/RESULTS.md, so a quick run never overwrites the record)
#   -V NAME=[BINARY][+key=value...]
#            a Wharf variant for A/B measurements, run like another server
#            (add NAME to -s): another binary and/or extra config lines, e.g.
#              -V wharf-splice=+splice_uploads=YES -s wharf,wharf-splice
#              -V wharf-nagle=/tmp/wharf-nagle -s wharf,wharf-nagle
#
# What it does, all on 127.0.0.1:
#   1. builds wharf and loadgen into bench/.work/bin;
#   2. installs the peers once from Debian packages: `apt-get download` and
#      `dpkg -x` into bench/.peers/<name>/ (the packages conflict with each
#      other when installed), plus any shared library they need that the
#      system lacks into bench/.peers/libs/;
#   3. creates the system account wharfbench (useradd) with a random password
#      kept in bench/.work/password, whose home is bench/.work/data: every
#      server serves that directory to that user (Wharf and pyftpdlib through
#      their own user lists with the same name and password);
#   4. writes the data set (1 GiB, 10 MiB and 64 KiB files, directories of
#      20,000 and 100,000 files), a self-signed certificate (bench/.work/tls)
#      and SSH keys (bench/.work/ssh), and the configs of each server into
#      bench/.work/conf/ (FTPS ones in conf/ftps, SFTP ones in conf/sftp);
#   5. for every workload and run, starts each server by PID on the same
#      control port, runs loadgen against it and stops it by PID (never by
#      name), so every measurement starts from a freshly started server;
#   6. prints a table per workload and writes the Markdown report with the
#      machine, the versions and the configs.
# It needs root: vsftpd, ProFTPD and Pure-FTPd chroot and switch users.
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

workloads=$ALL_WORKLOADS servers=$ALL_SERVERS runs=3 out="" full=1
RUN_ARGS="$*"

usage() { sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

while getopts "w:s:n:o:V:lh" opt; do
	case $opt in
	V) add_variant "$OPTARG" && full=0 ;;
	w) workloads=$OPTARG full=0 ;;
	s) servers=$OPTARG full=0 ;;
	n) runs=$OPTARG full=0 runs_given=1 ;;
	o) out=$OPTARG ;;
	l) list_only=1 ;;
	*) usage ;;
	esac
done
if [[ -z $out ]]; then
	if ((full)); then out=$BENCH/RESULTS.md; else out=$WORK/RESULTS.md; fi
fi

# reps_for WORKLOAD: the 1 GiB transfers (and their ceiling) get at least 5
# runs unless -n was given.
reps_for() {
	case $1 in
	ceiling | retr1g | stor1g | ftps-retr1g | ftps-stor1g | sftp-up1g | sftp-down1g)
		((${runs_given:-0})) || { echo $((runs > 5 ? runs : 5)); return; } ;;
	esac
	echo "$runs"
}

# rotate prints the words of $2.. rotated left by $1.
rotate() {
	local k=$1
	shift
	local a=("$@") n=$#
	for ((i = 0; i < n; i++)); do echo "${a[$(((i + k) % n))]}"; done
}

# run_workload WORKLOAD: every run of one workload, servers interleaved.
# The ceiling (a bare TCP copy, no server) runs inside the rotation of
# retr1g (its sending methods) and stor1g (its receiving ones), so that it
# is measured under the same conditions as the servers it is compared with.
# A server that cannot run the workload (an FTP server and SFTP, or the
# other way round) gets one n/a record, except openssh on FTP workloads
# (it is only there for SFTP).
run_workload() {
	local wl=$1 reps r s dir="" why
	reps=$(reps_for "$wl")
	case $wl in
	retr1g) dir=retr ;;
	stor1g) dir=stor ;;
	esac
	set_mode "$wl"
	local addr=$MODE_ADDR
	IFS=, read -ra all <<<"$servers"
	local able=()
	for s in "${all[@]}"; do
		if why=$(speaks "$s" "$MODE"); then
			able+=("$s")
		elif [[ $s != openssh ]]; then
			"$BIN/loadgen" run -w "$wl" -server "$s" -na "$why" -out "$JSONL"
		fi
	done
	((${#able[@]})) || return 0
	for ((r = 1; r <= reps; r++)); do
		if [[ $wl == ceiling ]]; then
			"$BIN/loadgen" run -w ceiling -data "$DATA" -rep "$r" -out "$JSONL"
			continue
		fi
		local list=("${able[@]}")
		[[ -n $dir ]] && list+=(ceiling)
		for s in $(rotate $((r - 1)) "${list[@]}"); do
			if [[ $s == ceiling ]]; then
				"$BIN/loadgen" run -w ceiling -dir "$dir" -data "$DATA" -rep "$r" -out "$JSONL"
				continue
			fi
			start_server "$s"
			"$BIN/loadgen" run -w "$wl" -server "$s" -addr "$addr" \
				-user "$USER_NAME" -pass "$PASS" -pid "$SERVER_PID" -data "$DATA" \
				-rep "$r" -out "$JSONL" "${MODE_ARGS[@]}" || log "loadgen failed for $s ($wl run $r)"
			stop_server
		done
	done
}

main() {
	if [[ ${list_only:-0} == 1 ]]; then
		build >/dev/null 2>&1
		exec "$BIN/loadgen" list
	fi
	[[ $(id -u) == 0 ]] || die "run as root (vsftpd, ProFTPD and Pure-FTPd chroot and switch users)"
	local t0=$SECONDS
	ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
	build
	install_peers
	setup_user
	setup_data
	setup_keys
	PORT=$(free_port 2121)
	SSH_PORT=$(free_port 2222)
	write_configs
	mkdir -p "$LOGS"
	JSONL=$WORK/results-$(date +%Y%m%d-%H%M%S).jsonl
	trap 'stop_server; exit 130' INT TERM
	log "servers: $servers; workloads: $workloads; runs: $runs; port $PORT (SFTP $SSH_PORT); results: $JSONL"
	IFS=, read -ra wls <<<"$workloads"
	for wl in "${wls[@]}"; do
		log "== $wl"
		run_workload "$wl"
	done
	local elapsed=$((SECONDS - t0))
	write_header "$elapsed" >"$WORK/header.md"
	write_footer >"$WORK/footer.md"
	"$BIN/loadgen" report -in "$JSONL" -md "$out" -header "$WORK/header.md" -footer "$WORK/footer.md"
	log "done in $((elapsed / 60)) min $((elapsed % 60)) s; report: $out; raw results: $JSONL"
}

main "$@"
