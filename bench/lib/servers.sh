# bench/lib/servers.sh: the configs of the servers, and starting and
# stopping them by PID. Sourced by bench/run.sh.
#
# Each server runs in one of three modes (MODE, set per workload by run.sh):
# plain FTP; FTPS (explicit, TLS required for logins and data, the same
# certificate for all, TLS 1.2 and 1.3 allowed, session reuse on data
# connections required where the server has the setting); SFTP (Wharf and
# OpenSSH's sshd + sftp-server, the same host key and client key).
#
# Fairness rules, the same for every server: 127.0.0.1 only, the same control
# port and passive range (21000-29999), the same user and data directory,
# chroot/confinement to that directory, sendfile on where it is a setting,
# no reverse DNS, no per-session or per-transfer logging, no connection
# limits below what 300 clients need. Security features that are on by
# default (vsftpd's per-session network namespace, ProFTPD's mod_delay) are
# left at their defaults: they are part of what an administrator runs.

# as_user: the unprivileged launcher for the servers that never need root.
as_user() { setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --clear-groups "$@"; }

# Wharf variants (run.sh -V NAME=[BINARY][+key=value...]): NAME -> binary
# and extra config lines.
declare -A VARIANT_BIN=() VARIANT_CONF=()
add_variant() {
	local name=${1%%=*} spec=${1#*=}
	[[ $name == wharf-* && $1 == *=* ]] || die "-V wants wharf-NAME=[BINARY][+key=value...], not $1"
	VARIANT_BIN[$name]=${spec%%+*}
	VARIANT_CONF[$name]=""
	[[ $spec == *+* ]] && VARIANT_CONF[$name]=$(tr '+' '\n' <<<"${spec#*+}")
	[[ -z ${VARIANT_BIN[$name]} || -x ${VARIANT_BIN[$name]} ]] || die "$name: ${VARIANT_BIN[$name]} is not executable"
}

MODE=plain MODE_ARGS=()

# set_mode WORKLOAD: the protocol the workload speaks (MODE: plain, ftps or
# sftp), the loadgen flags it needs (MODE_ARGS) and the address servers
# listen on for it (MODE_ADDR).
set_mode() {
	case $1 in
	ftps*) MODE=ftps MODE_ARGS=(-tls-ca "$TLS_CERT" -tls-name 127.0.0.1) ;;
	sftp*) MODE=sftp MODE_ARGS=(-ssh-key "$SSH_KEY") ;;
	*) MODE=plain MODE_ARGS=() ;;
	esac
	MODE_ADDR=127.0.0.1:$PORT
	[[ $MODE == sftp ]] && MODE_ADDR=127.0.0.1:$SSH_PORT
	return 0
}

# speaks SERVER MODE: whether SERVER can run in MODE (plain, ftps, sftp);
# if not, prints why.
speaks() {
	case $1:$2 in
	wharf*:*) return 0 ;;
	openssh:sftp) return 0 ;;
	openssh:*) echo "an SSH server, no FTP"; return 1 ;;
	*:sftp) echo "does not speak SFTP"; return 1 ;;
	pyftpdlib:ftps)
		/usr/bin/python3 -c 'import OpenSSL' 2>/dev/null && return 0
		echo "no pyOpenSSL for /usr/bin/python3"; return 1 ;;
	esac
	return 0
}

# The FTPS lines of each server (the same meaning for all).
wharf_ftps() {
	cat <<-EOF
		ssl_enable=YES
		rsa_cert_file=$TLS_CERT
		rsa_private_key_file=$TLS_KEY
		ssl_tlsv1_2=YES
		ssl_tlsv1_3=YES
		require_ssl_reuse=YES
		force_local_logins_ssl=YES
		force_local_data_ssl=YES
	EOF
}

wharf_sftp() {
	cat <<-EOF
		sftp_enable=YES
		sftp_listen_address=127.0.0.1
		sftp_listen_port=$SSH_PORT
		sftp_host_key_files=$SSH_HOST_KEY
	EOF
}

