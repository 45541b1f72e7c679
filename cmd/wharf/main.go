// Command wharf is the Wharf file-transfer server: FTP from one static
// binary, configured from a vsftpd-style file. See `wharf help`.
package main

import (
	"os"

	"wharf/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
