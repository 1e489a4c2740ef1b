package slackfake

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Modal limits Slack enforces (https://docs.slack.dev/reference/views/modal-views).
const (
	maxViewTitle    = 24
	maxViewMetadata = 3000
	maxCallbackID   = 255
	// triggerLife is how long a trigger_id may open a view.
	triggerLife = 3 * time.Second
)

// trigger is a trigger_id the fake handed out.
type trigger struct {
	issued time.Time
	used   bool
}

// View is a modal the app opened with views.open, as the fake keeps it for a test to submit.
type View struct {
	// ID is the view id the fake assigned.
	ID string
	// CallbackID and PrivateMetadata are the app's, as it sent them.
	CallbackID, PrivateMetadata string
	// TriggerID opened it; User is who the trigger was issued for.
	TriggerID, User string
	// Blocks is the view's Block Kit array.
	Blocks json.RawMessage
	// Inputs are the view's input blocks by block_id.
	Inputs map[string]Input
	// TriggerAge is how old the trigger was when views.open used it, on the fake's clock.
	TriggerAge time.Duration
	// modal is the view as the app sent it, for the payloads that carry it back.
	modal modal
}

// Input is one input block of a view.
type Input struct {
	// ActionID and Type are the input element's.
	ActionID, Type string
	// InitialValue prefills it.
	InitialValue string
	// Multiline is the element's multiline flag.
	Multiline bool
	// Optional is the block's optional flag.
	Optional bool
}

// triggerID hands out a fresh trigger_id, good for one views.open within triggerLife.
func (s *Server) triggerID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.nextIDLocked()
	id := fmt.Sprintf("%d.%d.fake%08x", 1000000000+n, 2000000000, n)
	s.triggers[id] = trigger{issued: s.clock.Now()}
	return id
}

// useTrigger spends a trigger_id and returns its age, or Slack's error code. Expiry is enforced
// on a simulated clock only (see WithClock), where time moves when the app sleeps or the test
// says so: on the wall clock a loaded test machine would decide the verdict. Views record the
// age either way (View.TriggerAge).
func (s *Server) useTrigger(id string) (time.Duration, string) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	tr, ok := s.triggers[id]
	switch {
	case !ok:
		return 0, "invalid_trigger_id"
	case tr.used:
		return 0, "exchanged_trigger_id"
	}
	age := now.Sub(tr.issued)
	if _, simulated := s.clock.(*Clock); simulated && age > triggerLife {
		return age, "expired_trigger_id"
	}
	tr.used = true
	s.triggers[id] = tr
	return age, ""
}

// modal is the part of a view object the fake reads.
type modal struct {
	Type            string          `json:"type"`
	Title           json.RawMessage `json:"title"`
	Submit          json.RawMessage `json:"submit"`
	Close           json.RawMessage `json:"close"`
	Blocks          json.RawMessage `json:"blocks"`
	PrivateMetadata string          `json:"private_metadata"`
	CallbackID      string          `json:"callback_id"`
}