write_configs() {
	mkdir -p "$CONF/ftps" "$CONF/sftp" "$WORK/state" "$WORK/vsftpd-empty"
	chmod 755 "$WORK/vsftpd-empty"
	chown "$USER_NAME:" "$WORK/state"
	write_wharf
	local v
	for v in "${!VARIANT_BIN[@]}"; do
		{ cat "$CONF/wharf.conf"; [[ -n ${VARIANT_CONF[$v]} ]] && echo "${VARIANT_CONF[$v]}"; } >"$CONF/$v.conf"
		echo "${VARIANT_BIN[$v]:-wharf} serve -c $v.conf (wharf.conf${VARIANT_CONF[$v]:+ plus $(tr '\n' ' ' <<<"${VARIANT_CONF[$v]}")})" >"$CONF/$v.cmd"
	done
	# FTPS and SFTP configs: the plain one plus the mode's lines (a
	# variant's extra lines stay last).
	for v in wharf "${!VARIANT_BIN[@]}"; do
		{ cat "$CONF/wharf.conf"; wharf_ftps; [[ $v == wharf ]] || echo "${VARIANT_CONF[$v]}"; } | grep . >"$CONF/ftps/$v.conf"
		{ cat "$CONF/wharf.conf"; wharf_sftp; [[ $v == wharf ]] || echo "${VARIANT_CONF[$v]}"; } | grep . >"$CONF/sftp/$v.conf"
	done
	write_vsftpd
	write_proftpd
	write_pureftpd
	write_pyftpdlib
	write_sshd
}

write_wharf() {
	rm -f "$CONF/wharf.users"
	echo "$PASS" | "$BIN/wharf" user add -f "$CONF/wharf.users" -home "$DATA" "$USER_NAME" >/dev/null
	chown "$USER_NAME:" "$CONF/wharf.users"
	cat >"$CONF/wharf.conf" <<-EOF
		listen=YES
		listen_address=127.0.0.1
		listen_port=$PORT
		local_enable=YES
		write_enable=YES
		local_umask=022
		anonymous_enable=NO
		users_file=$CONF/wharf.users
		state_dir=$WORK/state
		pasv_enable=YES
		pasv_min_port=$PASV_MIN
		pasv_max_port=$PASV_MAX
		max_clients=0
		max_per_ip=0
		use_sendfile=YES
		xferlog_enable=NO
		log_ftp_protocol=NO
		log_level=warn
		idle_session_timeout=600
	EOF
	# SFTP: the client's key for the same user.
	"$BIN/wharf" user key add -f "$CONF/wharf.users" -k "$SSH_KEY.pub" "$USER_NAME" >/dev/null
	echo "setpriv --reuid=$USER_NAME --regid=$USER_NAME --clear-groups wharf serve -c wharf.conf" >"$CONF/wharf.cmd"
}

write_vsftpd() {
	# pam_service_name names no file in /etc/pam.d, so PAM uses
	# /etc/pam.d/other (pam_unix against /etc/shadow) and nothing is added
	# to the system's PAM configuration.
	cat >"$CONF/vsftpd.conf" <<-EOF
		listen=YES
		listen_ipv6=NO
		listen_address=127.0.0.1
		listen_port=$PORT
		background=NO
		anonymous_enable=NO
		local_enable=YES
		write_enable=YES
		local_umask=022
		chroot_local_user=YES
		allow_writeable_chroot=YES
		secure_chroot_dir=$WORK/vsftpd-empty
		pam_service_name=wharf-bench-vsftpd
		pasv_enable=YES
		pasv_min_port=$PASV_MIN
		pasv_max_port=$PASV_MAX
		use_sendfile=YES
		max_clients=0
		max_per_ip=0
		xferlog_enable=NO
		syslog_enable=NO
		dual_log_enable=NO
		log_ftp_protocol=NO
		tcp_wrappers=NO
		idle_session_timeout=600
	EOF
	echo "vsftpd vsftpd.conf" >"$CONF/vsftpd.cmd"
	# require_ssl_reuse=YES and ssl_ciphers (TLS 1.2 only) are Debian's
	# defaults, written out; this vsftpd has no TLS 1.1-1.3 switches, so
	# OpenSSL offers 1.2 and 1.3 (the client offers nothing older).
	{ cat "$CONF/vsftpd.conf"; cat <<-EOF; } >"$CONF/ftps/vsftpd.conf"
		ssl_enable=YES
		rsa_cert_file=$TLS_CERT
		rsa_private_key_file=$TLS_KEY
		ssl_sslv2=NO
		ssl_sslv3=NO
		ssl_tlsv1=NO
		require_ssl_reuse=YES
		force_local_logins_ssl=YES
		force_local_data_ssl=YES
		ssl_ciphers=ECDHE-RSA-AES256-GCM-SHA384
	EOF
}

