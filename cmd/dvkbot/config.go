package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kelseyhightower/envconfig"
)

// EngineConfig is what every command that answers questions reads from the environment.
// The configuration types are exported because envconfig never fills an embedded struct of
// an unexported type (reflect cannot set it), and would skip these variables without a word.
type EngineConfig struct {
	// KnowledgeDir holds team entries merged over the built-in base, reloaded on change.
	KnowledgeDir string `envconfig:"DVK_KNOWLEDGE_DIR" desc:"folder of team knowledge (*.md) merged over the built-in base, reloaded on change"`
}

// BrainConfig says where the bot keeps what it learns (events handled, threads, unanswered
// questions, votes, answers captured in Slack): serve remembers there, and the commands without
// Slack (ask, chat, eval, topics, export) read the captured answers from it. Neither set: in
// memory, lost on exit.
type BrainConfig struct {
	// DataDir is the folder where one bot keeps what it learns across restarts.
	DataDir string `envconfig:"DVK_DATA_DIR" desc:"folder that keeps what the bot learns across restarts"`
	// RedisURL is a Redis shared by several replicas; it may hold a password, never printed.
	RedisURL string `envconfig:"DVK_REDIS_URL" desc:"redis:// or rediss:// URL shared by several replicas (wins over DVK_DATA_DIR)"`
}

// OpsConfig locates the ops server: serve listens there, healthcheck asks it.
type OpsConfig struct {
	// HTTPAddr is where the ops server listens: /healthz, /readyz, /metrics.
	HTTPAddr string `envconfig:"DVK_HTTP_ADDR" default:":8080" desc:"ops server address (/healthz, /readyz, /metrics)"`
}

// serveConfig is the configuration of `dvkbot serve`.
type serveConfig struct {
	// AppToken is the app-level token (xapp-) that opens Socket Mode connections.
	AppToken string `envconfig:"SLACK_APP_TOKEN" desc:"app-level token, xapp-… (required)"`
	// BotToken is the bot token (xoxb-) for Web API calls.
	BotToken string `envconfig:"SLACK_BOT_TOKEN" desc:"bot token, xoxb-… (required)"`
	// APIURL is the Web API base: GovSlack, a proxy, or a fake Slack in tests.
	APIURL string `envconfig:"SLACK_API_URL" default:"https://slack.com/api/" desc:"Slack Web API base"`
	OpsConfig
	EngineConfig
	MemoryConfig
	// LogLevel is the lowest level logged: debug, info, warn or error.
	LogLevel slog.Level `envconfig:"DVK_LOG_LEVEL" default:"info" desc:"debug, info, warn or error"`
	// SlashCommand is the command's name as set in the Slack app.
	SlashCommand string `envconfig:"DVK_SLASH_COMMAND" default:"/dvk" desc:"the slash command's name in the Slack app"`
	// AllowedChannels, comma-separated channel ids, limits where mentions are answered.
	AllowedChannels []string `envconfig:"DVK_ALLOWED_CHANNELS" desc:"comma-separated channel ids where mentions are answered (default: all)"`
	// Workers answer events in parallel.
	Workers int `envconfig:"DVK_WORKERS" default:"8" desc:"replies prepared in parallel (1 to 256)"`
	// ShutdownTimeout bounds the drain of replies in flight after SIGTERM.
	ShutdownTimeout time.Duration `envconfig:"DVK_SHUTDOWN_TIMEOUT" default:"8s" desc:"time replies in flight may take after SIGTERM (at most 9s)"`

	// The knowledge loop: where the bot keeps what it learns, and who answers what it cannot.
	BrainConfig
	// ExpertsChannel is the channel id where unanswered questions are posted.
	ExpertsChannel string `envconfig:"DVK_EXPERTS_CHANNEL" desc:"channel id where unanswered questions go"`
	// Admins are the user ids who may withdraw any captured entry.
	Admins []string `envconfig:"DVK_ADMINS" desc:"comma-separated user ids who may withdraw any captured entry"`
}

// varError is what is wrong with one environment variable, worded for the person who sets it.
type varError struct {
	name, problem string
}

func (e varError) Error() string { return e.name + ": " + e.problem }

// configError lists every problem found in the environment, so that one run shows them all.
type configError []varError

func (e configError) Error() string {
	lines := make([]string, len(e))
	for i, v := range e {
		lines[i] = "  " + v.Error()
	}
	return "invalid configuration:\n" + strings.Join(lines, "\n")
}

// configSpec is a pointer to a configuration struct that checks its own values.
type configSpec interface{ validate() []varError }

// load fills spec from the environment and checks it; the error lists every variable to fix.
func load(spec configSpec) error {
	unreadable := decodeEnv(spec)
	return check(unreadable, spec.validate())
}

