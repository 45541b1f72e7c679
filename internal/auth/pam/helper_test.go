package pam

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNewChecks(t *testing.T) {
	o, dir := fakeSetup(t, "exit 0")
	notExec := filepath.Join(dir, "not-exec")
	os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644)
	tests := []struct {
		name string
		edit func(*Options)
		want string // in the error; "" = no error
	}{
		{"ok", func(*Options) {}, ""},
		{"service file missing", func(o *Options) { o.Service = "vsftpd" }, "no PAM service file " + filepath.Join(o.ConfDir, "vsftpd")},
		{"service is a path", func(o *Options) { o.Service = "../ftp" }, "plain file name"},
		{"service empty", func(o *Options) { o.Service = "" }, "plain file name"},
		{"helper missing", func(o *Options) { o.Helper = filepath.Join(dir, "nope") }, "nope is missing or not executable"},
		{"helper not executable", func(o *Options) { o.Helper = notExec }, "not-exec is missing or not executable"},
		{"helper is a directory", func(o *Options) { o.Helper = dir }, "missing or not executable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := o
			tt.edit(&o)
			_, err := New(o)
			if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("New = %v; want %q", err, tt.want)
			}
		})
	}
}

func TestFindHelper(t *testing.T) {
	// Not next to the test binary, not in /usr/lib/wharf here: PATH decides.
	saved := helperLibDir
	helperLibDir = t.TempDir()
	t.Cleanup(func() { helperLibDir = saved })

	dir := t.TempDir()
	t.Setenv("PATH", dir)
	if _, err := FindHelper(); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("FindHelper with no helper = %v", err)
	}
	if err := Check("ftp"); err == nil || !strings.Contains(err.Error(), HelperName) {
		t.Fatalf("Check with no helper = %v; want it to name %s", err, HelperName)
	}
	p := fakeHelper(t, dir, "exit 0")
	if got, err := FindHelper(); got != p || err != nil {
		t.Fatalf("FindHelper = %q, %v; want %q from PATH", got, err, p)
	}
	lib := fakeHelper(t, helperLibDir, "exit 0")
	if got, err := FindHelper(); got != lib || err != nil {
		t.Fatalf("FindHelper = %q, %v; want %q: /usr/lib/wharf before PATH", got, err, lib)
	}
}

func TestCheckSystemConfDir(t *testing.T) {
	saved := systemConfDirs
	systemConfDirs = []string{t.TempDir(), t.TempDir()}
	t.Cleanup(func() { systemConfDirs = saved })
	t.Setenv("PATH", t.TempDir())
	fakeHelper(t, os.Getenv("PATH"), "exit 0")

	if err := Check("vsftpd"); err == nil || !strings.Contains(err.Error(), filepath.Join(systemConfDirs[0], "vsftpd")) {
		t.Fatalf("Check = %v; want it to name %s/vsftpd", err, systemConfDirs[0])
	}
	// A vendor-dir file (/usr/lib/pam.d) counts too.
	os.WriteFile(filepath.Join(systemConfDirs[1], "vsftpd"), nil, 0o644)
	if err := Check("vsftpd"); err != nil {
		t.Fatalf("Check = %v", err)
	}
}
