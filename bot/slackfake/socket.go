package slackfake

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

const (
	writeWait = 5 * time.Second
	// disconnectGrace is how long a connection told to disconnect stays
	// open before the fake closes it, as Slack does after refresh_requested.
	disconnectGrace = 2 * time.Second
	// maxAckSize: Slack silently drops Socket Mode responses of 20 KB or more.
	maxAckSize = 20 * 1024
)

// slack-go sends Origin https://api.slack.com; Slack accepts any origin.
var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// wsConn is one Socket Mode connection from the app.
type wsConn struct {
	id      int
	ws      *websocket.Conn
	wmu     sync.Mutex    // gorilla allows one concurrent writer of data frames
	retired chan struct{} // closed by Disconnect: no new envelopes, close after the grace
	done    chan struct{} // closed when the connection is gone
	once    sync.Once
	retire  sync.Once
}

func (c *wsConn) write(data []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
	return c.ws.WriteMessage(websocket.TextMessage, data)
}

// shut closes the TCP connection without a close frame.
func (c *wsConn) shut() {
	c.once.Do(func() {
		close(c.done)
		_ = c.ws.NetConn().Close()
	})
}

// serveLink accepts the websocket URL apps.connections.open handed out.
// Each ticket is good for one connection, as with Slack.
func (s *Server) serveLink(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid := s.tickets[ticket]
	delete(s.tickets, ticket)
	s.mu.Unlock()
	if !valid {
		http.Error(w, "invalid ticket", http.StatusUnauthorized)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered the client
	}
	s.accept(ws)
}

// SocketFault is what happens to a new Socket Mode connection.
type SocketFault int

const (
	// Steady connections stay up: the default.
	Steady SocketFault = iota
	// CloseAfterHello sends hello, then closes the connection at once, as a
	// broken load balancer or an overloaded Slack does.
	CloseAfterHello
	// CloseMidFrame sends hello and the first bytes of a frame announced as
	// longer, then drops the TCP connection.
	CloseMidFrame
)

// SetSocketFault sets what happens to Socket Mode connections opened from
// now on; connections already up are left alone. A flapping socket
// (CloseAfterHello, CloseMidFrame) still counts each connection made.
func (s *Server) SetSocketFault(f SocketFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.socketFault = f
}

// accept greets a new connection and starts serving it. The hello goes out
// before the connection is registered, so no envelope can overtake it.
func (s *Server) accept(ws *websocket.Conn) {
	s.mu.Lock()
	c := &wsConn{id: s.nextIDLocked(), ws: ws, retired: make(chan struct{}), done: make(chan struct{})}
	live, fault := len(s.conns)+1, s.socketFault
	s.mu.Unlock()
	if err := c.write(mustJSON(helloFrame(c.id, live))); err != nil {
		c.shut()
		return
	}
	if fault != Steady {
		s.flap(c, fault)
		return
	}
	ws.SetPongHandler(func(string) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.pongs++
		s.notifyLocked()
		return nil
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		c.shut()
		return
	}
	// In the order the connections were accepted: the app may open another once it has read
	// this one's hello, before this goroutine gets here.
	i, _ := slices.BinarySearchFunc(s.conns, c.id, func(x *wsConn, id int) int { return cmp.Compare(x.id, id) })
	s.conns = slices.Insert(s.conns, i, c)
	s.connCount++
	s.notifyLocked()
	s.wg.Add(2)
	go s.readLoop(c)
	go s.keepalive(c)
}

// flap ends a connection that was just greeted, as fault says, and counts it.
func (s *Server) flap(c *wsConn, fault SocketFault) {
	if fault == CloseMidFrame {
		// A text frame announcing 100 bytes of payload, then only the first few. Nothing
		// else writes to the connection yet, so the raw bytes cannot interleave.
		partial := append([]byte{0x81, 100}, `{"envelope_id":"f4ce`...)
		_, _ = c.ws.NetConn().Write(partial)
	} else {
		_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), time.Now().Add(writeWait))
	}
	c.shut()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.connCount++
	s.notifyLocked()
}

