package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dvkbot/dvkbot/bot/slackfake"
	"github.com/dvkbot/dvkbot/cmd/dvkbot/dvkbottest"
)

func builtinCount(t *testing.T) int {
	t.Helper()
	entries, _, err := loadKnowledge("")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// TestServeReadsEveryVariable starts the built binary with each variable set and checks what a
// person would see of it: team knowledge answered, the ops server where it was put, debug
// lines, the slash command's name in its help, mentions answered only in allowed channels.
// The knowledge loop's variables are accepted, and the Redis password is never printed.
func TestServeReadsEveryVariable(t *testing.T) {
	fake := slackfake.New(t)
	team, err := filepath.Abs("testdata/team")
	if err != nil {
		t.Fatal(err)
	}
	addr := dvkbottest.FreeAddr(t)
	const password = "hunter2-redis-password"
	b := dvkbottest.Serve(t, fake,
		"DVK_KNOWLEDGE_DIR="+team, "DVK_HTTP_ADDR="+addr, "DVK_LOG_LEVEL=debug",
		"DVK_SLASH_COMMAND=/kb", "DVK_ALLOWED_CHANNELS=C0ALLOWED,C0ALSO",
		"DVK_DATA_DIR="+t.TempDir(), "DVK_REDIS_URL=redis://:"+password+"@redis:6379/0",
		"DVK_EXPERTS_CHANNEL=C0EXPERTS", "DVK_ADMINS=U0ADMIN,W0ADMIN")

	indexed := b.Logs.Wait(t, "knowledge indexed")
	if indexed["team_dir"] != team || indexed["entries"] != float64(builtinCount(t)+1) {
		t.Errorf("DVK_KNOWLEDGE_DIR: startup logged %v; want team_dir %s and the built-in entries plus one", indexed, team)
	}
	if code, body := b.Get(t, "/healthz"); code != 200 {
		t.Errorf("DVK_HTTP_ADDR: /healthz on %s answered %d %q", addr, code, body)
	}
	if code, out, errOut := dvkbottest.Run(t, "", []string{"DVK_HTTP_ADDR=" + addr}, "healthcheck"); code != 0 {
		t.Errorf("healthcheck with DVK_HTTP_ADDR=%s: exit %d, %s%s", addr, code, out, errOut)
	}

	question := "<@U0DVKBOT> how does acme deploy to staging"
	fake.SendEventsAPI(t, slackfake.AppMention("C0OTHER", slackfake.DefaultUserID, question, fake.NextTS(), ""))
	fake.SendEventsAPI(t, slackfake.AppMention("C0ALLOWED", slackfake.DefaultUserID, question, fake.NextTS(), ""))
	reply := fake.WaitCalls(t, "chat.postMessage", 1, dvkbottest.Hang)[0]
	if reply.Channel != "C0ALLOWED" || !strings.Contains(string(reply.Blocks), "How Acme deploys to staging") {
		t.Errorf("DVK_KNOWLEDGE_DIR, DVK_ALLOWED_CHANNELS: first reply %s\n%.300s\nwant the team entry, in C0ALLOWED", reply, reply.Blocks)
	}
	// The mention in C0OTHER was read, and ignored, before the one in C0ALLOWED.
	ignored := b.Logs.Wait(t, "ignored message")
	if ignored["level"] != "DEBUG" || ignored["reason"] != "channel_not_allowed" || ignored["channel"] != "C0OTHER" {
		t.Errorf("DVK_LOG_LEVEL=debug, DVK_ALLOWED_CHANNELS: logged %v; want a debug line for C0OTHER", ignored)
	}

	fake.SendSlashCommand(t, slackfake.SlashCommand{Command: "/kb", Text: "help"})
	help := fake.WaitCalls(t, "response_url", 1, dvkbottest.Hang)[0]
	if !strings.Contains(string(help.Blocks), "`/kb QUESTION`") {
		t.Errorf("DVK_SLASH_COMMAND=/kb: help says\n%.500s\nwant it to name /kb", help.Blocks)
	}

	b.Stop(t)
	if strings.Contains(b.Logs.String(), password) {
		t.Error("the Redis password appears in the logs")
	}
	for _, c := range fake.Calls("chat.postMessage") {
		if c.Channel == "C0OTHER" {
			t.Errorf("answered in a channel outside DVK_ALLOWED_CHANNELS: %s", c)
		}
	}
}

// TestServeWorkersAndShutdownTimeout holds the only worker (DVK_WORKERS=1) on a reply that
// Slack rate-limits for 30 s, queues a second mention behind it, and stops the bot: the drain
// gives up after DVK_SHUTDOWN_TIMEOUT=1s, so neither mention is answered (with more workers the
// second would be). DVK_LOG_LEVEL=warn keeps info and debug lines out of the logs.
func TestServeWorkersAndShutdownTimeout(t *testing.T) {
	fake := slackfake.New(t)
	fake.RateLimit("chat.postMessage", 1, 30*time.Second)
	b := dvkbottest.Serve(t, fake, "DVK_WORKERS=1", "DVK_SHUTDOWN_TIMEOUT=1s", "DVK_LOG_LEVEL=warn",
		"DVK_ALLOWED_CHANNELS=C0ALLOWED")

	fake.SendEventsAPI(t, slackfake.AppMention("C0ALLOWED", slackfake.DefaultUserID, "<@U0DVKBOT> what is docker", fake.NextTS(), ""))
	dvkbottest.Until(t, "the first reply rate-limited", func() bool { return len(fake.Calls("chat.postMessage")) == 1 }, fake.Changed)
	queued := fake.SendEventsAPI(t, slackfake.AppMention("C0ALLOWED", slackfake.DefaultUserID, "<@U0DVKBOT> what is kubernetes", fake.NextTS(), ""))
	fake.WaitAck(t, queued, dvkbottest.Hang)
	ignored := fake.SendEventsAPI(t, slackfake.AppMention("C0OTHER", slackfake.DefaultUserID, "<@U0DVKBOT> what is a pod", fake.NextTS(), ""))
	fake.WaitAck(t, ignored, dvkbottest.Hang)
	b.Stop(t)

	if calls := fake.Calls("chat.postMessage"); len(calls) != 1 {
		t.Errorf("DVK_WORKERS=1: %d chat.postMessage calls, want only the rate-limited one: %v", len(calls), calls)
	}
	drain := b.Logs.Line("drain timeout: cancelling replies still in flight")
	if drain["timeout"] != float64(time.Second) {
		t.Errorf("DVK_SHUTDOWN_TIMEOUT=1s: want the drain to give up after 1s (%d ns); logged %v", time.Second, drain)
	}
	if levels := b.Logs.Levels(); levels["INFO"]+levels["DEBUG"] > 0 {
		t.Errorf("DVK_LOG_LEVEL=warn: logged %v", levels)
	}
}

// TestServeReportsEveryConfigProblemAtOnce runs the binary with broken environments: each run
// names every bad variable, in words a person can act on, and never prints a secret.
func TestServeReportsEveryConfigProblemAtOnce(t *testing.T) {
	const secret = "s3cr3t-value"
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  []string
		want []string
	}{
		{"no tokens", nil, []string{
			"SLACK_APP_TOKEN: not set; want an app-level token (xapp-…)",
			"SLACK_BOT_TOKEN: not set; want a bot token (xoxb-…)"}},
		{"bad app token, no bot token, workers not a number",
			[]string{"SLACK_APP_TOKEN=xoxb-" + secret, "DVK_WORKERS=abc"}, []string{
				"SLACK_APP_TOKEN: holds a bot token (xoxb-…); want an app-level token (xapp-…)",
				"SLACK_BOT_TOKEN: not set",
				`DVK_WORKERS: want a whole number, got "abc"`}},
		{"user token as bot token", []string{"SLACK_APP_TOKEN=xapp-" + secret, "SLACK_BOT_TOKEN=xoxp-" + secret}, []string{
			"SLACK_BOT_TOKEN: holds a user token (xoxp-…); want a bot token (xoxb-…)"}},
		{"every other variable malformed", []string{
			"SLACK_APP_TOKEN=xapp-" + secret, "SLACK_BOT_TOKEN=xoxb-" + secret,
			"SLACK_API_URL=slack.com", "DVK_HTTP_ADDR=8080", "DVK_KNOWLEDGE_DIR=" + file, "DVK_LOG_LEVEL=loud",
			"DVK_SLASH_COMMAND=dvk", "DVK_ALLOWED_CHANNELS=#general", "DVK_WORKERS=0", "DVK_SHUTDOWN_TIMEOUT=soon",
			"DVK_DATA_DIR=" + filepath.Join(t.TempDir(), "missing"), "DVK_REDIS_URL=http://:" + secret + "@redis:6379",
			"DVK_EXPERTS_CHANNEL=experts", "DVK_ADMINS=U0ADMIN,bob", "DVK_MEMORY_LIMIT=128Mi", "GOGC=x"}, []string{
			`SLACK_API_URL: want an http(s) URL such as https://slack.com/api/, got "slack.com"`,
			`DVK_HTTP_ADDR: want HOST:PORT such as :8080 or 127.0.0.1:8080, got "8080"`,
			"DVK_KNOWLEDGE_DIR: want a folder, but " + `"` + file + `" is a file`,
			`DVK_LOG_LEVEL: want debug, info, warn or error, got "loud"`,
			`DVK_SLASH_COMMAND: want one word starting with /, such as /dvk, got "dvk"`,
			`DVK_ALLOWED_CHANNELS: want channel ids such as C0123ABCD`,
			`DVK_WORKERS: want 1 to 256, got 0`,
			`DVK_SHUTDOWN_TIMEOUT: want a duration such as 8s, 500ms or 1m30s, got "soon"`,
			`DVK_DATA_DIR: want a folder, but`,
			`DVK_REDIS_URL: want a redis:// or rediss:// URL such as redis://:PASSWORD@redis:6379/0, got scheme "http"`,
			`DVK_EXPERTS_CHANNEL: want a channel id such as C0123ABCD`,
			`DVK_ADMINS: want user ids such as U0123ABCD`,
			`DVK_MEMORY_LIMIT: want a whole number, got "128Mi"`,
			`GOGC: want a percentage such as 100, or off, got "x"`}},
		{"out of range", []string{"SLACK_APP_TOKEN=xapp-1", "SLACK_BOT_TOKEN=xoxb-1", "DVK_WORKERS=1000",
			"DVK_SHUTDOWN_TIMEOUT=30s", "DVK_REDIS_URL=redis://:" + secret + "@/0", "DVK_MEMORY_LIMIT=-1"}, []string{
			"DVK_WORKERS: want 1 to 256, got 1000",
			"DVK_SHUTDOWN_TIMEOUT: want more than 0 and at most 9s",
			"DVK_REDIS_URL: want a URL with a host",
			"DVK_MEMORY_LIMIT: want a number of bytes such as 134217728, got -1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := dvkbottest.Run(t, "", c.env, "serve")
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			for _, want := range c.want {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr does not say %q:\n%s", want, errOut)
				}
			}
			if got := strings.Count(errOut, "\n  "); got != len(c.want) {
				t.Errorf("%d problems reported, want %d:\n%s", got, len(c.want), errOut)
			}
			if strings.Contains(out+errOut, secret) {
				t.Errorf("a secret was printed:\n%s", errOut)
			}
		})
	}
}

