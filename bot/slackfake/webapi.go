package slackfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	apiPath  = "/api/"
	linkPath = "/link/"
)

// reply is a Web API response body; Slack always answers JSON with "ok".
type reply map[string]any

func failure(code string) reply { return reply{"ok": false, "error": code} }

// response is what the fake sends back for one request.
type response struct {
	status     int
	retryAfter string // Retry-After header, on 429
	body       reply  // nil means an HTML page, as Slack sends with a 5xx
	truncate   bool   // cut the JSON body short and drop the connection
}

// method is one Web API method the fake implements.
type method struct {
	token  string // the token type it takes: AppToken or BotToken
	handle func(*Server, *Call) reply
}

var methods = map[string]method{
	"apps.connections.open": {AppToken, (*Server).connectionsOpen},
	"auth.test":             {BotToken, (*Server).authTest},
	"chat.getPermalink":     {BotToken, (*Server).permalink},
	"chat.postMessage":      {BotToken, (*Server).postMessage},
	"chat.postEphemeral":    {BotToken, (*Server).postEphemeral},
	"chat.update":           {BotToken, (*Server).updateMessage},
	"conversations.info":    {BotToken, (*Server).conversationInfo},
	"views.open":            {BotToken, (*Server).openView},
	"views.publish":         {BotToken, (*Server).publishView},
}

// fault is an injected failure for the next calls to a method, or for all
// calls until a time.
type fault struct {
	times      int       // calls left to fail; unused when until is set
	until      time.Time // fail every call before this time on the fake's clock
	status     int       // 429, 5xx, or 200 with an error body
	code       string    // error code for 200 and 429
	retryAfter time.Duration
	failure    Failure // for an Outage
}

// Failure is how calls fail during an Outage.
type Failure int

const (
	// ServerError answers HTTP 503 with an HTML page, as Slack's front end
	// does when Slack is down.
	ServerError Failure = iota
	// HTMLPage answers HTTP 200 with an HTML page where JSON was due, as a
	// proxy or a captive portal does.
	HTMLPage
	// TruncatedBody answers HTTP 200 with the JSON body cut short, then
	// drops the connection, as a proxy dying mid-response does.
	TruncatedBody
)

// Outage makes every call to method fail with f until d has passed on the
// fake's clock (see WithClock), counting from now. Method may be
// "response_url".
func (s *Server) Outage(method string, d time.Duration, f Failure) {
	s.addFault(method, &fault{until: s.clock.Now().Add(d), failure: f})
}

// RateLimit makes the next times calls to method answer HTTP 429 with a
// Retry-After header in whole seconds (rounded up, "0" allowed), as Slack
// does; slack-go turns that into *slack.RateLimitedError. Method may be
// "response_url".
func (s *Server) RateLimit(method string, times int, retryAfter time.Duration) {
	s.addFault(method, &fault{times: times, status: http.StatusTooManyRequests, code: "ratelimited", retryAfter: retryAfter})
}

// FailNext makes the next times calls to method fail. A numeric errorCode of
// 500 or more ("500", "503") answers that HTTP status with an HTML body, as
// Slack's front end does; any other code answers 200 {"ok":false,"error":errorCode}.
func (s *Server) FailNext(method, errorCode string, times int) {
	f := &fault{times: times, status: http.StatusOK, code: errorCode}
	if n, err := strconv.Atoi(errorCode); err == nil && n >= 500 {
		f.status, f.code = n, ""
	}
	s.addFault(method, f)
}

func (s *Server) addFault(method string, f *fault) {
	if f.times <= 0 && f.until.IsZero() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], f)
}

// takeFault consumes one injected failure for method, if any is queued. An
// outage that has ended is dropped.
func (s *Server) takeFault(method string) *response {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	queue := s.faults[method]
	for len(queue) > 0 && !queue[0].until.IsZero() && !now.Before(queue[0].until) {
		queue = queue[1:]
	}
	s.faults[method] = queue
	if len(queue) == 0 {
		return nil
	}
	f := queue[0]
	if !f.until.IsZero() {
		return outageResponse(f.failure)
	}
	if f.times--; f.times == 0 {
		s.faults[method] = queue[1:]
	}
	switch {
	case f.status == http.StatusTooManyRequests:
		secs := int(math.Ceil(f.retryAfter.Seconds()))
		return &response{status: f.status, retryAfter: strconv.Itoa(secs), body: failure(f.code)}
	case f.status >= 500:
		return &response{status: f.status}
	default:
		return &response{status: f.status, body: failure(f.code)}
	}
}

