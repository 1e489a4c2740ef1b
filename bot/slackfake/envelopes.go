package slackfake

import (
	"encoding/json"
	"fmt"
	"maps"
	"testing"
	"time"
)

// verificationToken is the legacy token Slack still puts in payloads.
const verificationToken = "fakeverificationtoken"

// Delivery describes how Slack delivers an events_api envelope. The zero
// value is a first delivery with a fresh event_id.
type Delivery struct {
	// EventID is the payload's event_id; "" means a fresh one. Send the
	// same EventID again (with RetryAttempt > 0) to simulate Slack
	// redelivering an event it thinks was not acked.
	EventID                string
	RetryAttempt           int    // 0 on the first delivery, 1, 2, 3 on retries
	RetryReason            string // on retries, e.g. "timeout"
	AcceptsResponsePayload bool   // always false for events from real Slack
}

// SendEventsAPI wraps an inner event (see AppMention, Message, ...; a map,
// a struct or valid JSON as json.RawMessage) in Slack's event_callback
// payload and events_api envelope, sends it on the current connection (see
// DeliverTo) and returns its envelope_id for WaitAck.
func (s *Server) SendEventsAPI(t testing.TB, event any, d ...Delivery) string {
	t.Helper()
	payload, extra := s.eventsAPI(t, event, d)
	return s.sendEnvelope(t, "events_api", payload, extra)
}

// SendEventsAPIToAll sends one event (one event_id) in its own envelope on
// every open connection at once, as Slack's retries can when an app runs
// several processes: each process may receive the same event. It returns the
// envelope ids, oldest connection first.
func (s *Server) SendEventsAPIToAll(t testing.TB, event any, d ...Delivery) []string {
	t.Helper()
	payload, extra := s.eventsAPI(t, event, d)
	s.current(t) // waits for a connection, as every Send does
	s.mu.Lock()
	open := s.openLocked()
	s.mu.Unlock()
	ids := make([]string, len(open))
	for i, c := range open {
		ids[i] = s.sendEnvelopeOn(t, c, "events_api", payload, extra)
	}
	return ids
}

