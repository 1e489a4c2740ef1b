package bot

import (
	"sync"
	"time"
)

// logEvery is how often a repeated kind of log line may be written: a flapping connection or a
// full queue must not turn into thousands of lines a second.
const logEvery = 10 * time.Second

// logThrottle lets each kind of log line through at most once per interval and counts the ones
// it held back, so the next line can say how many there were. Kinds are a fixed set of names in
// the code, so its memory is bounded. It keeps wall-clock time, not the bot's Clock: a flood of
// log lines is a matter of real seconds.
type logThrottle struct {
	mu    sync.Mutex
	every time.Duration
	last  map[string]time.Time
	held  map[string]int
}

func newLogThrottle(every time.Duration) *logThrottle {
	return &logThrottle{every: every, last: map[string]time.Time{}, held: map[string]int{}}
}

// allow reports whether a line of this kind may be written now and, if so, how many lines of
// the kind were held back since the last one written.
func (l *logThrottle) allow(kind string) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if last, ok := l.last[kind]; ok && now.Sub(last) < l.every {
		l.held[kind]++
		return false, 0
	}
	held := l.held[kind]
	l.last[kind], l.held[kind] = now, 0
	return true, held
}