func helloFrame(connID, live int) map[string]any {
	return map[string]any{
		"type":            "hello",
		"num_connections": live,
		"debug_info": map[string]any{
			"host": fmt.Sprintf("applink-fake-%d", connID), "build_number": 1, "approximate_connection_time": 18060,
		},
		"connection_info": map[string]any{"app_id": AppID},
	}
}

// readLoop records what the app sends until the connection ends.
func (s *Server) readLoop(c *wsConn) {
	defer s.wg.Done()
	defer s.dropConn(c)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		s.handleFrame(data)
	}
}

// keepalive pings like Slack and closes a retired connection after the grace.
func (s *Server) keepalive(c *wsConn) {
	defer s.wg.Done()
	var tick, grace <-chan time.Time
	if s.pingInterval > 0 {
		ticker := time.NewTicker(s.pingInterval)
		defer ticker.Stop()
		tick = ticker.C
	}
	retired, pings := c.retired, 0
	for {
		select {
		case <-c.done:
			return
		case <-tick:
			pings++
			_ = c.ws.WriteControl(websocket.PingMessage, fmt.Appendf(nil, "ping-%d", pings), time.Now().Add(writeWait))
		case <-retired:
			retired, grace = nil, time.After(disconnectGrace)
		case <-grace:
			_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(writeWait))
			c.shut()
			return
		}
	}
}

func (s *Server) dropConn(c *wsConn) {
	c.shut()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns = slices.DeleteFunc(s.conns, func(x *wsConn) bool { return x == c })
	s.notifyLocked()
}

// handleFrame records an ack, or a violation for anything Slack would not
// understand or would drop.
func (s *Server) handleFrame(data []byte) {
	if len(data) >= maxAckSize {
		s.violate("socket", fmt.Sprintf("ack of %d bytes dropped: Slack ignores responses of 20 KB or more", len(data)))
		return
	}
	var ack struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(data, &ack); err != nil || ack.EnvelopeID == "" {
		s.violate("socket", fmt.Sprintf("unexpected frame from the app: %.200q", data))
		return
	}
	s.recordAck(ack.EnvelopeID, ack.Payload)
}

func (s *Server) recordAck(id string, payload json.RawMessage) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	sentAt, known := s.sent[id]
	switch {
	case !known:
		s.violateLocked("socket", "ack for an envelope the fake never sent: "+id)
		return
	case slices.ContainsFunc(s.acks, func(a Ack) bool { return a.EnvelopeID == id }):
		s.violateLocked("socket", "envelope acked twice: "+id)
		return
	}
	if string(payload) == "null" {
		payload = nil
	}
	s.acks = append(s.acks, Ack{EnvelopeID: id, Payload: payload, Time: now, Latency: now.Sub(sentAt)})
	s.notifyLocked()
}

// Connections returns how many Socket Mode connections the app has made so
// far, reconnects included.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connCount
}

// WaitPongs waits until the app has answered at least n of the fake's
// websocket pings, on any connection, failing the test after timeout.
func (s *Server) WaitPongs(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	if !s.await(timeout, func() bool { return s.pongs >= n }) {
		t.Fatalf("slackfake: fewer than %d pongs after %v; saw %s", n, timeout, s.summary())
	}
}

// WaitConnections waits until the app has made at least n Socket Mode
// connections (each greeted with hello), failing the test after timeout.
func (s *Server) WaitConnections(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	if !s.await(timeout, func() bool { return s.connCount >= n }) {
		t.Fatalf("slackfake: %d Socket Mode connections after %v, want %d; saw %s", s.Connections(), timeout, n, s.summary())
	}
}

// Disconnect sends Slack's disconnect frame on the current connection
// (reason "" means "refresh_requested"; Slack also sends "warning" and
// "link_disabled"), sends nothing more on it, and closes it after a short
// grace if the app has not. slack-go reconnects on any disconnect.
func (s *Server) Disconnect(t testing.TB, reason string) {
	t.Helper()
	if reason == "" {
		reason = "refresh_requested"
	}
	c := s.current(t)
	frame := map[string]any{"type": "disconnect", "reason": reason, "debug_info": map[string]any{"host": fmt.Sprintf("applink-fake-%d", c.id)}}
	s.write(t, c, mustJSON(frame))
	c.retire.Do(func() { close(c.retired) })
}

