//go:build cgo

package main

import (
	"errors"
	"fmt"

	"github.com/msteinert/pam/v2"
)

// Bounds on what the stack may send us to pass on.
const (
	maxMessages   = 8
	maxMessageLen = 256
)

// conversation answers PAM's prompts as vsftpd's pam_conv_func does: the
// password for an echo-off prompt, nothing for informational messages, and
// a conversation error for an echo-on prompt (FTP has already sent the
// user name and cannot ask anything else).
type conversation struct {
	password string
	messages []string
}

func (c *conversation) RespondPAM(s pam.Style, msg string) (string, error) {
	switch s {
	case pam.PromptEchoOff:
		return c.password, nil
	case pam.TextInfo, pam.ErrorMsg:
		if len(c.messages) < maxMessages {
			c.messages = append(c.messages, clip(msg))
		}
		return "", nil
	}
	c.messages = append(c.messages, clip("unanswerable prompt: "+msg))
	return "", errors.New("unsupported prompt")
}

func clip(s string) string {
	if len(s) > maxMessageLen {
		s = s[:maxMessageLen] + "..."
	}
	return s
}

// converse runs vsftpd's sequence and classifies the first failure.
func converse(a args, password string) result {
	conv := &conversation{password: password}
	tx, err := start(a, conv)
	if err != nil {
		return result{code: exitPAMError, reason: "pam_start: " + err.Error()}
	}
	defer tx.End()
	res := steps(tx, a)
	res.messages = conv.messages
	return res
}

func start(a args, conv pam.ConversationHandler) (*pam.Transaction, error) {
	if a.confDir == "" {
		return pam.Start(a.service, a.user, conv)
	}
	if !pam.CheckPamHasStartConfdir() {
		return nil, errors.New("--confdir needs pam_start_confdir (Linux-PAM 1.4 or later)")
	}
	return pam.StartConfDir(a.service, a.user, conv, a.confDir)
}

func steps(tx *pam.Transaction, a args) result {
	items := []struct {
		item  pam.Item
		value string
	}{{pam.Rhost, a.rhost}, {pam.Tty, "ftp"}, {pam.Ruser, a.user}}
	for _, it := range items {
		if err := tx.SetItem(it.item, it.value); err != nil {
			return result{code: exitPAMError, reason: "pam_set_item: " + err.Error()}
		}
	}
	// DisallowNullAuthtok: Debian's common-auth says "nullok", so without it
	// an account with an empty password field would log in with an empty
	// password. vsftpd passes 0 here; wharf refuses such accounts on both
	// paths (the system backend too).
	if err := tx.Authenticate(pam.DisallowNullAuthtok); err != nil {
		return fail("pam_authenticate", err, authCode)
	}
	user, err := tx.GetItem(pam.User)
	if err != nil || user == "" {
		return result{code: exitPAMError, reason: fmt.Sprintf("pam_get_item(PAM_USER): %v", err)}
	}
	if err := tx.AcctMgmt(pam.DisallowNullAuthtok); err != nil {
		return fail("pam_acct_mgmt", err, acctCode)
	}
	if err := tx.SetCred(pam.EstablishCred); err != nil {
		return fail("pam_setcred", err, acctCode)
	}
	return result{code: exitOK, user: user, reason: "ok"}
}

func fail(step string, err error, code func(pam.Error) int) result {
	var pe pam.Error
	if !errors.As(err, &pe) {
		return result{code: exitPAMError, reason: step + ": " + err.Error()}
	}
	return result{code: code(pe), reason: fmt.Sprintf("%s: %v", step, err)}
}

// authCode classifies a pam_authenticate failure.
func authCode(e pam.Error) int {
	switch e {
	case pam.ErrUserUnknown:
		return exitUnknownUser
	case pam.ErrAuth, pam.ErrCredInsufficient, pam.ErrMaxtries:
		return exitAuthFailed
	case pam.ErrAcctExpired, pam.ErrPermDenied, pam.ErrNewAuthtokReqd, pam.ErrAuthtokExpired:
		return exitRefused
	}
	// ErrService, ErrSystem, ErrOpen, ErrSymbol, ErrModuleUnknown,
	// ErrAuthinfoUnavail (backend unreachable), ErrConv, ErrAbort, ...
	return exitPAMError
}

// acctCode classifies a pam_acct_mgmt or pam_setcred failure: the password
// was right, so a refusal here is about the account.
func acctCode(e pam.Error) int {
	switch e {
	case pam.ErrUserUnknown:
		return exitUnknownUser
	case pam.ErrAuth, pam.ErrAcctExpired, pam.ErrPermDenied, pam.ErrNewAuthtokReqd, pam.ErrAuthtokExpired,
		pam.ErrCred, pam.ErrCredExpired, pam.ErrCredUnavail, pam.ErrCredInsufficient:
		return exitRefused
	}
	return exitPAMError
}
