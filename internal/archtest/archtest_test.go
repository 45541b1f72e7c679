// Package archtest keeps the import graph honest: it fails when a package
// imports an internal package that the table in
// shared/design/ARCHITECTURE.md ("Packages and who may import whom") does
// not allow. When the design changes, change the table there and here.
package archtest

import (
	"os/exec"
	"path"
	"slices"
	"strings"
	"testing"
)

const module = "wharf"

// rule is one row of the design table: the internal packages (without the
// "wharf/" prefix) a package may import.
type rule struct {
	may []string
	// any allows every package below internal except the ones listed in
	// may, for the composition root.
	any bool
}

// table is ARCHITECTURE.md's table. A package not listed follows its
// nearest listed parent directory and may also import that parent itself
// (a helper such as config/genkeys may use config); a package under
// internal/ with no listed parent is an error: add it to the design page.
var table = map[string]rule{
	"cmd/wharf":             {may: []string{"internal/cli"}},
	"cmd/wharf-pam-helper":  {},
	"internal/cli":          {may: []string{"internal/daemon", "internal/config", "internal/firewall", "internal/auth", "internal/auth/userfile", "internal/auth/system", "internal/auth/sql", "internal/auth/totp"}},
	"internal/daemon":       {any: true, may: []string{"internal/cli"}},
	"internal/config":       {},
	"internal/ftp":          {may: []string{"internal/ftp/wire", "internal/ftp/dataconn", "internal/ftp/listing", "internal/vfs", "internal/auth", "internal/access", "internal/metrics", "internal/netserve"}},
	"internal/ftp/wire":     {},
	"internal/ftp/dataconn": {may: []string{"internal/ftp/wire", "internal/access"}},
	"internal/ftp/listing":  {may: []string{"internal/vfs"}},
	// Test support (not in the design table): drives the engine in tests.
	"internal/ftp/ftptest":   {may: []string{"internal/ftp", "internal/ftp/wire", "internal/ftp/dataconn", "internal/vfs", "internal/vfs/localfs", "internal/vfs/memfs", "internal/auth", "internal/access"}},
	"internal/sftpd":         {may: []string{"internal/vfs", "internal/auth", "internal/access", "internal/metrics", "internal/netserve"}},
	"internal/vfs":           {},
	"internal/vfs/localfs":   {may: []string{"internal/vfs"}},
	"internal/vfs/s3fs":      {may: []string{"internal/vfs"}},
	"internal/vfs/memfs":     {may: []string{"internal/vfs"}},
	"internal/vfs/vfstest":   {may: []string{"internal/vfs"}},
	"internal/auth":          {},
	"internal/auth/userfile": {may: []string{"internal/auth"}},
	"internal/auth/system":   {may: []string{"internal/auth"}},
	"internal/auth/sql":      {may: []string{"internal/auth"}},
	"internal/auth/totp":     {may: []string{"internal/auth"}},
	"internal/access":        {},
	"internal/certs":         {},
	"internal/logging":       {},
	"internal/metrics":       {},
	"internal/firewall":      {may: []string{"internal/config"}},
	"internal/archtest":      {},
	// Not in the design table: the accept loop and Shutdown/Close
	// bookkeeping ftp and sftpd share; a leaf.
	"internal/netserve": {},
	// Not in the design table: the xferlog/vsftpd-format transfer log
	// writers the daemon feeds from ftp.Options.TransferLog; a leaf.
	"internal/xferlog": {},
	// Test support (not in the design table): the end-to-end tests'
	// harness for built binaries; standard library only.
	"internal/testbin": {},
	// Test support: SSH keys for the key backends' and SFTP tests.
	"internal/auth/authtest": {},
}

// exceptions are edges the code has that the design table does not list
// (yet). Each needs a decision: add it to ARCHITECTURE.md, or remove the
// import. Keep this list empty when you can.
var exceptions = map[[2]string]string{
	{"internal/cli", "internal/logging"}:          "the CLI builds the logger before it starts the daemon",
	{"internal/cli", "internal/certs"}:            "the demo certificate of `wharf serve`",
	{"internal/auth/pam", "internal/auth/system"}: "PAM logins take the account from the system backend; the table says auth only",
}