write_proftpd() {
	cat >"$CONF/proftpd.conf" <<-EOF
		ServerName "proftpd bench"
		ServerType standalone
		DefaultServer on
		Port $PORT
		DefaultAddress 127.0.0.1
		SocketBindTight on
		UseIPv6 off
		User nobody
		Group nogroup
		Umask 022
		MaxInstances 2000
		MaxClients none
		MaxClientsPerHost none
		PassivePorts $PASV_MIN $PASV_MAX
		UseSendfile on
		UseReverseDNS off
		<IfModule mod_ident.c>
		  IdentLookups off
		</IfModule>
		DefaultRoot ~
		RequireValidShell off
		AuthOrder mod_auth_unix.c
		<IfModule mod_auth_pam.c>
		  AuthPAM off
		</IfModule>
		AllowOverwrite on
		TimeoutIdle 600
		WtmpLog off
		TransferLog NONE
		SystemLog NONE
		ScoreboardFile $WORK/proftpd.scoreboard
		PidFile $WORK/proftpd.pid
	EOF
	echo "proftpd -n -q -c proftpd.conf" >"$CONF/proftpd.cmd"
	# mod_tls from proftpd-mod-crypto. TLSOptions leaves out
	# NoSessionReuseRequired: data connections must resume the control
	# session (ProFTPD's default). TLSRequired on: logins and data.
	# TLSServerCipherPreference off: the client's cipher order, as the other
	# servers use (ProFTPD's own order would pick AES-256-GCM).
	{ cat "$CONF/proftpd.conf"; cat <<-EOF; } >"$CONF/ftps/proftpd.conf"
		ModulePath $PEERS/proftpd/usr/lib/proftpd
		LoadModule mod_tls.c
		<IfModule mod_tls.c>
		  TLSEngine on
		  TLSRequired on
		  TLSProtocol TLSv1.2 TLSv1.3
		  TLSRSACertificateFile $TLS_CERT
		  TLSRSACertificateKeyFile $TLS_KEY
		  TLSVerifyClient off
		  TLSRenegotiate none
		  TLSServerCipherPreference off
		  TLSSessionTickets on
		  TLSLog none
		</IfModule>
	EOF
}

PUREFTPD_ARGS=() PUREFTPD_TLS_ARGS=()
write_pureftpd() {
	# -S address,port  -l unix: /etc/shadow  -A: chroot everyone  -E: no
	# anonymous  -H: no reverse DNS  -c/-C: max clients, per address
	# -p: passive range  -L: list up to 200,000 files (the default, 2,000,
	# would truncate the listing workloads)  -f none: no syslog  -u 1: any
	# uid may log in  -I: idle timeout in minutes
	PUREFTPD_ARGS=(-S "127.0.0.1,$PORT" -4 -l unix -A -E -H -c 2000 -C 2000
		-p "$PASV_MIN:$PASV_MAX" -L 200000:8 -f none -u 1 -I 10)
	echo "pure-ftpd ${PUREFTPD_ARGS[*]}" >"$CONF/pure-ftpd.cmd"
	# -Y 3: TLS required for the session and for data (PROT P); -2: the
	# certificate and key. Pure-FTPd has no setting to require session
	# reuse on data connections.
	# Pure-FTPd makes OpenSSL prefer its own TLS 1.3 order (AES-256-GCM
	# first) and has no switch for TLS 1.3 suites, so an OpenSSL config
	# (OPENSSL_CONF, for Pure-FTPd only) puts AES-128-GCM first: the suite
	# every other server negotiates with this client.
	PUREFTPD_TLS_ARGS=(-Y 3 -2 "$TLS_CERT,$TLS_KEY")
	cat >"$CONF/ftps/pure-ftpd-openssl.cnf" <<-EOF
		openssl_conf = default_conf
		[default_conf]
		ssl_conf = ssl_sect
		[ssl_sect]
		system_default = system_default_sect
		[system_default_sect]
		Ciphersuites = TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256
	EOF
	echo "OPENSSL_CONF=ftps/pure-ftpd-openssl.cnf pure-ftpd ${PUREFTPD_ARGS[*]} ${PUREFTPD_TLS_ARGS[*]}" >"$CONF/ftps/pure-ftpd.cmd"
}

