package dvkbottest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Logs collects JSON log lines, from a process's stderr or an in-process slog handler, and
// wakes whoever waits for a line: a log line is an event the code exposes (knowledge indexed,
// reloaded, folder not watched, replied), so tests wait on it instead of polling.
type Logs struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced at every write
}

// NewLogs returns an empty Logs.
func NewLogs() *Logs {
	return &Logs{changed: make(chan struct{})}
}

// Write adds p, which may hold part of a line, and wakes the waiters.
func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	close(l.changed)
	l.changed = make(chan struct{})
	return l.buf.Write(p)
}

// String is everything logged so far.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Changed returns a channel closed at the next write.
func (l *Logs) Changed() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.changed
}

// records decodes the complete JSON lines logged so far.
func (l *Logs) records() []map[string]any {
	var recs []map[string]any
	for _, line := range strings.SplitAfter(l.String(), "\n") {
		var rec map[string]any
		if strings.HasSuffix(line, "\n") && json.Unmarshal([]byte(line), &rec) == nil {
			recs = append(recs, rec)
		}
	}
	return recs
}

// Line returns the first line whose message is msg, or nil.
func (l *Logs) Line(msg string) map[string]any {
	if lines := l.Lines(msg); len(lines) > 0 {
		return lines[0]
	}
	return nil
}

// Count counts the lines whose message is one of msgs.
func (l *Logs) Count(msgs ...string) int {
	n := 0
	for _, rec := range l.records() {
		if msg, ok := rec["msg"].(string); ok && slices.Contains(msgs, msg) {
			n++
		}
	}
	return n
}

// Levels counts the lines of each level (DEBUG, INFO, WARN, ERROR).
func (l *Logs) Levels() map[string]int {
	levels := map[string]int{}
	for _, rec := range l.records() {
		if level, ok := rec["level"].(string); ok {
			levels[level]++
		}
	}
	return levels
}

// Wait waits for the first line whose message is msg and returns it.
func (l *Logs) Wait(t testing.TB, msg string) map[string]any {
	t.Helper()
	var found map[string]any
	l.until(t, "log line "+msg, func() bool { found = l.Line(msg); return found != nil })
	return found
}

// WaitCount waits until n lines have one of msgs as their message.
func (l *Logs) WaitCount(t testing.TB, n int, msgs ...string) {
	t.Helper()
	l.until(t, strings.Join(msgs, " or ")+" logged "+strconv.Itoa(n)+" times", func() bool { return l.Count(msgs...) >= n })
}

// until checks cond after every write until it holds.
func (l *Logs) until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	Until(t, what, cond, l.Changed)
}

// Lines returns the lines whose message is msg, decoded, oldest first.
func (l *Logs) Lines(msg string) []map[string]any {
	var lines []map[string]any
	for _, rec := range l.records() {
		if rec["msg"] == msg {
			lines = append(lines, rec)
		}
	}
	return lines
}

// Until checks cond, and again each time a channel that one of changes returns is closed (a
// log written, a call to the fake Slack, a reload), until cond holds. Hang only catches a
// hang: the test fails, saying what it waited for.
func Until(t testing.TB, what string, cond func() bool, changes ...func() <-chan struct{}) {
	t.Helper()
	hang := time.After(Hang)
	for {
		cases := []reflect.SelectCase{{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(hang)}}
		for _, c := range changes {
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(c())})
		}
		if cond() {
			return
		}
		if chosen, _, _ := reflect.Select(cases); chosen == 0 {
			t.Fatalf("still no %s after %s", what, Hang)
		}
	}
}
