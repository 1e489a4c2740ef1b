package bot

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/dvkbot/dvkbot/knowledge"
)

// maxIDLength bounds an id made from a title.
const maxIDLength = 60

// draftEntry is the knowledge entry an Answer modal's draft makes. A better answer for an entry
// keeps that entry's id, kind, aspects, related entries and sources; a new one is a FAQ whose
// id is made from its title, unused by any entry the bot answers with.
func (b *Bot) draftEntry(d answerDraft, target modalTarget) knowledge.Entry {
	e := knowledge.Entry{Kind: knowledge.FAQ}
	if base, ok := b.opts.Answerer.Entry(target.Entry); target.Entry != "" && ok {
		e = knowledge.Entry{Kind: base.Kind, Aspects: base.Aspects, Related: base.Related, Sources: base.Sources}
	}
	e.ID = target.Entry
	if e.ID == "" {
		e.ID = b.newEntryID(d.Title)
	}
	e.Title, e.Questions, e.Entities = d.Title, d.Questions, d.Entities
	e.Body = withSummary(d.Answer, d.Title)
	return e
}

// newEntryID makes an id from a title, kebab-case as entry ids are, with a number added when an
// entry the bot answers with has it already.
func (b *Bot) newEntryID(title string) string {
	base := slug(title)
	if base == "" {
		base = "answer"
	}
	id := base
	for n := 2; n < 1000; n++ {
		if _, taken := b.opts.Answerer.Entry(id); !taken {
			break
		}
		id = fmt.Sprintf("%s-%d", base, n)
	}
	return id
}

// notSlug is what an id cannot hold: everything but lower-case ASCII letters and digits.
var notSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slug is text as a kebab-case id of at most maxIDLength characters, cut at a dash.
func slug(text string) string {
	s := strings.Trim(notSlug.ReplaceAllString(strings.ToLower(text), "-"), "-")
	if len(s) > maxIDLength {
		s = s[:maxIDLength]
		if i := strings.LastIndex(s, "-"); i > 0 {
			s = s[:i]
		}
	}
	return strings.Trim(s, "-")
}

// withSummary makes an answer open with the one-line summary in bold that knowledge entries
// open with: its first line made bold when it is plain text, or else the title as the summary.
func withSummary(answer, title string) string {
	answer = strings.TrimSpace(answer)
	if answer == "" || strings.HasPrefix(answer, "**") {
		return answer
	}
	first, rest, _ := strings.Cut(answer, "\n")
	first = strings.TrimSpace(strings.TrimLeft(first, "# "))
	if startsBlock(first) || first == "" {
		return "**" + strings.TrimRight(oneLine(title), ".") + ".**\n\n" + answer
	}
	return strings.TrimSpace("**" + first + "**\n" + rest)
}

// blockStart is a line that opens Markdown other than a paragraph: a fence, a list, a quote,
// a table, indented code.
var blockStart = regexp.MustCompile("^(```|~~~|[-*+] |\\d+[.)] |>|\\||    |\\t)")

func startsBlock(line string) bool {
	return blockStart.MatchString(line)
}

// checkEntry writes e as a knowledge file and checks it as `dvkbot lint` checks a team's
// folder: the file on its own, then its related ids against every entry the bot answers with.
// Problems come back by the modal block a person fixes them in.
func (b *Bot) checkEntry(e knowledge.Entry) ([]byte, map[string]string) {
	md := knowledge.Format(e, "")
	parsed, problems := knowledge.Parse(e.ID+".md", md)
	if len(problems) == 0 {
		known := knowledge.Merge(b.opts.Answerer.Entries(), []knowledge.Entry{parsed})
		errors.As(knowledge.Validate([]knowledge.Entry{parsed}, known), &problems)
	}
	if len(problems) == 0 {
		return md, nil
	}
	byBlock := map[string]string{}
	for _, p := range problems {
		block := blockOfLine(md, p.Line)
		byBlock[block] = cut(strings.TrimPrefix(byBlock[block]+"; "+p.Msg, "; "), maxInputError)
	}
	return md, byBlock
}

// frontKey is a top-level front matter key at the start of a line.
var frontKey = regexp.MustCompile(`^([a-z]+):`)

// blockOfLine is the modal block that wrote line of an entry file (see knowledge.Format): the
// field's input, or the answer for the body and for fields the modal does not show.
func blockOfLine(md []byte, line int) string {
	key, delimiters := "", 0
	for i, l := range strings.Split(string(md), "\n") {
		if strings.TrimSpace(l) == "---" {
			delimiters++
		} else if m := frontKey.FindStringSubmatch(l); m != nil && delimiters == 1 {
			key = m[1]
		}
		if i+1 == line {
			break
		}
	}
	switch {
	case delimiters != 1:
		return BlockAnswer
	case key == "title" || key == "id":
		return BlockTitle
	case key == "questions":
		return BlockQuestions
	case key == "entities":
		return BlockEntities
	}
	return BlockAnswer
}