// rulesFor returns the rule for pkg (module-relative) and the parent it was
// inherited from, if any.
func rulesFor(pkg string) (r rule, from string, ok bool) {
	for p := pkg; p != "." && p != "/"; p = path.Dir(p) {
		if r, ok := table[p]; ok {
			return r, p, true
		}
	}
	return rule{}, "", false
}

// check returns one message per import that breaks the table.
func check(imports map[string][]string) []string {
	var bad []string
	for pkg, deps := range imports {
		rel, isOurs := strings.CutPrefix(pkg, module+"/")
		if !isOurs {
			continue
		}
		r, from, ok := rulesFor(rel)
		if !ok {
			if strings.HasPrefix(rel, "internal/") {
				bad = append(bad, pkg+" is not in the design table")
			}
			continue // tools outside internal/ (bench, ...) are not constrained
		}
		for _, d := range deps {
			drel, internal := strings.CutPrefix(d, module+"/")
			if !internal || !strings.HasPrefix(drel, "internal/") || allowed(r, from, rel, drel) {
				continue
			}
			bad = append(bad, pkg+" imports "+d+": not allowed by the design table")
		}
	}
	slices.Sort(bad)
	return bad
}

func allowed(r rule, from, pkg, dep string) bool {
	if _, ok := exceptions[[2]string{pkg, dep}]; ok {
		return true
	}
	if from != pkg && dep == from {
		return true // a helper below a listed package uses that package
	}
	if r.any {
		return !slices.Contains(r.may, dep) && !strings.HasPrefix(dep, "cmd/")
	}
	return slices.Contains(r.may, dep)
}

// goList returns each package of the module with its non-test imports.
func goList(t *testing.T) map[string][]string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(goBin, "list", "-e", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 {
			imports[f[0]] = f[1:]
		}
	}
	return imports
}

func TestImportsFollowTheDesign(t *testing.T) {
	imports := goList(t)
	for _, want := range []string{"wharf/internal/ftp", "wharf/internal/vfs", "wharf/internal/config"} {
		if _, ok := imports[want]; !ok {
			t.Fatalf("go list did not report %s; got %d packages", want, len(imports))
		}
	}
	for _, msg := range check(imports) {
		t.Error(msg)
	}
	for edge, why := range exceptions {
		if !slices.Contains(imports[module+"/"+edge[0]], module+"/"+edge[1]) {
			t.Errorf("exception %s -> %s (%s) is no longer needed: remove it", edge[0], edge[1], why)
		}
	}
}

// TestCheckCatchesViolations makes sure the checker itself can fail.
func TestCheckCatchesViolations(t *testing.T) {
	imports := map[string][]string{
		"wharf/internal/ftp":            {"wharf/internal/config", "wharf/internal/vfs", "fmt"},
		"wharf/internal/vfs":            {"wharf/internal/auth"},
		"wharf/internal/config":         {"wharf/internal/vfs"},
		"wharf/internal/ftp/wire":       {"wharf/internal/vfs"},
		"wharf/internal/vfs/localfs":    {"wharf/internal/ftp"},
		"wharf/internal/auth/userfile":  {"wharf/internal/auth", "wharf/internal/sftpd"},
		"wharf/internal/auth/newauth":   {"wharf/internal/auth", "wharf/internal/auth/userfile"},
		"wharf/internal/config/genkeys": {"wharf/internal/config"},
		"wharf/internal/daemon":         {"wharf/internal/ftp", "wharf/internal/config", "wharf/internal/cli"},
		"wharf/internal/newthing":       {},
		"wharf/bench/loadgen":           {"wharf/internal/ftp/wire"},
	}
	want := []string{
		"wharf/internal/auth/newauth imports wharf/internal/auth/userfile: not allowed by the design table",
		"wharf/internal/auth/userfile imports wharf/internal/sftpd: not allowed by the design table",
		"wharf/internal/config imports wharf/internal/vfs: not allowed by the design table",
		"wharf/internal/daemon imports wharf/internal/cli: not allowed by the design table",
		"wharf/internal/ftp imports wharf/internal/config: not allowed by the design table",
		"wharf/internal/ftp/wire imports wharf/internal/vfs: not allowed by the design table",
		"wharf/internal/newthing is not in the design table",
		"wharf/internal/vfs imports wharf/internal/auth: not allowed by the design table",
		"wharf/internal/vfs/localfs imports wharf/internal/ftp: not allowed by the design table",
	}
	if got := check(imports); !slices.Equal(got, want) {
		t.Errorf("check:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
