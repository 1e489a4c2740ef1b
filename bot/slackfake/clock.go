package slackfake

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Clock is a simulated clock. Sleep returns at once after moving the clock forward, so an app
// that waits a minute for Slack to come back takes no real minute, and Advance moves it for a
// test. Give the same Clock to the fake (WithClock) and to the app under test: the fake's
// outages (Outage) then last on the app's time.
//
// Its methods match bot.Clock.
type Clock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

// NewClock returns a simulated clock set to a fixed date.
func NewClock() *Clock {
	return &Clock{now: time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)}
}

// Now is the simulated time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep moves the clock forward by d and returns, or returns ctx.Err() if ctx is done. Each
// sleep is recorded (see Slept).
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	if d > 0 {
		c.now = c.now.Add(d)
	}
	return nil
}

// Advance moves the clock forward by d, as time passing.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Slept lists the durations passed to Sleep, oldest first.
func (c *Clock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.slept)
}

// clock is the fake's time source: the wall clock unless WithClock gave a simulated one.
type clock interface {
	Now() time.Time
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// WithClock makes the fake keep time on c: the Time of recorded calls and the end of outages.
func WithClock(c *Clock) Option {
	return func(s *Server) { s.clock = c }
}
