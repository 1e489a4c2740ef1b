package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// maxWidth caps the width answers are wrapped to: lines longer than this are hard to read, even
// on a wide terminal.
const maxWidth = 100

// writePlain prints md as it is: Markdown that pipes, files and other tools can read.
func writePlain(w io.Writer, md string) error {
	_, err := fmt.Fprintln(w, md)
	return err
}

// terminalWidth reports whether w is a terminal, and its width in columns.
func terminalWidth(w io.Writer) (int, bool) {
	if !isTerminal(w) {
		return 0, false
	}
	width, _, err := term.GetSize(int(w.(*os.File).Fd()))
	if err != nil || width <= 0 {
		return 80, true // a terminal that does not say its size: the classic width
	}
	return width, true
}

// isTerminal reports whether a stream of the process is a terminal rather than a pipe or a file.
func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
