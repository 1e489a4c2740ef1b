package bot

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/dvkbot/dvkbot/bot/internal/ttl"
	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// Action ids of the buttons on the bot's messages; an interactive payload's action_id says which
// was clicked. Slack wants action_ids unique within a block, so a block holding several buttons
// of one kind (related topics, suggestions) numbers them: "dvk_related_0", "dvk_related_1"…
// ActionKind maps any of them back to one of these constants.
const (
	// ActionFeedbackUp is the 👍 button; its value is the entry id.
	ActionFeedbackUp = "dvk_feedback_up"
	// ActionFeedbackDown is the 👎 button; its value is the entry id.
	ActionFeedbackDown = "dvk_feedback_down"
	// ActionRelated asks for a related or suggested entry; its value is the entry id.
	ActionRelated = "dvk_related"
	// ActionWhole asks for the whole entry of an answer that showed only the parts about the
	// question; its value is the entry id.
	ActionWhole = "dvk_whole"
	// ActionShare posts a privately given answer in the channel; its value is the entry id.
	ActionShare = "dvk_share"
	// ActionAnswer opens the Answer modal, where an expert writes an answer the bot keeps. Its
	// value says what is answered: "pending:ID" (a question waiting for an expert), "gap:KEY" (a
	// question of /dvk gaps) or "entry:ID" (a better answer for an entry).
	ActionAnswer = "dvk_answer"
	// ActionAskExperts sends a privately asked question to the experts' channel, at its asker's
	// request; its value is JSON {"q": question, "t": thread ts where the answer goes}.
	ActionAskExperts = "dvk_ask_experts"
)

// ActionKind is the Action… constant an action_id belongs to ("dvk_related_2" -> ActionRelated),
// or "" for an action this package did not create. Route on it rather than on the raw id.
func ActionKind(actionID string) string {
	for _, kind := range []string{ActionFeedbackUp, ActionFeedbackDown, ActionRelated, ActionWhole, ActionShare, ActionAnswer, ActionAskExperts} {
		if actionID == kind || strings.HasPrefix(actionID, kind+"_") {
			return kind
		}
	}
	return ""
}

// Block ids of the blocks ThankYouMessage and tests look for.
const (
	blockFeedback = "feedback"
	blockShare    = "share"
	blockSuggest  = "suggest"
	blockWhole    = "whole"
)

// Slack's Block Kit limits (https://docs.slack.dev/reference/block-kit), and our own caps.
const (
	maxBlocks      = 50
	maxSectionText = 3000
	maxHeaderText  = 150
	maxButtonText  = 75
	maxButtonValue = 2000
	maxQuestion    = 200 // how much of a question the context line repeats
	maxSources     = 3
	maxButtons     = 5 // more related topics than this make a wall of buttons
	maxSuggestions = 3
	maxFallback    = 300 // notification text: a preview, not the answer
	maxSourceLabel = 60
)

// answerCut ends an answer too long for one Slack message.
const answerCut = "_…(answer cut; ask a narrower question)_"

// Message is a Slack message ready to post: Block Kit blocks and the plain Text Slack shows in
// notifications and where blocks cannot be displayed.
type Message struct {
	Text   string
	Blocks []slack.Block
}

// MessageOptions say where and for whom an answer is shown.
type MessageOptions struct {
	// Ephemeral marks an answer only the asker sees (a slash command): it gets a "Share in
	// channel" button instead of feedback buttons, since feedback on a private copy would be lost.
	Ephemeral bool
	// Asker is the Slack user id of who asked, for an "Asked by @…" line; optional.
	Asker string
	// Question is the question as asked, repeated in the context line; optional.
	Question string
	// Expert is the Slack user id of who wrote the answer, for an "Answered by @…" line; optional.
	Expert string
	// Loop is what a reply the bot could not answer offers to get the question answered.
	Loop LoopOffer
}

// LoopOffer is what a "not sure" reply offers: an Answer button for whoever knows (a public
// question), or an "Ask the experts" button for the asker of a private one.
type LoopOffer struct {
	// Pending is the id of the question waiting for an expert: the reply offers to answer it.
	Pending string
	// ExpertsChannel is where the question was posted for the experts, for the reply to say so.
	ExpertsChannel string
	// AskExperts is the value of an "Ask the experts" button, for a private question.
	AskExperts string
}