// TestOfflineCommandsReadTheKnowledgeFolder runs ask and topics with DVK_KNOWLEDGE_DIR set, as
// a team checks its entries before they ship.
func TestOfflineCommandsReadTheKnowledgeFolder(t *testing.T) {
	team := []string{"DVK_KNOWLEDGE_DIR=testdata/team"}
	code, out, errOut := dvkbottest.Run(t, "", team, "ask", "--json", "how does acme deploy to staging")
	if a := decodeAnswer(t, out); code != 0 || a.ID != "acme-deploy-runbook" {
		t.Errorf("ask: exit %d, id %q; want 0 and the team entry; stderr:\n%s", code, a.ID, errOut)
	}
	if code, out, _ := dvkbottest.Run(t, "", team, "topics"); code != 0 || !strings.Contains(out, "acme-deploy-runbook") {
		t.Errorf("topics: exit %d, the team entry missing:\n%s", code, out)
	}
	code, _, errOut = dvkbottest.Run(t, "", []string{"DVK_KNOWLEDGE_DIR=testdata/no-such-folder"}, "ask", "what is docker")
	if code != 1 || !strings.Contains(errOut, `DVK_KNOWLEDGE_DIR: want a folder, but "testdata/no-such-folder" cannot be opened`) {
		t.Errorf("missing folder: exit %d, stderr %q", code, errOut)
	}
}

// TestReadmeDocumentsEveryVariable keeps the README's configuration table in step with what
// serve reads.
func TestReadmeDocumentsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	eachVariable(reflect.ValueOf(&serveConfig{}).Elem(), func(f reflect.StructField, _ reflect.Value) {
		row := "| `" + f.Tag.Get("envconfig") + "` | "
		if def := f.Tag.Get("default"); def != "" {
			row += "`" + def + "` |"
		}
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md has no configuration row starting %q", row)
		}
	})
}
