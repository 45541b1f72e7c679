// Package ftpc is the load generator's FTP client: just enough of RFC 959
// and RFC 2428 (USER/PASS, TYPE, PASV/EPSV, RETR, STOR, LIST, NLST, MKD,
// QUIT) and of RFC 4217's explicit FTPS (AUTH TLS, PBSZ 0, PROT P, data
// connections that resume the control connection's TLS session; see
// tls.go) to drive any server the same way, with the data path kept
// cheap and predictable so that the client is never what is measured.
//
// Reply parsing and the PASV/EPSV codecs are the engine's own (package
// wharf/internal/ftp/wire), so the client and the server share one
// implementation of each rule.
package ftpc

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"wharf/internal/ftp/wire"
)

// DefaultReadBuf is the size of the buffer RETR and listings read into: a
// typical client buffer, large enough that syscalls are not what limits a
// loopback transfer.
const DefaultReadBuf = 256 << 10

// ReplyError is an unexpected reply: the command, and what the server said.
type ReplyError struct {
	Cmd  string // verb only: passwords never end up in errors
	Code int
	Msg  string
}

func (e *ReplyError) Error() string {
	return fmt.Sprintf("%s: unexpected reply %d %s", e.Cmd, e.Code, firstLine(e.Msg))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// Conn is one control connection. It is not safe for concurrent use.
type Conn struct {
	ctrl    net.Conn     // the TCP connection, or the TLS one after AUTH TLS
	raw     *net.TCPConn // the TCP connection under ctrl
	br      *bufio.Reader
	host    netip.Addr // the server's address: data connections go there
	timeout time.Duration
	bufSize int
	buf     []byte // allocated at the first download: idle clients need none

	// PASV makes data connections use PASV instead of EPSV.
	PASV bool

	tls tlsState // explicit FTPS (tls.go); zero for plain FTP
}

// Options tune Dial. The zero value gives the defaults.
type Options struct {
	Timeout time.Duration // per reply and per data connect; 0 = 60 s
	ReadBuf int           // RETR/LIST read buffer; 0 = DefaultReadBuf
}

// Dial connects to addr ("127.0.0.1:21") and reads the 220 greeting. ctx
// bounds the connect only.
func Dial(ctx context.Context, addr string, o Options) (*Conn, error) {
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.ReadBuf <= 0 {
		o.ReadBuf = DefaultReadBuf
	}
	d := net.Dialer{Timeout: o.Timeout}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	tc := nc.(*net.TCPConn)
	c := &Conn{
		ctrl:    tc,
		raw:     tc,
		br:      bufio.NewReaderSize(tc, 4096),
		host:    tc.RemoteAddr().(*net.TCPAddr).AddrPort().Addr().Unmap(),
		timeout: o.Timeout,
		bufSize: o.ReadBuf,
	}
	if _, _, err := c.expect("greeting", 220); err != nil {
		tc.Close()
		return nil, err
	}
	return c, nil
}

// Close closes the control connection without QUIT.
func (c *Conn) Close() error { return c.ctrl.Close() }

// Quit sends QUIT, waits for the reply (any) and closes.
func (c *Conn) Quit() error {
	defer c.ctrl.Close()
	if err := c.send("QUIT"); err != nil {
		return err
	}
	_, _, err := c.read()
	return err
}

// send writes one command line.
func (c *Conn) send(line string) error {
	c.ctrl.SetWriteDeadline(time.Now().Add(c.timeout))
	_, err := c.ctrl.Write([]byte(line + "\r\n"))
	return err
}

// read reads one reply within the timeout.
func (c *Conn) read() (int, string, error) {
	c.ctrl.SetReadDeadline(time.Now().Add(c.timeout))
	return wire.ReadReply(c.br)
}

// expect reads one reply and checks that its code is one of codes.
func (c *Conn) expect(verb string, codes ...int) (int, string, error) {
	code, msg, err := c.read()
	if err != nil {
		return 0, "", fmt.Errorf("%s: %w", verb, err)
	}
	for _, want := range codes {
		if code == want {
			return code, msg, nil
		}
	}
	return code, msg, &ReplyError{Cmd: verb, Code: code, Msg: msg}
}

// Cmd sends "verb arg" (or just verb) and expects one of codes.
func (c *Conn) Cmd(verb, arg string, codes ...int) (int, string, error) {
	line := verb
	if arg != "" {
		line += " " + arg
	}
	if err := c.send(line); err != nil {
		return 0, "", fmt.Errorf("%s: %w", verb, err)
	}
	return c.expect(verb, codes...)
}

// Login sends USER and, unless the server needs none, PASS.
func (c *Conn) Login(user, pass string) error {
	code, _, err := c.Cmd("USER", user, 230, 331)
	if err != nil || code == 230 {
		return err
	}
	_, _, err = c.Cmd("PASS", pass, 230)
	return err
}

// Binary switches to TYPE I.
func (c *Conn) Binary() error {
	_, _, err := c.Cmd("TYPE", "I", 200)
	return err
}

// Mkd creates a directory.
func (c *Conn) Mkd(name string) error {
	_, _, err := c.Cmd("MKD", name, 257)
	return err
}

// Size returns SIZE of name (needs TYPE I on most servers).
func (c *Conn) Size(name string) (int64, error) {
	_, msg, err := c.Cmd("SIZE", name, 213)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(msg), 10, 64)
}