write_pyftpdlib() {
	install -m 600 -o "$USER_NAME" /dev/null "$CONF/pyftpdlib.password"
	echo "$PASS" >"$CONF/pyftpdlib.password"
	echo "setpriv --reuid=$USER_NAME ... python3 bench/peers/pyftpd_serve.py $PORT data $USER_NAME pyftpdlib.password $PASV_MIN $PASV_MAX" >"$CONF/pyftpdlib.cmd"
	echo "setpriv --reuid=$USER_NAME ... python3 bench/peers/pyftpd_serve.py $PORT data $USER_NAME pyftpdlib.password $PASV_MIN $PASV_MAX tls/cert.pem tls/key.pem" >"$CONF/ftps/pyftpdlib.cmd"
}

# write_sshd: OpenSSH's sshd on 127.0.0.1:SSH_PORT, key logins for
# wharfbench only, the sftp subsystem from openssh-sftp-server. No
# ChrootDirectory: sshd wants a root-owned chroot, and the data directory
# belongs to wharfbench (Wharf confines to it with os.Root).
write_sshd() {
	mkdir -p /run/sshd
	# sshd's privilege separation needs its system account.
	id sshd >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /run/sshd --shell /usr/sbin/nologin sshd
	cat >"$CONF/sftp/sshd_config" <<-EOF
		Port $SSH_PORT
		ListenAddress 127.0.0.1
		HostKey $SSH_HOST_KEY
		PidFile none
		AuthorizedKeysFile $SSH_DIR/authorized_keys
		AllowUsers $USER_NAME
		PubkeyAuthentication yes
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		UsePAM no
		UseDNS no
		StrictModes no
		PermitRootLogin no
		X11Forwarding no
		AllowTcpForwarding no
		Subsystem sftp $PEERS/openssh/usr/lib/openssh/sftp-server
	EOF
	echo "sshd -D -e -f sshd_config" >"$CONF/sftp/openssh.cmd"
	local v
	for v in wharf "${!VARIANT_BIN[@]}"; do
		sed "s|serve -c $v.conf|serve -c sftp/$v.conf|" "$CONF/$v.cmd" >"$CONF/sftp/$v.cmd"
		sed "s|serve -c $v.conf|serve -c ftps/$v.conf|" "$CONF/$v.cmd" >"$CONF/ftps/$v.cmd"
	done
	for v in vsftpd proftpd; do
		sed "s|$v.conf|ftps/$v.conf|" "$CONF/$v.cmd" >"$CONF/ftps/$v.cmd"
	done
}

SERVER_PID=""
SERVER_NAME=""

