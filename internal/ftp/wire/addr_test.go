package wire

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

var ap = netip.MustParseAddrPort

func TestParsePORT(t *testing.T) {
	good := []struct {
		arg  string
		want string
	}{
		{"127,0,0,1,156,64", "127.0.0.1:40000"},
		{"192,168,1,2,0,21", "192.168.1.2:21"},
		{"255,255,255,255,255,255", "255.255.255.255:65535"},
		{"0,0,0,0,0,1", "0.0.0.0:1"},
		{" 10 , 0 ,0, 1,4 ,1 ", "10.0.0.1:1025"},
		{"010,001,000,009,004,001", "10.1.0.9:1025"}, // leading zeros are decimal, not octal
	}
	for _, tt := range good {
		got, err := ParsePORT(tt.arg)
		if err != nil || got != ap(tt.want) {
			t.Errorf("ParsePORT(%q) = %v, %v; want %v", tt.arg, got, err, tt.want)
		}
	}
	bad := []string{
		"", " ", "127,0,0,1,156", "127,0,0,1,156,64,1", "127,0,0,1,156,", ",127,0,0,1,156",
		"127,0,0,1,156,300", "256,0,0,1,1,1", "-1,0,0,1,1,1", "127,0,0,1,+1,1", "127,0,0,1,0x1,1",
		"127,0,0,1,1 2,1", "127,0,0,1,,1", "127.0.0.1,1,1", "127,0,0,1,1,1\r\n500 x", "127,0,0,1,0,0",
		"1000,0,0,1,1,1", "0001,0,0,1,1,1", "127;0;0;1;1;1", "127,0,0,1,1,1,", "１２７,0,0,1,1,1",
		"127,0,0,1,\t1,1",
	}
	for _, arg := range bad {
		got, err := ParsePORT(arg)
		if !errors.Is(err, ErrBadArgument) {
			t.Errorf("ParsePORT(%q) = %v, %v; want ErrBadArgument", arg, got, err)
		}
		if err != nil && strings.ContainsAny(err.Error(), "\r\n") {
			t.Errorf("ParsePORT(%q) error echoes input: %q", arg, err)
		}
	}
}

