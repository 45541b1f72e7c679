# bench/lib/peers.sh: install the peer servers from Debian packages without
# installing them: `apt-get download` + `dpkg -x` into bench/.peers/<name>/.
# Sourced by bench/run.sh.

# Peer name -> Debian package.
declare -A PEER_PKG=(
	[vsftpd]=vsftpd
	[proftpd]=proftpd-core
	[pure-ftpd]=pure-ftpd
	[pyftpdlib]=python3-pyftpdlib
	[openssh]=openssh-server
)
# Peer name -> more packages extracted into the same directory: ProFTPD's
# mod_tls lives in proftpd-mod-crypto, sshd's sftp-server in
# openssh-sftp-server.
declare -A PEER_EXTRA=(
	[proftpd]=proftpd-mod-crypto
	[openssh]=openssh-sftp-server
)

PEER_LIBS=$PEERS/libs/usr/lib/x86_64-linux-gnu:$PEERS/libs/lib/x86_64-linux-gnu

# apt_update_once: at most one `apt-get update` per run.sh run (download
# runs in a subshell, so a marker file, not a variable, remembers it).
apt_update_once() {
	local mark=$PEERS/debs/.updated-$$
	if [[ ! -e $mark ]]; then
		log "apt-get update"
		apt-get update -qq >/dev/null
		touch "$mark"
	fi
}

# download PKG: fetch PKG's .deb into bench/.peers/debs and print its path.
download() {
	local pkg=$1 deb
	mkdir -p "$PEERS/debs"
	deb=$(ls "$PEERS/debs/${pkg}_"*.deb 2>/dev/null | head -1 || true)
	if [[ -z $deb ]]; then
		apt_update_once
		(cd "$PEERS/debs" && apt-get download "$pkg" >/dev/null 2>&1) || die "apt-get download $pkg failed"
		deb=$(ls "$PEERS/debs/${pkg}_"*.deb | head -1)
	fi
	echo "$deb"
}

installed() {
	[[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true) == installed ]]
}

# lib_deps DEB: the library packages DEB depends on (first alternative of
# each dependency, versions and :arch stripped).
lib_deps() {
	dpkg-deb -f "$1" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/:.*//; s/ //g' | grep '^lib' || true
}

# add_missing_libs DEB: extract every library package DEB needs that the
# system lacks into bench/.peers/libs, recursively.
declare -A seen_lib=()
add_missing_libs() {
	local dep deb
	for dep in $(lib_deps "$1"); do
		[[ -n ${seen_lib[$dep]:-} ]] && continue
		seen_lib[$dep]=1
		installed "$dep" && continue
		log "  missing library package $dep: extracting it into bench/.peers/libs"
		deb=$(download "$dep")
		dpkg -x "$deb" "$PEERS/libs"
		add_missing_libs "$deb"
	done
}

install_peers() {
	local name pkg deb
	mkdir -p "$PEERS/libs" "$PEERS/debs"
	rm -f "$PEERS"/debs/.updated-*
	for name in "${!PEER_PKG[@]}"; do
		pkg=${PEER_PKG[$name]}
		if [[ ! -f $PEERS/$name/.extracted ]]; then
			log "installing $name from $pkg"
			deb=$(download "$pkg")
			rm -rf "${PEERS:?}/$name"
			mkdir -p "$PEERS/$name"
			dpkg -x "$deb" "$PEERS/$name"
			basename "$deb" >"$PEERS/$name/.extracted"
		fi
		add_missing_libs "$(ls "$PEERS/debs/${pkg}_"*.deb | head -1)"
		for pkg in ${PEER_EXTRA[$name]:-}; do
			deb=$(download "$pkg")
			if [[ ! -f $PEERS/$name/.extra-$pkg ]]; then
				log "adding $pkg to $name"
				dpkg -x "$deb" "$PEERS/$name"
				basename "$deb" >"$PEERS/$name/.extra-$pkg"
			fi
			add_missing_libs "$deb"
		done
	done
	local bin
	for bin in vsftpd/usr/sbin/vsftpd proftpd/usr/sbin/proftpd pure-ftpd/usr/sbin/pure-ftpd \
		proftpd/usr/lib/proftpd/mod_tls.so openssh/usr/sbin/sshd openssh/usr/lib/openssh/sftp-server; do
		if LD_LIBRARY_PATH=$PEER_LIBS ldd "$PEERS/$bin" | grep -q 'not found'; then
			LD_LIBRARY_PATH=$PEER_LIBS ldd "$PEERS/$bin" | grep 'not found' >&2
			die "$bin still lacks libraries"
		fi
	done
}

# peer_version NAME: the Debian package version a peer came from.
peer_version() {
	local f=$PEERS/$1/.extracted
	[[ -f $f ]] && sed 's/^[^_]*_//; s/_[^_]*$//; s/%3a/:/' "$f" || echo "?"
}