# start_server NAME: start one server in the background in MODE, set
# SERVER_PID, and wait until it listens (on SSH_PORT in SFTP mode, else on
# PORT).
start_server() {
	local name=$1 logf=$LOGS/$1.log conf=$CONF
	SERVER_NAME=$name
	[[ $MODE == plain ]] || conf=$CONF/$MODE
	LISTEN_PORT=$PORT
	[[ $MODE == sftp ]] && LISTEN_PORT=$SSH_PORT
	case $name in
	wharf | wharf-*)
		local bin=$BIN/wharf
		[[ $name == wharf-* ]] && { [[ -v VARIANT_BIN[$name] ]] || die "unknown variant $name (define it with -V)"; bin=${VARIANT_BIN[$name]:-$bin}; }
		# WHARF_ENV (profile.sh): e.g. GODEBUG=gctrace=1
		env ${WHARF_ENV:-} setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --clear-groups \
			"$bin" serve -c "$conf/$name.conf" >>"$logf" 2>&1 &
		;;
	vsftpd)
		LD_LIBRARY_PATH=$PEER_LIBS "$PEERS/vsftpd/usr/sbin/vsftpd" "$conf/vsftpd.conf" >>"$logf" 2>&1 </dev/null &
		;;
	proftpd)
		LD_LIBRARY_PATH=$PEER_LIBS "$PEERS/proftpd/usr/sbin/proftpd" -n -q -c "$conf/proftpd.conf" >>"$logf" 2>&1 </dev/null &
		;;
	pure-ftpd)
		local tlsargs=() sslconf=${OPENSSL_CONF:-}
		[[ $MODE == ftps ]] && tlsargs=("${PUREFTPD_TLS_ARGS[@]}") sslconf=$CONF/ftps/pure-ftpd-openssl.cnf
		OPENSSL_CONF=$sslconf LD_LIBRARY_PATH=$PEER_LIBS "$PEERS/pure-ftpd/usr/sbin/pure-ftpd" "${PUREFTPD_ARGS[@]}" "${tlsargs[@]}" >>"$logf" 2>&1 </dev/null &
		;;
	pyftpdlib)
		local tlsargs=()
		[[ $MODE == ftps ]] && tlsargs=("$TLS_CERT" "$TLS_KEY")
		PYTHONPATH=$PEERS/pyftpdlib/usr/lib/python3/dist-packages as_user /usr/bin/python3 \
			"$BENCH/peers/pyftpd_serve.py" "$PORT" "$DATA" "$USER_NAME" "$CONF/pyftpdlib.password" \
			"$PASV_MIN" "$PASV_MAX" "${tlsargs[@]}" >>"$logf" 2>&1 </dev/null &
		;;
	openssh)
		[[ $MODE == sftp ]] || die "openssh serves SFTP only"
		# Under loadgen reap: sshd's monitor leaves its session processes
		# to be reaped by someone else, and their CPU time must be ours.
		LD_LIBRARY_PATH=$PEER_LIBS "$BIN/loadgen" reap -- "$PEERS/openssh/usr/sbin/sshd" -D -e -f "$CONF/sftp/sshd_config" >>"$logf" 2>&1 </dev/null &
		;;
	*) die "unknown server $name" ;;
	esac
	SERVER_PID=$!
	wait_listening "$name"
}

wait_listening() {
	local i
	for ((i = 0; i < 200; i++)); do
		kill -0 "$SERVER_PID" 2>/dev/null || die "$1 exited at start; see $LOGS/$1.log"
		if ss -Htln "sport = :$LISTEN_PORT" | grep -q .; then
			sleep 0.2
			return
		fi
		sleep 0.05
	done
	die "$1 does not listen on $LISTEN_PORT after 10 s; see $LOGS/$1.log"
}

# descendants PID: every process below PID, from /proc.
descendants() {
	local kid
	for kid in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		echo "$kid"
		descendants "$kid"
	done
}

# stop_server: SIGTERM the server by PID, wait, then SIGKILL what is left
# of its process tree (by PID: forked sessions of vsftpd/ProFTPD/Pure-FTPd).
stop_server() {
	[[ -n $SERVER_PID ]] || return 0
	local pid=$SERVER_PID kids i
	kids=$(descendants "$pid")
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" $kids 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	SERVER_PID=""
	# Let the port and the kernel settle before the next server.
	for ((i = 0; i < 100; i++)); do
		ss -Htln "sport = :${LISTEN_PORT:-$PORT}" | grep -q . || break
		sleep 0.05
	done
}