func TestFormatPASV(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"127.0.0.1:40000", "127,0,0,1,156,64"},
		{"0.0.0.0:0", "0,0,0,0,0,0"},
		{"255.255.255.255:65535", "255,255,255,255,255,255"},
		{"[::ffff:192.0.2.1]:21", "192,0,2,1,0,21"},
	}
	for _, tt := range tests {
		got, err := FormatPASV(ap(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("FormatPASV(%s) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []netip.AddrPort{ap("[::1]:21"), ap("[2001:db8::1]:21"), ap("[fe80::1%eth0]:21"), {}} {
		if got, err := FormatPASV(in); err == nil {
			t.Errorf("FormatPASV(%v) = %q, want an error", in, got)
		}
	}
}

func TestParseEPRT(t *testing.T) {
	good := []struct {
		arg  string
		want string
	}{
		{"|1|132.235.1.2|6275|", "132.235.1.2:6275"},
		{"|2|1080::8:800:200C:417A|5282|", "[1080::8:800:200c:417a]:5282"},
		{"|2|::1|1|", "[::1]:1"},
		{"!1!10.0.0.1!65535!", "10.0.0.1:65535"},
		{"~2~::ffff:10.0.0.1~21~", "[::ffff:10.0.0.1]:21"}, // mapped stays IPv6
		{"|1|10.0.0.1|021|", "10.0.0.1:21"},
	}
	for _, tt := range good {
		got, err := ParseEPRT(tt.arg)
		if err != nil || got != ap(tt.want) {
			t.Errorf("ParseEPRT(%q) = %v, %v; want %v", tt.arg, got, err, tt.want)
		}
	}
	bad := []string{
		"", "|", "||", "|||||", "|1|10.0.0.1|21", "1|10.0.0.1|21|", "|1|10.0.0.1|21||",
		"|1|10.0.0.1|21|x", " |1|10.0.0.1|21|", "|1|10.0.0.1|21| ", "\x7f1\x7f10.0.0.1\x7f21\x7f",
		"\x201\x2010.0.0.1\x2021\x20", "|1!10.0.0.1!21!", ".1.10.0.0.1.21.", // delimiter inside the address
		"|1|10.0.0.1|0|", "|1|10.0.0.1|65536|", "|1|10.0.0.1|-1|", "|1|10.0.0.1|+21|", "|1|10.0.0.1||",
		"|1|10.0.0.1|123456|", "|1|::1|21|", "|1|::ffff:10.0.0.1|21|", "|1|10.0.0.01|21|",
		"|1|10.0.0|21|", "|1|host.example|21|", "|2|10.0.0.1|21|", "|2|fe80::1%eth0|21|",
		"|2|[::1]|21|", "|2|::1/64|21|", "||10.0.0.1|21|", "|x|10.0.0.1|21|", "|-1|10.0.0.1|21|",
		"|1|10.0.0.1|21|\r\n200 injected",
	}
	for _, arg := range bad {
		got, err := ParseEPRT(arg)
		if !errors.Is(err, ErrBadArgument) || errors.Is(err, ErrUnsupportedProtocol) {
			t.Errorf("ParseEPRT(%q) = %v, %v; want ErrBadArgument", arg, got, err)
		}
		if err != nil && strings.ContainsAny(err.Error(), "\r\n") {
			t.Errorf("ParseEPRT(%q) error echoes input: %q", arg, err)
		}
	}
	for _, arg := range []string{"|3|10.0.0.1|21|", "|0|x|y|", "|12|::1|21|"} {
		got, err := ParseEPRT(arg)
		if !errors.Is(err, ErrUnsupportedProtocol) {
			t.Errorf("ParseEPRT(%q) = %v, %v; want ErrUnsupportedProtocol", arg, got, err)
		}
	}
}

func TestFormatEPRT(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"127.0.0.1:5000", "|1|127.0.0.1|5000|"},
		{"[::1]:5000", "|2|::1|5000|"},
		{"[2001:db8::1]:65535", "|2|2001:db8::1|65535|"},
		{"[::ffff:127.0.0.1]:21", "|2|::ffff:127.0.0.1|21|"},
		{"[fe80::1%eth0]:21", "|2|fe80::1|21|"},
	}
	for _, tt := range tests {
		if got := FormatEPRT(ap(tt.in)); got != tt.want {
			t.Errorf("FormatEPRT(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatEPSV(t *testing.T) {
	for port, want := range map[uint16]string{1: "(|||1|)", 40001: "(|||40001|)", 65535: "(|||65535|)"} {
		if got := FormatEPSV(port); got != want {
			t.Errorf("FormatEPSV(%d) = %q, want %q", port, got, want)
		}
	}
}

func TestParseEPSVArg(t *testing.T) {
	tests := []struct {
		arg   string
		proto int
		all   bool
	}{
		{"", 0, false}, {" ", 0, false}, {"1", 1, false}, {"2", 2, false}, {" 2 ", 2, false},
		{"ALL", 0, true}, {"all", 0, true}, {"aLl", 0, true},
	}
	for _, tt := range tests {
		proto, all, err := ParseEPSVArg(tt.arg)
		if err != nil || proto != tt.proto || all != tt.all {
			t.Errorf("ParseEPSVArg(%q) = %d, %v, %v; want %d, %v", tt.arg, proto, all, err, tt.proto, tt.all)
		}
	}
	for _, arg := range []string{"3", "0", "01", "99"} {
		if _, _, err := ParseEPSVArg(arg); !errors.Is(err, ErrUnsupportedProtocol) {
			t.Errorf("ParseEPSVArg(%q) err = %v, want ErrUnsupportedProtocol", arg, err)
		}
	}
	for _, arg := range []string{"ALLX", "AL", "1 2", "-1", "x", "1234", "ALL\r\n500 x", "|2|"} {
		_, _, err := ParseEPSVArg(arg)
		if !errors.Is(err, ErrBadArgument) || errors.Is(err, ErrUnsupportedProtocol) {
			t.Errorf("ParseEPSVArg(%q) err = %v, want ErrBadArgument", arg, err)
		}
	}
}

func TestParsePASVReply(t *testing.T) {
	good := []struct {
		msg  string
		want string
	}{
		{"Entering Passive Mode (127,0,0,1,156,64).", "127.0.0.1:40000"},
		{"Entering Passive Mode 127,0,0,1,156,64", "127.0.0.1:40000"},
		{"=127,0,0,1,156,64", "127.0.0.1:40000"},
		{"Entering Passive Mode (10, 0, 0, 1, 4, 1)", "10.0.0.1:1025"},
		{"Mode 2 (192,168,0,1,0,21)", "192.168.0.1:21"}, // a lone number before is skipped
		{"1,2,3 then (192,168,0,1,0,21)", "192.168.0.1:21"},
		{"(127,0,0,1,156,64,7)", "127.0.0.1:40000"}, // the first six
	}
	for _, tt := range good {
		got, err := ParsePASVReply(tt.msg)
		if err != nil || got != ap(tt.want) {
			t.Errorf("ParsePASVReply(%q) = %v, %v; want %v", tt.msg, got, err, tt.want)
		}
	}
	bad := []string{
		"", "Entering Passive Mode", "(127,0,0,1,156)", "(127,0,0,1,156,300)", "(1270,0,0,1,1,1)",
		"(127,0,0,1,0,0)", "(127,0,0,1,,1)", "(127.0.0.1,156,64)",
	}
	for _, msg := range bad {
		if got, err := ParsePASVReply(msg); !errors.Is(err, ErrBadArgument) {
			t.Errorf("ParsePASVReply(%q) = %v, %v; want ErrBadArgument", msg, got, err)
		}
	}
}

func TestParseEPSVReply(t *testing.T) {
	good := map[string]uint16{
		"Entering Extended Passive Mode (|||40001|)": 40001,
		"Entering Extended Passive Mode (!!!1!)":     1,
		"(|||65535|)":                                65535,
		"ok (not this) (|||21|).":                    21,
		"(|||021|)":                                  21,
	}
	for msg, want := range good {
		got, err := ParseEPSVReply(msg)
		if err != nil || got != want {
			t.Errorf("ParseEPSVReply(%q) = %d, %v; want %d", msg, got, err, want)
		}
	}
	bad := []string{
		"", "Entering Extended Passive Mode", "(|||0|)", "(|||65536|)", "(|||x|)", "(||40001|)",
		"(|||40001|", "(|||40001)", "(|!|40001|)", "(111401)", "( ||40001|)", "(|||-1|)", "(|||+1|)",
		"(|||123456|)", "(|||4000 1|)", "|||40001|",
	}
	for _, msg := range bad {
		if got, err := ParseEPSVReply(msg); !errors.Is(err, ErrBadArgument) {
			t.Errorf("ParseEPSVReply(%q) = %d, %v; want ErrBadArgument", msg, got, err)
		}
	}
}
