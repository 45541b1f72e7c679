//go:build unix

package xferlog

import "log/syslog"

func openSyslog() (syslogWriter, error) {
	w, err := syslog.New(syslog.LOG_FTP|syslog.LOG_INFO, "wharf")
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return w, nil
}
