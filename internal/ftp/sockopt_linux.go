package ftp

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// setOOBInline keeps TCP urgent data in the stream. Clients send ABOR as
// Telnet IP + Synch (IAC IP IAC DM) with the DM byte as urgent data; without
// SO_OOBINLINE the kernel pulls that byte out and the stream would read
// "IAC IP IAC ABOR", which a Telnet filter cannot decode.
func setOOBInline(c *net.TCPConn) {
	setSockoptInt(c, syscall.SOL_SOCKET, syscall.SO_OOBINLINE, 1)
}

// setNotSentLowat caps how much unsent data the kernel queues on c before
// the socket stops reporting itself writable (TCP_NOTSENT_LOWAT). It does
// not limit data in flight, so it costs no throughput on a long path.
func setNotSentLowat(c *net.TCPConn, bytes int) {
	setSockoptInt(c, unix.IPPROTO_TCP, unix.TCP_NOTSENT_LOWAT, bytes)
}

func setSockoptInt(c *net.TCPConn, level, opt, value int) {
	rc, err := c.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		syscall.SetsockoptInt(int(fd), level, opt, value)
	})
}