// openView answers views.open: a modal checked as Slack checks it, opened with a trigger_id
// the fake issued, once.
func (s *Server) openView(c *Call) reply {
	var m modal
	if json.Unmarshal([]byte(c.Params.Get("view")), &m) != nil || m.Type != "modal" {
		s.violate(c.Method, "view is not a JSON modal view")
		return failure("invalid_arguments")
	}
	c.Blocks = m.Blocks
	if bad := s.checkBlocks(c, maxViewBlocks, "/view/blocks"); bad != nil {
		return bad
	}
	inputs, err := viewInputs(m.Blocks)
	if err != nil {
		s.violate(c.Method, "invalid_blocks_format: "+err.Error())
		return failure("invalid_blocks_format")
	}
	if errs := checkModal(m, len(inputs) > 0); len(errs) > 0 {
		s.violate(c.Method, prefixAll("invalid_arguments: ", errs)...)
		return reply{"ok": false, "error": "invalid_arguments", "response_metadata": map[string]any{"messages": prefixAll("[ERROR] ", errs)}}
	}
	age, code := s.useTrigger(c.Params.Get("trigger_id"))
	if code != "" {
		s.violate(c.Method, code+" for trigger "+c.Params.Get("trigger_id"))
		return failure(code)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v := View{ID: fmt.Sprintf("V%08d", s.nextIDLocked()), CallbackID: m.CallbackID, PrivateMetadata: m.PrivateMetadata,
		TriggerID: c.Params.Get("trigger_id"), Blocks: m.Blocks, Inputs: inputs, TriggerAge: age, modal: m}
	s.views[v.ID] = v
	s.notifyLocked()
	return reply{"ok": true, "view": viewObject(v, nil)}
}

// checkModal applies the modal's own limits: type, title, buttons, metadata, callback id.
func checkModal(m modal, hasInputs bool) []string {
	c := &checker{}
	c.text(decoded(m.Title), "/view/title", true, maxViewTitle)
	if len(m.Submit) > 0 {
		c.text(decoded(m.Submit), "/view/submit", true, maxViewTitle)
	} else if hasInputs {
		c.fail("/view/submit", "must be provided when the view has input blocks")
	}
	if len(m.Close) > 0 {
		c.text(decoded(m.Close), "/view/close", true, maxViewTitle)
	}
	if n := utf8.RuneCountInString(m.PrivateMetadata); n > maxViewMetadata {
		c.fail("/view/private_metadata", "must be less than %d characters", maxViewMetadata+1)
	}
	if n := utf8.RuneCountInString(m.CallbackID); n > maxCallbackID {
		c.fail("/view/callback_id", "must be less than %d characters", maxCallbackID+1)
	}
	return c.errs
}

// decoded is raw JSON as the checker walks it.
func decoded(raw json.RawMessage) any {
	var v any
	_ = json.Unmarshal(raw, &v)
	return v
}

// viewInputs lists a view's input blocks by block_id.
func viewInputs(blocks json.RawMessage) (map[string]Input, error) {
	var list []struct {
		Type     string `json:"type"`
		BlockID  string `json:"block_id"`
		Optional bool   `json:"optional"`
		Element  struct {
			Type         string `json:"type"`
			ActionID     string `json:"action_id"`
			InitialValue string `json:"initial_value"`
			Multiline    bool   `json:"multiline"`
		} `json:"element"`
	}
	if err := json.Unmarshal(blocks, &list); err != nil {
		return nil, err
	}
	inputs := map[string]Input{}
	for _, b := range list {
		if b.Type == "input" {
			inputs[b.BlockID] = Input{ActionID: b.Element.ActionID, Type: b.Element.Type,
				InitialValue: b.Element.InitialValue, Multiline: b.Element.Multiline, Optional: b.Optional}
		}
	}
	return inputs, nil
}

// viewObject is the view as Slack describes it in views.open's answer and in payloads, with the
// input state a submission carries (nil: none yet).
func viewObject(v View, values map[string]any) map[string]any {
	m := v.modal
	if values == nil {
		values = map[string]any{}
	}
	return map[string]any{
		"id": v.ID, "team_id": TeamID, "type": "modal", "title": decoded(m.Title), "blocks": rawOrEmpty(v.Blocks),
		"close": decoded(m.Close), "submit": decoded(m.Submit), "private_metadata": v.PrivateMetadata,
		"callback_id": v.CallbackID, "state": map[string]any{"values": values}, "hash": v.ID + ".hash",
		"clear_on_close": false, "notify_on_close": false, "root_view_id": v.ID, "previous_view_id": nil,
		"app_id": AppID, "external_id": "", "bot_id": BotID, "app_installed_team_id": TeamID,
	}
}

// Views returns the modals opened so far, oldest first.
func (s *Server) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.viewsLocked()
}

func (s *Server) viewsLocked() []View {
	views := make([]View, 0, len(s.views))
	for _, v := range s.views {
		views = append(views, v)
	}
	slices.SortFunc(views, func(a, b View) int { return strings.Compare(a.ID, b.ID) }) // one width: by age
	return views
}