// DropConnection closes the current connection's TCP socket without a
// close frame, as a network failure would.
func (s *Server) DropConnection(t testing.TB) {
	t.Helper()
	s.dropConn(s.current(t))
}

// SendRaw writes frame as one text frame on the current connection, as is:
// garbage, truncated JSON or unknown types test the app's reader.
func (s *Server) SendRaw(t testing.TB, frame string) {
	t.Helper()
	s.write(t, s.current(t), []byte(frame))
}

// current returns the connection envelopes go to: the newest one not told to disconnect, or
// the one DeliverTo chose; it waits a bounded time for the app to (re)connect.
func (s *Server) current(t testing.TB) *wsConn {
	t.Helper()
	var c *wsConn
	ok := s.await(sendWait, func() bool {
		open := s.openLocked()
		switch {
		case s.route == 0 && len(open) > 0:
			c = open[len(open)-1]
		case s.route > 0 && len(open) >= s.route:
			c = open[s.route-1]
		}
		return c != nil
	})
	if !ok {
		t.Fatalf("slackfake: no Socket Mode connection (delivering to %d) within %v; saw %s", s.route, sendWait, s.summary())
	}
	return c
}

// openLocked lists the live connections not told to disconnect, oldest first. The caller
// holds mu.
func (s *Server) openLocked() []*wsConn {
	var open []*wsConn
	for _, c := range s.conns {
		select {
		case <-c.retired:
		default:
			open = append(open, c)
		}
	}
	return open
}

// DeliverTo makes the envelopes sent from now on go to the n-th open Socket Mode connection,
// oldest first (1 is the first the app opened), as Slack picks any one of an app's
// connections for each envelope; 0 goes back to the newest. With two bot processes connected
// one after the other, DeliverTo(1) and DeliverTo(2) choose the process.
func (s *Server) DeliverTo(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.route = max(n, 0)
}

// WaitOpen waits until at least n Socket Mode connections are open at once (not told to
// disconnect), failing the test after timeout.
func (s *Server) WaitOpen(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	if !s.await(timeout, func() bool { return len(s.openLocked()) >= n }) {
		t.Fatalf("slackfake: fewer than %d open Socket Mode connections after %v; saw %s", n, timeout, s.summary())
	}
}

func (s *Server) write(t testing.TB, c *wsConn, data []byte) {
	t.Helper()
	if err := c.write(data); err != nil {
		t.Fatalf("slackfake: writing to Socket Mode connection %d: %v", c.id, err)
	}
}

// sendEnvelope sends an envelope on the current connection (see DeliverTo) and remembers
// when, to time the ack.
func (s *Server) sendEnvelope(t testing.TB, typ string, payload json.RawMessage, extra map[string]any) string {
	t.Helper()
	return s.sendEnvelopeOn(t, s.current(t), typ, payload, extra)
}

// sendEnvelopeOn sends an envelope on c.
func (s *Server) sendEnvelopeOn(t testing.TB, c *wsConn, typ string, payload json.RawMessage, extra map[string]any) string {
	t.Helper()
	s.mu.Lock()
	id := envelopeID(s.nextIDLocked())
	s.sent[id] = time.Now()
	s.mu.Unlock()
	env := map[string]any{"envelope_id": id, "payload": payload, "type": typ}
	for k, v := range extra {
		env[k] = v
	}
	s.write(t, c, mustJSON(env))
	return id
}

// envelopeID looks like Slack's (a UUID) and is unique per server.
func envelopeID(n int) string {
	return fmt.Sprintf("f4ce0000-0000-4000-8000-%012d", n)
}

func mustJSON(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("slackfake: marshal: %v", err))
	}
	return data
}
