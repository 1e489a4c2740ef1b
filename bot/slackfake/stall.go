package slackfake

import (
	"context"
	"testing"
	"time"
)

// stall holds the calls to one method until released.
type stall struct {
	release chan struct{}
	held    int // calls waiting now
}

// Stall holds every call to method (a Web API method or "response_url")
// until the returned release is called, as a Slack that has stopped
// answering: the app's calls stay in flight. Calls are recorded when
// answered. Cleanup releases any stall left.
func (s *Server) Stall(method string) (release func()) {
	st := &stall{release: make(chan struct{})}
	s.mu.Lock()
	s.stalls[method] = st
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.stalls[method] == st {
			delete(s.stalls, method)
			close(st.release)
		}
	}
}

// WaitStalled waits until n calls to method are being held by Stall,
// failing the test after timeout.
func (s *Server) WaitStalled(t testing.TB, method string, n int, timeout time.Duration) {
	t.Helper()
	if !s.await(timeout, func() bool { st := s.stalls[method]; return st != nil && st.held >= n }) {
		t.Fatalf("slackfake: fewer than %d %s calls held after %v; saw %s", n, method, timeout, s.summary())
	}
}

// hold waits while method is stalled. It reports false if the caller went
// away meanwhile.
func (s *Server) hold(ctx context.Context, method string) bool {
	s.mu.Lock()
	st := s.stalls[method]
	if st == nil {
		s.mu.Unlock()
		return true
	}
	st.held++
	s.notifyLocked()
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		st.held--
		s.mu.Unlock()
	}()
	select {
	case <-st.release:
		return true
	case <-ctx.Done():
		return false
	}
}

// releaseStalls lets every held call go, so the server can shut down.
func (s *Server) releaseStalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for method, st := range s.stalls {
		delete(s.stalls, method)
		close(st.release)
	}
}
