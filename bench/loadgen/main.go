// Command loadgen drives FTP, FTPS and SFTP servers with the benchmark
// workloads of bench/run.sh and turns the results into tables.
//
//	loadgen prepare -data DIR
//	    create the data set (1 GiB, 10 MiB and 64 KiB files, directories
//	    of 20,000 and 100,000 files) if it is not there yet
//	loadgen run -w WORKLOAD -server NAME -addr HOST:PORT -user U -pass P
//	        -pid PID -data DIR -rep N -out FILE.jsonl
//	        [-tls-ca CERT.pem -tls-name NAME] [-ssh-key KEY]
//	    run one repetition of one workload against one server and append
//	    a JSON record per result to FILE.jsonl. The FTPS workloads
//	    (ftps-*) speak explicit FTPS with package ftpc (AUTH TLS, PBSZ 0,
//	    PROT P, data connections resuming the control session, counted);
//	    the SFTP ones (sftp-*) run OpenSSH's sftp client with -ssh-key
//	    against -addr, the SSH port.
//	loadgen run -w WORKLOAD -server NAME -na REASON -out FILE.jsonl
//	    record that the server cannot run the workload (an n/a row)
//	loadgen report -in FILE.jsonl [-md RESULTS.md -header FILE -footer FILE]
//	    print one table per workload (median, min-max, ratio to Wharf) and
//	    optionally write them as Markdown between a header and a footer
//	loadgen list
//	    list the workloads
//	loadgen reap -- CMD [ARGS...]
//	    run a server as a child subreaper, so that the time of processes
//	    it orphans (sshd's sessions) counts as its own (see reap.go)
//
// It only ever talks to the address it is given (bench/run.sh gives it
// 127.0.0.1 ports).
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: loadgen prepare|run|report|list|reap [flags]")
		return 2
	}
	var err error
	switch args[0] {
	case "prepare":
		err = cmdPrepare(args[1:], stderr)
	case "run":
		err = cmdRun(args[1:], stdout, stderr)
	case "report":
		err = cmdReport(args[1:], stdout, stderr)
	case "reap":
		err = cmdReap(args[1:])
	case "list":
		for _, w := range catalog {
			fmt.Fprintf(stdout, "%-10s %s\n", w.Name, w.Title)
		}
	default:
		fmt.Fprintf(stderr, "loadgen: unknown command %q\n", args[0])
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "loadgen:", err)
		return 1
	}
	return 0
}