// dataAddr asks for a passive data address with EPSV (or PASV). The
// address in a 227 reply is ignored in favour of the control connection's
// peer, as curl does by default: the port is what matters.
func (c *Conn) dataAddr() (netip.AddrPort, error) {
	if c.PASV {
		_, msg, err := c.Cmd("PASV", "", 227)
		if err != nil {
			return netip.AddrPort{}, err
		}
		ap, err := wire.ParsePASVReply(msg)
		if err != nil {
			return netip.AddrPort{}, err
		}
		return netip.AddrPortFrom(c.host, ap.Port()), nil
	}
	_, msg, err := c.Cmd("EPSV", "", 229)
	if err != nil {
		return netip.AddrPort{}, err
	}
	port, err := wire.ParseEPSVReply(msg)
	if err != nil {
		return netip.AddrPort{}, err
	}
	return netip.AddrPortFrom(c.host, port), nil
}

// openData sets up passive mode and connects to the data port.
func (c *Conn) openData() (*net.TCPConn, error) {
	ap, err := c.dataAddr()
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: c.timeout}
	nc, err := d.Dial("tcp", ap.String())
	if err != nil {
		return nil, fmt.Errorf("data connection: %w", err)
	}
	return nc.(*net.TCPConn), nil
}

// startTransfer opens the data connection, sends the command and waits for
// 150/125. On a refusal the data connection is closed and the reply
// returned as a *ReplyError. After PROT P the data connection is then
// wrapped in TLS (the client is the TLS client on data connections too,
// RFC 4217 section 7) and its handshake is done before anything moves.
func (c *Conn) startTransfer(verb, arg string) (net.Conn, error) {
	data, err := c.openData()
	if err != nil {
		return nil, err
	}
	if _, _, err := c.Cmd(verb, arg, 125, 150); err != nil {
		data.Close()
		return nil, err
	}
	if !c.tls.protP {
		return data, nil
	}
	tc, err := c.dataHandshake(data)
	if err != nil {
		// The server fails the transfer too; read its reply so that the
		// control connection stays in step, and say what it was.
		if _, _, rerr := c.expect(verb, 226, 250); rerr != nil {
			return nil, fmt.Errorf("%s: %w (then %w)", verb, err, rerr)
		}
		return nil, fmt.Errorf("%s: %w", verb, err)
	}
	return tc, nil
}

// finishTransfer closes the data connection and waits for 226/250. A copy
// error takes precedence over the reply, but the reply is still read so
// that the control connection stays in step.
func (c *Conn) finishTransfer(verb string, data net.Conn, copyErr error) error {
	if err := data.Close(); copyErr == nil && !(c.tls.protP && verb != "STOR") {
		// A download over TLS has its data by now: the close_notify the
		// client sends back may meet a socket the server already closed.
		copyErr = err
	}
	_, _, err := c.expect(verb, 226, 250)
	if copyErr != nil {
		return fmt.Errorf("%s: data: %w", verb, copyErr)
	}
	return err
}

// Retr downloads name into w and returns the byte count.
func (c *Conn) Retr(name string, w io.Writer) (int64, error) {
	return c.download("RETR", name, w)
}

// List runs LIST arg into w.
func (c *Conn) List(arg string, w io.Writer) (int64, error) {
	return c.download("LIST", arg, w)
}

// Nlst runs NLST arg into w.
func (c *Conn) Nlst(arg string, w io.Writer) (int64, error) {
	return c.download("NLST", arg, w)
}

func (c *Conn) download(verb, arg string, w io.Writer) (int64, error) {
	data, err := c.startTransfer(verb, arg)
	if err != nil {
		return 0, err
	}
	if c.buf == nil {
		c.buf = make([]byte, c.bufSize)
	}
	n, err := copyBuf(w, data, c.buf, c.timeout)
	return n, c.finishTransfer(verb, data, err)
}

// Stor uploads r as name. With an *os.File (or an *io.LimitedReader
// around one) as r, the kernel sends it with sendfile(2).
func (c *Conn) Stor(name string, r io.Reader) (int64, error) {
	data, err := c.startTransfer("STOR", name)
	if err != nil {
		return 0, err
	}
	data.SetWriteDeadline(time.Time{})
	var n int64
	if c.tls.protP {
		// No sendfile through TLS: copy through one reused buffer (the
		// plain wrappers hide the ReaderFrom/WriterTo shortcuts, which
		// would fall back to io.Copy's 32 KiB).
		if c.buf == nil {
			c.buf = make([]byte, c.bufSize)
		}
		n, err = io.CopyBuffer(struct{ io.Writer }{data}, struct{ io.Reader }{r}, c.buf)
		if err == nil {
			err = endUpload(data.(*tls.Conn), c.timeout)
		}
	} else {
		n, err = io.Copy(data, r)
	}
	return n, c.finishTransfer("STOR", data, err)
}

// copyBuf is io.CopyBuffer without the ReaderFrom/WriterTo shortcuts, so
// every server's data is read the same way: read(2) calls into buf. The
// read deadline is refreshed per call, so a stalled transfer fails instead
// of hanging the benchmark.
func copyBuf(dst io.Writer, src net.Conn, buf []byte, timeout time.Duration) (int64, error) {
	var total int64
	deadline := time.Time{}
	for {
		if now := time.Now(); deadline.Sub(now) < timeout/2 {
			deadline = now.Add(timeout)
			src.SetReadDeadline(deadline)
		}
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return total, werr
			}
			total += int64(n)
		}
		if errors.Is(err, io.EOF) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}
