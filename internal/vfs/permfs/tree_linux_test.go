package permfs_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"wharf/internal/vfs"
	"wharf/internal/vfs/localfs"
	"wharf/internal/vfs/permfs"
)

// The accounts of the permission tests. bob is also in staff, as a
// supplementary group.
const (
	aliceID = 1001
	bobID   = 1002
	carolID = 1003
	staff   = 2000
)

var users = map[string]permfs.Cred{
	"root":  {UID: 0, GIDs: []uint32{0}},
	"alice": {UID: aliceID, GIDs: []uint32{aliceID}},
	"bob":   {UID: bobID, GIDs: []uint32{bobID, staff}},
	"carol": {UID: carolID, GIDs: []uint32{carolID}},
}

// entry is one file, directory (mode has fs.ModeDir) or symlink (link is
// set) of a test tree.
type entry struct {
	name     string
	mode     fs.FileMode
	uid, gid int
	link     string
}

const dir = fs.ModeDir

// tree is the test tree; parents come before their children.
var tree = []entry{
	{name: "alice", mode: dir | 0o700, uid: aliceID, gid: aliceID},
	{name: "alice/secret", mode: 0o600, uid: aliceID, gid: aliceID},
	{name: "alice/pub", mode: 0o644, uid: aliceID, gid: aliceID},
	{name: "alice/link", link: "pub", uid: aliceID, gid: aliceID},
	{name: "shared", mode: dir | 0o755, uid: aliceID, gid: staff},
	{name: "shared/private", mode: 0o600, uid: aliceID, gid: aliceID},
	{name: "shared/team", mode: 0o640, uid: aliceID, gid: staff},
	{name: "shared/nogroup", mode: 0o604, uid: aliceID, gid: staff},
	{name: "shared/noowner", mode: 0o044, uid: aliceID, gid: staff},
	{name: "shared/list", mode: dir | 0o750, uid: aliceID, gid: staff},
	{name: "shared/readonly", mode: dir | 0o744, uid: aliceID, gid: aliceID},
	{name: "shared/searchonly", mode: dir | 0o711, uid: aliceID, gid: aliceID},
	{name: "shared/searchonly/file", mode: 0o644, uid: aliceID, gid: aliceID},
	{name: "ro", mode: dir | 0o755, uid: aliceID, gid: aliceID},
	{name: "ro/file", mode: 0o666, uid: aliceID, gid: aliceID},
	{name: "ro/sub", mode: dir | 0o777, uid: aliceID, gid: aliceID},
	{name: "drop", mode: dir | 0o770, uid: aliceID, gid: staff},
	{name: "drop/alices", mode: 0o644, uid: aliceID, gid: staff},
	{name: "drop/groupw", mode: 0o664, uid: aliceID, gid: staff},
	{name: "drop/alicedir", mode: dir | 0o755, uid: aliceID, gid: staff},
	{name: "drop2", mode: dir | 0o770, uid: aliceID, gid: staff},
	{name: "tmp", mode: dir | fs.ModeSticky | 0o777, uid: 0, gid: 0},
	{name: "tmp/alices", mode: 0o666, uid: aliceID, gid: aliceID},
	{name: "tmp/bobs", mode: 0o644, uid: bobID, gid: bobID},
	{name: "mine", mode: dir | fs.ModeSticky | 0o777, uid: aliceID, gid: aliceID},
	{name: "mine/bobs", mode: 0o644, uid: bobID, gid: bobID},
	{name: "bob", mode: dir | 0o755, uid: bobID, gid: bobID},
	{name: "bob/tosecret", link: "../alice/pub", uid: bobID, gid: bobID},
	{name: "bob/toshared", link: "../shared", uid: bobID, gid: bobID},
}

// needRoot skips a test that must chown files, unless it runs in CI, where
// the tests run as root and a skip would hide the permission tests.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("this test chowns files to other users and must run as root; CI runs the tests as root")
	}
	t.Skip("needs root to chown files to other users (set CI=true to make this a failure)")
}

// build makes the tree under a new directory and returns the directory.
func build(t *testing.T, entries []entry) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "root")
	mustDo(t, os.Mkdir(root, 0o755))
	mustDo(t, os.Chmod(root, 0o755)) // whatever the process umask
	for _, e := range entries {
		p := filepath.Join(root, filepath.FromSlash(e.name))
		switch {
		case e.link != "":
			mustDo(t, os.Symlink(e.link, p))
			mustDo(t, os.Lchown(p, e.uid, e.gid))
			continue
		case e.mode.IsDir():
			mustDo(t, os.Mkdir(p, 0o700))
		default:
			mustDo(t, os.WriteFile(p, []byte("data of "+e.name), 0o600))
		}
		mustDo(t, os.Chown(p, e.uid, e.gid))
		// After the chown, which may clear mode bits.
		mustDo(t, os.Chmod(p, e.mode))
	}
	return root
}

// open returns permfs over localfs at root for the user, with localfs
// chowning what it creates to the user, as the daemon sets them up.
func open(t *testing.T, root string, cred permfs.Cred) vfs.FS {
	t.Helper()
	opts := localfs.DefaultOptions()
	opts.UID, opts.GID = int(cred.UID), int(cred.GIDs[0])
	inner, err := localfs.New(root, opts)
	mustDo(t, err)
	t.Cleanup(func() { inner.Close() })
	return permfs.New(inner, cred)
}

func mustDo(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
