package auth

import (
	"errors"
	"fmt"
	"testing"
)

func TestFailureReason(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{ErrUnknownUser, "unknown user"},
		{fmt.Errorf("users file: %w", ErrBadPassword), "wrong password"},
		{ErrUnknownKey, "unknown key"},
		{fmt.Errorf("shell not in /etc/shells: %w", ErrDenied), "account refused"},
		{errors.New("pam helper: exit status 1"), "error"},
	} {
		if got := FailureReason(tt.err); got != tt.want {
			t.Errorf("FailureReason(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
