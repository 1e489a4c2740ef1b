package main

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/dvkbot/dvkbot/index"
)

// chatHelp is what `help` says inside chat.
const chatHelp = `Ask anything about Docker and Kubernetes, in your own words: "what is a pod?",
"docker vs kubernetes scaling". After an answer, a short follow-up such as "what about
networking?" is read in its light, as in a Slack thread.

  help     this text
  more     the whole of a long answer, of which only the parts about the question were shown
  topics   everything I can answer (id, kind, title)
  quit     leave (so do exit, an empty line and Ctrl-D)`

// runChat is a terminal conversation: each answer is context for the next question, as in a
// Slack thread ("what about networking?").
func runChat(args []string, s stdio) error {
	if err := parseNoArgs(noFlags("chat"), args, s); err != nil {
		return err
	}
	ix, err := openIndex(s.err)
	if err != nil {
		return err
	}
	defer ix.Close()
	fmt.Fprintf(s.out, "dvkbot %s: ask about Docker and Kubernetes (%d topics). Type help, topics, or quit.\n", version, len(ix.Entries()))
	in := bufio.NewScanner(s.in)
	in.Buffer(make([]byte, 0, 64*1024), 1<<20)
	previous := ""
	var last index.Answer // what "more" shows whole
	for {
		fmt.Fprint(s.out, "\n> ")
		if !in.Scan() {
			fmt.Fprintln(s.out)
			return in.Err()
		}
		q := strings.TrimSpace(in.Text())
		switch strings.ToLower(q) {
		case "", "exit", "quit":
			return nil
		case "help":
			fmt.Fprintln(s.out, chatHelp)
			continue
		case "topics":
			printTopics(s.out, ix.Entries())
			continue
		case "more":
			if last.Question == "" {
				fmt.Fprintln(s.out, "Nothing to show yet: ask a question first.")
				continue
			}
			if err := printAnswer(s.out, last, ""); err != nil {
				return err
			}
			continue
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
		last = a
		if err := printAnswer(s.out, a, "Type more for the whole answer."); err != nil {
			return err
		}
	}
}
