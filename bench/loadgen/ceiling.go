package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// A ceiling method moves the 1 GiB file over a loopback TCP connection with
// no protocol: send runs on the accepted connection (the "server" side of a
// RETR), recv on the dialled one (the client). The STOR methods turn it
// around: the dialled side sends, the accepted side receives into a file.
type ceilMethod struct {
	name string
	stor bool // the server side receives into a file
	// serve handles the accepted connection; it owns closing it.
	serve func(c *net.TCPConn, path string) error
}

var ceilMethods = []ceilMethod{
	{name: "sendfile via io.Copy (Go default, TCP_NODELAY)", serve: sendIOCopy(true)},
	{name: "sendfile via io.Copy, Nagle on", serve: sendIOCopy(false)},
	{name: "sendfile via io.CopyN 256 KiB + deadline, TCP_NODELAY (Wharf's sendTo)", serve: sendCopyN(true)},
	{name: "sendfile via io.CopyN 256 KiB + deadline, Nagle on", serve: sendCopyN(false)},
	{name: ceilRetr, serve: sendLoop(64<<10, false)},
	{name: "sendfile 64 KiB blocking loop, TCP_NODELAY", serve: sendLoop(64<<10, true)},
	{name: ceilStor, stor: true, serve: recvSplice},
	{name: "read(2) 256 KiB into file", stor: true, serve: recvRead},
}

func runCeiling(e *env) ([]Record, error) {
	src := filepath.Join(e.data, bigName)
	var recs []Record
	for _, m := range ceilMethods {
		if e.ceilDir != "" && m.stor != (e.ceilDir == "stor") {
			continue
		}
		cpu0 := selfCPU()
		d, err := ceilOnce(m, src, filepath.Join(e.data, "ceiling-upload.bin"))
		r := Record{Server: m.name}
		if err != nil {
			r.Error = err.Error()
		} else {
			r.Metrics = map[string]float64{"MBps": mbPerSec(bigSize, d), "seconds": d.Seconds(),
				"cpu_s": (selfCPU() - cpu0).Seconds()}
		}
		recs = append(recs, r)
	}
	return recs, nil
}

// selfCPU is this process's user+system CPU time: both ends of the copy
// run here, and the receiving end is the same for every method, so
// differences between methods are differences in the sending (or
// receiving) technique, largely independent of other load on the machine.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ceilOnce runs one method and returns the time from connect to the last
// byte being in place (read by the client, or written by the server).
func ceilOnce(m ceilMethod, src, dst string) (time.Duration, error) {
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	defer os.Remove(dst)
	if m.stor {
		// Start from no dirty pages, so that writeback of an earlier run
		// does not throttle this one.
		syscall.Sync()
	}
	served := make(chan error, 1)
	go func() {
		c, err := ln.AcceptTCP()
		if err != nil {
			served <- err
			return
		}
		path := src
		if m.stor {
			path = dst
		}
		served <- m.serve(c, path)
	}()
	start := time.Now()
	c, err := net.DialTCP("tcp", nil, ln.Addr().(*net.TCPAddr))
	if err != nil {
		return 0, err
	}
	if m.stor {
		err = sendFileTo(c, src)
		if serr := <-served; err == nil {
			err = serr
		}
		return time.Since(start), err
	}
	n, err := readAll(c, 256<<10)
	d := time.Since(start)
	c.Close()
	if serr := <-served; err == nil {
		err = serr
	}
	if err == nil && n != bigSize {
		err = fmt.Errorf("received %d bytes, want %d", n, bigSize)
	}
	return d, err
}

// readAll reads c to EOF into one reused buffer, as the FTP client does.
func readAll(c *net.TCPConn, size int) (int64, error) {
	buf := make([]byte, size)
	var total int64
	for {
		n, err := c.Read(buf)
		total += int64(n)
		if errors.Is(err, io.EOF) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// sendFileTo is the client's STOR: io.Copy from the file (sendfile).
func sendFileTo(c *net.TCPConn, path string) error {
	f, err := os.Open(path)
	if err != nil {
		c.Close()
		return err
	}
	defer f.Close()
	_, err = io.Copy(c, f)
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	return err
}

func sendIOCopy(noDelay bool) func(*net.TCPConn, string) error {
	return func(c *net.TCPConn, path string) error {
		defer c.Close()
		c.SetNoDelay(noDelay)
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(c, f)
		return err
	}
}

// sendCopyN mirrors internal/ftp/copy.go's sendTo: io.CopyN in 256 KiB
// chunks with the write deadline refreshed before each.
func sendCopyN(noDelay bool) func(*net.TCPConn, string) error {
	return func(c *net.TCPConn, path string) error {
		defer c.Close()
		c.SetNoDelay(noDelay)
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		for {
			c.SetWriteDeadline(time.Now().Add(300 * time.Second))
			_, err := io.CopyN(c, f, 256<<10)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	}
}

// sendLoop calls sendfile(2) on a blocking descriptor, chunk bytes at a
// time, outside Go's poller: what a C server does.
func sendLoop(chunk int, noDelay bool) func(*net.TCPConn, string) error {
	return func(c *net.TCPConn, path string) error {
		defer c.Close()
		c.SetNoDelay(noDelay)
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		sock, err := c.File() // a dup; Fd makes it blocking
		if err != nil {
			return err
		}
		defer sock.Close()
		out, in := int(sock.Fd()), int(f.Fd())
		var off int64
		for off < fi.Size() {
			n, err := syscall.Sendfile(out, in, &off, chunk)
			if err == syscall.EINTR || err == syscall.EAGAIN {
				continue
			}
			if err != nil {
				return err
			}
			if n == 0 {
				return io.ErrUnexpectedEOF
			}
		}
		return nil
	}
}

// recvSplice is a STOR by (*os.File).ReadFrom, which splices from a TCP
// socket.
func recvSplice(c *net.TCPConn, path string) error {
	defer c.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = f.ReadFrom(c)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// recvRead is a STOR through a user-space buffer.
func recvRead(c *net.TCPConn, path string) error {
	defer c.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	buf := make([]byte, 256<<10)
	_, err = io.CopyBuffer(struct{ io.Writer }{f}, struct{ io.Reader }{c}, buf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
