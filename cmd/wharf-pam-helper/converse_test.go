//go:build cgo

package main

import (
	"testing"

	"github.com/msteinert/pam/v2"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		err        pam.Error
		auth, acct int
	}{
		{pam.ErrAuth, exitAuthFailed, exitRefused},
		{pam.ErrMaxtries, exitAuthFailed, exitPAMError},
		{pam.ErrCredInsufficient, exitAuthFailed, exitRefused},
		{pam.ErrUserUnknown, exitUnknownUser, exitUnknownUser},
		{pam.ErrAcctExpired, exitRefused, exitRefused},
		{pam.ErrNewAuthtokReqd, exitRefused, exitRefused},
		{pam.ErrAuthtokExpired, exitRefused, exitRefused},
		{pam.ErrPermDenied, exitRefused, exitRefused},
		{pam.ErrCredExpired, exitPAMError, exitRefused},
		{pam.ErrAuthinfoUnavail, exitPAMError, exitPAMError},
		{pam.ErrService, exitPAMError, exitPAMError},
		{pam.ErrSystem, exitPAMError, exitPAMError},
		{pam.ErrModuleUnknown, exitPAMError, exitPAMError},
		{pam.ErrConv, exitPAMError, exitPAMError},
		{pam.ErrAbort, exitPAMError, exitPAMError},
	}
	for _, tt := range tests {
		if got := authCode(tt.err); got != tt.auth {
			t.Errorf("authCode(%v) = %d; want %d", tt.err, got, tt.auth)
		}
		if got := acctCode(tt.err); got != tt.acct {
			t.Errorf("acctCode(%v) = %d; want %d", tt.err, got, tt.acct)
		}
	}
}

// TestConversation: vsftpd's answers: the password for an echo-off
// prompt, nothing for messages, an error for an echo-on prompt.
func TestConversation(t *testing.T) {
	c := &conversation{password: "s3cret"}
	if r, err := c.RespondPAM(pam.PromptEchoOff, "Password: "); r != "s3cret" || err != nil {
		t.Errorf("echo-off = %q, %v", r, err)
	}
	if r, err := c.RespondPAM(pam.TextInfo, "hello"); r != "" || err != nil {
		t.Errorf("info = %q, %v", r, err)
	}
	if _, err := c.RespondPAM(pam.PromptEchoOn, "login: "); err == nil {
		t.Error("echo-on prompt answered")
	}
	for range 2 * maxMessages {
		c.RespondPAM(pam.ErrorMsg, string(make([]byte, 2*maxMessageLen)))
	}
	if len(c.messages) > maxMessages+1 || len(c.messages[1]) > maxMessageLen+3 {
		t.Errorf("messages not bounded: %d", len(c.messages))
	}
}
