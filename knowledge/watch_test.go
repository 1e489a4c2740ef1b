package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// watchEvents records what a Watcher reports; the test waits on them, never on a clock.
type watchEvents struct {
	changed chan struct{}
	status  chan error
}

// startWatcher watches dir until the test ends and returns the first status with the events.
func startWatcher(t *testing.T, dir string) (*watchEvents, error) {
	t.Helper()
	ev := &watchEvents{changed: make(chan struct{}, 100), status: make(chan error, 100)}
	w := NewWatcher(dir, 10*time.Millisecond, WatchHooks{
		Changed: func() { ev.changed <- struct{}{} },
		Status:  func(err error) { ev.status <- err },
	})
	first := <-ev.status // NewWatcher reports its first attempt before it returns
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		if err := w.Close(); err != nil {
			t.Error(err)
		}
	})
	return ev, first
}

func (ev *watchEvents) waitChanged(t *testing.T, what string) {
	t.Helper()
	select {
	case <-ev.changed:
	case <-time.After(hangTimeout):
		t.Fatalf("no change reported after %s", what)
	}
}

// waitStatus waits for the next status, ignoring the changes reported meanwhile.
func (ev *watchEvents) waitStatus(t *testing.T, what string) error {
	t.Helper()
	select {
	case err := <-ev.status:
		return err
	case <-time.After(hangTimeout):
		t.Fatalf("no status reported after %s", what)
		return nil
	}
}

func (ev *watchEvents) drainChanged() {
	for {
		select {
		case <-ev.changed:
		default:
			return
		}
	}
}

func TestWatcherSurvivesFolderDeletedAndRecreated(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "knowledge")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ev, first := startWatcher(t, dir)
	if first != nil {
		t.Fatalf("first status = %v, want nil: the folder exists", first)
	}
	writeFile(t, filepath.Join(dir, "a.md"), []byte(goodEntry))
	ev.waitChanged(t, "a file was written")

	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := ev.waitStatus(t, "the folder was deleted"); err == nil || !strings.Contains(err.Error(), "deleted or moved") {
		t.Fatalf("status after the folder was deleted = %v, want it deleted or moved", err)
	}
	ev.drainChanged()
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := ev.waitStatus(t, "the folder was created again"); err != nil {
		t.Fatalf("status after the folder came back = %v, want nil", err)
	}
	ev.waitChanged(t, "the folder came back") // what was written while unwatched must be loaded
	writeFile(t, filepath.Join(dir, "b.md"), []byte(goodEntry))
	ev.waitChanged(t, "a file was written in the new folder")
}

// A folder that does not exist yet is reported at once, and watched once it appears.
func TestWatcherWaitsForMissingFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "later")
	ev, first := startWatcher(t, dir)
	if first == nil || !strings.Contains(first.Error(), dir) {
		t.Fatalf("first status = %v, want an error naming %s", first, dir)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := ev.waitStatus(t, "the folder was created"); err != nil {
		t.Fatalf("status once the folder exists = %v, want nil", err)
	}
	ev.waitChanged(t, "the folder appeared")
}
