package sftpinterop

import (
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// curl (libssh2 backend on Debian), with the host key pinned by its SHA256.
func curlArgs(extra ...string) []string {
	return append([]string{"-sS", "--fail", "--hostpubsha256", w.ed25519FP, "-u", user + ":" + password}, extra...)
}

func sftpURL(p string) string {
	return "sftp://127.0.0.1:" + strconv.Itoa(w.port) + "/" + (&url.URL{Path: p}).EscapedPath()
}

func TestCurl(t *testing.T) {
	need(t, "curl")
	local, files := t.TempDir(), localFiles(t)
	remote := filepath.Join(w.data, "curl")
	os.RemoveAll(remote)
	for name := range sizes {
		run(t, false, local, nil, "curl", curlArgs("--ftp-create-dirs", "-T", filepath.Join(files, name), sftpURL("curl/"+name))...)
		sameFile(t, filepath.Join(remote, name), filepath.Join(files, name))
		run(t, false, local, nil, "curl", curlArgs("-o", name+".back", sftpURL("curl/"+name))...)
		sameFile(t, filepath.Join(local, name+".back"), filepath.Join(files, name))
	}
	listing := run(t, false, local, nil, "curl", curlArgs(sftpURL("curl")+"/")...)
	for name := range sizes {
		if !strings.Contains(listing, name) {
			t.Errorf("listing lacks %q:\n%s", name, listing)
		}
	}
	run(t, false, local, nil, "curl", curlArgs("-o", "/dev/null",
		"-Q", "mkdir /curl/dir", "-Q", "rename /curl/one.bin /curl/dir/moved.bin",
		"-Q", "rm /curl/dir/moved.bin", "-Q", "rmdir /curl/dir", "-Q", "rm /curl/zero.bin", sftpURL("curl")+"/")...)
	for _, gone := range []string{"one.bin", "zero.bin", "dir"} {
		if exists(filepath.Join(remote, gone)) {
			t.Errorf("%s still exists", gone)
		}
	}
}

// TestCurlResume: -C - continues an upload (APPEND at the remote size) and
// a download.
func TestCurlResume(t *testing.T) {
	need(t, "curl")
	local := t.TempDir()
	remote := remoteDir(t, "curl-resume")
	five := filepath.Join(localFiles(t), "five.bin")
	prefixFile(t, filepath.Join(remote, "up.bin"), five, 1_234_567)
	run(t, false, local, nil, "curl", curlArgs("-C", "-", "-T", five, sftpURL("curl-resume/up.bin"))...)
	sameFile(t, filepath.Join(remote, "up.bin"), five)
	prefixFile(t, filepath.Join(local, "down.bin"), five, 2_345_678)
	run(t, false, local, nil, "curl", curlArgs("-C", "-", "-o", "down.bin", sftpURL("curl-resume/up.bin"))...)
	sameFile(t, filepath.Join(local, "down.bin"), five)
}

// lftp drives OpenSSH's ssh (sftp:connect-program) and answers its
// password prompt itself.
func lftpScript(t *testing.T, dir, body string) string {
	t.Helper()
	ssh := "ssh -a -x " + strings.Join(sshOpts(), " ") + " -o PubkeyAuthentication=no"
	script := "set sftp:connect-program \"" + ssh + "\"\nset cmd:fail-exit yes\nset net:max-retries 1\n" +
		"open -u " + user + "," + password + " -p " + strconv.Itoa(w.port) + " sftp://127.0.0.1\n" + body + "bye\n"
	path := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	return run(t, false, dir, nil, "lftp", "-f", path)
}

func TestLFTP(t *testing.T) {
	need(t, "lftp", "ssh")
	local, files := t.TempDir(), localFiles(t)
	remote := filepath.Join(w.data, "lftp")
	os.RemoveAll(remote)
	var b strings.Builder
	b.WriteString("mkdir lftp\ncd lftp\n")
	for name := range sizes {
		b.WriteString("put \"" + filepath.Join(files, name) + "\" -o \"" + name + "\"\n")
	}
	b.WriteString("cls -1\n")
	for name := range sizes {
		b.WriteString("get \"" + name + "\" -o \"" + filepath.Join(local, name) + "\"\n")
	}
	b.WriteString("mv one.bin renamed.bin\nrm zero.bin\nmkdir sub\nrmdir sub\n")
	listing := lftpScript(t, local, b.String())
	for name := range sizes {
		if !strings.Contains(listing, name) {
			t.Errorf("listing lacks %q:\n%s", name, listing)
		}
		sameFile(t, filepath.Join(local, name), filepath.Join(files, name))
	}
	sameFile(t, filepath.Join(remote, "renamed.bin"), filepath.Join(files, "one.bin"))
	sameFile(t, filepath.Join(remote, spaceName), filepath.Join(files, spaceName))
	for _, gone := range []string{"one.bin", "zero.bin", "sub"} {
		if exists(filepath.Join(remote, gone)) {
			t.Errorf("%s still exists", gone)
		}
	}
}

// TestLFTPResume: put -c and get -c continue partial transfers.
func TestLFTPResume(t *testing.T) {
	need(t, "lftp", "ssh")
	local := t.TempDir()
	remote := remoteDir(t, "lftp-resume")
	five := filepath.Join(localFiles(t), "five.bin")
	prefixFile(t, filepath.Join(remote, "up.bin"), five, 1_000_000)
	prefixFile(t, filepath.Join(local, "down.bin"), five, 4_000_000)
	lftpScript(t, local, "cd lftp-resume\nput -c "+five+" -o up.bin\nget -c up.bin -o "+filepath.Join(local, "down.bin")+"\n")
	sameFile(t, filepath.Join(remote, "up.bin"), five)
	sameFile(t, filepath.Join(local, "down.bin"), five)
}

// rclone's sftp backend (Go, pkg/sftp client), with an on-the-fly remote.
func rcloneRemote(t *testing.T, dir string) string {
	t.Helper()
	obscured := strings.TrimSpace(run(t, false, dir, nil, "rclone", "obscure", password))
	return ":sftp,host=127.0.0.1,port=" + strconv.Itoa(w.port) + ",user=" + user + ",pass=" + obscured +
		",known_hosts_file=" + w.knownHosts + ":"
}

func rclone(t *testing.T, dir string, args ...string) string {
	t.Helper()
	env := []string{"RCLONE_CONFIG=" + filepath.Join(dir, "rclone.conf")}
	return run(t, false, dir, env, "rclone", append([]string{"-q"}, args...)...)
}

func TestRclone(t *testing.T) {
	need(t, "rclone")
	local, files := t.TempDir(), localFiles(t)
	remote := filepath.Join(w.data, "rclone")
	os.RemoveAll(remote)
	r := rcloneRemote(t, local)
	for name := range sizes {
		rclone(t, local, "copyto", filepath.Join(files, name), r+"rclone/"+name)
		sameFile(t, filepath.Join(remote, name), filepath.Join(files, name))
		rclone(t, local, "copyto", r+"rclone/"+name, filepath.Join(local, name))
		sameFile(t, filepath.Join(local, name), filepath.Join(files, name))
	}
	listing := rclone(t, local, "lsf", r+"rclone")
	for name := range sizes {
		if !strings.Contains(listing, name) {
			t.Errorf("listing lacks %q:\n%s", name, listing)
		}
	}
	rclone(t, local, "mkdir", r+"rclone/sub")
	rclone(t, local, "moveto", r+"rclone/one.bin", r+"rclone/sub/renamed.bin")
	sameFile(t, filepath.Join(remote, "sub", "renamed.bin"), filepath.Join(files, "one.bin"))
	rclone(t, local, "deletefile", r+"rclone/sub/renamed.bin")
	rclone(t, local, "rmdir", r+"rclone/sub")
	for _, gone := range []string{"one.bin", "sub"} {
		if exists(filepath.Join(remote, gone)) {
			t.Errorf("%s still exists", gone)
		}
	}
}

// TestRcloneBig moves 200 MiB each way with rclone's concurrent writes.
func TestRcloneBig(t *testing.T) {
	need(t, "rclone")
	if testing.Short() {
		t.Skip("200 MiB")
	}
	big, local := bigFile(t), t.TempDir()
	remote := remoteDir(t, "rclone-big")
	r := rcloneRemote(t, local)
	rclone(t, local, "copyto", big, r+"rclone-big/big.bin")
	sameFile(t, filepath.Join(remote, "big.bin"), big)
	rclone(t, local, "copyto", r+"rclone-big/big.bin", filepath.Join(local, "big.back"))
	sameFile(t, filepath.Join(local, "big.back"), big)
	os.Remove(filepath.Join(remote, "big.bin"))
}
