package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dvkbot/dvkbot/cmd/dvkbot/dvkbottest"
)

// TestEveryCommandAnswersHelpAndRejectsUnknownFlags runs every subcommand of the built binary
// with -h, --help and a flag it does not know.
func TestEveryCommandAnswersHelpAndRejectsUnknownFlags(t *testing.T) {
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			usage := "Usage: dvkbot " + name
			for _, help := range []string{"-h", "--help"} {
				code, out, errOut := dvkbottest.Run(t, "", nil, name, help)
				if code != 0 || !strings.HasPrefix(out, usage) || errOut != "" {
					t.Errorf("%s %s: exit %d, stdout %.80q, stderr %.200q; want 0 and the usage on stdout", name, help, code, out, errOut)
				}
			}
			code, out, errOut := dvkbottest.Run(t, "", nil, name, "--no-such-flag")
			if code != 2 || out != "" || !strings.Contains(errOut, "flag provided but not defined: -no-such-flag") || !strings.Contains(errOut, usage) {
				t.Errorf("%s --no-such-flag: exit %d, stdout %.80q, stderr %.300q; want 2, the problem and the usage on stderr", name, code, out, errOut)
			}
		})
	}
}

func TestCommandLinesThatCannotRun(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"version", "extra"}, `takes no arguments, got "extra"`},
		{[]string{"serve", "now"}, `takes no arguments, got "now"`},
		{[]string{"eval"}, "want one question set FILE, got 0 arguments"},
		{[]string{"lint", "a", "b"}, "want at most one DIR, got 2 arguments"},
		{[]string{"ask", "--bogus", "what", "is", "docker"}, "flag provided but not defined: -bogus"},
	}
	for _, c := range cases {
		code, _, errOut := dvkbottest.Run(t, "", nil, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) || !strings.Contains(errOut, "Usage: dvkbot "+c.args[0]) {
			t.Errorf("%v: exit %d, stderr %.300q; want 2, %q and the usage", c.args, code, errOut, c.want)
		}
	}
	if code, out, _ := dvkbottest.Run(t, "", nil, "help", "eval"); code != 0 || !strings.HasPrefix(out, "Usage: dvkbot eval [--json] [--min 0.95] FILE") {
		t.Errorf("help eval: exit %d, %.80q", code, out)
	}
}

// TestAskKeepsDashesInTheQuestion: once the question has begun, a word with a dash is part of it.
func TestAskKeepsDashesInTheQuestion(t *testing.T) {
	code, out, errOut := dvkbottest.Run(t, "", nil, "ask", "what", "does", "docker", "run", "-it", "do", "--json")
	if a := decodeAnswer(t, out); code != 0 || a.Question != "what does docker run -it do" {
		t.Errorf("exit %d, question %q; stderr %s", code, a.Question, errOut)
	}
}

// TestAskReadsPipedQuestions: with no question and stdin a pipe, ask answers each line.
func TestAskReadsPipedQuestions(t *testing.T) {
	code, out, errOut := dvkbottest.Run(t, "what is docker\nwhat is k8s\n", nil, "ask", "--json")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) != 2 || decodeAnswer(t, lines[1]).ID != "what-is-kubernetes" {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

// TestChatUnderstandsHelpTopicsAndQuit talks to the built binary's chat as a person would.
func TestChatUnderstandsHelpTopicsAndQuit(t *testing.T) {
	code, out, errOut := dvkbottest.Run(t, "help\nmore\ntopics\nwhat is docker\nquit\nwhat is kubernetes\n", nil, "chat")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	for _, want := range []string{chatHelp, "Nothing to show yet", "what-is-kubernetes                 definition", "# " + builtinTitle(t, "what-is-docker")} {
		if !strings.Contains(out, want) {
			t.Errorf("chat output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "I'm not sure") || strings.Contains(out, "# "+builtinTitle(t, "what-is-kubernetes")) {
		t.Errorf("help, topics or a question after quit was answered as a question:\n%s", out)
	}
}

// A long answer is shown in chat and by `ask` as Slack shows it, by the parts about the
// question, with a word on how to see the whole; chat's "more" and `ask --whole` show it.
func TestLongAnswersAreExcerptedInTheTerminal(t *testing.T) {
	const question = "docker compose down deleted my database"
	const whole = "Network shares" // a part of docker-volumes about something else
	_, out, errOut := dvkbottest.Run(t, question+"\nmore\nquit\n", nil, "chat")
	excerpt, rest, ok := strings.Cut(out, "Type more for the whole answer.")
	if !ok || strings.Contains(excerpt, whole) || !strings.Contains(excerpt, "`down -v`") || !strings.Contains(rest, whole) {
		t.Errorf("chat: want the excerpt, the hint, then after more the whole entry:\n%.2000s\nstderr:\n%s", out, errOut)
	}
	_, out, _ = dvkbottest.Run(t, "", nil, "ask", question)
	if strings.Contains(out, whole) || !strings.Contains(out, "dvkbot ask --whole") {
		t.Errorf("ask: want the excerpt and the hint:\n%.2000s", out)
	}
	_, out, _ = dvkbottest.Run(t, "", nil, "ask", "--whole", question)
	if !strings.Contains(out, whole) || strings.Contains(out, "dvkbot ask --whole") {
		t.Errorf("ask --whole: want the whole entry and no hint:\n%.2000s", out)
	}
}

// TestRepositoryStandsAlone: what a user or contributor reads never points outside the repo.
func TestRepositoryStandsAlone(t *testing.T) {
	outside := []string{"DESIGN" + ".md", "DESIGN" + " §", ".." + "/shared"}
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && path != "../.." {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, ref := range outside {
			if strings.Contains(string(data), ref) {
				t.Errorf("%s mentions %s, which is not in the repository", path, ref)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
