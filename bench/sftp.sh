#!/usr/bin/env bash
# bench/sftp.sh: SFTP upload and download of 1 GiB, Wharf against OpenSSH's
# sftp-server (a second sshd on a loopback port): the sftp-up1g and
# sftp-down1g workloads of bench/run.sh, on their own.
#
#   sudo bench/sftp.sh               # 5 runs each, interleaved
#   sudo bench/sftp.sh -n 2          # any other run.sh option passes through
#
# The client is OpenSSH's sftp with key authentication, one session per
# cipher (aes128-gcm@openssh.com and chacha20-poly1305@openssh.com); sshd
# and sftp-server come from Debian's packages, extracted into
# bench/.peers/openssh, never installed. The report goes to
# bench/.work/RESULTS.md unless -o says otherwise. See bench/run.sh.
set -euo pipefail
exec "$(dirname "$0")/run.sh" -w sftp-up1g,sftp-down1g -s wharf,openssh "$@"
