package listing

import (
	"errors"
	"io"
	"runtime"
	"sync"

	"wharf/internal/vfs"
)

// The lstat of each entry is 70% of a long listing's CPU time, and the
// kernel serves lstats of one directory in parallel. statPages therefore
// runs a listing as a pipeline: one goroutine reads a page of names, a
// worker per CPU lstats the page in chunks, and the caller's goroutine
// formats and writes the pages in order, each as soon as it is complete,
// while the next ones are being stat'ed.
const (
	// pagesInFlight bounds the pages being read, stat'ed or written at
	// once, and with them the listing's memory, whatever the directory's
	// size. Two keep the writer and the workers busy; more absorb uneven
	// chunks.
	pagesInFlight = 4
	// chunkSize entries are one worker's share of a page at a time: small
	// enough to split a page over the workers, large enough that the
	// channel operations cost nothing next to the lstats.
	chunkSize = 64
)

// page holds a batch of visible names of a vfs.StatDir and their lstats.
// Its slices are reused from batch to batch.
type page struct {
	buf    []byte // the names back to back, while being read
	names  string // buf once read: the workers and fn get substrings
	ends   []int  // entry i is names[ends[i-1]:ends[i]]
	stats  []vfs.EntryStat
	errs   []error
	err    error          // ReadNames' error after these names; io.EOF at the end
	stated sync.WaitGroup // chunks not stat'ed yet
}

func (p *page) name(i int) string {
	start := 0
	if i > 0 {
		start = p.ends[i-1]
	}
	return p.names[start:p.ends[i]]
}

// fill reads the next batch of names, keeping only visible ones: a hidden
// dot file costs no lstat.
func (p *page) fill(dir vfs.StatDir, dotFiles bool) {
	p.buf, p.ends = p.buf[:0], p.ends[:0]
	n, err := dir.ReadNames(PageSize, func(name []byte) {
		if visible(name, dotFiles) {
			p.buf = append(p.buf, name...)
			p.ends = append(p.ends, len(p.buf))
		}
	})
	if n == 0 && err == nil {
		err = io.ErrNoProgress // a Dir that returns neither names nor EOF would loop forever
	}
	p.names, p.err = string(p.buf), err
	p.stats = resize(p.stats, len(p.ends))
	p.errs = resize(p.errs, len(p.ends))
}

func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// emit calls fn for the page's entries in order, skipping entries gone
// before their lstat and stopping at any other error, then returns the
// page's own error.
func (p *page) emit(fn func(string, *vfs.EntryStat) error) error {
	for i := range p.ends {
		if gone(p.errs[i]) {
			continue
		}
		if p.errs[i] != nil {
			return p.errs[i]
		}
		if err := fn(p.name(i), &p.stats[i]); err != nil {
			return err
		}
	}
	return p.err
}

// chunk is entries [lo, hi) of a page, one worker's job.
type chunk struct {
	p      *page
	lo, hi int
}

func (c chunk) stat(dir vfs.StatDir) {
	for i := c.lo; i < c.hi; i++ {
		c.p.errs[i] = dir.LstatEntry(c.p.name(i), &c.p.stats[i])
	}
	c.p.stated.Done()
}

// pipeline is the state shared by statPages' goroutines.
type pipeline struct {
	dir      vfs.StatDir
	dotFiles bool
	free     chan *page // pages the writer is done with
	full     chan *page // pages in directory order, their chunks queued
	work     chan chunk
	done     chan struct{} // closed when the writer stops
	running  sync.WaitGroup
}

// statPages calls fn like eachStat, from the caller's goroutine. Every
// goroutine it starts has ended when it returns: the caller closes dir
// next, and a late lstat on a reused descriptor could reach another
// directory.
func statPages(dir vfs.StatDir, dotFiles bool, fn func(string, *vfs.EntryStat) error) error {
	pl := &pipeline{
		dir:      dir,
		dotFiles: dotFiles,
		free:     make(chan *page, pagesInFlight),
		full:     make(chan *page, pagesInFlight),
		work:     make(chan chunk, pagesInFlight*PageSize/chunkSize),
		done:     make(chan struct{}),
	}
	for range pagesInFlight {
		pl.free <- &page{}
	}
	pl.start(runtime.GOMAXPROCS(0))
	defer pl.stop()
	for p := range pl.full {
		p.stated.Wait()
		if err := p.emit(fn); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		pl.free <- p
	}
	return nil // not reached: the reader ends only after a page with an error, or after stop
}

func (pl *pipeline) start(workers int) {
	pl.running.Add(1 + workers)
	go pl.read()
	for range workers {
		go pl.statChunks()
	}
}

// stop makes the reader quit and waits for it and the workers; the
// workers finish the chunks already queued.
func (pl *pipeline) stop() {
	close(pl.done)
	pl.running.Wait()
}

// read fills free pages with names and queues their chunks, until the
// directory ends, fails or the writer stops.
func (pl *pipeline) read() {
	defer pl.running.Done()
	defer close(pl.full)
	defer close(pl.work)
	for {
		var p *page
		select {
		case p = <-pl.free:
		case <-pl.done:
			return
		}
		p.fill(pl.dir, pl.dotFiles)
		if !pl.queue(p) {
			return
		}
		select {
		case pl.full <- p:
		case <-pl.done:
			return
		}
		if p.err != nil {
			return
		}
	}
}

// queue hands p's chunks to the workers; false if the writer stopped.
func (pl *pipeline) queue(p *page) bool {
	n := len(p.ends)
	p.stated.Add((n + chunkSize - 1) / chunkSize)
	for lo := 0; lo < n; lo += chunkSize {
		select {
		case pl.work <- chunk{p, lo, min(lo+chunkSize, n)}:
		case <-pl.done:
			return false
		}
	}
	return true
}

func (pl *pipeline) statChunks() {
	defer pl.running.Done()
	for c := range pl.work {
		c.stat(pl.dir)
	}
}
