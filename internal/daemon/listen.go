package daemon

import (
	"fmt"
	"net"
	"strconv"

	"wharf/internal/config"
)

// listenControl opens the control listeners as vsftpd's listen and
// listen_ipv6 say. With both NO (vsftpd's inetd mode) Wharf, which is always
// standalone, listens on one dual-stack socket for IPv4 and IPv6.
func listenControl(c *config.Config) ([]net.Listener, error) {
	port := strconv.Itoa(c.Int("listen_port"))
	network, host := "tcp", ""
	switch {
	case c.Bool("listen"):
		network, host = "tcp4", c.Str("listen_address")
	case c.Bool("listen_ipv6"):
		network, host = "tcp6", c.Str("listen_address6")
	}
	l, err := net.Listen(network, net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("%s: cannot listen on %s: %w", c.Where("listen_port"), net.JoinHostPort(host, port), err)
	}
	return []net.Listener{l}, nil
}