write_header() {
	local elapsed=$1
	cat <<-EOF
		# Wharf benchmark results

		Produced by \`bench/run.sh${RUN_ARGS:+ $RUN_ARGS}\` on $(date -u '+%Y-%m-%d %H:%M UTC'), in $((elapsed / 60)) min $((elapsed % 60)) s.
		Every figure is from that one run, on one machine, over 127.0.0.1, with the same Go client (\`bench/loadgen\`) for every server.
		Each run of each workload starts the server afresh; runs are interleaved (run *r* starts every server once, in an order rotated by *r*); the ceiling (a bare TCP copy with no server) takes its turn in the rotations of the 1 GiB RETR and STOR runs.
		Server CPU is the CPU time of all the server's processes over the timed part (from /proc/PID/task/*/schedstat), the column to trust when the wall-clock ranges are wide.

		## Machine

		- CPU: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores (\`nproc\`)
		- Memory: $(free -m | awk '/^Mem:/ {print $2}') MiB
		- Kernel: $(uname -r); $(. /etc/os-release && echo "$PRETTY_NAME")
		- Data directory: $(df -T "$DATA" | awk 'NR==2 {print $2}') (\`bench/.work/data\`), files read from page cache
		- Load average when the run ended (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg). Anything above 0 is other work sharing the $(nproc) cores: it widens the min–max ranges and lowers throughput for every server alike; the server CPU columns are much less sensitive to it than wall times

		## Versions

		- Wharf: $("$BIN/wharf" version 2>&1 | head -1) (commit $(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && [[ -z $(git status --porcelain -- cmd internal go.mod go.sum 2>/dev/null) ]] || echo ", built from a working tree with uncommitted engine changes")), $(go version | awk '{print $3}')
		- vsftpd: Debian $(peer_version vsftpd)
		- ProFTPD: Debian $(peer_version proftpd)
		- Pure-FTPd: Debian $(peer_version pure-ftpd)
		- pyftpdlib: Debian $(peer_version pyftpdlib), $(/usr/bin/python3 --version)$(/usr/bin/python3 -c 'import OpenSSL; print(", pyOpenSSL", OpenSSL.__version__)' 2>/dev/null)
		- OpenSSH (sshd and sftp-server; the client is the system's): Debian $(peer_version openssh); client $(ssh -V 2>&1 | cut -d, -f1)
		- OpenSSL (vsftpd, ProFTPD, Pure-FTPd, pyftpdlib): $(openssl version | cut -d' ' -f1-2)
		- FTPS: one self-signed certificate for every server, $(openssl x509 -in "$TLS_CERT" -noout -text 2>/dev/null | grep -m1 -o 'Public-Key: ([0-9]* bit)' | tr -d '()' | sed 's/Public-Key: /RSA /'); the client is Go's crypto/tls ($(go version | awk '{print $3}')): TLS 1.2 and 1.3 offered, X25519 key exchange only, its own TLS session cache per control connection

		## Results

	EOF
}

write_footer() {
	local s
	echo "## Configs"
	echo
	echo "Control port $PORT and passive ports $PASV_MIN-$PASV_MAX on 127.0.0.1 for every server; paths below are under bench/.work."
	echo "User $USER_NAME (a system account made by useradd; Wharf and pyftpdlib have it in their own user lists, with the same password)."
	echo
	IFS=, read -ra shown <<<"$servers"
	for s in "${shown[@]}"; do
		echo "### $s"
		echo
		if [[ $s != openssh ]]; then
			echo '```'
			echo "\$ $(sed "s|$WORK/||g" "$CONF/$s.cmd")"
			case $s in
			wharf | wharf-*) sed "s|$WORK/||g" "$CONF/$s.conf" ;;
			vsftpd) sed "s|$WORK/||g" "$CONF/vsftpd.conf" ;;
			proftpd) sed "s|$WORK/||g" "$CONF/proftpd.conf" ;;
			pyftpdlib) sed -n '/^def main/,/serve_forever/p' "$BENCH/peers/pyftpd_serve.py" ;;
			esac
			echo '```'
			echo
		fi
		if [[ -f $CONF/ftps/$s.cmd ]] && speaks "$s" ftps >/dev/null; then
			echo "FTPS (the \`ftps-*\` workloads): the config above plus"
			echo
			echo '```'
			echo "\$ $(sed "s|$WORK/||g; s|$PEERS/|bench/.peers/|g" "$CONF/ftps/$s.cmd")"
			case $s in
			wharf | wharf-* | vsftpd | proftpd)
				grep -vxF -f "$CONF/$s.conf" "$CONF/ftps/$s.conf" | sed "s|$WORK/||g; s|$PEERS/|bench/.peers/|g" ;;
			pure-ftpd) sed -n '/^\[system_default_sect\]/,$p' "$CONF/ftps/pure-ftpd-openssl.cnf" ;;
			pyftpdlib) sed -n '/^def tls_handler/,/return/p' "$BENCH/peers/pyftpd_serve.py" ;;
			esac
			echo '```'
			echo
		fi
		if [[ -f $CONF/sftp/$s.cmd ]]; then
			echo "SFTP (the \`sftp-*\` workloads):"
			echo
			echo '```'
			echo "\$ $(sed "s|$WORK/||g" "$CONF/sftp/$s.cmd")"
			case $s in
			wharf | wharf-*) grep -vxF -f "$CONF/$s.conf" "$CONF/sftp/$s.conf" | sed "s|$WORK/||g" ;;
			openssh) sed "s|$WORK/||g; s|$PEERS/|bench/.peers/|g" "$CONF/sftp/sshd_config" ;;
			esac
			echo '```'
			echo
		fi
	done
}
