package sftpinterop

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// sshOpts pin the host key and ignore the user's own ssh configuration.
func sshOpts() []string {
	return []string{"-F", "/dev/null", "-o", "UserKnownHostsFile=" + w.knownHosts,
		"-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes", "-o", "LogLevel=ERROR"}
}

func keyOpts() []string {
	return []string{"-i", w.key, "-o", "IdentitiesOnly=yes", "-o", "PreferredAuthentications=publickey"}
}

// passwordOpts: sftp -b implies BatchMode, which would refuse to ask for
// a password; sshpass answers the prompt.
func passwordOpts() []string {
	return []string{"-o", "BatchMode=no", "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password"}
}

// sftpBatch runs OpenSSH sftp in batch mode (-b) in dir, with a key or a
// password (through sshpass).
func sftpBatch(t *testing.T, withKey, wantFail bool, dir, script string) string {
	t.Helper()
	batch := filepath.Join(t.TempDir(), "batch")
	if err := os.WriteFile(batch, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	// ssh takes the first value of an option, and -b adds BatchMode=yes
	// where it stands: the password options must come before it.
	args := append(sshOpts(), "-P", strconv.Itoa(w.port))
	if withKey {
		args = append(append(args, keyOpts()...), "-b", batch, user+"@127.0.0.1")
		return run(t, wantFail, dir, nil, "sftp", args...)
	}
	args = append(append(args, passwordOpts()...), "-b", batch, user+"@127.0.0.1")
	return run(t, wantFail, dir, nil, "sshpass", append([]string{"-p", password, "sftp"}, args...)...)
}

// transferScript uploads every small file into sub, lists, downloads them
// back as NAME.back, then renames, removes and makes and removes a
// directory.
func transferScript(sub string) string {
	var b strings.Builder
	b.WriteString("mkdir " + sub + "\ncd " + sub + "\n")
	for name := range sizes {
		b.WriteString("put \"" + name + "\"\n")
	}
	b.WriteString("ls -l\n")
	for name := range sizes {
		b.WriteString("get \"" + name + "\" \"" + name + ".back\"\n")
	}
	b.WriteString("rename one.bin renamed.bin\nrm zero.bin\nmkdir emptydir\nrmdir emptydir\nls -1\n")
	return b.String()
}

// checkTransfers verifies what transferScript did, on both sides.
func checkTransfers(t *testing.T, local, remote, listing string) {
	t.Helper()
	for name := range sizes {
		if !strings.Contains(listing, name) {
			t.Errorf("listing lacks %q:\n%s", name, listing)
		}
		sameFile(t, filepath.Join(local, name+".back"), filepath.Join(localFiles(t), name))
		os.Remove(filepath.Join(local, name+".back"))
		if name == "one.bin" || name == "zero.bin" {
			continue
		}
		sameFile(t, filepath.Join(remote, name), filepath.Join(localFiles(t), name))
	}
	sameFile(t, filepath.Join(remote, "renamed.bin"), filepath.Join(localFiles(t), "one.bin"))
	for _, gone := range []string{"one.bin", "zero.bin", "emptydir"} {
		if exists(filepath.Join(remote, gone)) {
			t.Errorf("%s still exists", gone)
		}
	}
}

func TestOpenSSHSFTPPassword(t *testing.T) {
	need(t, "sftp", "sshpass")
	local := localFiles(t)
	remote := filepath.Join(w.data, "ossh-pw")
	os.RemoveAll(remote)
	out := sftpBatch(t, false, false, local, transferScript("ossh-pw"))
	checkTransfers(t, local, remote, out)
}

func TestOpenSSHSFTPKey(t *testing.T) {
	need(t, "sftp")
	local := localFiles(t)
	remote := filepath.Join(w.data, "ossh-key")
	os.RemoveAll(remote)
	out := sftpBatch(t, true, false, local, transferScript("ossh-key"))
	checkTransfers(t, local, remote, out)
}

// TestOpenSSHResume: reput appends to a partial upload, reget to a partial
// download.
func TestOpenSSHResume(t *testing.T) {
	need(t, "sftp")
	local := t.TempDir()
	remote := remoteDir(t, "ossh-resume")
	five := filepath.Join(localFiles(t), "five.bin")
	prefixFile(t, filepath.Join(remote, "up.bin"), five, 2_000_000)
	prefixFile(t, filepath.Join(local, "down.bin"), five, 3_000_001)
	os.Link(five, filepath.Join(local, "five.bin"))
	writeCopy(t, filepath.Join(remote, "full.bin"), five)
	sftpBatch(t, true, false, local, "cd ossh-resume\nreput five.bin up.bin\nreget full.bin down.bin\n")
	sameFile(t, filepath.Join(remote, "up.bin"), five)
	sameFile(t, filepath.Join(local, "down.bin"), five)
	if !strings.Contains(serverLog(t), `mode=append path=/ossh-resume/up.bin bytes=3242880`) {
		t.Error("reput did not append the missing 3242880 bytes")
	}
}

func writeCopy(t *testing.T, dst, src string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOpenSSHBig moves 200 MiB each way.
func TestOpenSSHBig(t *testing.T) {
	need(t, "sftp")
	if testing.Short() {
		t.Skip("200 MiB")
	}
	big := bigFile(t)
	local := t.TempDir()
	os.Symlink(big, filepath.Join(local, "big.bin"))
	remote := remoteDir(t, "ossh-big")
	sftpBatch(t, true, false, local, "cd ossh-big\nput big.bin\nget big.bin big.back\n")
	sameFile(t, filepath.Join(remote, "big.bin"), big)
	sameFile(t, filepath.Join(local, "big.back"), big)
	os.Remove(filepath.Join(remote, "big.bin"))
}

// TestSCP: OpenSSH 9's scp speaks SFTP.
func TestSCP(t *testing.T) {
	need(t, "scp", "sshpass")
	local := t.TempDir()
	remote := remoteDir(t, "scp")
	src := filepath.Join(localFiles(t), spaceName)
	port := strconv.Itoa(w.port)
	key := append(append(sshOpts(), keyOpts()...), "-P", port)
	run(t, false, local, nil, "scp", append(key, src, user+"@127.0.0.1:scp/"+spaceName)...)
	sameFile(t, filepath.Join(remote, spaceName), src)
	run(t, false, local, nil, "scp", append(key, user+"@127.0.0.1:scp/"+spaceName, "back.bin")...)
	sameFile(t, filepath.Join(local, "back.bin"), src)

	five := filepath.Join(localFiles(t), "five.bin")
	pw := append(append([]string{"-p", password, "scp"}, sshOpts()...), passwordOpts()...)
	run(t, false, local, nil, "sshpass", append(pw, "-P", port, five, user+"@127.0.0.1:scp/five.bin")...)
	sameFile(t, filepath.Join(remote, "five.bin"), five)
	// The legacy scp protocol needs exec, which is refused.
	run(t, true, local, nil, "scp", append(key, "-O", five, user+"@127.0.0.1:scp/legacy.bin")...)
}

// TestOpenSSHRefusals: wrong password, unknown key, exec, shell and port
// forwarding are refused.
func TestOpenSSHRefusals(t *testing.T) {
	need(t, "ssh", "sshpass")
	dir := t.TempDir()
	port := strconv.Itoa(w.port)
	pw := append(append([]string{"-p", "wrong", "ssh"}, sshOpts()...), passwordOpts()...)
	run(t, true, dir, nil, "sshpass", append(pw, "-p", port, user+"@127.0.0.1", "true")...)

	run(t, false, dir, nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, "other"))
	other := append(sshOpts(), "-i", filepath.Join(dir, "other"), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes")
	out := run(t, true, dir, nil, "ssh", append(other, "-p", port, user+"@127.0.0.1", "true")...)
	if !strings.Contains(out, "Permission denied") {
		t.Errorf("unknown key: %s", out)
	}

	key := append(append(sshOpts(), keyOpts()...), "-p", port, "-o", "BatchMode=yes")
	out = run(t, true, dir, nil, "ssh", append(key, user+"@127.0.0.1", "id")...)
	if !strings.Contains(out, "exec request failed") {
		t.Errorf("exec: %s", out)
	}
	out = run(t, true, dir, nil, "ssh", append(key, "-tt", user+"@127.0.0.1")...)
	if !strings.Contains(out, "request failed") {
		t.Errorf("shell: %s", out)
	}
	out = run(t, true, dir, nil, "ssh", append(key, "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:1",
		"-N", user+"@127.0.0.1")...)
	if !strings.Contains(out, "forwarding failed") {
		t.Errorf("remote forwarding: %s", out)
	}
}