// AnswerMessage lays out an answer for Slack: title, body, related topics, sources and feedback
// buttons; or, when the bot does not know, what it can answer and the closest topics to pick.
// Whatever the answer holds, the message stays within Slack's limits (50 blocks, 3000
// characters per section, 150 per header, 75 per button), and all entry text is escaped.
func AnswerMessage(a index.Answer, opts MessageOptions) Message {
	if !a.Answered {
		return notSureMessage(a, opts)
	}
	e := a.Entry
	head := []slack.Block{headerBlock("title", entryTitle(e))}
	head = appendBlock(head, questionBlock(opts))
	if !a.Sure {
		head = append(head, contextBlock("unsure", renderedBody(index.UnsureNote)))
	}
	var tail []slack.Block
	var body string
	if a.Excerpt != "" && len(e.ID) <= maxButtonValue {
		// Not cached: an excerpt is the question's own, and would only push bodies out.
		body = Mrkdwn(a.Excerpt)
		tail = append(tail, contextBlock("excerpt_note", renderedBody(index.ExcerptNote)),
			slack.NewActionBlock(blockWhole, button(ActionWhole, e.ID, "📖 Read the whole answer")))
	} else {
		body = renderedBody(e.Body)
	}
	if buttons := entryButtons(ActionRelated, a.Suggestions, maxSuggestions); len(buttons) > 0 {
		tail = append(tail, contextBlock("alternatives_label", "*Not it? Other topics that may fit:*"),
			slack.NewActionBlock("alternatives", buttons...))
	}
	if buttons := entryButtons(ActionRelated, a.Related, maxButtons); len(buttons) > 0 {
		tail = append(tail, contextBlock("related_label", "*Related:*"), slack.NewActionBlock("related", buttons...))
	}
	tail = appendBlock(tail, sourcesBlock(e.Sources))
	tail = appendBlock(tail, actionsFooter(e.ID, opts.Ephemeral))
	return Message{Text: answerText(e), Blocks: concat(head, bodyBlocks("answer", body, maxBlocks-len(head)-len(tail)), tail)}
}

// renderedBodies remembers the mrkdwn of the knowledge base's bodies: an entry's body never
// changes (a reload brings new text, hence a new key), and parsing it again for every answer was
// the most expensive part of formatting one. Bounded like every cache the bot keeps.
var renderedBodies = ttl.New[string](1024, 24*time.Hour, nil)

// renderedBody is Mrkdwn(md), converted once per distinct text.
func renderedBody(md string) string {
	if out, ok := renderedBodies.Get(md); ok {
		return out
	}
	out := Mrkdwn(md)
	renderedBodies.Set(md, out)
	return out
}

// plainSummary is an entry's one-line summary as plain text, converted once per distinct text
// like its body (the key's prefix keeps the two apart).
func plainSummary(md string) string {
	key := "summary\x00" + md
	if out, ok := renderedBodies.Get(key); ok {
		return out
	}
	out := oneLine(plainText(md))
	renderedBodies.Set(key, out)
	return out
}

// notSureMessage says kindly that the bot does not know, what it can answer, and offers the
// closest topics as buttons so the person can pick one rather than guess a new phrasing.
func notSureMessage(a index.Answer, opts MessageOptions) Message {
	head := appendBlock(nil, questionBlock(opts))
	var tail []slack.Block
	if buttons := entryButtons(ActionRelated, a.Suggestions, maxSuggestions); len(buttons) > 0 {
		tail = append(tail, contextBlock("suggestions_label", "Or pick the closest topic:"),
			slack.NewActionBlock("suggestions", buttons...))
	}
	tail = append(tail, loopBlocks(opts.Loop)...)
	body := bodyBlocks("fallback", renderedBody(a.Fallback), maxBlocks-len(head)-len(tail))
	return Message{Text: notSureText(a.Fallback), Blocks: concat(head, body, tail)}
}