// outageResponse is the answer to a call during an outage.
func outageResponse(f Failure) *response {
	switch f {
	case HTMLPage:
		return &response{status: http.StatusOK}
	case TruncatedBody:
		return &response{status: http.StatusOK, body: reply{"ok": true, "warning": "truncated"}, truncate: true}
	default:
		return &response{status: http.StatusServiceUnavailable}
	}
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, apiPath)
	c, err := readCall(r, name)
	c.Time = s.clock.Now()
	if !s.hold(r.Context(), name) {
		return // the app gave up on the call while it was stalled
	}
	resp := response{status: http.StatusOK, body: failure("invalid_json")}
	if err == nil {
		resp = s.answer(&c)
	}
	c.Status = resp.status
	c.Error = errorOf(resp)
	s.record(c)
	writeResponse(w, resp)
}

// answer runs a Web API call through Slack's checks in Slack's order:
// method, token, rate limit or outage, then the method itself.
func (s *Server) answer(c *Call) response {
	m, ok := methods[c.Method]
	if !ok {
		return response{status: http.StatusOK, body: reply{"ok": false, "error": "unknown_method", "req_method": c.Method}}
	}
	if code := authorize(m.token, c.Token); code != "" {
		return response{status: http.StatusOK, body: failure(code)}
	}
	if f := s.takeFault(c.Method); f != nil {
		return *f
	}
	return response{status: http.StatusOK, body: m.handle(s, c)}
}

// authorize returns Slack's error code for a wrong token, "" when it fits.
func authorize(want, got string) string {
	switch {
	case got == "":
		return "not_authed"
	case got != AppToken && got != BotToken:
		return "invalid_auth"
	case got != want:
		return "not_allowed_token_type"
	}
	return ""
}

// errorOf is the Slack error code of a response, or what went wrong when
// the response was not Slack's JSON at all.
func errorOf(r response) string {
	switch {
	case r.body == nil && r.status == http.StatusOK:
		return "(HTML page)"
	case r.body == nil:
		return http.StatusText(r.status)
	case r.truncate:
		return "(truncated body)"
	}
	if ok, _ := r.body["ok"].(bool); ok {
		return ""
	}
	code, _ := r.body["error"].(string)
	return code
}

