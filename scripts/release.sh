#!/usr/bin/env bash
# Release build: a static, pure-Go `wharf` and the small cgo `wharf-pam-helper`
# (PAM modules load their own libc, so PAM cannot live in a static binary).
# Usage: scripts/release.sh [OUTDIR]   (default: dist/)
# Needs Go 1.26; the helper needs gcc and libpam0g-dev (Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist}"
version="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
mkdir -p "$out"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X wharf/internal/cli.Version=$version" -o "$out/wharf" ./cmd/wharf
CGO_ENABLED=1 go build -trimpath -ldflags "-s -w" -o "$out/wharf-pam-helper" ./cmd/wharf-pam-helper
echo "built $out/wharf ($version, static) and $out/wharf-pam-helper (cgo, links libpam)"
echo "install both side by side, e.g. /usr/local/bin/wharf and /usr/local/bin/wharf-pam-helper (or /usr/lib/wharf/)"
