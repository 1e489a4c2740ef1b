package main

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/dvkbot/dvkbot/index"
)

// runChat is a terminal conversation: each answer is context for the next question, as in a
// Slack thread ("what about networking?").
func runChat(args []string, s stdio) error {
	if err := parseNoArgs(noFlags("chat"), args, s); err != nil {
		return err
	}
	ix, err := openIndex()
	if err != nil {
		return err
	}
	defer ix.Close()
	fmt.Fprintf(s.out, "dvkbot %s: ask about Docker and Kubernetes (%d topics). Empty line or Ctrl-D to quit.\n", version, len(ix.Entries()))
	in := bufio.NewScanner(s.in)
	in.Buffer(make([]byte, 0, 64*1024), 1<<20)
	previous := ""
	for {
		fmt.Fprint(s.out, "\n> ")
		if !in.Scan() {
			fmt.Fprintln(s.out)
			return in.Err()
		}
		q := strings.TrimSpace(in.Text())
		if q == "" || q == "exit" || q == "quit" {
			return nil
		}
		var a index.Answer
		if previous != "" {
			a = ix.FollowUp(q, previous)
		} else {
			a = ix.Answer(q)
		}
		if a.Answered {
			previous = a.Entry.ID
		}
		if err := printAnswer(s.out, a, false); err != nil {
			return err
		}
	}
}
