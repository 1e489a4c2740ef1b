package main

import (
	"bytes"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"

	"github.com/dvkbot/dvkbot/cmd/dvkbot/dvkbottest"
)

// onTerminal runs cmd with stdin or stdout (the other a buffer) on a terminal of cols columns,
// as a person at a terminal runs it; it returns what the terminal showed and the exit code.
func onTerminal(t *testing.T, cmd *exec.Cmd, stdin bool, cols uint16) (shown string, code int) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal on this machine: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: cols}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if stdin {
		cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, &out, &out
	} else {
		cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(""), tty, tty
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	_ = tty.Close() // the child holds its own copy; reading ends once it exits
	var screen bytes.Buffer
	copied := make(chan struct{})
	go func() {
		_, _ = io.Copy(&screen, ptmx) // ends with EIO when the child has exited
		close(copied)
	}()
	err = cmd.Wait()
	if stdin {
		_ = ptmx.Close() // nothing is written to a terminal used as stdin only
	}
	<-copied
	if err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatal(err)
		}
		code = exit.ExitCode()
	}
	if stdin {
		return out.String(), code
	}
	return screen.String(), code
}

// TestAskRendersForATerminal: on a terminal an answer is styled and wrapped to the terminal's
// width; piped, the same answer is plain Markdown.
func TestAskRendersForATerminal(t *testing.T) {
	const cols = 60
	title := builtinTitle(t, "what-is-docker")
	shown, code := onTerminal(t, dvkbottest.Command(t, nil, "ask", "what", "is", "docker"), false, cols)
	plain := ansi.Strip(shown)
	if code != 0 || !strings.Contains(shown, "\x1b[") || !strings.Contains(plain, title) {
		t.Fatalf("exit %d; want 0 and the answer styled with escape codes:\n%q", code, shown)
	}
	if strings.Contains(plain, "# "+title) || strings.Contains(plain, "**") {
		t.Errorf("Markdown markers shown on the terminal:\n%s", plain)
	}
	for _, line := range strings.Split(strings.ReplaceAll(plain, "\r\n", "\n"), "\n") {
		if w := ansi.StringWidth(line); w > cols {
			t.Errorf("line of %d columns on a %d-column terminal: %q", w, cols, line)
		}
	}

	code, out, _ := dvkbottest.Run(t, "", nil, "ask", "what", "is", "docker")
	if code != 0 || !strings.HasPrefix(out, "# "+title+"\n\n**") || strings.Contains(out, "\x1b") {
		t.Errorf("piped: exit %d, want plain Markdown:\n%.300q", code, out)
	}
}

// TestAskWithoutQuestionOnATerminalPrintsUsage: typing `dvkbot ask` alone shows how to use it
// instead of waiting silently for stdin.
func TestAskWithoutQuestionOnATerminalPrintsUsage(t *testing.T) {
	out, code := onTerminal(t, dvkbottest.Command(t, nil, "ask"), true, 80)
	if code != 2 || !strings.Contains(out, "no question") || !strings.Contains(out, "Usage: dvkbot ask") {
		t.Errorf("exit %d, output %q; want 2 and the usage", code, out)
	}
}
