package slackfake

import (
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
)

// The builders below return inner events in the shape Slack documents
// (https://docs.slack.dev/reference/events), ready for SendEventsAPI. They
// are plain maps so a test can add or change a field before sending, e.g.
// ev["subtype"] = "message_changed".

// AppMention is the app_mention event for a message mentioning the app in
// a channel. threadTS is "" for a top-level message.
func AppMention(channel, user, text, ts, threadTS string) map[string]any {
	return userMessage("app_mention", channel, user, text, ts, threadTS)
}

// Message is the message event for a person's message. channelType is
// "channel", "group", "im" (a DM with the app) or "mpim".
func Message(channel, channelType, user, text, ts, threadTS string) map[string]any {
	ev := userMessage("message", channel, user, text, ts, threadTS)
	ev["channel_type"] = channelType
	return ev
}

// BotMessage is the message event for another bot's post: subtype
// bot_message with its bot_id and no human user. The app must not answer.
func BotMessage(channel, channelType, botID, text, ts, threadTS string) map[string]any {
	ev := map[string]any{
		"type": "message", "subtype": "bot_message", "text": text, "ts": ts, "event_ts": ts,
		"bot_id": botID, "username": "other-bot", "channel": channel, "channel_type": channelType,
	}
	if threadTS != "" {
		ev["thread_ts"] = threadTS
	}
	return ev
}

// OwnMessage is the message event Slack sends back for the app's own post
// (user BotUserID, bot_id BotID). The app must not answer itself.
func OwnMessage(channel, channelType, text, ts, threadTS string) map[string]any {
	ev := Message(channel, channelType, BotUserID, text, ts, threadTS)
	delete(ev, "client_msg_id")
	ev["bot_id"] = BotID
	ev["app_id"] = AppID
	ev["bot_profile"] = map[string]any{"id": BotID, "app_id": AppID, "name": "dvkbot", "deleted": false, "updated": 1700000000, "team_id": TeamID}
	return ev
}

// AppHomeOpened is the app_home_opened event for user opening the app's
// Home tab.
func AppHomeOpened(user string) map[string]any {
	return map[string]any{
		"type": "app_home_opened", "user": user, "channel": "D" + strings.TrimPrefix(user, "U"),
		"tab": "home", "event_ts": nextEventTS(),
	}
}

func userMessage(typ, channel, user, text, ts, threadTS string) map[string]any {
	ev := map[string]any{
		"type": typ, "client_msg_id": clientMsgID(ts), "user": user, "text": text, "ts": ts,
		"team": TeamID, "blocks": richText(text), "channel": channel, "event_ts": ts,
	}
	if threadTS != "" {
		ev["thread_ts"] = threadTS
	}
	return ev
}

// mentionRE finds user mentions as Slack writes them in text: <@U123>.
var mentionRE = regexp.MustCompile(`<@([UW][A-Z0-9]+)>`)

// richText is the rich_text block Slack adds to every user message, with
// mentions as user elements.
func richText(text string) []any {
	var elems []any
	pos := 0
	for _, loc := range mentionRE.FindAllStringSubmatchIndex(text, -1) {
		if loc[0] > pos {
			elems = append(elems, map[string]any{"type": "text", "text": text[pos:loc[0]]})
		}
		elems = append(elems, map[string]any{"type": "user", "user_id": text[loc[2]:loc[3]]})
		pos = loc[1]
	}
	if pos < len(text) {
		elems = append(elems, map[string]any{"type": "text", "text": text[pos:]})
	}
	section := map[string]any{"type": "rich_text_section", "elements": elems}
	return []any{map[string]any{"type": "rich_text", "block_id": "fake", "elements": []any{section}}}
}

func clientMsgID(ts string) string {
	digits := strings.ReplaceAll(ts, ".", "")
	return fmt.Sprintf("c1e47000-0000-4000-8000-%012s", digits[max(0, len(digits)-12):])
}

var eventTSSeq atomic.Int64

func nextEventTS() string {
	return fmt.Sprintf("1710000000.%06d", eventTSSeq.Add(1))
}
