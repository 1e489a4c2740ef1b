package slackfake

import (
	"fmt"
	"net/http"
)

// maxResponseURLUses is how many times Slack lets an app post to one
// response_url (within 30 minutes).
const maxResponseURLUses = 5

// responseURL is the state of one response_url handed to the app.
type responseURL struct {
	channel, user string
	uses          int
}

// ResponseURL returns a fresh response_url on this server, as Slack puts in
// slash command and block_actions payloads. The app POSTs JSON to it
// (text, blocks, response_type, replace_original, delete_original); each
// POST is recorded as a Call with Method "response_url".
func (s *Server) ResponseURL() string {
	return s.newResponseURL("commands", "", "")
}

func (s *Server) newResponseURL(kind, channel, user string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextIDLocked()
	path := fmt.Sprintf("/%s/%s/%d/fakesecret%d", kind, TeamID, 1000000+id, id)
	s.responseURLs[path] = &responseURL{channel: channel, user: user}
	return s.srv.URL + path
}

func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	c, err := readCall(r, "response_url")
	c.Time = s.clock.Now()
	c.ResponseURL = s.srv.URL + r.URL.Path
	if !s.hold(r.Context(), c.Method) {
		return
	}
	resp := response{status: http.StatusOK, body: failure("invalid_json")}
	if err == nil {
		resp = s.answerResponseURL(&c, r.URL.Path)
	}
	c.Status = resp.status
	c.Error = errorOf(resp)
	s.record(c)
	writeResponse(w, resp)
}

// answerResponseURL applies Slack's response_url rules: a URL it issued,
// at most five posts, the usual message checks unless deleting. A post
// that met an injected failure (Slack down) does not use up the URL.
func (s *Server) answerResponseURL(c *Call, path string) response {
	s.mu.Lock()
	state, known := s.responseURLs[path]
	if known {
		c.Channel = firstOf(c.Channel, state.channel)
		c.User = state.user
	}
	s.mu.Unlock()
	if !known {
		s.violate(c.Method, "post to a response_url the fake never issued: "+path)
		return response{status: http.StatusNotFound, body: failure("invalid_url")}
	}
	if f := s.takeFault(c.Method); f != nil {
		return *f
	}
	s.mu.Lock()
	state.uses++
	uses := state.uses
	s.mu.Unlock()
	if uses > maxResponseURLUses {
		s.violate(c.Method, fmt.Sprintf("response_url used more than %d times", maxResponseURLUses))
		return response{status: http.StatusOK, body: failure("used_url")}
	}
	if c.Params.Get("delete_original") != "true" {
		if bad := s.checkContent(c, maxMessageBlocks); bad != nil {
			return response{status: http.StatusOK, body: bad}
		}
	}
	return response{status: http.StatusOK, body: reply{"ok": true}}
}