// notSureText is the notification text of a message that does not answer: the first paragraph
// of what it says, which differs for a near miss and for a question it cannot place, or
// notSure when it says nothing.
func notSureText(fallback string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(fallback), "\n\n")
	text := plainSummary(first)
	if text == "" {
		text = notSure
	}
	return fit(strings.ToValidUTF8(text, "\uFFFD"), maxFallback, EscapeText)
}

// notSure is the notification text of a message that does not answer and has nothing to say.
const notSure = "I'm not sure I can answer that one."

// TextMessage is a message of a title and a mrkdwn body the caller has already escaped (help,
// topic lists): a header and as many sections as the body needs, within Slack's limits.
func TextMessage(title, mrkdwn string) Message {
	head := []slack.Block{headerBlock("title", title)}
	body := bodyBlocks("text", mrkdwn, maxBlocks-len(head))
	return Message{Text: fit(oneLine(title), maxFallback, EscapeText), Blocks: concat(head, body)}
}

// ThankYouMessage is the message after someone clicked a feedback button on the answer made of
// entry entryID: the same blocks, with the feedback buttons replaced by a thank-you, so the vote
// visibly counted and is not repeated. After a 👎 it offers "Suggest a better answer", which
// opens the Answer modal on that entry.
func ThankYouMessage(original Message, up bool, entryID string) Message {
	thanks := "Thanks for the feedback! 👍"
	if !up {
		thanks = "Thanks for the feedback! 👎 We'll use it to improve this answer."
	}
	var blocks []slack.Block
	for _, b := range original.Blocks {
		if b == nil || b.ID() != blockFeedback {
			blocks = append(blocks, b)
			continue
		}
		blocks = append(blocks, contextBlock(blockFeedback, thanks))
		if !up && entryID != "" && len(entryID) <= maxButtonValue-len("entry:") {
			suggest := button(ActionAnswer, "entry:"+entryID, "✍️ Suggest a better answer")
			blocks = append(blocks, slack.NewActionBlock(blockSuggest, suggest))
		}
	}
	return Message{Text: original.Text, Blocks: blocks}
}

// bodyBlocks splits mrkdwn into sections with block ids prefix_0, prefix_1…, using at most room
// blocks; when the text needs more, the last one says the answer was cut.
func bodyBlocks(prefix, mrkdwn string, room int) []slack.Block {
	chunks := splitMrkdwn(mrkdwn, maxSectionText)
	cutShort := len(chunks) > room
	if cutShort {
		chunks = chunks[:max(room-1, 0)]
	}
	blocks := make([]slack.Block, 0, len(chunks)+1)
	for i, c := range chunks {
		blocks = append(blocks, sectionBlock(prefix+"_"+strconv.Itoa(i), c))
	}
	if cutShort && room > 0 {
		blocks = append(blocks, sectionBlock(prefix+"_cut", answerCut))
	}
	return blocks
}

// entryButtons makes one button per entry (at most limit), numbered action ids of the given
// kind, valued by entry id. Entries without a usable id, or already offered, get no button.
func entryButtons(kind string, entries []knowledge.Entry, limit int) []slack.BlockElement {
	var buttons []slack.BlockElement
	seen := map[string]bool{}
	for _, e := range entries {
		if len(buttons) == limit {
			break
		}
		if e.ID == "" || len(e.ID) > maxButtonValue || seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		id := kind + "_" + strconv.Itoa(len(buttons))
		buttons = append(buttons, button(id, e.ID, entryTitle(e)))
	}
	return buttons
}

// actionsFooter is the feedback buttons, or for a private answer the share button; nil when the
// entry has no id a button could carry.
func actionsFooter(entryID string, ephemeral bool) slack.Block {
	if entryID == "" || len(entryID) > maxButtonValue {
		return nil
	}
	if ephemeral {
		share := button(ActionShare, entryID, "Share in channel").WithStyle(slack.StylePrimary)
		return slack.NewActionBlock(blockShare, share)
	}
	return slack.NewActionBlock(blockFeedback,
		button(ActionFeedbackUp, entryID, "👍 Helpful"),
		button(ActionFeedbackDown, entryID, "👎 Not helpful"))
}

