#!/usr/bin/env bash
# bench/sftp.sh: SFTP upload and download throughput, Wharf against
# OpenSSH's sftp-server (a second sshd on a loopback port), with the same
# client (OpenSSH sftp, key authentication) and the same cipher for both.
#
#   sudo bench/sftp.sh               # 1 GiB each way, 3 runs, two ciphers
#   sudo bench/sftp.sh -m 256 -n 5   # 256 MiB, 5 runs
#   sudo bench/sftp.sh -c aes128-gcm@openssh.com
#
# Options:
#   -m MIB   file size in MiB (default 1024)
#   -n N     runs per row (default 3; the median is reported)
#   -c LIST  ciphers, comma-separated (default:
#            chacha20-poly1305@openssh.com,aes128-gcm@openssh.com)
#
# sshd and sftp-server come from Debian's openssh-server and
# openssh-sftp-server packages, extracted (`apt-get download` + `dpkg -x`)
# into bench/.peers/openssh, never installed. Both servers run on
# 127.0.0.1, are started and stopped by PID, and serve directories under
# bench/.work/sftp. Needs root (sshd, which also needs its system account
# "sshd": created with useradd if missing). Prints a Markdown table, also
# written to bench/.work/sftp/RESULTS.md.
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH")
WORK=$BENCH/.work/sftp
PEERS=$BENCH/.peers
OSSH=$PEERS/openssh
size=1024 runs=3 ciphers=chacha20-poly1305@openssh.com,aes128-gcm@openssh.com

while getopts "m:n:c:h" opt; do
	case $opt in
	m) size=$OPTARG ;;
	n) runs=$OPTARG ;;
	c) ciphers=$OPTARG ;;
	*) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done

log() { echo "sftp.sh: $*" >&2; }
die() { log "$*"; exit 1; }
[[ $(id -u) == 0 ]] || die "needs root (sshd)"
for tool in sftp ssh-keygen go; do command -v $tool >/dev/null || die "$tool is missing"; done

