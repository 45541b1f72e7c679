package ftp

import (
	"net"
	"syscall"
)

// setOOBInline keeps TCP urgent data in the stream. Clients send ABOR as
// Telnet IP + Synch (IAC IP IAC DM) with the DM byte as urgent data; without
// SO_OOBINLINE the kernel pulls that byte out and the stream would read
// "IAC IP IAC ABOR", which a Telnet filter cannot decode.
func setOOBInline(c *net.TCPConn) {
	rc, err := c.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_OOBINLINE, 1)
	})
}
