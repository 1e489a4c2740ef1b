package main

import (
	"strings"
	"testing"

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
