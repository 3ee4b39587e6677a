package cli

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func writeHello(w io.Writer) error { _, err := io.WriteString(w, "hello\n"); return err }

// A report written to a pipe (or a device such as /dev/null or /dev/stdout) goes into it;
// the atomic rename used for files would replace the pipe with a regular file.
func TestWriteFileAtomicPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "out.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		data, err := os.ReadFile(fifo) // blocks until the writer opens the pipe
		if err != nil {
			t.Error(err)
		}
		got <- string(data)
	}()
	if err := writeFileAtomic(fifo, 0o644, writeHello); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("after the write %s is %v (%v), want the named pipe still there", fifo, fi.Mode(), err)
	}
	select {
	case s := <-got:
		if s != "hello\n" {
			t.Errorf("read %q from the pipe, want %q", s, "hello\n")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("nothing came out of the pipe")
	}
}

// A symlink keeps pointing where it did; its target gets the content, with the file's mode.
func TestWriteFileAtomicSymlink(t *testing.T) {
	dir := t.TempDir()
	target, link := filepath.Join(dir, "real.sarif"), filepath.Join(dir, "report.sarif")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.sarif", link); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(link, 0o644, writeHello); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("%s is no longer a symlink (%v)", link, err)
	}
	data, err := os.ReadFile(target)
	if err != nil || string(data) != "hello\n" {
		t.Errorf("target holds %q (%v), want %q", data, err, "hello\n")
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o644 {
		t.Errorf("target mode %v, want 0644", fi.Mode().Perm())
	}
}
