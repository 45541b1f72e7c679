package testbin

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
)

// Ports come from 10000-32767, below Linux's ephemeral range, so that the
// kernel does not hand a port picked here to some outgoing connection
// before the server binds it.
const (
	portLow   = 10000
	portCount = 22768
	portTries = 200
)

// FreePort finds a TCP port that is free on host now.
func FreePort(host string) (int, error) {
	for range portTries {
		if p := portLow + rand.IntN(portCount); PortFree(host, p) {
			return p, nil
		}
	}
	return 0, errors.New("no free port found")
}

// FreeRange finds n consecutive ports free on host now, none of them in
// avoid, and returns the first.
func FreeRange(host string, n int, avoid ...int) (int, error) {
	for range portTries {
		base := portLow + rand.IntN(portCount-n)
		if !overlaps(base, n, avoid) && rangeFree(host, base, n) {
			return base, nil
		}
	}
	return 0, fmt.Errorf("no %d consecutive free ports found", n)
}

func overlaps(base, n int, ports []int) bool {
	for _, p := range ports {
		if p >= base && p < base+n {
			return true
		}
	}
	return false
}

func rangeFree(host string, base, n int) bool {
	for p := base; p < base+n; p++ {
		if !PortFree(host, p) {
			return false
		}
	}
	return true
}

// PortFree tells whether a TCP listener can bind host:port now.
func PortFree(host string, port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// URLHost is host as a URL writes it: an IPv6 address in brackets.
func URLHost(host string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]"
	}
	return host
}
