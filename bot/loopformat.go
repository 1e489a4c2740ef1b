package bot

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/dvkbot/dvkbot/bot/brain"
)

// The Answer modal's contract, kept stable for the tools and tests that drive it: its
// callback_id, the message shortcut that opens it on any message, and the block ids of its
// inputs, each a plain_text_input. Every button that opens it has an action_id starting with
// ActionAnswer.
const (
	// AnswerCallbackID is the Answer modal's callback_id.
	AnswerCallbackID = "dvk_answer"
	// SaveAnswerCallbackID is the callback_id of the message shortcut "Save as dvkbot answer".
	SaveAnswerCallbackID = "dvk_save_answer"
	// BlockTitle holds the entry's title.
	BlockTitle = "title"
	// BlockAnswer holds the answer, in Markdown.
	BlockAnswer = "answer"
	// BlockQuestions holds the ways of asking, one a line.
	BlockQuestions = "questions"
	// BlockEntities holds what the answer is about, comma-separated.
	BlockEntities = "entities"
)

// Modal limits: Slack's for plain_text_input (3000) and our own for short fields.
const (
	maxTitleInput     = 150
	maxAnswerInput    = 3000
	maxQuestionsInput = 3000
	maxEntitiesInput  = 500
	// maxInputError bounds the message shown under an input.
	maxInputError = 500
)

// answerDraft is what the Answer modal shows or what a person submitted in it.
type answerDraft struct {
	Title     string
	Answer    string
	Questions []string
	Entities  []string
}

// loopBlocks are what a "not sure" reply offers to get the question answered.
func loopBlocks(o LoopOffer) []slack.Block {
	var blocks []slack.Block
	if o.Pending != "" && len(o.Pending) <= maxButtonValue-len("pending:") {
		note := "Know the answer? Write it once and I will answer with it from now on."
		if o.ExpertsChannel != "" {
			note = "I have asked the experts in <#" + o.ExpertsChannel + ">; their answer will be posted in this thread. Know it yourself? Write it once and I will answer with it from now on."
		}
		blocks = append(blocks, contextBlock("loop_note", note),
			slack.NewActionBlock("loop", button(ActionAnswer, "pending:"+o.Pending, "✍️ Answer it")))
	}
	if o.AskExperts != "" && len(o.AskExperts) <= maxButtonValue {
		ask := button(ActionAskExperts, o.AskExperts, "🙋 Ask the experts").WithStyle(slack.StylePrimary)
		blocks = append(blocks, contextBlock("loop_note", "You asked privately: only you see this question. Want the team's experts to answer it? Their answer comes back to you here."),
			slack.NewActionBlock("loop", ask))
	}
	return blocks
}

// ExpertsMessage is a question waiting for an expert, as posted in the experts' channel: the
// question, who asked, a link to the thread when it was public, and an Answer button.
func ExpertsMessage(p brain.Pending, link string) Message {
	where := "Asked privately; the answer goes back to them."
	if target, ok := linkURL(link); ok {
		where = "<" + target + "|Open the thread>"
	}
	asker := ""
	if userID.MatchString(p.Asker) {
		asker = "<@" + p.Asker + "> asked"
	}
	text := fmt.Sprintf("%s, and I could not answer:\n>%s", strings.TrimSpace("❓ "+asker), fit(oneLine(p.Question), maxSectionText-200, EscapeText))
	blocks := []slack.Block{
		sectionBlock("question", text),
		contextBlock("where", where),
		slack.NewActionBlock("answer", button(ActionAnswer, "pending:"+p.ID, "✍️ Answer").WithStyle(slack.StylePrimary)),
	}
	return Message{Text: fit("Question for the experts: "+oneLine(p.Question), maxFallback, EscapeText), Blocks: blocks}
}

// GapsMessage lists the questions the bot could not answer lately: the public ones, each with an
// Answer button, then the viewer's own private ones, which only they see.
func GapsMessage(public, own []brain.Gap) Message {
	if len(public) == 0 && len(own) == 0 {
		return TextMessage("Unanswered questions", "No unanswered questions lately. :tada:")
	}
	blocks := []slack.Block{headerBlock("title", "Unanswered questions")}
	if len(public) > 0 {
		blocks = append(blocks, sectionBlock("public_intro",
			"The questions I could not answer lately, most asked first. Each is an answer waiting to be written: *Answer* one and I will answer with it from now on."))
		for i, g := range public {
			line := sectionBlock(fmt.Sprintf("gap_%d", i), gapLine(g)).(*slack.SectionBlock)
			if len(g.Key) <= maxButtonValue-len("gap:") {
				line.Accessory = slack.NewAccessory(button(ActionAnswer, "gap:"+g.Key, "✍️ Answer"))
			}
			blocks = append(blocks, line)
		}
	}
	if len(own) > 0 {
		var s strings.Builder
		s.WriteString("*Your own unanswered questions* (asked privately; only you see these):\n\n")
		for _, g := range own {
			s.WriteString("• " + gapLine(g) + "\n")
		}
		blocks = append(blocks, bodyBlocks("own", s.String(), maxBlocks-len(blocks))...)
	}
	return Message{Text: "Unanswered questions", Blocks: blocks}
}