source "$BENCH/lib/peers.sh" # download, add_missing_libs, PEER_LIBS
# One benchmark at a time on this machine: the runs share the control port,
# the passive range and the two cores. A second run waits here.
# (A script started by one that holds the lock does not wait for itself.)
if [ -z "${WHARF_BENCH_LOCKED:-}" ]; then
	exec 9>"${TMPDIR:-/tmp}/wharf-bench.lock"
	flock 9
	export WHARF_BENCH_LOCKED=1
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_port() {
	for _ in $(seq 100); do
		(echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
		sleep 0.1
	done
	die "nothing listens on port $1"
}

install_openssh() {
	mkdir -p "$PEERS/libs" "$PEERS/debs"
	rm -f "$PEERS"/debs/.updated-*
	local pkg deb
	for pkg in openssh-server openssh-sftp-server; do
		deb=$(download "$pkg")
		[[ -f $OSSH/.$pkg ]] || { dpkg -x "$deb" "$OSSH"; touch "$OSSH/.$pkg"; }
		add_missing_libs "$deb"
	done
}

setup() {
	rm -rf "$WORK"
	mkdir -p "$WORK"/{bin,wharf-data,sshd-data,sshd,state,client}
	log "building wharf"
	(cd "$ROOT" && go build -o "$WORK/bin/wharf" ./cmd/wharf)
	ssh-keygen -q -t ed25519 -N '' -f "$WORK/client/id" -C bench
	ssh-keygen -q -t ed25519 -N '' -f "$WORK/sshd/ssh_host_ed25519_key"
	cp "$WORK/client/id.pub" "$WORK/sshd/authorized_keys"
	log "writing the ${size} MiB file"
	head -c $((size << 20)) /dev/urandom >"$WORK/client/file.bin"
}

start_wharf() {
	wharf_port=$(free_port)
	local ftp_port users=$WORK/users
	ftp_port=$(free_port)
	head -c 24 /dev/urandom | base64 | "$WORK/bin/wharf" user add -f "$users" -home "$WORK/wharf-data" bench >/dev/null
	"$WORK/bin/wharf" user key add -f "$users" -k "$WORK/client/id.pub" bench >/dev/null
	cat >"$WORK/wharf.conf" <<-EOF
		listen=YES
		listen_address=127.0.0.1
		listen_port=$ftp_port
		pasv_min_port=40000
		pasv_max_port=40100
		max_clients=100
		local_enable=YES
		write_enable=YES
		anonymous_enable=NO
		users_file=$users
		state_dir=$WORK/state
		sftp_enable=YES
		sftp_listen_address=127.0.0.1
		sftp_listen_port=$wharf_port
	EOF
	"$WORK/bin/wharf" serve -c "$WORK/wharf.conf" 2>"$WORK/wharf.log" &
	pids+=($!)
	wait_port "$wharf_port"
}

start_sshd() {
	sshd_port=$(free_port)
	mkdir -p /run/sshd
	# sshd's privilege separation needs its system account.
	id sshd >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /run/sshd --shell /usr/sbin/nologin sshd
	cat >"$WORK/sshd/sshd_config" <<-EOF
		Port $sshd_port
		ListenAddress 127.0.0.1
		HostKey $WORK/sshd/ssh_host_ed25519_key
		PidFile $WORK/sshd/sshd.pid
		AuthorizedKeysFile $WORK/sshd/authorized_keys
		PermitRootLogin prohibit-password
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		UsePAM no
		StrictModes no
		Subsystem sftp $OSSH/usr/lib/openssh/sftp-server
	EOF
	LD_LIBRARY_PATH=$PEER_LIBS "$OSSH/usr/sbin/sshd" -D -e -f "$WORK/sshd/sshd_config" 2>"$WORK/sshd.log" &
	pids+=($!)
	wait_port "$sshd_port"
}

# xfer PORT USER DIR CIPHER put|get: seconds for one transfer.
xfer() {
	local port=$1 user=$2 dir=$3 cipher=$4 op=$5 batch=$WORK/client/batch t0 t1
	if [[ $op == put ]]; then
		echo "put $WORK/client/file.bin $dir/file.bin" >"$batch"
	else
		echo "get $dir/file.bin $WORK/client/back.bin" >"$batch"
	fi
	t0=$(date +%s.%N)
	sftp -q -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
		-i "$WORK/client/id" -o IdentitiesOnly=yes -c "$cipher" -P "$port" -b "$batch" "$user@127.0.0.1" >/dev/null
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# row NAME PORT USER DIR CIPHER: one Markdown row (MB/s, median of runs).
row() {
	local name=$1 port=$2 user=$3 dir=$4 cipher=$5 op secs up down
	for op in put get; do
		secs=$(for _ in $(seq "$runs"); do xfer "$port" "$user" "$dir" "$cipher" $op; done | median)
		printf -v "$op" '%.0f' "$(echo "$size * 1.048576 / $secs" | bc -l)"
	done
	cmp -s "$WORK/client/file.bin" "$WORK/client/back.bin" || die "$name: downloaded file differs"
	echo "| $name | $cipher | $size MiB | $put | $get |"
}

install_openssh
setup
start_wharf
start_sshd
out=$WORK/RESULTS.md
{
	echo "SFTP throughput on $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%d); client OpenSSH $(ssh -V 2>&1 | cut -d, -f1)"
	echo "(median of $runs runs; MB/s = 10^6 bytes per second)"
	echo
	echo "| server | cipher | file | upload MB/s | download MB/s |"
	echo "|---|---|---|---|---|"
	for cipher in ${ciphers//,/ }; do
		row "Wharf $("$WORK/bin/wharf" version 2>/dev/null | head -1 | awk '{print $2}')" "$wharf_port" bench / "$cipher"
		row "OpenSSH 9.2 sftp-server" "$sshd_port" root "$WORK/sshd-data" "$cipher"
	done
} | tee "$out"
log "written to $out"