// loadServeConfig reads and checks serveConfig.
func loadServeConfig() (serveConfig, error) {
	var c serveConfig
	if err := load(&c); err != nil {
		return c, err
	}
	if !strings.HasSuffix(c.APIURL, "/") {
		c.APIURL += "/" // slack-go joins method names straight onto the base
	}
	return c, nil
}

// check joins the variables that could not be read with the problems found in the others: a
// variable that could not be read is reported once, not again for the zero value it was left at.
func check(unreadable, invalid []varError) error {
	errs := configError(unreadable)
	for _, v := range invalid {
		if !reported(errs, v.name) {
			errs = append(errs, v)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func reported(errs []varError, name string) bool {
	for _, e := range errs {
		if e.name == name {
			return true
		}
	}
	return false
}

// decodeEnv fills the struct spec points to from the environment, one variable at a time with
// envconfig: envconfig stops at the first malformed variable, and a person fixing a deployment
// wants to see them all.
func decodeEnv(spec any) []varError {
	var errs []varError
	eachVariable(reflect.ValueOf(spec).Elem(), func(field reflect.StructField, value reflect.Value) {
		one := reflect.New(reflect.StructOf([]reflect.StructField{{Name: "V", Type: field.Type, Tag: field.Tag}}))
		if err := envconfig.Process("", one.Interface()); err != nil {
			errs = append(errs, decodeError(field, err))
			return
		}
		value.Set(one.Elem().Field(0))
	})
	return errs
}

// eachVariable calls fn for every field of v read from a variable, inside embedded structs too.
func eachVariable(v reflect.Value, fn func(reflect.StructField, reflect.Value)) {
	for i := range v.NumField() {
		field := v.Type().Field(i)
		switch {
		case field.Anonymous && field.Type.Kind() == reflect.Struct:
			eachVariable(v.Field(i), fn)
		case field.Tag.Get("envconfig") != "":
			fn(field, v.Field(i))
		}
	}
}

// wants says what a variable of each type must hold, in words.
var wants = map[reflect.Type]string{
	reflect.TypeFor[int]():           "a whole number",
	reflect.TypeFor[int64]():         "a whole number",
	reflect.TypeFor[time.Duration](): "a duration such as 8s, 500ms or 1m30s",
	reflect.TypeFor[slog.Level]():    "debug, info, warn or error",
}

// decodeError words envconfig's error for a value that does not fit the field's type.
func decodeError(field reflect.StructField, err error) varError {
	name := field.Tag.Get("envconfig")
	var pe *envconfig.ParseError
	if !errors.As(err, &pe) {
		return varError{name, err.Error()}
	}
	want, ok := wants[field.Type]
	if !ok {
		want = "a " + field.Type.String()
	}
	return varError{name, fmt.Sprintf("want %s, got %q", want, pe.Value)}
}

// problems collects what is wrong with decoded values, one entry per variable.
type problems []varError

func (p *problems) add(name, format string, args ...any) {
	*p = append(*p, varError{name, fmt.Sprintf(format, args...)})
}

func (c EngineConfig) validate() []varError {
	var p problems
	checkFolder(&p, "DVK_KNOWLEDGE_DIR", c.KnowledgeDir)
	return p
}

func (c BrainConfig) validate() []varError {
	var p problems
	checkFolder(&p, "DVK_DATA_DIR", c.DataDir)
	checkRedisURL(&p, c.RedisURL)
	return p
}

func (c OpsConfig) validate() []varError {
	var p problems
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		p.add("DVK_HTTP_ADDR", "want HOST:PORT such as :8080 or 127.0.0.1:8080, got %q", c.HTTPAddr)
	}
	return p
}

// Slack ids: channels start with C (public) or G (private), users with U or W (Enterprise Grid).
var (
	channelID = regexp.MustCompile(`^[CG][A-Z0-9]+$`)
	userID    = regexp.MustCompile(`^[UW][A-Z0-9]+$`)
)

func (c serveConfig) validate() []varError {
	p := problems(append(append(c.EngineConfig.validate(), c.OpsConfig.validate()...), c.MemoryConfig.validate()...))
	checkToken(&p, "SLACK_APP_TOKEN", c.AppToken, "xapp-", "an app-level token", "Basic Information, App-Level Tokens")
	checkToken(&p, "SLACK_BOT_TOKEN", c.BotToken, "xoxb-", "a bot token", "OAuth & Permissions, Bot User OAuth Token")
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		p.add("SLACK_API_URL", "want an http(s) URL such as https://slack.com/api/, got %q", c.APIURL)
	}
	if !strings.HasPrefix(c.SlashCommand, "/") || len(c.SlashCommand) < 2 || strings.ContainsAny(c.SlashCommand, " \t") {
		p.add("DVK_SLASH_COMMAND", "want one word starting with /, such as /dvk, got %q", c.SlashCommand)
	}
	checkIDs(&p, "DVK_ALLOWED_CHANNELS", c.AllowedChannels, channelID, "channel ids such as C0123ABCD (a channel's details show it; not its #name)")
	if c.Workers < 1 || c.Workers > 256 {
		p.add("DVK_WORKERS", "want 1 to 256, got %d", c.Workers)
	}
	if c.ShutdownTimeout <= 0 || c.ShutdownTimeout > 9*time.Second {
		p.add("DVK_SHUTDOWN_TIMEOUT", "want more than 0 and at most 9s (the bot must exit within 10s), got %s", c.ShutdownTimeout)
	}
	p = append(p, c.BrainConfig.validate()...)
	if c.ExpertsChannel != "" && !channelID.MatchString(c.ExpertsChannel) {
		p.add("DVK_EXPERTS_CHANNEL", "want a channel id such as C0123ABCD (a channel's details show it; not its #name), got %q", c.ExpertsChannel)
	}
	checkIDs(&p, "DVK_ADMINS", c.Admins, userID, "user ids such as U0123ABCD (a person's profile shows it under Copy member ID)")
	return p
}

// tokenKinds names each Slack token prefix, to tell a person which token they pasted.
var tokenKinds = map[string]string{"xapp-": "an app-level token", "xoxb-": "a bot token", "xoxp-": "a user token"}

// checkToken checks a token's prefix without ever printing the token. where says where the Slack
// app's settings show the right one.
func checkToken(p *problems, name, token, prefix, kind, where string) {
	if strings.HasPrefix(token, prefix) {
		return
	}
	want := fmt.Sprintf("want %s (%s…), found in your Slack app's settings under %s", kind, prefix, where)
	if token == "" {
		p.add(name, "not set; %s", want)
		return
	}
	for other, k := range tokenKinds {
		if strings.HasPrefix(token, other) {
			p.add(name, "holds %s (%s…); %s", k, other, want)
			return
		}
	}
	p.add(name, "does not start with %s; %s", prefix, want)
}

// checkFolder checks that an optional path names an existing folder.
func checkFolder(p *problems, name, path string) {
	if path == "" {
		return
	}
	info, err := os.Stat(path)
	switch {
	case err != nil:
		p.add(name, "want a folder, but %q cannot be opened: %v", path, unwrapPath(err))
	case !info.IsDir():
		p.add(name, "want a folder, but %q is a file", path)
	}
}

// unwrapPath drops the path from a file error, which the message already names.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// checkIDs checks each item of a comma-separated list of Slack ids.
func checkIDs(p *problems, name string, ids []string, pattern *regexp.Regexp, want string) {
	for _, id := range ids {
		if !pattern.MatchString(id) {
			p.add(name, "want %s, separated by commas without spaces; %q is not one", want, id)
			return
		}
	}
}

// checkRedisURL checks the shape of a Redis URL. The value may hold a password, so no message
// quotes it.
func checkRedisURL(p *problems, raw string) {
	if raw == "" {
		return
	}
	const example = "such as redis://:PASSWORD@redis:6379/0"
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		p.add("DVK_REDIS_URL", "want a URL %s; this value does not parse as one (not shown: it may hold a password)", example)
	case u.Scheme != "redis" && u.Scheme != "rediss":
		p.add("DVK_REDIS_URL", "want a redis:// or rediss:// URL %s, got scheme %q", example, u.Scheme)
	case u.Hostname() == "":
		p.add("DVK_REDIS_URL", "want a URL with a host, %s", example)
	case u.Path != "" && u.Path != "/" && !isDBNumber(strings.TrimPrefix(u.Path, "/")):
		p.add("DVK_REDIS_URL", "want a database number after the host, such as /0, got %q", u.Path)
	}
}

func isDBNumber(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0
}

// serveHelp is what serve's --help says beyond its usage line: the variables it reads.
func serveHelp() string {
	var b strings.Builder
	b.WriteString("Configuration comes from the environment, checked at start-up:\n\n")
	table := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	rows := "  VARIABLE\tDEFAULT\tMEANING\n{{range .}}  {{usage_key .}}\t{{usage_default .}}\t{{usage_description .}}\n{{end}}"
	if err := envconfig.Usagef("", &serveConfig{}, table, rows); err != nil {
		panic(err) // the template and the struct are fixed at compile time
	}
	_ = table.Flush() // a strings.Builder never fails
	return strings.TrimRight(b.String(), "\n")
}