// gapLine is one unanswered question: its words, how often and when last asked.
func gapLine(g brain.Gap) string {
	return fmt.Sprintf("%s (%d×, last %s)", EscapeText(cut(oneLine(g.Question), maxGapShown)), g.Count, g.Latest.At.UTC().Format("Jan 2 15:04 MST"))
}

// maxGapShown bounds how much of a question /dvk gaps repeats.
const maxGapShown = 300

// AnswerModal is the modal where an expert writes an answer the bot keeps: a title, the answer
// in Markdown, the ways of asking it (prefilled with the question) and what it is about. note
// says what is being answered; metadata comes back with the submission.
func AnswerModal(d answerDraft, note, metadata string) slack.ModalViewRequest {
	var blocks []slack.Block
	if note != "" {
		blocks = append(blocks, contextBlock("about", cut(note, maxSectionText)))
	}
	answerHint := "Markdown. The first line is the one-line summary shown first (made bold if it is not)."
	answer := d.Answer
	if textLen(answer) > maxAnswerInput {
		answer, answerHint = "", "The current answer is longer than this field holds: write the new one in full. "+answerHint
	}
	blocks = append(blocks,
		inputBlock(BlockTitle, "Title", "e.g. Cleaning up Docker disk space", "", d.Title, false, maxTitleInput),
		inputBlock(BlockAnswer, "Answer", "What you would tell a colleague who asks.", answerHint, answer, true, maxAnswerInput),
		inputBlock(BlockQuestions, "Questions", "how do I free disk space used by docker", "How people ask it, one a line: new questions are matched against these.",
			fitLines(d.Questions, maxQuestionsInput), true, maxQuestionsInput),
		inputBlock(BlockEntities, "About", "docker, images", "What it is about, comma-separated (optional).",
			cut(strings.Join(d.Entities, ", "), maxEntitiesInput), false, maxEntitiesInput),
	)
	blocks[len(blocks)-1].(*slack.InputBlock).Optional = true
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: AnswerCallbackID, PrivateMetadata: metadata,
		Title:  slack.NewTextBlockObject(slack.PlainTextType, "Answer for dvkbot", false, false),
		Submit: slack.NewTextBlockObject(slack.PlainTextType, "Save answer", false, false),
		Close:  slack.NewTextBlockObject(slack.PlainTextType, "Cancel", false, false),
		Blocks: slack.Blocks{BlockSet: blocks},
	}
}

// inputBlock is one of the Answer modal's text inputs; its action_id is the block id with
// "_input".
func inputBlock(blockID, label, placeholder, hint, initial string, multiline bool, maxLen int) *slack.InputBlock {
	el := slack.NewPlainTextInputBlockElement(slack.NewTextBlockObject(slack.PlainTextType, placeholder, false, false), blockID+"_input")
	el.InitialValue = cut(initial, maxLen)
	el.Multiline = multiline
	el.MaxLength = maxLen
	var hintText *slack.TextBlockObject
	if hint != "" {
		hintText = slack.NewTextBlockObject(slack.PlainTextType, hint, false, false)
	}
	return slack.NewInputBlock(blockID, slack.NewTextBlockObject(slack.PlainTextType, label, false, false), hintText, el)
}

// fitLines joins lines one a line, keeping as many whole ones as fit in max characters.
func fitLines(lines []string, max int) string {
	var kept []string
	n := 0
	for _, l := range lines {
		l = oneLine(l)
		if n+textLen(l)+1 > max {
			break
		}
		kept = append(kept, l)
		n += textLen(l) + 1
	}
	return strings.Join(kept, "\n")
}

// readDraft is what a person submitted in the Answer modal.
func readDraft(state *slack.ViewState) answerDraft {
	value := func(block string) string {
		if state == nil {
			return ""
		}
		return strings.TrimSpace(state.Values[block][block+"_input"].Value)
	}
	d := answerDraft{Title: oneLine(value(BlockTitle)), Answer: value(BlockAnswer)}
	for _, q := range strings.Split(value(BlockQuestions), "\n") {
		if q = oneLine(q); q != "" {
			d.Questions = append(d.Questions, q)
		}
	}
	for _, e := range strings.Split(value(BlockEntities), ",") {
		if e = strings.ToLower(oneLine(e)); e != "" {
			d.Entities = append(d.Entities, e)
		}
	}
	return d
}
