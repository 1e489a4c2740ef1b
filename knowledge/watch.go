package knowledge

import (
	"context"
	"fmt"
	"time"

	"github.com/fsnotify/fsnotify"
)

// WatchHooks are what a Watcher tells its owner. Both are called from the goroutine running
// Watcher.Run, one call at a time, except that NewWatcher reports the first Status itself.
type WatchHooks struct {
	// Changed is called once a burst of changes in the folder has been gathered.
	Changed func()
	// Status is called with nil when the folder is being watched, and with the reason when it
	// is not (the folder was deleted, the system refused a watch): until the next nil, changes
	// are missed. The watcher keeps trying and calls Changed once it watches again.
	Status func(error)
}

// Watcher reports changes in a knowledge folder, and never gives up on it: when the folder is
// deleted or moved away, or the system refuses a watch, it says so and tries again every
// retryEvery until it can watch the folder again.
//
// It watches the folder itself, not each file: that is what sees a ConfigMap update, where the
// visible files never change, only the ..data link they point through.
type Watcher struct {
	dir   string
	delay time.Duration
	hooks WatchHooks
	fs    *fsnotify.Watcher // nil while the system refuses one
	// watching is the status last reported; reported is false until the first report.
	watching, reported bool
}

// retryEvery is how often a watcher that lost its folder tries to watch it again.
const retryEvery = 250 * time.Millisecond

// NewWatcher starts watching dir before it returns, so that no change made after it returns is
// missed, and reports that first attempt to hooks.Status. Changes are gathered for delay after
// the first one and reported as one: an editor's save or a kubelet's ConfigMap update is a
// burst of events (write, rename, the ..data symlink swap, removal of the old folder) that
// should cause one reload, and a steady trickle of changes must not put the reload off for
// ever. Run delivers the changes; Close releases the watch.
func NewWatcher(dir string, delay time.Duration, hooks WatchHooks) *Watcher {
	w := &Watcher{dir: dir, delay: delay, hooks: hooks}
	w.watch()
	return w
}

// Run delivers changes until ctx is done.
func (w *Watcher) Run(ctx context.Context) {
	var gather, retry <-chan time.Time
	for {
		if !w.watching && retry == nil {
			retry = time.After(retryEvery)
		}
		var events <-chan fsnotify.Event
		var errs <-chan error
		if w.fs != nil {
			events, errs = w.fs.Events, w.fs.Errors
		}
		select {
		case <-ctx.Done():
			return
		case _, ok := <-events:
			if !ok {
				w.broken()
				continue
			}
			if gather == nil {
				gather = time.After(w.delay)
			}
			w.checkFolder()
		case _, ok := <-errs:
			if !ok {
				w.broken()
				continue
			}
			if gather == nil { // most often a queue overflow: events were lost, so reload to be sure
				gather = time.After(w.delay)
			}
			w.checkFolder()
		case <-retry:
			retry = nil
			if w.watch(); w.watching {
				w.hooks.Changed() // whatever happened while the folder was not watched
			}
		case <-gather:
			gather = nil
			w.hooks.Changed()
		}
	}
}

// watch tries to watch the folder and reports the outcome.
func (w *Watcher) watch() {
	if w.fs == nil {
		fsw, err := fsnotify.NewWatcher()
		if err != nil {
			w.setStatus(fmt.Errorf("watch knowledge folder %s: %w", w.dir, err))
			return
		}
		w.fs = fsw
	}
	if err := w.fs.Add(w.dir); err != nil {
		w.setStatus(fmt.Errorf("watch knowledge folder %s: %w", w.dir, err))
		return
	}
	w.setStatus(nil)
}

// checkFolder notices that the folder itself went away: the system drops the watch of a
// deleted or moved folder, and a new folder at the same path needs a new watch.
func (w *Watcher) checkFolder() {
	if len(w.fs.WatchList()) == 0 {
		w.setStatus(fmt.Errorf("knowledge folder %s was deleted or moved: waiting for it to come back", w.dir))
	}
}

// broken drops a system watcher that stopped delivering, so that the next try makes a new one.
func (w *Watcher) broken() {
	_ = w.fs.Close()
	w.fs = nil
	w.setStatus(fmt.Errorf("watch knowledge folder %s: the system watcher stopped", w.dir))
}

// setStatus reports whether the folder is watched, once per change.
func (w *Watcher) setStatus(err error) {
	if w.reported && w.watching == (err == nil) {
		return
	}
	w.reported, w.watching = true, err == nil
	w.hooks.Status(err)
}

// Close releases the system's watch. Call it once Run has returned, or instead of Run.
func (w *Watcher) Close() error {
	if w.fs == nil {
		return nil
	}
	return w.fs.Close()
}
