//go:build !unix

package xferlog

import "errors"

func openSyslog() (syslogWriter, error) {
	return nil, errors.New("syslog is not available on this platform")
}