// WaitViews waits until the app has opened at least n modals and returns them, oldest first,
// failing the test after timeout.
func (s *Server) WaitViews(t testing.TB, n int, timeout time.Duration) []View {
	t.Helper()
	var got []View
	if !s.await(timeout, func() bool { got = s.viewsLocked(); return len(got) >= n }) {
		t.Fatalf("slackfake: %d views opened after %v, want %d; saw %s", len(s.Views()), timeout, n, s.summary())
	}
	return got
}

// ViewSubmission is a person pressing a modal's submit button.
type ViewSubmission struct {
	// View is the modal, as views.open opened it (see WaitViews).
	View View
	// UserID submits it; default DefaultUserID.
	UserID string
	// Values are what the inputs hold, by block_id; an input not named keeps its initial value,
	// and "" is an empty input.
	Values map[string]string
}

// SendViewSubmission sends the view_submission payload Slack sends when a person submits a
// modal, and returns its envelope_id. The app answers in the ack (see Ack.Payload): nothing to
// close the modal, or {"response_action":"errors","errors":{block_id: message}} to keep it open
// and show the problems.
func (s *Server) SendViewSubmission(t testing.TB, sub ViewSubmission) string {
	t.Helper()
	user := firstOf(sub.UserID, DefaultUserID)
	values := map[string]any{}
	for blockID, in := range sub.View.Inputs {
		text, given := sub.Values[blockID]
		if !given {
			text = in.InitialValue
		}
		var value any = text
		if text == "" {
			value = nil // Slack sends null for an empty plain-text input
		}
		values[blockID] = map[string]any{in.ActionID: map[string]any{"type": in.Type, "value": value}}
	}
	s.mu.Lock()
	if v, ok := s.views[sub.View.ID]; ok {
		sub.View = v
	}
	s.mu.Unlock()
	payload := map[string]any{
		"type": "view_submission", "team": map[string]any{"id": TeamID, "domain": "fake"},
		"user":       map[string]any{"id": user, "username": "fake.user", "name": "fake.user", "team_id": TeamID},
		"api_app_id": AppID, "token": verificationToken, "trigger_id": s.triggerID(),
		"view": viewObject(sub.View, values), "response_urls": []any{}, "is_enterprise_install": false, "enterprise": nil,
	}
	return s.SendInteractive(t, payload)
}

// MessageAction is a person running a message shortcut on a message.
type MessageAction struct {
	// CallbackID is the shortcut's, as the app's manifest names it.
	CallbackID string
	// UserID runs it; default DefaultUserID.
	UserID string
	// ChannelID holds the message; default DefaultChannelID.
	ChannelID string
	// MessageTS, ThreadTS, Author and Text describe the message: its ts, its thread's (if it
	// is a reply), who wrote it and its text as Slack stores it (mrkdwn).
	MessageTS, ThreadTS, Author, Text string
}

// SendMessageAction sends the message_action payload Slack sends when a person picks one of
// the app's message shortcuts on a message, with a fresh trigger_id and response_url, and
// returns its envelope_id.
func (s *Server) SendMessageAction(t testing.TB, a MessageAction) string {
	t.Helper()
	a.UserID = firstOf(a.UserID, DefaultUserID)
	a.ChannelID = firstOf(a.ChannelID, DefaultChannelID)
	a.Author = firstOf(a.Author, DefaultUserID)
	msg := map[string]any{"type": "message", "user": a.Author, "ts": a.MessageTS, "text": a.Text, "team": TeamID}
	if a.ThreadTS != "" {
		msg["thread_ts"] = a.ThreadTS
	}
	payload := map[string]any{
		"type": "message_action", "token": verificationToken, "action_ts": s.NextTS(),
		"team":        map[string]any{"id": TeamID, "domain": "fake"},
		"user":        map[string]any{"id": a.UserID, "username": "fake.user", "name": "fake.user", "team_id": TeamID},
		"channel":     map[string]any{"id": a.ChannelID, "name": "general"},
		"callback_id": a.CallbackID, "trigger_id": s.triggerID(), "message_ts": a.MessageTS,
		"response_url":          s.newResponseURL("actions", a.ChannelID, a.UserID),
		"is_enterprise_install": false, "enterprise": nil, "message": msg,
	}
	return s.SendInteractive(t, payload)
}
