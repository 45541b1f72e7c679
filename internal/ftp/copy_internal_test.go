package ftp

import (
	"bytes"
	"net"
	"slices"
	"testing"
	"time"
)

// writeSizes records the size of every write it gets.
type writeSizes []int

func (w *writeSizes) Write(p []byte) (int, error) {
	*w = append(*w, len(p))
	return len(p), nil
}

// TestReceiveFromNonTCPBuffers: an upload over anything but a plain TCP
// connection (TLS) reaches the file in copyBufSize writes, however small the
// pieces the connection delivers (TLS: one record per Read), and even with
// splice_uploads on, which only plain TCP can use.
func TestReceiveFromNonTCPBuffers(t *testing.T) {
	const record = 16 << 10
	size := 2*copyBufSize + record
	payload := bytes.Repeat([]byte("wharf-upload-"), size/13+1)[:size]
	client, server := net.Pipe()
	defer server.Close()
	go func() {
		for off := 0; off < len(payload); off += record {
			client.Write(payload[off:min(off+record, len(payload))])
		}
		client.Close()
	}()
	var w writeSizes
	n, err := receiveFrom(&w, server, time.Minute, true, pace{})
	if err != nil || n != int64(size) {
		t.Fatalf("receiveFrom = %d, %v; want %d, nil", n, err, size)
	}
	if want := (writeSizes{copyBufSize, copyBufSize, record}); !slices.Equal(w, want) {
		t.Errorf("%d writes (first %v), want %v", len(w), w[:min(len(w), 4)], want)
	}
}
