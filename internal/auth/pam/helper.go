package pam

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
)

// HelperName is the helper program's file name.
const HelperName = "wharf-pam-helper"

// Where FindHelper looks, after the directory of the running binary.
var (
	helperLibDir   = "/usr/lib/wharf"
	systemConfDirs = []string{"/etc/pam.d", "/usr/lib/pam.d"} // Linux-PAM's config dir, then its vendor dir
)

// Exit statuses of wharf-pam-helper; cmd/wharf-pam-helper has the same
// table (it imports nothing of wharf, so the two are kept in step by the
// tests that run the real helper).
const (
	exitOK          = 0
	exitAuthFailed  = 1
	exitUnknownUser = 2
	exitRefused     = 3
	exitPAMError    = 4
	exitUsage       = 64
)

// serviceName is what PAM accepts as a service: a file name, never a path.
var serviceName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*$`)

// FindHelper returns the helper's path: next to the running wharf binary (a
// release unpacked anywhere), then /usr/lib/wharf (distribution packages),
// then PATH.
func FindHelper() (string, error) {
	var tried []string
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), HelperName)
		if isExecutable(p) {
			return p, nil
		}
		tried = append(tried, filepath.Dir(exe))
	}
	if p := filepath.Join(helperLibDir, HelperName); isExecutable(p) {
		return p, nil
	}
	tried = append(tried, helperLibDir)
	if p, err := exec.LookPath(HelperName); err == nil {
		return filepath.Abs(p)
	}
	return "", fmt.Errorf("PAM helper %s not found in %v or on PATH: install it (it is built with cgo, next to wharf) or remove pam_service_name to verify /etc/shadow directly", HelperName, tried)
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// Check reports whether logins through PAM service can work with the
// defaults: the helper is installed and /etc/pam.d/<service> exists. Without
// that file PAM would silently fall back to the "other" service, which is
// never what a pam_service_name line means.
func Check(service string) error {
	_, err := resolve(Options{Service: service})
	return err
}

// resolve runs Check's tests with o's paths and returns the helper to run.
func resolve(o Options) (string, error) {
	if !serviceName.MatchString(o.Service) {
		return "", fmt.Errorf("pam_service_name=%q: must be a plain file name such as vsftpd", o.Service)
	}
	helper := o.Helper
	if helper == "" {
		p, err := FindHelper()
		if err != nil {
			return "", err
		}
		helper = p
	} else if !isExecutable(helper) {
		return "", fmt.Errorf("PAM helper %s is missing or not executable", helper)
	}
	if err := serviceFileExists(o.Service, o.ConfDir); err != nil {
		return "", err
	}
	return helper, nil
}

func serviceFileExists(service, confDir string) error {
	dirs := systemConfDirs
	if confDir != "" {
		dirs = []string{confDir}
	}
	for _, d := range dirs {
		_, err := os.Stat(filepath.Join(d, service))
		if err == nil {
			return nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("pam_service_name=%s: %w", service, err)
		}
	}
	return fmt.Errorf("pam_service_name=%s: no PAM service file %s (PAM would fall back to its \"other\" service): create it, e.g. from the vsftpd package's, or fix the name",
		service, filepath.Join(dirs[0], service))
}
