package ftp

import (
	"net"
	"runtime"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestStartSendingLowat: downloads up to GOMAXPROCS keep the kernel's
// default (no low-water mark); the next one gets sendingLowat, and a slot
// freed by a finished download is reusable.
func TestStartSendingLowat(t *testing.T) {
	srv := &Server{}
	procs := runtime.GOMAXPROCS(0)
	var dones []func()
	for i := range procs {
		c := loopbackConn(t)
		dones = append(dones, srv.startSending(c))
		if got, def := notSentLowat(t, c), notSentLowat(t, loopbackConn(t)); got != def {
			t.Fatalf("download %d of %d: TCP_NOTSENT_LOWAT %d, want the system default %d", i+1, procs, got, def)
		}
	}
	extra := loopbackConn(t)
	done := srv.startSending(extra)
	if got := notSentLowat(t, extra); got != sendingLowat {
		t.Fatalf("download %d with GOMAXPROCS %d: TCP_NOTSENT_LOWAT %d, want %d", procs+1, procs, got, sendingLowat)
	}
	done()
	for _, d := range dones {
		d()
	}
	if n := srv.sending.Load(); n != 0 {
		t.Fatalf("after every download ended: %d still counted", n)
	}
}

func loopbackConn(t *testing.T) *net.TCPConn {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

func notSentLowat(t *testing.T, c *net.TCPConn) int {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var gerr error
	rc.Control(func(fd uintptr) {
		v, gerr = syscall.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_NOTSENT_LOWAT)
	})
	if gerr != nil {
		t.Fatal(gerr)
	}
	return v
}