// sourcesBlock links up to maxSources sources as <url|host/path>; nil when none is a web link.
func sourcesBlock(sources []string) slack.Block {
	const sep = " · "
	text, n := "Sources: ", 0
	for _, s := range sources {
		link, ok := sourceLink(s)
		if n == maxSources {
			break
		}
		if !ok || textLen(text)+len(sep)+textLen(link) > maxSectionText {
			continue // long URLs are left out rather than overflow the line
		}
		if n > 0 {
			text += sep
		}
		text += link
		n++
	}
	if n == 0 {
		return nil
	}
	return contextBlock("sources", text)
}

// sourceLink is a source as a short link: the reader sees where it goes without the noise.
func sourceLink(source string) (string, bool) {
	target, ok := linkURL(source)
	if !ok {
		return "", false
	}
	u, err := url.Parse(strings.TrimSpace(source))
	if err != nil {
		return "", false
	}
	label := strings.TrimPrefix(u.Host, "www.") + strings.TrimRight(u.Path, "/")
	if u.Scheme == "mailto" || label == "" {
		label = u.Opaque
	}
	return "<" + target + "|" + escapeLabel(cut(label, maxSourceLabel)) + ">", true
}

// questionBlock repeats who asked what (and who answered), so an answer shared in a channel
// reads on its own.
func questionBlock(opts MessageOptions) slack.Block {
	var parts []string
	if userID.MatchString(opts.Asker) {
		parts = append(parts, "Asked by <@"+opts.Asker+">")
	}
	if q := oneLine(opts.Question); q != "" {
		parts = append(parts, "“"+EscapeText(cut(q, maxQuestion))+"”")
	}
	line := strings.Join(parts, ": ")
	if userID.MatchString(opts.Expert) {
		line = strings.TrimPrefix(line+" · Answered by <@"+opts.Expert+">", " · ")
	}
	if line == "" {
		return nil
	}
	return contextBlock("question", line)
}

// userID is a Slack user id as a mention may carry it; anything else is not emitted as one.
var userID = regexp.MustCompile(`^[UW][A-Z0-9]{1,30}$`)

// answerText is the notification text: the title and the one-line summary, as plain text.
// Invalid UTF-8 in an entry becomes U+FFFD: blocks are JSON, which repairs it on the way, but
// the text goes to Slack as a form field, byte for byte.
func answerText(e knowledge.Entry) string {
	text := entryTitle(e)
	if summary := plainSummary(e.Summary()); summary != "" {
		text += ": " + summary
	}
	return fit(strings.ToValidUTF8(text, "\uFFFD"), maxFallback, EscapeText)
}

// entryTitle is the title an entry is shown by: its title, else its id.
func entryTitle(e knowledge.Entry) string {
	if t := oneLine(e.Title); t != "" {
		return t
	}
	if e.ID != "" {
		return e.ID
	}
	return "Answer"
}

// oneLine collapses runs of white space, newlines included, into single spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func headerBlock(id, title string) slack.Block {
	if title = oneLine(title); title == "" {
		title = "dvkbot"
	}
	return slack.NewHeaderBlock(plainTextObject(title, maxHeaderText), slack.HeaderBlockOptionBlockID(id))
}

// plainTextObject is text shown without formatting, cut to limit. Slack treats &, < and > as
// control characters in every text object, plain_text included, and decodes the escapes for
// display; so titles are escaped like any text we did not write.
func plainTextObject(s string, limit int) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, fit(oneLine(s), limit, EscapeText), true, false)
}

func sectionBlock(id, mrkdwn string) slack.Block {
	text := slack.NewTextBlockObject(slack.MarkdownType, mrkdwn, false, false)
	return slack.NewSectionBlock(text, nil, nil, slack.SectionBlockOptionBlockID(id))
}

func contextBlock(id, mrkdwn string) slack.Block {
	return slack.NewContextBlock(id, slack.NewTextBlockObject(slack.MarkdownType, mrkdwn, false, false))
}

func button(actionID, value, label string) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(actionID, value, plainTextObject(label, maxButtonText))
}

// appendBlock appends b unless it is nil, for blocks a message may go without.
func appendBlock(blocks []slack.Block, b slack.Block) []slack.Block {
	if b == nil {
		return blocks
	}
	return append(blocks, b)
}

func concat(parts ...[]slack.Block) []slack.Block {
	var all []slack.Block
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}
