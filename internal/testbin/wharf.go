package testbin

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
)

// AddUser runs `BIN user add -f FILE -home HOME FLAGS... NAME` with the
// password on standard input, as a script would.
func AddUser(bin, file, home, name, pass string, flags ...string) error {
	args := append([]string{"user", "add", "-f", file, "-home", home}, flags...)
	cmd := exec.Command(bin, append(args, name)...)
	cmd.Stdin = strings.NewReader(pass + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("wharf user add: %v\n%s", err, out)
	}
	return nil
}

// RandomPassword is 16 letters and digits, none easily mistaken for
// another.
func RandomPassword() string {
	const letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	for i := range b {
		b[i] = letters[rand.IntN(len(letters))]
	}
	return string(b)
}
