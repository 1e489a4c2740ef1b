package bot

import (
	"context"
	"fmt"
	"html"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/dvkbot/dvkbot/bot/brain"
	"github.com/dvkbot/dvkbot/knowledge"
)

// subcommand is one word the slash command understands; the table of them also renders help.
type subcommand struct {
	name    string
	usage   string
	summary string
	run     func(b *Bot, ctx context.Context, cmd slack.SlashCommand) Message
}

// subcommands are matched on the first word of the command's text; any other text is a
// question. The first match wins. The table is filled in init because help renders it.
var subcommands []subcommand

func init() {
	subcommands = []subcommand{
		{"help", "help", "how to ask and what I know", (*Bot).helpMessage},
		{"topics", "topics", "every topic I can answer", (*Bot).topicsMessage},
		{"gaps", "gaps", "the questions I could not answer lately, most asked first, each with an Answer button (and your own private ones, for you only)", (*Bot).gapsMessage},
		{"forget", "forget ID", "withdraw an answer saved from Slack (its author or an admin only)", (*Bot).forgetMessage},
	}
}

// maxGapsShown is how many unanswered questions /dvk gaps lists.
const maxGapsShown = 10

// slash answers a slash command through its response_url, so only the asker sees it, even in
// channels the bot is not a member of.
func (b *Bot) slash(ctx context.Context, cmd slack.SlashCommand, received time.Time) {
	text := strings.TrimSpace(cmd.Text)
	word := strings.ToLower(strings.Fields(text + " help")[0]) // empty text is help
	for _, sc := range subcommands {
		if sc.name == word {
			b.respond(ctx, cmd.ResponseURL, sc.run(b, ctx, cmd), slack.ResponseTypeEphemeral)
			return
		}
	}
	a := b.opts.Answerer.Answer(text)
	// Only the asker sees a slash command's answer, so its question is private wherever asked.
	b.asked(ctx, a, brain.Ask{User: cmd.UserID, Channel: cmd.ChannelID})
	opts := MessageOptions{Ephemeral: true, Question: html.UnescapeString(text)}
	if !a.Answered {
		opts.Loop = b.loopOffer(a.Match.Question.Text, cmd.UserID, cmd.ChannelID, "", false)
	}
	msg := AnswerMessage(a, opts)
	if b.respond(ctx, cmd.ResponseURL, msg, slack.ResponseTypeEphemeral) {
		b.answered(a, sourceSlash, received, "channel", cmd.ChannelID, "user", cmd.UserID)
	}
}

// respond posts msg to a response_url and reports whether it went through.
func (b *Bot) respond(ctx context.Context, url string, msg Message, responseType string) bool {
	return b.respondWith(ctx, url, webhook(msg, responseType))
}

// respondWith posts wm to a response_url and reports whether it went through.
func (b *Bot) respondWith(ctx context.Context, url string, wm slack.WebhookMessage) bool {
	if err := b.replier.Respond(ctx, url, wm); err != nil {
		b.log.Error("response_url reply failed", "err", err)
		return false
	}
	return true
}

// webhook is msg as a response_url payload.
func webhook(msg Message, responseType string) slack.WebhookMessage {
	blocks := slack.Blocks{BlockSet: msg.Blocks}
	return slack.WebhookMessage{Text: msg.Text, Blocks: &blocks, ResponseType: responseType}
}

func (b *Bot) helpMessage(context.Context, slack.SlashCommand) Message {
	var s strings.Builder
	s.WriteString("*Ask me about Docker and Kubernetes.* Mention me in a channel and I answer in the thread, ")
	s.WriteString("send me a direct message, or use the slash command (only you see the answer):\n\n")
	fmt.Fprintf(&s, "• `%s QUESTION`: answer a question, e.g. `%s what is the difference between docker and kubernetes`\n", b.opts.SlashCommand, b.opts.SlashCommand)
	for _, sc := range subcommands {
		fmt.Fprintf(&s, "• `%s %s`: %s\n", b.opts.SlashCommand, sc.usage, sc.summary)
	}
	s.WriteString("\nIn a thread I remember what we talked about: after an answer, just ask \"what about networking?\".")
	return TextMessage("How to use dvkbot", s.String())
}

