// Command dvkbot answers questions about Docker and Kubernetes: in Slack (serve), in the
// terminal (ask, chat), and checks its own knowledge (eval, lint, topics).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "dev"

// command is one subcommand: how it is called, its help, and what it runs.
type command struct {
	args    string // what follows the command's name, e.g. "[--json] QUESTION..."
	summary string // one line, for the list of commands
	details string // more for the command's own --help
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

// usageError is a command line the command cannot run: it is printed with the command's help,
// and dvkbot exits 2.
type usageError struct {
	fs  *flag.FlagSet
	err error
}

func (e usageError) Error() string { return e.err.Error() }

// usagef reports a command line that fs's command cannot run.
func usagef(fs *flag.FlagSet, format string, args ...any) error {
	return usageError{fs: fs, err: fmt.Errorf(format, args...)}
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"serve": {"", "Run the Slack bot (Socket Mode) until SIGINT or SIGTERM, then finish replies in flight", serveHelp(), runServe},
		"ask": {"[--json] QUESTION...", "Answer a question offline, exactly as the bot would",
			"With no QUESTION, reads questions from standard input, one per line, and answers each in order.\n" +
				"On a terminal, answers are formatted for it; piped, they are Markdown.\n" +
				"DVK_KNOWLEDGE_DIR adds a team's knowledge folder, and DVK_DATA_DIR or DVK_REDIS_URL the answers\n" +
				"saved in Slack, as for serve.", runAsk},
		"chat": {"", "Ask questions interactively in the terminal",
			"Each answer is context for the next question, as in a Slack thread (\"what about networking?\").\n" +
				"Type help for this, topics for everything it knows, quit (or an empty line, or Ctrl-D) to leave.", runChat},
		"eval": {"[--json] [--min 0.95] FILE", "Score a question set: right answers per topic and overall",
			"FILE holds one JSON object per line: {\"q\": \"a question\", \"want\": \"an entry id, or abstain\"},\n" +
				"with \"also\": [ids] for other entries that answer it as well. Exits 1 below --min.", runEval},
		"fit": {"[--train F] [--dev F] [--test F] [--write FILE]", "Refit the answer model and report train, dev and test",
			"Fits the ranker's weights and learned questions on --train, chooses both thresholds on\n" +
				"--dev and reports all three sets. --write FILE saves the model (index/model.json ships in the binary).", runFit},
		"lint": {"[DIR]", "Validate knowledge files (the built-in ones when no DIR is given)",
			"DIR is checked merged over the built-in knowledge, as serve loads it. Every problem is\n" +
				"printed as FILE:LINE: message; exits 1 when there is any.", runLint},
		"topics": {"[--json]", "List the entries the bot answers with: id, kind, source and title",
			"Sources: builtin, team (DVK_KNOWLEDGE_DIR) and captured (answers experts saved in Slack, read from\n" +
				"DVK_DATA_DIR or DVK_REDIS_URL as serve reads them; a running serve holds DVK_DATA_DIR, so stop it first).", runTopics},
		"export": {"[--force] DIR", "Write the answers experts saved in Slack into DIR as knowledge files",
			"Reads them from DVK_REDIS_URL or DVK_DATA_DIR (a running serve holds DVK_DATA_DIR: stop it first).\n" +
				"Each entry is written as DIR/ID.md, with who saved it, when and from where as comments; review\n" +
				"them, run dvkbot lint DIR, and commit them to the team's folder, whose entries win over captured ones.", runExport},
		"version":     {"", "Print the version and build info", "", runVersion},
		"healthcheck": {"", "Exit 0 when a running bot's ops server answers /healthz", "It asks DVK_HTTP_ADDR (default :8080) on this host; container images have no shell or curl for it.", runHealthcheck},
	}
}

func main() {
	os.Exit(run(os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}))
}

// run dispatches to a subcommand and turns its error into an exit code: 0 for success and
// --help, 2 for a command line it cannot run, else the command's own code or 1.
func run(args []string, s stdio) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || (args[0] == "help" && len(args) == 1) {
		usage(s.out)
		return 0
	}
	if args[0] == "help" {
		return run([]string{args[1], "--help"}, s)
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(s.err, "dvkbot: unknown command %q\n\n", args[0])
		usage(s.err)
		return 2
	}
	err := cmd.run(args[1:], s)
	var ue usageError
	var ee exitError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(s.err, "dvkbot %s: %v\n\n", args[0], err)
		commandHelp(s.err, ue.fs)
		return 2
	}
	fmt.Fprintf(s.err, "dvkbot %s: %v\n", args[0], err)
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
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
	fmt.Fprintln(w, "\n\"dvkbot COMMAND --help\" tells more about a command. Configuration comes from the environment.")
}

// parseFlags parses the flags of fs's command. -h or --help prints the command's help and ends
// it with flag.ErrHelp (exit 0); a flag it does not know ends it with a usageError (exit 2).
func parseFlags(fs *flag.FlagSet, args []string, s stdio) error {
	fs.SetOutput(io.Discard) // the flag package would print its own usage on every error; run prints ours once
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		commandHelp(s.out, fs)
		return err
	case err != nil:
		return usageError{fs: fs, err: err}
	}
	return nil
}

// parseNoArgs parses the flags of a command that takes no other arguments.
func parseNoArgs(fs *flag.FlagSet, args []string, s stdio) error {
	if err := parseFlags(fs, args, s); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef(fs, "takes no arguments, got %q", strings.Join(fs.Args(), " "))
	}
	return nil
}

// noFlags is the flag set of a command that has no flags but --help.
func noFlags(name string) *flag.FlagSet {
	return flag.NewFlagSet(name, flag.ContinueOnError)
}

// commandHelp prints the help of fs's command: how to call it, what it does, its flags.
func commandHelp(w io.Writer, fs *flag.FlagSet) {
	c := commands[fs.Name()]
	fmt.Fprintf(w, "Usage: dvkbot %s\n\n%s.\n", strings.TrimSpace(fs.Name()+" "+c.args), c.summary)
	if c.details != "" {
		fmt.Fprintf(w, "\n%s\n", c.details)
	}
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
}

// joinArgs makes one question of the words given on the command line.
func joinArgs(args []string) string {
	return strings.TrimSpace(strings.Join(args, " "))
}
