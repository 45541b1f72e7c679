package daemon

import (
	"fmt"
	"net"
	"strconv"

	"wharf/internal/config"
)

// listenControl opens the control listeners as vsftpd's listen and
// listen_ipv6 say. With both NO (vsftpd's inetd mode) Wharf, which is always
// standalone, listens on one dual-stack socket for IPv4 and IPv6. With FTPS,
// implicit_ssl_port adds an implicit-FTPS listener on the same address.
func listenControl(c *config.Config, tlsOn bool) ([]listener, error) {
	network, host := "tcp", ""
	switch {
	case c.Bool("listen"):
		network, host = "tcp4", c.Str("listen_address")
	case c.Bool("listen_ipv6"):
		network, host = "tcp6", c.Str("listen_address6")
	}
	main, err := listenOn(network, host, c.Int("listen_port"), "listen_port", c)
	if err != nil {
		return nil, err
	}
	ls := []listener{{Listener: main, implicitTLS: tlsOn && c.Bool("implicit_ssl")}}
	if port := c.Int("implicit_ssl_port"); tlsOn && port != 0 {
		l, err := listenOn(network, host, port, "implicit_ssl_port", c)
		if err != nil {
			main.Close()
			return nil, err
		}
		ls = append(ls, listener{Listener: l, implicitTLS: true})
	}
	return ls, nil
}

func listenOn(network, host string, port int, key string, c *config.Config) (net.Listener, error) {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	l, err := net.Listen(network, addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: cannot listen on %s: %w", c.Where(key), key, addr, err)
	}
	return l, nil
}
