package ftp

import (
	"slices"
	"strings"

	"wharf/internal/ftp/wire"
)

// argRule says what argument a command takes.
type argRule uint8

const (
	argOptional argRule = iota
	argRequired
	argNone
)

// cmdSpec is one row of the command table.
type cmdSpec struct {
	handler func(s *session, arg string) error
	login   bool // only after a successful login
	arg     argRule
}

// check applies the table's rules before the handler runs.
func (c cmdSpec) check(s *session, cmd wire.Command) error {
	if c.login && s.ident == nil {
		return errNotLoggedIn
	}
	if strings.ContainsAny(cmd.Arg, "\x00\r\n") {
		return reply(501, "Argument refused: it contains a NUL, CR or LF byte.")
	}
	switch {
	case c.arg == argRequired && cmd.Arg == "":
		return errNeedArg
	case c.arg == argNone && cmd.Arg != "":
		return errNoArg
	}
	return nil
}

// duringTransfer are the commands that act at once while a transfer runs.
// ABOR and QUIT (true) act even before the transfer's 150; STAT and NOOP
// wait for it, or their replies could overtake it and a client that
// pipelines would take them for the transfer command's answer.
var duringTransfer = map[string]bool{"ABOR": true, "QUIT": true, "STAT": false, "NOOP": false}

// commands is the command table. X* verbs are RFC 775 aliases that old
// Windows clients still send.
var commands map[string]cmdSpec

func init() {
	commands = map[string]cmdSpec{
		// Access control (cmd_login.go).
		"USER": {handler: (*session).cmdUSER, arg: argRequired},
		"PASS": {handler: (*session).cmdPASS},
		"ACCT": {handler: (*session).cmdACCT},
		"REIN": {handler: (*session).cmdREIN, arg: argNone},
		"QUIT": {handler: (*session).cmdQUIT},
		// Data connection setup (cmd_data.go).
		"PORT": {handler: (*session).cmdPORT, login: true, arg: argRequired},
		"EPRT": {handler: (*session).cmdEPRT, login: true, arg: argRequired},
		"PASV": {handler: (*session).cmdPASV, login: true, arg: argNone},
		"EPSV": {handler: (*session).cmdEPSV, login: true},
		"TYPE": {handler: (*session).cmdTYPE, login: true, arg: argRequired},
		"STRU": {handler: (*session).cmdSTRU, login: true, arg: argRequired},
		"MODE": {handler: (*session).cmdMODE, login: true, arg: argRequired},
		"REST": {handler: (*session).cmdREST, login: true, arg: argRequired},
		"ABOR": {handler: (*session).cmdABOR, arg: argNone},
		"ALLO": {handler: (*session).cmdALLO, login: true},
		// Transfers and listings (cmd_xfer.go).
		"RETR": {handler: (*session).cmdRETR, login: true, arg: argRequired},
		"STOR": {handler: (*session).cmdSTOR, login: true, arg: argRequired},
		"STOU": {handler: (*session).cmdSTOU, login: true},
		"APPE": {handler: (*session).cmdAPPE, login: true, arg: argRequired},
		"LIST": {handler: (*session).cmdLIST, login: true},
		"NLST": {handler: (*session).cmdNLST, login: true},
		"MLSD": {handler: (*session).cmdMLSD, login: true},
		// Files and directories (cmd_fs.go).
		"PWD":  {handler: (*session).cmdPWD, login: true, arg: argNone},
		"XPWD": {handler: (*session).cmdPWD, login: true, arg: argNone},
		"CWD":  {handler: (*session).cmdCWD, login: true},
		"XCWD": {handler: (*session).cmdCWD, login: true},
		"CDUP": {handler: (*session).cmdCDUP, login: true, arg: argNone},
		"XCUP": {handler: (*session).cmdCDUP, login: true, arg: argNone},
		"MKD":  {handler: (*session).cmdMKD, login: true, arg: argRequired},
		"XMKD": {handler: (*session).cmdMKD, login: true, arg: argRequired},
		"RMD":  {handler: (*session).cmdRMD, login: true, arg: argRequired},
		"XRMD": {handler: (*session).cmdRMD, login: true, arg: argRequired},
		"DELE": {handler: (*session).cmdDELE, login: true, arg: argRequired},
		"RNFR": {handler: (*session).cmdRNFR, login: true, arg: argRequired},
		"RNTO": {handler: (*session).cmdRNTO, login: true, arg: argRequired},
		"SIZE": {handler: (*session).cmdSIZE, login: true, arg: argRequired},
		"MDTM": {handler: (*session).cmdMDTM, login: true, arg: argRequired},
		"MFMT": {handler: (*session).cmdMFMT, login: true, arg: argRequired},
		"MLST": {handler: (*session).cmdMLST, login: true},
		"SITE": {handler: (*session).cmdSITE, login: true, arg: argRequired},
		// Information (cmd_info.go).
		"SYST": {handler: (*session).cmdSYST, arg: argNone},
		"STAT": {handler: (*session).cmdSTAT},
		"HELP": {handler: (*session).cmdHELP},
		"NOOP": {handler: (*session).cmdNOOP},
		"FEAT": {handler: (*session).cmdFEAT, arg: argNone},
		"OPTS": {handler: (*session).cmdOPTS, arg: argRequired},
		// FTPS, RFC 4217 (tls.go).
		"AUTH": {handler: (*session).cmdAUTH, arg: argRequired},
		"PBSZ": {handler: (*session).cmdPBSZ, arg: argRequired},
		"PROT": {handler: (*session).cmdPROT, arg: argRequired},
		"CCC":  {handler: (*session).cmdCCC, arg: argNone},
		// RFC 2228 mechanisms other than TLS, and SMNT: not offered.
		"ADAT": {handler: (*session).cmdNotOffered},
		"MIC":  {handler: (*session).cmdNotOffered},
		"CONF": {handler: (*session).cmdNotOffered},
		"ENC":  {handler: (*session).cmdNotOffered},
		"SMNT": {handler: (*session).cmdNotOffered},
	}
}

// commandNames lists the table's verbs, sorted, for HELP.
func commandNames() []string {
	names := make([]string, 0, len(commands))
	for v := range commands {
		names = append(names, v)
	}
	slices.Sort(names)
	return names
}
