package cli

import (
	"fmt"
	"net"
	"strings"

	"golang.org/x/crypto/ssh"

	"wharf/internal/daemon"
	"wharf/internal/sftpd"
)

// runSFTP is `wharf sftp host-keys [-c FILE] [-o key=value] [-known-hosts HOST[:PORT]]`:
// it prints the SFTP host keys' SHA256 fingerprints (as `ssh-keygen -l`
// and clients show them), loading sftp_host_key_files or the keys kept in
// state_dir/ssh, which it generates if they do not exist yet (so that
// they can be pinned before the first start). With -known-hosts it prints
// known_hosts lines for HOST instead.
func runSFTP(e env) int {
	if len(e.args) == 0 || e.args[0] != "host-keys" {
		fmt.Fprintln(e.stderr, "usage: wharf sftp host-keys [-c FILE] [-o key=value] [-known-hosts HOST[:PORT]]")
		return 2
	}
	fset := newFlagSet("sftp host-keys", e)
	var cf configFlags
	cf.register(fset)
	knownHosts := fset.String("known-hosts", "", "print known_hosts lines for `HOST[:PORT]` instead of fingerprints")
	if fset.Parse(e.args[1:]) != nil {
		return 2
	}
	_, cfg, diags, err := loadForCheck(cf)
	if err != nil {
		for _, d := range diags {
			fmt.Fprintln(e.stderr, d.String())
		}
		fmt.Fprintln(e.stderr, "wharf sftp host-keys:", err)
		return 1
	}
	keys, err := daemon.SFTPHostKeys(cfg)
	if err != nil {
		fmt.Fprintln(e.stderr, "wharf sftp host-keys:", err)
		return 1
	}
	algos := strings.FieldsFunc(cfg.Str("sftp_host_key_algorithms"), func(r rune) bool { return r == ',' || r == ' ' })
	for _, k := range keys {
		pub := k.PublicKey()
		if *knownHosts != "" {
			if sftpd.Offered(pub, algos) {
				fmt.Fprintln(e.stdout, knownhostsLine(*knownHosts, pub))
			}
			continue
		}
		note := ""
		if !sftpd.Offered(pub, algos) {
			note = "  (not offered: see sftp_host_key_algorithms)"
		}
		fmt.Fprintf(e.stdout, "%-20s %s%s\n", pub.Type(), sftpd.Fingerprint(pub), note)
	}
	return 0
}

// knownhostsLine is "[host]:port TYPE BASE64", or "host TYPE BASE64" for
// port 22, as OpenSSH writes them.
func knownhostsLine(hostport string, k ssh.PublicKey) string {
	host := hostport
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		host = "[" + h + "]:" + p
		if p == "22" {
			host = h
		}
	}
	return host + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
}
