package auth

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// MaxPasswordLen bounds a password read by ReadPassword from a pipe, so a
// script feeding a file by mistake fails instead of reading it all.
const MaxPasswordLen = 4096

// ErrPasswordMismatch is returned when the confirmation differs.
var ErrPasswordMismatch = errors.New("auth: passwords do not match")

// ReadPassword reads a password for the CLI (wharf user add/passwd).
//
// When in is a terminal it writes prompts to prompt (nil: none), reads
// without echo, and, when confirm is set, asks a second time and fails with
// ErrPasswordMismatch if the two differ. Otherwise (a pipe, for scripts) it
// reads exactly one line, without prompting or confirming, and never reads
// past the newline, so the caller can go on reading in. A trailing "\r\n" or
// "\n" is stripped; nothing else is, since spaces may be part of a password.
// An empty password is ErrEmptyPassword.
func ReadPassword(in *os.File, prompt io.Writer, confirm bool) (string, error) {
	if prompt == nil {
		prompt = io.Discard
	}
	var pw string
	var err error
	if term.IsTerminal(int(in.Fd())) {
		pw, err = readTerminal(in, prompt, confirm)
	} else {
		pw, err = readLine(in)
	}
	if err != nil {
		return "", err
	}
	if pw == "" {
		return "", ErrEmptyPassword
	}
	return pw, nil
}

func readTerminal(in *os.File, prompt io.Writer, confirm bool) (string, error) {
	pw, err := promptOnce(in, prompt, "Password: ")
	if err != nil || !confirm {
		return pw, err
	}
	again, err := promptOnce(in, prompt, "Retype password: ")
	if err != nil {
		return "", err
	}
	if again != pw {
		return "", ErrPasswordMismatch
	}
	return pw, nil
}

func promptOnce(in *os.File, prompt io.Writer, text string) (string, error) {
	fmt.Fprint(prompt, text)
	b, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(prompt) // the user's Enter was not echoed
	if err != nil {
		return "", fmt.Errorf("auth: reading password: %w", err)
	}
	return string(b), nil
}

// readLine reads up to and including '\n' one byte at a time: unbuffered on
// purpose, so that nothing after the line is consumed.
func readLine(r io.Reader) (string, error) {
	var sb strings.Builder
	var b [1]byte
	for {
		n, err := r.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			if sb.Len() >= MaxPasswordLen {
				return "", fmt.Errorf("auth: password longer than %d bytes", MaxPasswordLen)
			}
			sb.WriteByte(b[0])
		}
		if err == io.EOF {
			break // a last line without newline is fine
		}
		if err != nil {
			return "", fmt.Errorf("auth: reading password: %w", err)
		}
	}
	return strings.TrimSuffix(sb.String(), "\r"), nil
}
