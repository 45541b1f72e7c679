#!/usr/bin/env bash
# curl-backports.sh [DIR]: puts a current curl (Debian bookworm-backports'
# curl and libcurl4) beside the system's, without installing it: apt, with a
# private sources list and state, downloads the two .debs (checked against
# the signed Release file like any apt download), dpkg -x unpacks them into
# DIR, and DIR/bin/curl runs the unpacked curl with LD_LIBRARY_PATH on the
# unpacked libcurl. Everything else curl links (OpenSSL, nghttp2, ...) is
# bookworm's own.
#
# test/ftpsinterop runs DIR/bin/curl as the "curl-backports" row of the FTPS
# matrix. It looks in $WHARF_CURL_BACKPORTS (the wrapper's path), else in the
# default DIR below. .ci/run calls this script after its apt-get install.
#
# DIR defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/wharf/curl-backports. A DIR
# whose wrapper already runs is left as it is (delete DIR to refresh it).
# Needs apt-get, dpkg-deb and HTTP access to deb.debian.org; not root.
set -euo pipefail

dir="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/wharf/curl-backports}"
mirror="${WHARF_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite="bookworm-backports"
wrapper="$dir/bin/curl"

if [ -x "$wrapper" ] && "$wrapper" --version >/dev/null 2>&1; then
	echo "curl-backports: $("$wrapper" --version | head -n1 | cut -d' ' -f1-2) in $wrapper (cached)"
	exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lists/partial" "$tmp/archives/partial" "$tmp/sources.list.d" "$tmp/debs"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
echo "deb [signed-by=$keyring] $mirror $suite main" >"$tmp/sources.list"
apt_opts=(
	-o "Dir::Etc::SourceList=$tmp/sources.list"
	-o "Dir::Etc::SourceParts=$tmp/sources.list.d"
	-o "Dir::State::Lists=$tmp/lists"
	-o "Dir::State::Status=/var/lib/dpkg/status"
	-o "Dir::Cache=$tmp/cache"
	-o "Dir::Cache::Archives=$tmp/archives"
	-o "Debug::NoLocking=1"
	-o "APT::Sandbox::User=$(id -un)"
)
mkdir -p "$tmp/cache"
apt-get -q "${apt_opts[@]}" update >&2
(cd "$tmp/debs" && apt-get -q "${apt_opts[@]}" download "curl/$suite" "libcurl4/$suite" >&2)

rm -rf "$dir.new"
mkdir -p "$dir.new/bin"
for deb in "$tmp"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir.new/root"
	cp "$deb" "$dir.new/"
done
multiarch="$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)"
cat >"$dir.new/bin/curl" <<EOF
#!/bin/sh
# curl from Debian $suite, unpacked by test/tools/curl-backports.sh
d="\$(cd "\$(dirname "\$0")/.." && pwd)"
LD_LIBRARY_PATH="\$d/root/usr/lib/$multiarch\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "\$d/root/usr/bin/curl" "\$@"
EOF
chmod +x "$dir.new/bin/curl"
rm -rf "$dir"
mv "$dir.new" "$dir"

# The wrapper must run the unpacked libcurl, not the system's.
version="$("$wrapper" --version | head -n1)"
echo "curl-backports: $version" >&2
case "$version" in
"curl "*"libcurl/"*) ;;
*)
	echo "curl-backports: $wrapper does not run: $version" >&2
	exit 1
	;;
esac
lib="$(LD_LIBRARY_PATH="$dir/root/usr/lib/$multiarch" ldd "$dir/root/usr/bin/curl" | grep 'libcurl\.so')"
case "$lib" in
*"$dir/root/"*) ;;
*)
	echo "curl-backports: the unpacked curl loads the wrong libcurl: $lib" >&2
	exit 1
	;;
esac
if LD_LIBRARY_PATH="$dir/root/usr/lib/$multiarch" ldd "$dir/root/usr/bin/curl" | grep -q 'not found'; then
	echo "curl-backports: missing libraries:" >&2
	LD_LIBRARY_PATH="$dir/root/usr/lib/$multiarch" ldd "$dir/root/usr/bin/curl" | grep 'not found' >&2
	exit 1
fi
echo "curl-backports: $(echo "$version" | cut -d' ' -f1-2) in $wrapper"
