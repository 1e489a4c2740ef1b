package bot

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/dvkbot/dvkbot/bot/internal/ttl"
)

// lookupTimeout bounds a conversations.info call: the answer waits on it.
const lookupTimeout = 5 * time.Second

// channelVisibility knows which channels are public: where everyone in the workspace can read
// what was asked. A channel id does not say (a private channel shared with another workspace
// may get a C id), so it asks Slack, remembers the answer for a while, and treats anything it
// cannot learn as private. Workers asking about the same channel at once share one call.
type channelVisibility struct {
	api   SlackAPI
	log   *slog.Logger
	known *ttl.Cache[bool]

	mu      sync.Mutex
	pending map[string]chan struct{} // closed when the lookup of a channel is done
}

func newChannelVisibility(api SlackAPI, log *slog.Logger) *channelVisibility {
	return &channelVisibility{api: api, log: log, known: ttl.New[bool](maxRemembered, channelMemory, nil),
		pending: map[string]chan struct{}{}}
}

// public reports whether a message in channel was seen by everyone. channelType is the message
// event's channel_type when it has one ("channel" is a public channel; "group", "im" and "mpim"
// are not); for an app_mention, which has none, Slack is asked with conversations.info.
func (v *channelVisibility) public(ctx context.Context, channel, channelType string) bool {
	if channelType != "" {
		return channelType == "channel"
	}
	for {
		if public, ok := v.known.Get(channel); ok {
			return public
		}
		v.mu.Lock()
		done, busy := v.pending[channel]
		if !busy {
			done = make(chan struct{})
			v.pending[channel] = done
		}
		v.mu.Unlock()
		if !busy {
			defer func() {
				v.mu.Lock()
				delete(v.pending, channel)
				v.mu.Unlock()
				close(done)
			}()
			return v.lookup(ctx, channel)
		}
		select {
		case <-done: // answered (or failed: then this worker asks in turn)
		case <-ctx.Done():
			return false
		}
	}
}

// lookup asks Slack whether channel is public and remembers the answer.
func (v *channelVisibility) lookup(ctx context.Context, channel string) bool {
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	info, err := v.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
	var refused slack.SlackErrorResponse
	switch {
	case errors.As(err, &refused):
		// Slack answered (channel_not_found, missing_scope): not a channel the app may read
		// about, so not one to show. Remembered like any answer.
		v.known.Set(channel, false)
		return false
	case err != nil:
		v.log.Debug("could not learn whether a channel is public; treating it as private", "channel", channel, "err", err)
		return false
	}
	public := info.IsChannel && !info.IsPrivate && !info.IsIM && !info.IsMpIM && !info.IsGroup
	v.known.Set(channel, public)
	return public
}
