package daemon

import (
	"fmt"
	"log/slog"

	"wharf/internal/config"
	"wharf/internal/ftp"
	"wharf/internal/xferlog"
)

// openTransferLog opens the logs vsftpd would write for this config:
//
//   - nothing unless xferlog_enable=YES or dual_log_enable=YES;
//   - xferlog_file, in the wu-ftpd xferlog format, with xferlog_std_format=YES
//     or dual_log_enable=YES;
//   - vsftpd's own format with xferlog_std_format=NO or dual_log_enable=YES:
//     to syslog with syslog_enable=YES, else to vsftpd_log_file.
//
// Wharf's own log keeps its "transfer" line under xferlog_enable=YES as
// well. A log file that cannot be opened is an error when the config asked
// for that file explicitly, and a warning when only xferlog_enable=YES
// implied vsftpd_log_file's default (so that an unprivileged Wharf still
// starts). No syslog socket (/dev/log) is a warning. nil means no logs.
func openTransferLog(c *config.Config, log *slog.Logger) (*xferlog.Logger, error) {
	dual, std := c.Bool("dual_log_enable"), c.Bool("xferlog_std_format")
	if !c.Bool("xferlog_enable") && !dual {
		return nil, nil
	}
	var xc xferlog.Config
	if dual || std {
		xc.XferlogFile = c.Str("xferlog_file")
		if xc.XferlogFile == "" {
			return nil, fmt.Errorf("%s: xferlog_file is empty; name the xferlog file", c.Where("xferlog_file"))
		}
	}
	vsExplicit := dual || c.IsSet("vsftpd_log_file")
	if dual || !std {
		if c.Bool("syslog_enable") {
			xc.Syslog = true
		} else {
			xc.VsftpdFile = c.Str("vsftpd_log_file")
		}
	}
	l, sysErr, err := xferlog.Open(xc)
	if err != nil && xc.VsftpdFile != "" && !vsExplicit {
		log.Warn("vsftpd_log_file cannot be opened; transfers are logged through Wharf's log only "+
			"(set vsftpd_log_file, or xferlog_enable=NO, to silence this)", "file", xc.VsftpdFile, "err", err)
		xc.VsftpdFile = ""
		l, sysErr, err = xferlog.Open(xc)
	}
	if err != nil {
		return nil, fmt.Errorf("transfer log (xferlog_enable, xferlog_std_format, dual_log_enable): %w", err)
	}
	if sysErr != nil {
		log.Warn("syslog_enable=YES but syslog cannot be reached; the vsftpd-format transfer log is not written "+
			"(Wharf's own log still has a line per transfer)", "err", sysErr)
	}
	l.OnError = func(err error) {
		log.Error("transfer log write failed; further failures are not reported until the next reload", "err", err)
	}
	return l, nil
}

// transferLogHook adapts a Logger to the engine's TransferLog.
func transferLogHook(l *xferlog.Logger) func(ftp.TransferRecord) {
	if l == nil {
		return nil
	}
	return func(r ftp.TransferRecord) { l.Log(xferlog.Record(r)) }
}
