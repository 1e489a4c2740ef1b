// Package bot is dvkbot's Slack side: the Socket Mode loop, routing of mentions, DMs, threads,
// slash commands and interactive payloads, dedupe, Block Kit formatting and rate-limit-aware
// replies, and the knowledge loop (questions to experts, the Answer modal, the message
// shortcut). It knows nothing of bleve: answers come from an Answerer. What it remembers is in
// its brain (package brain), shared by replicas through Redis.
package bot

// SubscribedEvents are the bot events the Slack app manifest must subscribe to: every event the
// bot handles, and nothing more. deploy/slack/manifest.yaml is tested against this list.
var SubscribedEvents = []string{"app_home_opened", "app_mention", "message.im"}

// Scopes are the bot token scopes the bot's calls need, and nothing more. deploy/slack/manifest.yaml
// is tested against this list.
// channels:read lets the bot learn whether a channel is public (conversations.info), so a
// question asked in a private channel is never shown to anyone else. chat:write.public lets it
// post in the experts' channel, and in the thread of a message saved as an answer, without being
// invited there first (a private experts' channel still needs an invitation). views.open and
// chat.getPermalink, of the knowledge loop, need no scope of their own.
var Scopes = []string{"app_mentions:read", "channels:read", "chat:write", "chat:write.public", "commands", "im:history"}

// MessageShortcuts are the callback ids of the message shortcuts the bot handles: "Save as
// dvkbot answer". deploy/slack/manifest.yaml declares exactly these.
var MessageShortcuts = []string{SaveAnswerCallbackID}
