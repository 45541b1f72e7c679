package testbin

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Lines is a process's output as it comes, line by line (StartFollowed):
// WaitLine blocks until a matching line arrives, with no polling, since
// each new line wakes the waiters.
type Lines struct {
	mu      sync.Mutex
	lines   []string
	changed chan struct{} // closed and replaced on each new line, and at EOF
	eof     bool
	done    chan struct{} // closed once the output is closed and consumed
}

func newLines() *Lines {
	return &Lines{changed: make(chan struct{}), done: make(chan struct{})}
}

// consume reads r to its end, copying each line to f.
func (l *Lines) consume(r io.ReadCloser, f *os.File) {
	defer close(l.done)
	defer r.Close()
	defer f.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(f, line)
		l.update(func() { l.lines = append(l.lines, line) })
	}
	l.update(func() { l.eof = true })
}

// update changes l under its lock and wakes the waiters.
func (l *Lines) update(change func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	change()
	close(l.changed)
	l.changed = make(chan struct{})
}

// wait returns once the output is consumed, or after limit.
func (l *Lines) wait(limit time.Duration) {
	select {
	case <-l.done:
	case <-time.After(limit):
	}
}

// All returns the lines so far.
func (l *Lines) All() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// Text is the output so far.
func (l *Lines) Text() string { return strings.Join(l.All(), "\n") }

// Last is the last n lines so far.
func (l *Lines) Last(n int) string {
	all := l.All()
	return strings.Join(all[max(0, len(all)-n):], "\n")
}

// Mark is the number of lines so far, for WaitLine's from.
func (l *Lines) Mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

// WaitLine waits up to d for a line, from index from on, that match
// accepts, and returns it. It fails at once when the output ends first.
func (l *Lines) WaitLine(from int, match func(string) bool, d time.Duration) (string, error) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		l.mu.Lock()
		for ; from < len(l.lines); from++ {
			if line := l.lines[from]; match(line) {
				l.mu.Unlock()
				return line, nil
			}
		}
		eof, changed := l.eof, l.changed
		l.mu.Unlock()
		if eof {
			return "", errors.New("the process exited before logging the expected line")
		}
		select {
		case <-changed:
		case <-timer.C:
			return "", fmt.Errorf("the expected log line did not appear within %v", d)
		}
	}
}
