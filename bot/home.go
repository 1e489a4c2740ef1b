package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"
)

// publishHome shows the App Home tab: the conventional place a Slack user looks for help.
func (b *Bot) publishHome(ctx context.Context, user string) {
	if err := b.replier.PublishHome(ctx, user, b.homeView()); err != nil {
		b.log.Error("app home publish failed", "user", user, "err", err)
	}
}

// homeView says how to ask, lists the topics and the slash command.
func (b *Bot) homeView() slack.HomeTabViewRequest {
	howTo := fmt.Sprintf("*Ask me anything about Docker and Kubernetes.*\n\n"+
		"• *In a channel*: mention me, e.g. `@dvkbot what is the difference between docker and kubernetes?` I answer in the thread, and follow-up questions in that thread keep the context.\n"+
		"• *In a direct message*: just ask.\n"+
		"• *Privately anywhere*: `%[1]s QUESTION`; `%[1]s topics` lists what I know, `%[1]s gaps` what I could not answer lately.\n\n"+
		"Every answer has 👍 / 👎 buttons: they tell the team which answers to improve, and a 👎 lets you suggest a better one.\n\n"+
		"*Teach me.* When I cannot answer, the question waits for an expert: the *Answer* button (in the thread, in the experts' channel, or in `%[1]s gaps`) saves their answer, and I answer with it from then on. "+
		"On any message, such as a colleague's reply in a thread, the *Save as dvkbot answer* shortcut (the message's ⋮ menu) does the same.", b.opts.SlashCommand)
	msg := TextMessage("dvkbot: Docker and Kubernetes answers", howTo+"\n\n"+topicsMrkdwn(b.opts.Answerer.Entries()))
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: msg.Blocks}}
}
