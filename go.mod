module wharf

go 1.26.0

require (
	github.com/go-crypt/crypt v0.4.15
	github.com/go-crypt/x v0.4.17
	github.com/jlaffaye/ftp v0.2.4
	github.com/msteinert/pam/v2 v2.1.0
	github.com/pkg/sftp v1.13.12
	github.com/secsy/goftp v0.0.0-20200609142545-aa2de14babf4
	golang.org/x/crypto v0.58.0
	golang.org/x/sys v0.50.0
	golang.org/x/term v0.48.0
)

require (
	github.com/kr/fs v0.1.0 // indirect
	golang.org/x/time v0.16.0 // indirect
)