func writeResponse(w http.ResponseWriter, r response) {
	if r.retryAfter != "" {
		w.Header().Set("Retry-After", r.retryAfter)
	}
	if r.body == nil {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(r.status)
		fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>", r.status, http.StatusText(r.status))
		return
	}
	body := mustJSON(r.body)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if r.truncate {
		// Announce the whole body, send half: net/http then closes the connection, and
		// the client reads an unexpected EOF.
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(r.status)
		_, _ = w.Write(body[:len(body)/2])
		return
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(append(body, '\n'))
}

// readCall decodes a request the way Slack accepts them: a form (slack-go's
// default, token in the body or as a Bearer header) or a JSON body (token as a
// Bearer header only: Slack ignores a token inside JSON).
func readCall(r *http.Request, name string) (Call, error) {
	c := Call{Method: name, Params: url.Values{}}
	params, err := readParams(r)
	if err != nil {
		return c, err
	}
	c.Token = bearer(r)
	if c.Token == "" && !isJSON(r) {
		c.Token = params.Get("token")
	}
	params.Del("token")
	c.Params = params
	c.Channel = params.Get("channel")
	c.Text = params.Get("text")
	c.ThreadTS = params.Get("thread_ts")
	c.TS = params.Get("ts")
	c.User = firstOf(params.Get("user"), params.Get("user_id"))
	if b := params.Get("blocks"); b != "" {
		c.Blocks = json.RawMessage(b)
	}
	return c, nil
}

func isJSON(r *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return ct == "application/json"
}

func readParams(r *http.Request) (url.Values, error) {
	if !isJSON(r) {
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		return r.Form, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	return flattenJSON(body)
}

// flattenJSON turns a JSON object body into form-like values: strings as
// they are, anything else as its compact JSON text. An empty or null body
// (slack-go sends "null" to apps.connections.open) has no values.
func flattenJSON(body []byte) (url.Values, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil && len(bytes.TrimSpace(body)) > 0 {
		return nil, err
	}
	v := url.Values{}
	for k, raw := range fields {
		var str string
		// Only a string can decode as one: blocks are not scanned a second time to learn it.
		if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &str) == nil {
			v.Set(k, str)
			continue
		}
		var compact bytes.Buffer
		_ = json.Compact(&compact, raw)
		v.Set(k, compact.String())
	}
	return v, nil
}

func bearer(r *http.Request) string {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(token)
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func (s *Server) connectionsOpen(*Call) reply {
	s.mu.Lock()
	ticket := fmt.Sprintf("fake-ticket-%d", s.nextIDLocked())
	s.tickets[ticket] = true
	s.mu.Unlock()
	u := "ws" + strings.TrimPrefix(s.srv.URL, "http") + linkPath + "?ticket=" + ticket + "&app_id=" + AppID
	return reply{"ok": true, "url": u}
}

func (s *Server) authTest(*Call) reply {
	return reply{
		"ok": true, "url": "https://fake.slack.com/", "team": "Fake Workspace", "user": "dvkbot",
		"team_id": TeamID, "user_id": BotUserID, "bot_id": BotID, "is_enterprise_install": false,
	}
}

func (s *Server) postMessage(c *Call) reply {
	if c.Channel == "" {
		return failure("channel_not_found")
	}
	if bad := s.checkContent(c, maxMessageBlocks); bad != nil {
		return bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c.TS = s.nextTSLocked()
	msg := botMessage(c)
	channel := dmOf(c.Channel)
	s.messages[channel+"/"+c.TS] = msg
	// A copy: the reply is encoded after the lock is released, while chat.update may edit msg.
	return reply{"ok": true, "channel": channel, "ts": c.TS, "message": maps.Clone(msg)}
}

// dmOf is where Slack posts a message sent to channel: a user id stands for the app's direct
// message with that person, whose id the fake makes from the user's (U0ALICE: D0ALICE).
func dmOf(channel string) string {
	if rest, ok := strings.CutPrefix(channel, "U"); ok {
		return "D" + rest
	}
	if rest, ok := strings.CutPrefix(channel, "W"); ok {
		return "D" + rest
	}
	return channel
}

// permalink answers chat.getPermalink with a link in Slack's form, for any conversation the
// fake knows of (see SetChannel).
func (s *Server) permalink(c *Call) reply {
	ts := c.Params.Get("message_ts")
	if _, ok := s.channelKind(c.Channel); !ok {
		return failure("channel_not_found")
	}
	if ts == "" {
		return failure("message_not_found")
	}
	link := "https://fake.slack.com/archives/" + c.Channel + "/p" + strings.ReplaceAll(ts, ".", "")
	return reply{"ok": true, "channel": c.Channel, "permalink": link}
}

func (s *Server) postEphemeral(c *Call) reply {
	switch {
	case c.Channel == "":
		return failure("channel_not_found")
	case c.User == "":
		return failure("user_not_found")
	}
	if bad := s.checkContent(c, maxMessageBlocks); bad != nil {
		return bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c.TS = s.nextTSLocked()
	return reply{"ok": true, "message_ts": c.TS}
}

// updateMessage edits a message the bot posted; Slack refuses any other.
func (s *Server) updateMessage(c *Call) reply {
	s.mu.Lock()
	msg, found := s.messages[c.Channel+"/"+c.TS]
	s.mu.Unlock()
	if !found {
		return failure("message_not_found")
	}
	if bad := s.checkContent(c, maxMessageBlocks); bad != nil {
		return bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	msg["text"] = c.Text
	if c.Blocks != nil {
		msg["blocks"] = c.Blocks
	}
	msg["edited"] = map[string]any{"user": BotUserID, "ts": s.nextTSLocked()}
	return reply{"ok": true, "channel": c.Channel, "ts": c.TS, "text": c.Text, "message": maps.Clone(msg)}
}

func (s *Server) publishView(c *Call) reply {
	var view struct {
		Type   string          `json:"type"`
		Blocks json.RawMessage `json:"blocks"`
	}
	if c.User == "" || json.Unmarshal([]byte(c.Params.Get("view")), &view) != nil || view.Type != "home" {
		return failure("invalid_arguments")
	}
	c.Blocks = view.Blocks
	if bad := s.checkBlocks(c, maxViewBlocks, "/view/blocks"); bad != nil {
		return bad
	}
	s.mu.Lock()
	id := fmt.Sprintf("V%08d", s.nextIDLocked())
	s.mu.Unlock()
	return reply{"ok": true, "view": map[string]any{
		"id": id, "team_id": TeamID, "type": "home", "blocks": rawOrEmpty(view.Blocks),
		"private_metadata": "", "callback_id": "", "state": map[string]any{"values": map[string]any{}},
		"hash": id + ".hash", "clear_on_close": false, "notify_on_close": false,
		"root_view_id": id, "previous_view_id": nil, "app_id": AppID, "external_id": "",
		"bot_id": BotID, "app_installed_team_id": TeamID,
	}}
}

// checkContent applies Slack's message checks to text and blocks.
func (s *Server) checkContent(c *Call, maxBlocks int) reply {
	if bad := s.checkBlocks(c, maxBlocks, "/blocks"); bad != nil {
		return bad
	}
	if !utf8.ValidString(c.Text) {
		s.violate(c.Method, fmt.Sprintf("text is not valid UTF-8, which Slack would mangle: %.80q", c.Text))
	}
	if n := utf8.RuneCountInString(c.Text); n > maxMessageText {
		s.violate(c.Method, fmt.Sprintf("msg_too_long: text has %d characters, Slack allows %d", n, maxMessageText))
		return failure("msg_too_long")
	}
	if c.Text == "" && !hasBlocks(c.Blocks) && c.Params.Get("attachments") == "" {
		return failure("no_text")
	}
	return nil
}

// checkBlocks validates c.Blocks against Block Kit and answers like Slack:
// invalid_blocks_format when it is not a JSON array, invalid_blocks with
// the reasons in errors and response_metadata.messages otherwise.
func (s *Server) checkBlocks(c *Call, max int, ptr string) reply {
	if len(c.Blocks) == 0 {
		return nil
	}
	errs, err := validateBlocks(c.Blocks, max, ptr)
	if err != nil {
		s.violate(c.Method, "invalid_blocks_format: "+err.Error())
		return failure("invalid_blocks_format")
	}
	if len(errs) == 0 {
		return nil
	}
	s.violate(c.Method, prefixAll("invalid_blocks: ", errs)...)
	return reply{
		"ok": false, "error": "invalid_blocks", "errors": errs,
		"response_metadata": map[string]any{"messages": prefixAll("[ERROR] ", errs)},
	}
}

// botMessage is the message object Slack returns for a bot's post.
func botMessage(c *Call) map[string]any {
	m := map[string]any{
		"type": "message", "user": BotUserID, "bot_id": BotID, "app_id": AppID, "team": TeamID,
		"text": c.Text, "ts": c.TS,
		"bot_profile": map[string]any{"id": BotID, "app_id": AppID, "name": "dvkbot", "deleted": false, "updated": 1700000000, "team_id": TeamID},
	}
	if hasBlocks(c.Blocks) {
		m["blocks"] = c.Blocks
	}
	if c.ThreadTS != "" {
		m["thread_ts"] = c.ThreadTS
	}
	return m
}

// hasBlocks reports whether raw, empty or an array checkBlocks has validated, holds a block. It
// looks only past the bracket: decoding every block again cost the load driver's fake more than
// the bot spends posting.
func hasBlocks(raw json.RawMessage) bool {
	rest, ok := bytes.CutPrefix(bytes.TrimSpace(raw), []byte("["))
	rest = bytes.TrimSpace(rest)
	return ok && len(rest) > 0 && rest[0] != ']'
}

func rawOrEmpty(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("[]")
	}
	return raw
}

func prefixAll(prefix string, list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = prefix + s
	}
	return out
}
