package knowledge

import (
	"context"
	"fmt"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watch calls onChange after anything in dir changes, until ctx is done. Changes are
// debounced: an editor's save or a kubelet's ConfigMap update is a burst of events (write,
// rename, the ..data symlink swap, removal of the old folder) that should cause one reload.
// Watching the folder itself, not each file, is what sees a ConfigMap update: the visible
// files never change, only the ..data link they point through.
func Watch(ctx context.Context, dir string, debounce time.Duration, onChange func()) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	defer w.Close()
	if err := w.Add(dir); err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	timer := time.NewTimer(debounce)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case _, ok := <-w.Events:
			if !ok {
				return fmt.Errorf("watch %s: the watcher stopped", dir)
			}
			timer.Reset(debounce)
		case _, ok := <-w.Errors:
			if !ok {
				return fmt.Errorf("watch %s: the watcher stopped", dir)
			}
			// An error is most often a queue overflow: events were lost, so reload to be sure.
			timer.Reset(debounce)
		case <-timer.C:
			onChange()
		}
	}
}
