package bot

import (
	"html"
	"regexp"
	"strings"
)

// Slack's mrkdwn, as a message's text holds it, read back as the Markdown knowledge entries are
// written in (the reverse of Mrkdwn): what an expert wrote in a thread becomes an entry's
// answer as they formatted it.
var (
	// mrkdwnLink is Slack's link markup: <url|label>, <url>, <@U123>, <#C123|name>, <!here>.
	mrkdwnLink = regexp.MustCompile(`<([^<>|\s]+)(?:\|([^<>]*))?>`)
	// Emphasis: a marker right before a non-space and right after one, outside words.
	mrkdwnBold   = regexp.MustCompile(`(^|[\s(>"'])\*([^\s*](?:[^*\n]*[^\s*])?)\*($|[\s).,;:!?"'])`)
	mrkdwnItalic = regexp.MustCompile(`(^|[\s(>"'])_([^\s_](?:[^_\n]*[^\s_])?)_($|[\s).,;:!?"'])`)
	mrkdwnStrike = regexp.MustCompile(`(^|[\s(>"'])~([^\s~](?:[^~\n]*[^\s~])?)~($|[\s).,;:!?"'])`)
	// mrkdwnBullet is a list item as people type one in Slack.
	mrkdwnBullet = regexp.MustCompile(`(?m)^(\s*)[•◦▪] `)
)

// MarkdownFromMrkdwn converts a Slack message's text to Markdown: *bold* to **bold**, _italics_
// to *italics*, ~strike~ to ~~strike~~, <url|label> to [label](url), mentions to @names, "•"
// bullets to "-" items, and Slack's &amp; &lt; &gt; back to the characters. Code spans and
// blocks are kept as they are, but for those escapes.
//
//	MarkdownFromMrkdwn("*Run* <https://docs.docker.com|the docs> &amp; `a*b*c`") == "**Run** [the docs](https://docs.docker.com) & `a*b*c`"
func MarkdownFromMrkdwn(text string) string {
	var out strings.Builder
	for i, part := range strings.Split(text, "```") {
		if i > 0 {
			out.WriteString("```")
		}
		if i%2 == 1 { // inside a code block
			out.WriteString(html.UnescapeString(codeBlockBody(part)))
			continue
		}
		out.WriteString(inlineMarkdown(part))
	}
	return strings.TrimSpace(out.String())
}

// codeBlockBody puts a code block's text on lines of its own, as a Markdown fence needs:
// Slack lets ```code``` sit on one line.
func codeBlockBody(code string) string {
	if !strings.HasPrefix(code, "\n") {
		code = "\n" + code
	}
	if !strings.HasSuffix(code, "\n") {
		code += "\n"
	}
	return code
}

// inlineMarkdown converts text outside code blocks, leaving `code spans` as they are.
func inlineMarkdown(text string) string {
	var out strings.Builder
	for i, part := range strings.Split(text, "`") {
		if i > 0 {
			out.WriteString("`")
		}
		if i%2 == 1 {
			out.WriteString(html.UnescapeString(part))
			continue
		}
		out.WriteString(proseMarkdown(part))
	}
	return out.String()
}

// proseMarkdown converts text that is neither code nor a code block.
func proseMarkdown(s string) string {
	s = mrkdwnLink.ReplaceAllStringFunc(s, func(m string) string {
		g := mrkdwnLink.FindStringSubmatch(m)
		return linkMarkdown(html.UnescapeString(g[1]), html.UnescapeString(g[2]))
	})
	s = mrkdwnBold.ReplaceAllString(s, "$1**$2**$3")
	s = mrkdwnItalic.ReplaceAllString(s, "$1*$2*$3")
	s = mrkdwnStrike.ReplaceAllString(s, "$1~~$2~~$3")
	s = mrkdwnBullet.ReplaceAllString(s, "$1- ")
	return html.UnescapeString(s)
}

// linkMarkdown is one of Slack's <…> tokens as Markdown.
func linkMarkdown(target, label string) string {
	switch {
	case strings.HasPrefix(target, "@"), strings.HasPrefix(target, "#"):
		if label != "" {
			return target[:1] + strings.TrimPrefix(label, target[:1])
		}
		return target
	case strings.HasPrefix(target, "!"):
		if label != "" {
			return label
		}
		return "@" + strings.TrimPrefix(target, "!")
	case label == "" || label == target:
		return "<" + target + ">"
	}
	return "[" + label + "](" + target + ")"
}
