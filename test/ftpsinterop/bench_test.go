//go:build ftpsbench

package ftpsinterop

// The FTPS throughput measurement, on demand only:
//
//	go test -tags ftpsbench -run TestFTPSThroughput -v -timeout 30m ./test/ftpsinterop
//
// curl moves one file (WHARF_FTPS_BENCH_MIB, default 1024 MiB) to and from
// the built server over 127.0.0.1: RETR to /dev/null and STOR from the page
// cache, over FTPS (TLS 1.3 and 1.2) and plain FTP for comparison, each
// WHARF_FTPS_BENCH_RUNS times (default 3); the table gives the median and
// the best. curl and the server share the machine's cores.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"wharf/internal/testbin"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func TestFTPSThroughput(t *testing.T) {
	testbin.NeedTool(t, "curl", "curl")
	sizeMiB := envInt("WHARF_FTPS_BENCH_MIB", 1024)
	runs := envInt("WHARF_FTPS_BENCH_RUNS", 3)
	src := filepath.Join(t.TempDir(), "big.bin")
	if _, err := writeRandom(src, "bench", int64(sizeMiB)*mib); err != nil {
		t.Fatal(err)
	}
	type row struct {
		name   string
		tls    string // "" for plain FTP
		reuse  bool
		extra  []string
		curlTL []string
	}
	rows := []row{
		{name: "FTPS explicit, TLS 1.3", tls: "1.3", reuse: true, curlTL: []string{"--ssl-reqd", "--tlsv1.3"}},
		// curl cannot resume TLS 1.2 sessions against Go (see curlTLS12Reason).
		{name: "FTPS explicit, TLS 1.2 (reuse=NO)", tls: "1.2", curlTL: []string{"--ssl-reqd", "--tlsv1.2", "--tls-max", "1.2"}},
		{name: "plain FTP (sendfile/splice)", tls: "1.3", extra: []string{"force_local_logins_ssl=NO", "force_local_data_ssl=NO"}},
	}
	var out strings.Builder
	fmt.Fprintf(&out, "\nFTPS throughput: %d MiB over 127.0.0.1 with curl %d.%d.%d, %d runs, GOMAXPROCS %d, %s\n\n",
		sizeMiB, curlVersion()[0], curlVersion()[1], curlVersion()[2], runs, runtime.GOMAXPROCS(0), cpuModel())
	fmt.Fprintf(&out, "| %-34s | %-4s | %-14s | %-14s |\n", "transfer", "verb", "median MB/s", "best MB/s")
	fmt.Fprintf(&out, "|%s|%s|%s|%s|\n", strings.Repeat("-", 36), strings.Repeat("-", 6), strings.Repeat("-", 16), strings.Repeat("-", 16))
	for _, r := range rows {
		s := startServer(t, serverOpts{tls: r.tls, reuse: r.reuse, extra: append([]string{"xferlog_enable=NO",
			"log_ftp_protocol=NO", "log_level=info", "debug_ssl=NO"}, r.extra...)})
		if err := linkOrCopy(src, filepath.Join(s.root, "big.bin")); err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("ftp://%s/", addr(s.port))
		common := append([]string{"-sS", "--cacert", pki.CA.CertFile, "-u", s.user + ":" + s.pass, "--ftp-pasv"}, r.curlTL...)
		for _, verb := range []string{"RETR", "STOR"} {
			var speeds []float64
			for range runs {
				args := append(slices.Clone(common), "-o", "/dev/null", "-w", "%{speed_download}", base+"big.bin")
				if verb == "STOR" {
					args = append(slices.Clone(common), "-T", src, "-w", "%{speed_upload}", base+"up.bin")
				}
				start := time.Now()
				b, err := exec.Command("curl", args...).CombinedOutput()
				if err != nil {
					t.Fatalf("%s %s: curl: %v\n%s", r.name, verb, err, b)
				}
				bps, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
				if err != nil {
					t.Fatalf("%s %s: curl printed %q", r.name, verb, b)
				}
				speeds = append(speeds, bps/1e6)
				t.Logf("%s %s: %.0f MB/s (%v)", r.name, verb, bps/1e6, time.Since(start).Round(time.Millisecond))
			}
			if verb == "STOR" {
				checkFile(t, "uploaded file", filepath.Join(s.root, "up.bin"), fixture{size: int64(sizeMiB) * mib, sum: mustSum(t, src)})
			}
			slices.Sort(speeds)
			fmt.Fprintf(&out, "| %-34s | %-4s | %14.0f | %14.0f |\n", r.name, verb, speeds[len(speeds)/2], speeds[len(speeds)-1])
		}
	}
	fmt.Println(out.String())
	if path := os.Getenv("WHARF_FTPS_BENCH_OUT"); path != "" {
		os.WriteFile(path, []byte(out.String()), 0o644)
	}
}

func mustSum(t *testing.T, path string) string {
	sum, _, err := fileSHA256(path)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
		}
	}
	return runtime.GOARCH
}