func (b *Bot) topicsMessage(context.Context, slack.SlashCommand) Message {
	return TextMessage("What I can answer", topicsMrkdwn(b.opts.Answerer.Entries()))
}

// topicsMrkdwn lists entry titles grouped by kind.
func topicsMrkdwn(entries []knowledge.Entry) string {
	var s strings.Builder
	for _, kind := range knowledge.Kinds {
		var titles []string
		for _, e := range entries {
			if e.Kind == kind {
				titles = append(titles, EscapeText(e.Title))
			}
		}
		if len(titles) > 0 {
			fmt.Fprintf(&s, "*%s*: %s\n\n", kindHeading[kind], strings.Join(titles, " · "))
		}
	}
	return s.String()
}

// kindHeading names each kind of entry for people.
var kindHeading = map[knowledge.Kind]string{
	knowledge.Definition: "What things are", knowledge.Difference: "Differences",
	knowledge.Together: "How they work together", knowledge.HowTo: "How to", knowledge.FAQ: "Common questions",
}

// gapsMessage lists the questions asked where everyone could see them, each with an Answer
// button, then the asker's own private ones: a slash command's answer is shown to its asker
// only.
func (b *Bot) gapsMessage(ctx context.Context, cmd slack.SlashCommand) Message {
	public, own, err := b.listGaps(ctx, cmd.UserID)
	if err != nil {
		return TextMessage("Unanswered questions", "I cannot reach my memory right now, so I cannot list them: try again in a moment.")
	}
	return GapsMessage(public, own)
}

// forgetMessage withdraws an answer saved from Slack: every replica stops answering with it. Only
// an author of one of its versions or an admin (DVK_ADMINS) may.
func (b *Bot) forgetMessage(ctx context.Context, cmd slack.SlashCommand) Message {
	fields := strings.Fields(cmd.Text)
	if len(fields) != 2 {
		return TextMessage("Forget an answer", fmt.Sprintf("Say which: `%s forget ID`, with the id of an answer saved from Slack (`dvkbot topics` lists them).", b.opts.SlashCommand))
	}
	id := fields[1]
	ctx, cancel := context.WithTimeout(ctx, brainTimeout)
	defer cancel()
	history, err := b.brain.History(ctx, id)
	if err != nil {
		b.brainFailed("history", err)
		return TextMessage("Forget an answer", "I cannot reach my memory right now: try again in a moment.")
	}
	if len(history) == 0 {
		return TextMessage("Forget an answer", fmt.Sprintf("No answer saved from Slack has the id `%s`. Built-in answers and the team's knowledge folder are changed in their files.", EscapeText(id)))
	}
	if !b.mayForget(cmd.UserID, history) {
		return TextMessage("Forget an answer", fmt.Sprintf("Only who wrote `%s` or an admin may withdraw it.", EscapeText(id)))
	}
	if _, err := b.brain.WithdrawEntry(ctx, id); err != nil {
		b.brainFailed("withdraw_entry", err)
		return TextMessage("Forget an answer", "I cannot reach my memory right now: try again in a moment.")
	}
	b.log.Info("answer withdrawn", "entry", id, "by", cmd.UserID)
	return TextMessage("Forget an answer", fmt.Sprintf("Withdrawn: `%s`. I stop answering with it within seconds.", EscapeText(id)))
}

// mayForget reports whether user may withdraw the entry of history: an admin, or an author of
// one of its versions.
func (b *Bot) mayForget(user string, history []brain.Captured) bool {
	if slices.Contains(b.opts.Admins, user) {
		return true
	}
	return slices.ContainsFunc(history, func(c brain.Captured) bool { return c.Author == user })
}

// listGaps returns up to maxGapsShown of the questions asked where everyone could see them, and
// of the viewer's own private ones.
func (b *Bot) listGaps(ctx context.Context, viewer string) (public, own []brain.Gap, err error) {
	ctx, cancel := context.WithTimeout(ctx, brainTimeout)
	defer cancel()
	gaps, err := b.brain.ListGaps(ctx, viewer, 0)
	if err != nil {
		b.brainFailed("list_gaps", err)
		return nil, nil, err
	}
	for _, g := range gaps {
		switch {
		case g.Public && len(public) < maxGapsShown:
			public = append(public, g)
		case !g.Public && len(own) < maxGapsShown:
			own = append(own, g)
		}
	}
	return public, own, nil
}
