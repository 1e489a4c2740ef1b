// Command dvkbot answers questions about Docker and Kubernetes: in Slack (serve), in the
// terminal (ask, chat), and checks its own knowledge (eval, lint, topics).
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "dev"

// command is one subcommand: its one-line help and what it runs.
type command struct {
	summary string
	run     func(args []string, stdio stdio) error
}

// stdio are the streams a command reads and writes, so tests can run commands in-process.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// exitError carries a specific exit code (eval below --min, lint with problems).
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

var commands map[string]command

func init() {
	commands = map[string]command{
		"serve":       {"run the Slack bot (socket mode) until SIGINT/SIGTERM", runServe},
		"ask":         {"answer a question offline: ask [--json] QUESTION... (no question: read stdin)", runAsk},
		"chat":        {"ask questions interactively in the terminal", runChat},
		"eval":        {"score a question set: eval [--json] [--min 0.95] FILE", runEval},
		"lint":        {"validate knowledge files: lint [DIR] (built-in when no DIR)", runLint},
		"topics":      {"list the entries: topics [--json]", runTopics},
		"version":     {"print version and build info", runVersion},
		"healthcheck": {"exit 0 when the ops server of a running bot answers /healthz", runHealthcheck},
	}
}

func main() {
	os.Exit(run(os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}))
}

// run dispatches to a subcommand and turns its error into an exit code.
func run(args []string, s stdio) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(s.out)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(s.err, "dvkbot: unknown command %q\n\n", args[0])
		usage(s.err)
		return 2
	}
	if err := cmd.run(args[1:], s); err != nil {
		fmt.Fprintf(s.err, "dvkbot %s: %v\n", args[0], err)
		if ee, ok := err.(exitError); ok {
			return ee.code
		}
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "dvkbot answers questions about Docker and Kubernetes.\n\nUsage: dvkbot COMMAND [ARGS]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-12s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, "\nConfiguration comes from the environment; see README.md.")
}

// joinArgs makes one question of the words given on the command line.
func joinArgs(args []string) string {
	return strings.TrimSpace(strings.Join(args, " "))
}
