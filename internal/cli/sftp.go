package cli

import (
	"fmt"
	"net"

	"wharf/internal/daemon"
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
	keys, err := daemon.SFTPHostKeyInfo(cfg)
	if err != nil {
		fmt.Fprintln(e.stderr, "wharf sftp host-keys:", err)
		return 1
	}
	for _, k := range keys {
		if *knownHosts != "" {
			if k.Offered {
				fmt.Fprintln(e.stdout, knownHostsName(*knownHosts)+" "+k.AuthorizedKey)
			}
			continue
		}
		note := ""
		if !k.Offered {
			note = "  (not offered: see sftp_host_key_algorithms)"
		}
		fmt.Fprintf(e.stdout, "%-20s %s%s\n", k.Type, k.Fingerprint, note)
	}
	return 0
}

// knownHostsName is "[host]:port", or "host" for port 22, as OpenSSH
// writes them in known_hosts.
func knownHostsName(hostport string) string {
	h, p, err := net.SplitHostPort(hostport)
	switch {
	case err != nil:
		return hostport
	case p == "22":
		return h
	}
	return "[" + h + "]:" + p
}
