package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dvkbot/dvkbot/bot/slackfake"
	"github.com/dvkbot/dvkbot/cmd/dvkbot/dvkbottest"
)

// TestServeReadyMetricsHealthcheckAndSIGTERM runs the built binary as the container does: ready
// once connected, an answer counted on /metrics, healthcheck answering, exit 0 on SIGTERM, and
// no token in the logs.
func TestServeReadyMetricsHealthcheckAndSIGTERM(t *testing.T) {
	fake := slackfake.New(t)
	b := dvkbottest.Serve(t, fake)

	fake.SendEventsAPI(t, slackfake.AppMention("C1", slackfake.DefaultUserID, "<@U0DVKBOT> what is docker", fake.NextTS(), ""))
	fake.WaitCalls(t, "chat.postMessage", 1, dvkbottest.Hang)
	b.Logs.Wait(t, "replied") // logged once the answer is counted
	if code, body := b.Get(t, "/readyz"); code != 200 {
		t.Errorf("/readyz answered %d %q after an answer", code, body)
	}
	const answered = `dvkbot_answers_total{outcome="answered",source="mention"}`
	if n := b.Metric(t, answered); n != 1 {
		t.Errorf("%s = %v, want 1", answered, n)
	}
	if code, out, errOut := dvkbottest.Run(t, "", []string{"DVK_HTTP_ADDR=" + b.Addr}, "healthcheck"); code != 0 {
		t.Errorf("healthcheck: exit %d: %s%s", code, out, errOut)
	}

	b.Stop(t)
	if logs := b.Logs.String(); strings.Contains(logs, slackfake.BotToken) || strings.Contains(logs, slackfake.AppToken) {
		t.Error("a token appears in the logs")
	}
}

// /readyz names every reason the bot is not ready, on one line, not only the first.
func TestReadyzNamesEveryReason(t *testing.T) {
	socket, brain := errors.New("Socket Mode not connected"), errors.New("shared brain (DVK_REDIS_URL) unreachable")
	for _, c := range []struct {
		name     string
		ready    error
		wantCode int
		wantBody string
	}{
		{"ready", nil, http.StatusOK, "ready\n"},
		{"one reason", brain, http.StatusServiceUnavailable, "not ready: shared brain (DVK_REDIS_URL) unreachable\n"},
		{"two reasons", errors.Join(socket, nil, brain), http.StatusServiceUnavailable,
			"not ready: Socket Mode not connected; shared brain (DVK_REDIS_URL) unreachable\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			opsHandler(prometheus.NewRegistry(), func() error { return c.ready }).ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
			if rec.Code != c.wantCode || rec.Body.String() != c.wantBody {
				t.Errorf("/readyz answered %d %q, want %d %q", rec.Code, rec.Body.String(), c.wantCode, c.wantBody)
			}
		})
	}
}
