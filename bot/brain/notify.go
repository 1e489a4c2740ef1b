package brain

import (
	"context"
	"sync"
)

// notifier fans "captured entries changed" out to every Watch channel. Each channel holds one
// pending signal, so a slow reader is never blocked on and many changes coalesce into one.
type notifier struct {
	mu     sync.Mutex
	subs   map[chan struct{}]func() bool // each channel with the stop of its context hook
	closed bool
}

func newNotifier() *notifier {
	return &notifier{subs: map[chan struct{}]func() bool{}}
}

// watch subscribes until ctx is done or the notifier closes; then the channel is closed.
func (n *notifier) watch(ctx context.Context) <-chan struct{} {
	ch := make(chan struct{}, 1)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		close(ch)
		return ch
	}
	n.subs[ch] = context.AfterFunc(ctx, func() { n.drop(ch) })
	return ch
}

// drop unsubscribes and closes ch, once.
func (n *notifier) drop(ch chan struct{}) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.subs[ch]; ok {
		delete(n.subs, ch)
		close(ch)
	}
}

// notify signals every subscriber without blocking.
func (n *notifier) notify() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for ch := range n.subs {
		select {
		case ch <- struct{}{}:
		default: // a signal is already pending: the reader will see this change too
		}
	}
}

// close closes every subscriber's channel; later watches get a closed channel.
func (n *notifier) close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closed = true
	for ch, stop := range n.subs {
		stop()
		close(ch)
	}
	n.subs = map[chan struct{}]func() bool{}
}
