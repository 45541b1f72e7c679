# bench/lib/common.sh: paths and helpers shared by run.sh and profile.sh.

ROOT=$(dirname "$BENCH")
WORK=$BENCH/.work
PEERS=$BENCH/.peers
DATA=$WORK/data
CONF=$WORK/conf
LOGS=$WORK/logs
BIN=$WORK/bin
USER_NAME=wharfbench
PASV_MIN=21000
PASV_MAX=29999
ALL_SERVERS=wharf,vsftpd,proftpd,pure-ftpd,pyftpdlib
ALL_WORKLOADS=retr1g,stor1g,login300,retr300,stor100,idle300,list20k,list100k,nlst20k,nlst100k,smallstor

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "$(basename "$0"): $*"; exit 1; }

build() {
	mkdir -p "$BIN"
	log "building wharf and loadgen"
	(cd "$ROOT" && go build -o "$BIN/wharf" ./cmd/wharf && go build -o "$BIN/loadgen" ./bench/loadgen)
}

# free_port prints the first port from $1 up with no listener.
free_port() {
	local p=$1
	while ss -Htln "sport = :$p" | grep -q .; do p=$((p + 1)); done
	echo "$p"
}

setup_user() {
	mkdir -p "$WORK"
	if [[ ! -s $WORK/password ]]; then
		(umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$WORK/password")
	fi
	PASS=$(cat "$WORK/password")
	if ! id "$USER_NAME" >/dev/null 2>&1; then
		log "creating system account $USER_NAME"
		useradd --system --no-create-home --home-dir "$DATA" --shell /bin/sh "$USER_NAME"
	fi
	# Pure-FTPd refuses accounts whose shell is not in /etc/shells. The
	# password is random and readable by root only.
	usermod --home "$DATA" --shell /bin/sh "$USER_NAME" 2>/dev/null || true
	echo "$USER_NAME:$PASS" | chpasswd
}

setup_data() {
	mkdir -p "$DATA"
	"$BIN/loadgen" prepare -data "$DATA"
	# Leftovers of an interrupted run.
	rm -rf "$DATA"/up-* "$DATA"/small-* "$DATA"/ceiling-upload.bin "$DATA"/.wharf-upload-* 2>/dev/null || true
	chown -R "$USER_NAME:" "$DATA"
	chmod 755 "$DATA"
	# Every server reads the big file from page cache.
	cat "$DATA/big.bin" "$DATA/f10m.bin" >/dev/null
}

source "$BENCH/lib/peers.sh"
source "$BENCH/lib/servers.sh"
