package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"
)

// EngineConfig is what every command that answers questions reads from the environment. It is
// exported because serveConfig embeds it: envconfig skips an embedded struct of an unexported
// type, and serve would never see DVK_KNOWLEDGE_DIR.
type EngineConfig struct {
	// KnowledgeDir holds team entries merged over the built-in base, reloaded on change.
	KnowledgeDir string `envconfig:"DVK_KNOWLEDGE_DIR"`
}

// serveConfig is the configuration of `dvkbot serve` (DESIGN.md §3).
type serveConfig struct {
	EngineConfig
	// AppToken is the app-level token (xapp-) that opens Socket Mode connections.
	AppToken string `envconfig:"SLACK_APP_TOKEN" required:"true"`
	// BotToken is the bot token (xoxb-) for Web API calls.
	BotToken string `envconfig:"SLACK_BOT_TOKEN" required:"true"`
	// APIURL is the Web API base: GovSlack, a proxy, or a fake Slack in tests.
	APIURL string `envconfig:"SLACK_API_URL" default:"https://slack.com/api/"`
	// HTTPAddr is where the ops server listens: /healthz, /readyz, /metrics.
	HTTPAddr string `envconfig:"DVK_HTTP_ADDR" default:":8080"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `envconfig:"DVK_LOG_LEVEL" default:"info"`
	// SlashCommand is the command's name as set in the Slack app.
	SlashCommand string `envconfig:"DVK_SLASH_COMMAND" default:"/dvk"`
	// AllowedChannels, comma-separated channel ids, limits where mentions are answered.
	AllowedChannels []string `envconfig:"DVK_ALLOWED_CHANNELS"`
	// Workers answer events in parallel.
	Workers int `envconfig:"DVK_WORKERS" default:"8"`
	// ShutdownTimeout bounds the drain of replies in flight after SIGTERM.
	ShutdownTimeout time.Duration `envconfig:"DVK_SHUTDOWN_TIMEOUT" default:"8s"`
}

// loadEngineConfig reads EngineConfig from the environment.
func loadEngineConfig() (EngineConfig, error) {
	var c EngineConfig
	if err := envconfig.Process("", &c); err != nil {
		return c, fmt.Errorf("invalid configuration: %w", err)
	}
	return c, nil
}

// loadServeConfig reads and validates serveConfig; every error names the variable to fix.
func loadServeConfig() (serveConfig, error) {
	var c serveConfig
	if err := envconfig.Process("", &c); err != nil {
		return c, fmt.Errorf("invalid configuration: %w", err)
	}
	if err := c.validate(); err != nil {
		return c, fmt.Errorf("invalid configuration: %w", err)
	}
	if !strings.HasSuffix(c.APIURL, "/") {
		c.APIURL += "/" // slack-go joins method names straight onto the base
	}
	return c, nil
}

func (c serveConfig) validate() error {
	var errs []error
	errs = append(errs, checkToken("SLACK_APP_TOKEN", c.AppToken, "xapp-", "an app-level token"),
		checkToken("SLACK_BOT_TOKEN", c.BotToken, "xoxb-", "a bot token"))
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("SLACK_API_URL %q must be an http(s) URL such as https://slack.com/api/", c.APIURL))
	}
	var level slog.Level
	if level.UnmarshalText([]byte(c.LogLevel)) != nil {
		errs = append(errs, fmt.Errorf("DVK_LOG_LEVEL %q must be debug, info, warn or error", c.LogLevel))
	}
	if !strings.HasPrefix(c.SlashCommand, "/") || strings.ContainsAny(c.SlashCommand, " \t") {
		errs = append(errs, fmt.Errorf("DVK_SLASH_COMMAND %q must be one word starting with /", c.SlashCommand))
	}
	if c.Workers < 1 || c.Workers > 256 {
		errs = append(errs, fmt.Errorf("DVK_WORKERS %d must be between 1 and 256", c.Workers))
	}
	if c.ShutdownTimeout <= 0 || c.ShutdownTimeout > 9*time.Second {
		errs = append(errs, fmt.Errorf("DVK_SHUTDOWN_TIMEOUT %s must be above 0 and at most 9s (the bot must exit within 10s)", c.ShutdownTimeout))
	}
	return errors.Join(errs...)
}

// tokenKinds names each Slack token prefix, to tell a person which token they pasted.
var tokenKinds = map[string]string{"xapp-": "an app-level token", "xoxb-": "a bot token", "xoxp-": "a user token"}

// checkToken checks a token's prefix without ever printing the token.
func checkToken(name, token, prefix, kind string) error {
	if strings.HasPrefix(token, prefix) {
		return nil
	}
	for p, k := range tokenKinds {
		if strings.HasPrefix(token, p) {
			return fmt.Errorf("%s holds %s (%s…) but must be %s starting %s", name, k, p, kind, prefix)
		}
	}
	return fmt.Errorf("%s must be %s starting %s", name, kind, prefix)
}

// logLevel parses a validated level.
func logLevel(s string) slog.Level {
	var level slog.Level
	_ = level.UnmarshalText([]byte(s))
	return level
}
