package bot

import "testing"

func TestMarkdownFromMrkdwn(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"bold italics strike", "*Run* _this_ ~not that~", "**Run** *this* ~~not that~~"},
		{"link with label", "see <https://docs.docker.com/engine/|the docs>.", "see [the docs](https://docs.docker.com/engine/)."},
		{"bare link", "<https://kubernetes.io>", "<https://kubernetes.io>"},
		{"mentions", "ask <@U0123ABC> or <@U0456|sam> in <#C0789|ops> <!here>", "ask @U0123ABC or @sam in #ops @here"},
		{"escapes", "a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"},
		{"code span kept", "run `docker rm $(docker ps -aq -f status=exited) *a*` now", "run `docker rm $(docker ps -aq -f status=exited) *a*` now"},
		{"code block kept", "```kubectl get pods &gt; out```", "```\nkubectl get pods > out\n```"},
		{"bullets", "• one\n• two\n   ◦ nested", "- one\n- two\n   - nested"},
		{"stars inside words stay", "2*3*4 and snake_case_name", "2*3*4 and snake_case_name"},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := MarkdownFromMrkdwn(c.in); got != c.want {
				t.Fatalf("MarkdownFromMrkdwn(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// Markdown read back from the mrkdwn it renders to says the same: the round trip an answer
// makes when the bot posts it and an expert saves the post.
func TestMarkdownRoundTrip(t *testing.T) {
	md := "**Prune what you no longer use.** Run `docker system prune` and see [the docs](https://docs.docker.com/)."
	if got := MarkdownFromMrkdwn(Mrkdwn(md)); got != md {
		t.Fatalf("round trip:\n got %q\nwant %q", got, md)
	}
}