// eventsAPI builds an events_api envelope's payload and fields for event.
func (s *Server) eventsAPI(t testing.TB, event any, d []Delivery) (json.RawMessage, map[string]any) {
	t.Helper()
	var del Delivery
	if len(d) > 0 {
		del = d[0]
	}
	if del.EventID == "" {
		s.mu.Lock()
		del.EventID = fmt.Sprintf("Ev0FAKE%06d", s.nextIDLocked())
		s.mu.Unlock()
	}
	payload := map[string]any{
		"token": verificationToken, "team_id": TeamID, "context_team_id": TeamID,
		"context_enterprise_id": nil, "api_app_id": AppID, "event": toJSON(t, event),
		"type": "event_callback", "event_id": del.EventID, "event_time": time.Now().Unix(),
		"authorizations": []any{map[string]any{
			"enterprise_id": nil, "team_id": TeamID, "user_id": BotUserID, "is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false, "event_context": "4-fake-" + del.EventID,
	}
	return mustJSON(payload), map[string]any{
		"accepts_response_payload": del.AcceptsResponsePayload,
		"retry_attempt":            del.RetryAttempt,
		"retry_reason":             del.RetryReason,
	}
}

// SlashCommand is what a user typed; empty fields get defaults.
type SlashCommand struct {
	Command     string // default "/dvk"
	Text        string // everything after the command
	UserID      string // default DefaultUserID
	UserName    string // default "fake.user"
	ChannelID   string // default DefaultChannelID
	ChannelName string // default "general"
	ResponseURL string // default a fresh response_url on this server
	TriggerID   string // default a fresh trigger_id
}

// SendSlashCommand sends a slash_commands envelope with Slack's payload
// shape (including is_enterprise_install as the string "false", as Slack
// sends it over Socket Mode) and returns its envelope_id.
func (s *Server) SendSlashCommand(t testing.TB, cmd SlashCommand) string {
	t.Helper()
	cmd.Command = firstOf(cmd.Command, "/dvk")
	cmd.UserID = firstOf(cmd.UserID, DefaultUserID)
	cmd.UserName = firstOf(cmd.UserName, "fake.user")
	cmd.ChannelID = firstOf(cmd.ChannelID, DefaultChannelID)
	cmd.ChannelName = firstOf(cmd.ChannelName, "general")
	if cmd.ResponseURL == "" {
		cmd.ResponseURL = s.newResponseURL("commands", cmd.ChannelID, cmd.UserID)
	}
	cmd.TriggerID = firstOf(cmd.TriggerID, s.triggerID())
	payload := map[string]any{
		"token": verificationToken, "team_id": TeamID, "team_domain": "fake",
		"channel_id": cmd.ChannelID, "channel_name": cmd.ChannelName,
		"user_id": cmd.UserID, "user_name": cmd.UserName, "command": cmd.Command, "text": cmd.Text,
		"api_app_id": AppID, "is_enterprise_install": "false",
		"response_url": cmd.ResponseURL, "trigger_id": cmd.TriggerID,
	}
	return s.sendEnvelope(t, "slash_commands", mustJSON(payload), map[string]any{"accepts_response_payload": true})
}

// SendInteractive sends an interactive envelope around payload (a map, a
// struct such as slack.InteractionCallback, or JSON) and returns its
// envelope_id. For a button click, SendBlockAction builds the payload.
func (s *Server) SendInteractive(t testing.TB, payload any) string {
	t.Helper()
	raw := toJSON(t, payload)
	var peek struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(raw, &peek)
	// Slack lets the ack carry a response only for view submissions.
	accepts := peek.Type == "view_submission"
	return s.sendEnvelope(t, "interactive", raw, map[string]any{"accepts_response_payload": accepts})
}

// BlockAction is a click on a button; empty fields get defaults.
type BlockAction struct {
	UserID      string // default DefaultUserID
	ChannelID   string // default DefaultChannelID
	MessageTS   string // ts of the message holding the button
	ThreadTS    string // its thread, if any
	Ephemeral   bool   // the button was on an ephemeral message (Slack then sends no message)
	ActionID    string
	BlockID     string
	Value       string
	Text        string // the button label
	ResponseURL string // default a fresh response_url on this server
}

// SendBlockAction sends the block_actions payload Slack sends when a user
// clicks a button. For a message the bot posted through the fake, the
// payload carries that message as Slack would. Returns the envelope_id.
func (s *Server) SendBlockAction(t testing.TB, a BlockAction) string {
	t.Helper()
	a.UserID = firstOf(a.UserID, DefaultUserID)
	a.ChannelID = firstOf(a.ChannelID, DefaultChannelID)
	if a.ResponseURL == "" {
		a.ResponseURL = s.newResponseURL("actions", a.ChannelID, a.UserID)
	}
	container := map[string]any{"type": "message", "message_ts": a.MessageTS, "channel_id": a.ChannelID, "is_ephemeral": a.Ephemeral}
	if a.ThreadTS != "" {
		container["thread_ts"] = a.ThreadTS
	}
	payload := map[string]any{
		"type":       "block_actions",
		"user":       map[string]any{"id": a.UserID, "username": "fake.user", "name": "fake.user", "team_id": TeamID},
		"api_app_id": AppID, "token": verificationToken, "container": container,
		"trigger_id": s.triggerID(), "team": map[string]any{"id": TeamID, "domain": "fake"},
		"enterprise": nil, "is_enterprise_install": false,
		"channel":      map[string]any{"id": a.ChannelID, "name": "general"},
		"state":        map[string]any{"values": map[string]any{}},
		"response_url": a.ResponseURL,
		"actions": []any{map[string]any{
			"action_id": a.ActionID, "block_id": a.BlockID, "value": a.Value, "type": "button",
			"text": map[string]any{"type": "plain_text", "text": firstOf(a.Text, "Button"), "emoji": true}, "action_ts": s.NextTS(),
		}},
	}
	if !a.Ephemeral {
		payload["message"] = s.messageFor(a)
	}
	return s.SendInteractive(t, payload)
}

// messageFor returns the message a button sits on: the bot's own post when
// the fake has it, else a minimal stand-in.
func (s *Server) messageFor(a BlockAction) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.messages[a.ChannelID+"/"+a.MessageTS]; ok {
		return maps.Clone(m)
	}
	m := map[string]any{"type": "message", "ts": a.MessageTS, "user": BotUserID, "bot_id": BotID, "text": ""}
	if a.ThreadTS != "" {
		m["thread_ts"] = a.ThreadTS
	}
	return m
}

// toJSON marshals v, passing json.RawMessage, []byte and string through
// after checking they are valid JSON (an envelope cannot carry invalid
// JSON; use SendRaw for broken frames).
func toJSON(t testing.TB, v any) json.RawMessage {
	t.Helper()
	var raw []byte
	switch x := v.(type) {
	case json.RawMessage:
		raw = x
	case []byte:
		raw = x
	case string:
		raw = []byte(x)
	default:
		var err error
		if raw, err = json.Marshal(v); err != nil {
			t.Fatalf("slackfake: marshal payload: %v", err)
		}
	}
	if !json.Valid(raw) {
		t.Fatalf("slackfake: payload is not valid JSON: %.200q", raw)
	}
	return raw
}
