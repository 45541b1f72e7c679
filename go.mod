module wharf

go 1.26.0

require (
	github.com/jlaffaye/ftp v0.2.4 // indirect
	github.com/secsy/goftp v0.0.0-20200609142545-aa2de14babf4 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/term v0.48.0 // indirect
)
