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
ALL_SERVERS=wharf,vsftpd,proftpd,pure-ftpd,pyftpdlib,openssh
ALL_WORKLOADS=retr1g,stor1g,login300,retr300,stor100,idle300,list20k,list100k,nlst20k,nlst100k,smallstor,ftps-retr1g,ftps-stor1g,ftps100,sftp-up1g,sftp-down1g
# FTPS: one self-signed certificate for every server. SFTP: the client's
# key (authorized for wharfbench by Wharf and sshd) and one host key for
# both servers.
TLS_DIR=$WORK/tls
TLS_CERT=$TLS_DIR/cert.pem
TLS_KEY=$TLS_DIR/key.pem
SSH_DIR=$WORK/ssh
SSH_KEY=$SSH_DIR/id_ed25519
SSH_HOST_KEY=$SSH_DIR/host_ed25519

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

# setup_keys: the FTPS certificate (RSA 2048, self-signed, for 127.0.0.1)
# and the SSH keys, made once and kept.
setup_keys() {
	mkdir -p "$TLS_DIR" "$SSH_DIR"
	if [[ ! -s $TLS_CERT || ! -s $TLS_KEY ]]; then
		log "making the FTPS certificate"
		openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=wharf-bench" \
			-addext "subjectAltName=IP:127.0.0.1" -keyout "$TLS_KEY" -out "$TLS_CERT" 2>/dev/null
	fi
	[[ -s $SSH_KEY ]] || ssh-keygen -q -t ed25519 -N '' -C wharf-bench-client -f "$SSH_KEY"
	[[ -s $SSH_HOST_KEY ]] || ssh-keygen -q -t ed25519 -N '' -C wharf-bench-host -f "$SSH_HOST_KEY"
	cp "$SSH_KEY.pub" "$SSH_DIR/authorized_keys"
	# Wharf and pyftpdlib run as wharfbench and read the key and the host
	# key themselves; the others read them as root before dropping privileges.
	chown "$USER_NAME:" "$TLS_KEY" "$SSH_HOST_KEY" "$SSH_DIR/authorized_keys"
	chmod 600 "$TLS_KEY" "$SSH_HOST_KEY"
	chmod 644 "$TLS_CERT" "$SSH_DIR/authorized_keys"
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
