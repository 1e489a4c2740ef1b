package bot

import (
	"context"
	"math/rand/v2"
	"time"
)

// Clock is the time the bot waits on: between retries of a reply, before reconnecting, and for
// how long it remembers an event. Tests give a simulated clock, so a minute-long Slack outage or
// a 15-minute dedupe window takes no real minute, while the code path is the real one.
type Clock interface {
	// Now is the current time.
	Now() time.Time
	// Sleep waits d, or until ctx is done and then returns ctx.Err().
	Sleep(ctx context.Context, d time.Duration) error
}

// realClock is the wall clock.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// jitter spreads a wait of d over [d/2, d]: clients that failed together (every replica when
// Slack drops them all) do not come back together, yet each still waits at least half of d.
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1) // #nosec G404 -- spreading retries needs no secure randomness
}

// backoff is the wait before retry number attempt (1 for the first retry): first doubled on each
// attempt up to ceiling, then jittered.
func backoff(first, ceiling time.Duration, attempt int) time.Duration {
	d := first
	for i := 1; i < attempt && d < ceiling; i++ {
		d *= 2
	}
	return jitter(min(d, ceiling))
}
