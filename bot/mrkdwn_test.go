package bot

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func ExampleMrkdwn() {
	fmt.Println(Mrkdwn("**Pods** run [containers](https://kubernetes.io/docs/) & more:\n\n- one\n- two"))
	// Output:
	// *Pods* run <https://kubernetes.io/docs/|containers> &amp; more:
	//
	// • one
	// • two
}

func ExampleEscapeText() {
	fmt.Printf("%q\n", EscapeText("<!channel> ping @here & co"))
	// Output: "&lt;!channel&gt; ping @\u2060here &amp; co"
}

func TestMrkdwn(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"only whitespace", " \n\t\n  ", ""},
		{"plain", "hello", "hello"},
		{"bold", "**bold**", "*bold*"},
		{"bold underscores", "__bold__", "*bold*"},
		{"italic star", "*it*", "_it_"},
		{"italic underscore", "_it_", "_it_"},
		{"bold in italic", "*a **b** c*", "_a *b* c_"},
		{"bold and italic", "***both***", "_*both*_"},
		{"strikethrough", "~~gone~~", "~gone~"},
		{"code span", "run `kubectl get pods`", "run `kubectl get pods`"},
		{"code span escaped", "`a <b> & c`", "`a &lt;b&gt; &amp; c`"},
		{"code span keeps entity literal", "`&amp;`", "`&amp;amp;`"},
		{"code span backtick", "`` a`b ``", "`aˋb`"},
		{"fenced code", "```yaml\nkind: Pod\n```", "```\nkind: Pod\n```"},
		{"table as a list", "| Docker | kubectl |\n|---|---|\n| `docker ps` | `kubectl get pods` |\n| **stop** | |",
			"• `docker ps` — kubectl: `kubectl get pods`\n• *stop*"},
		{"table of three columns", "text\n\n| tool | pods | services |\n|---|---|---|\n| kind | 10.244.0.0/16 | 10.96.0.0/16 |",
			"text\n\n• kind — pods: 10.244.0.0/16; services: 10.96.0.0/16"},
		{"table cell escaped", "| a | b |\n|---|---|\n| <!here> | x & y |", "• &lt;!here&gt; — b: x &amp; y"},
		{"fenced code escaped", "```\nif a < b && c > d {}\n```", "```\nif a &lt; b &amp;&amp; c &gt; d {}\n```"},
		{"fenced code fence inside", "````\n```\n````", "```\n`\u200b`\u200b`\n```"},
		{"indented code", "    docker ps", "```\ndocker ps\n```"},
		{"bullets", "- a\n- b", "• a\n• b"},
		{"star bullets", "* a\n* b", "• a\n• b"},
		{"ordered", "1. a\n2. b", "1. a\n2. b"},
		{"ordered start", "3. a\n4. b", "3. a\n4. b"},
		{"nested", "- a\n  - b\n    - c\n- d", "• a\n    • b\n        • c\n• d"},
		{"ordered in bullets", "- a\n  1. x\n  2. y", "• a\n    1. x\n    2. y"},
		{"loose list", "- a\n\n- b", "• a\n\n• b"},
		{"item with paragraphs", "1. a\n\n   more\n2. b", "1. a\n\n    more\n\n2. b"},
		{"link", "[docs](https://kubernetes.io/docs/)", "<https://kubernetes.io/docs/|docs>"},
		{"link query escaped", "[q](https://e.com/?a=1&b=2)", "<https://e.com/?a=1&amp;b=2|q>"},
		{"link label markup flattened", "[**b** `c`](https://e.com)", "<https://e.com|b c>"},
		{"link label forging", "[a|b>c](https://e.com)", "<https://e.com|a∣b&gt;c>"},
		{"link label mention", "[<!here>](https://e.com)", "<https://e.com|&lt;!here&gt;>"},
		{"link url pipe encoded", "[x](<https://e.com/a|b c>)", "<https://e.com/a%7Cb%20c|x>"},
		{"mailto link", "[mail](mailto:ops@example.com)", "<mailto:ops@example.com|mail>"},
		{"javascript link", "[x](javascript:alert(1))", "x"},
		{"slack link", "[open](slack://open?team=T1)", "open"},
		{"relative link", "[x](/docs/a)", "x"},
		{"scheme case", "[x](HTTPS://e.com)", "<https://e.com|x>"},
		{"empty label", "[](https://e.com)", "<https://e.com>"},
		{"autolink", "<https://e.com/a_b>", "<https://e.com/a_b>"},
		{"autolink email", "<ops@example.com>", "<mailto:ops@example.com|ops@example.com>"},
		{"autolink slack scheme", "<slack://open>", "slack://open"},
		{"bare url", "see https://k8s.io/docs now", "see <https://k8s.io/docs> now"},
		{"image", "![diagram](https://e.com/a.png)", "<https://e.com/a.png|diagram>"},
		{"image bad scheme", "![diagram](data:image/png;base64,AAAA)", "diagram"},
		{"heading", "# Title", "*Title*"},
		{"heading with bold", "## A **b** c", "*A b c*"},
		{"setext heading", "Title\n=====\n\ntext", "*Title*\n\ntext"},
		{"paragraphs", "one\n\ntwo", "one\n\ntwo"},
		{"soft break kept", "one\ntwo", "one\ntwo"},
		{"hard break", "one  \ntwo", "one\ntwo"},
		{"quote", "> a\n> b", "> a\n> b"},
		{"quote paragraphs", "> a\n>\n> b", "> a\n>\n> b"},
		{"quote list", "> - a\n> - b", "> • a\n> • b"},
		{"thematic break", "a\n\n---\n\nb", "a\n\n———\n\nb"},
		{"channel", "<!channel>", "&lt;!channel&gt;"},
		{"channel inline", "hey <!here|here> all", "hey &lt;!here|here&gt; all"},
		{"everyone encoded", "&lt;!everyone&gt;", "&lt;!everyone&gt;"},
		{"subteam", "ping <!subteam^S123>", "ping &lt;!subteam^S123&gt;"},
		{"user mention", "<@U123>", "&lt;@U123&gt;"},
		{"user mention with label", "<@U123|bob>", "&lt;@U123|bob&gt;"},
		{"at here", "@here look", "@\u2060here look"},
		{"at channel any case", "@Channel", "@\u2060Channel"},
		{"literal entity", "&amp;", "&amp;"},
		{"ampersand", "AT&T", "AT&amp;T"},
		{"numeric entity", "&#60;b&#62;", "&lt;b&gt;"},
		{"backslash escape", `\<b\> \*x\*`, "&lt;b&gt; *x*"},
		{"html block", "<div>\nhi\n</div>", "&lt;div&gt;\nhi\n&lt;/div&gt;"},
		{"inline html", "a <b>b</b>", "a &lt;b&gt;b&lt;/b&gt;"},
		{"html comment hidden", "a\n\n<!-- note -->\n\nb", "a\n\nb"},
		{"emoji and cjk", "**コンテナ** 🐳", "*コンテナ* 🐳"},
		{"bold intraword spaces kept outside", "** a**", "** a**"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Mrkdwn(tt.in)
			if got != tt.want {
				t.Errorf("Mrkdwn(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			checkMrkdwn(t, got)
		})
	}
}

// hostileMarkdown are inputs meant to break the converter or smuggle Slack syntax through it.
var hostileMarkdown = map[string]string{
	"long line":        strings.Repeat("docker ", 50000/7),
	"long word":        strings.Repeat("a", 50000),
	"many entities":    strings.Repeat("&amp;<>", 8000),
	"many list items":  strings.Repeat("- <!here> item & more\n", 10000),
	"deep nesting":     deepList(100),
	"deep quotes":      strings.Repeat(">", 1000) + " deep",
	"many links":       strings.Repeat("[a|b>](https://e.com/?x=1&y=2) ", 2000),
	"bad links":        strings.Repeat("[x](javascript:alert(1)) [y](slack://open) <slack://x> ", 500),
	"mention soup":     strings.Repeat("<!channel> <!here> <!everyone> <!subteam^S1|@team> <@U123> <#C1> ", 500),
	"unclosed":         strings.Repeat("**_`[<", 5000),
	"emoji":            strings.Repeat("🐳", 20000),
	"cjk":              strings.Repeat("漢字", 20000),
	"long url":         "<https://e.com/" + strings.Repeat("a", 5000) + ">",
	"long label":       "[" + strings.Repeat("label ", 2000) + "](https://e.com)",
	"encoded url":      strings.Repeat("[x](https://e.com/"+strings.Repeat("é", 900)+") ", 5),
	"ampersand label":  strings.Repeat("["+strings.Repeat("&", 1000)+"](https://e.com/"+strings.Repeat("a", 1900)+") ", 5),
	"code soup":        "```\n" + strings.Repeat("<!channel> ``` & `\n", 3000) + "```",
	"nul":              "a\x00b",
	"invalid utf8":     "a\xffb **\xfe**",
	"label nested url": "[see <https://x.com>](https://e.com)",
}

func deepList(depth int) string {
	var b strings.Builder
	for i := 0; i < depth; i++ {
		b.WriteString(strings.Repeat("  ", i) + "- level\n")
	}
	return b.String()
}

func TestMrkdwnHostile(t *testing.T) {
	for name, in := range hostileMarkdown {
		t.Run(name, func(t *testing.T) {
			out := Mrkdwn(in)
			checkMrkdwn(t, out)
			for _, p := range splitMrkdwn(out, maxSectionText) {
				checkPiece(t, p, maxSectionText)
			}
		})
	}
}

func TestMrkdwnTenThousandItems(t *testing.T) {
	got := Mrkdwn(strings.Repeat("- item\n", 10000))
	if n := strings.Count(got, "• item"); n != 10000 {
		t.Errorf("got %d items, want 10000", n)
	}
}

// slackToken is every construct of ours that may start with '<' in mrkdwn: a link to a web or
// mail address with an optional label, or a user or channel mention.
var slackToken = regexp.MustCompile(`^<(?:(?:https?://[^\s<>|]+|mailto:[^\s<>|]+)(?:\|[^<>|]*)?|@[UW][A-Z0-9]+|#[CG][A-Z0-9]+)>`)

// checkMrkdwn fails when s could do in Slack more than show text: every '<' must open a link or
// user mention of ours, every '&' an escape, and no broadcast may appear.
func checkMrkdwn(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("invalid UTF-8 in %.80q", s)
	}
	if strings.Contains(s, "<!") {
		t.Errorf("broadcast or special mention in %.200q", s)
	}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '<' && !slackToken.MatchString(s[i:]):
			t.Errorf("stray '<' at %d: %.80q", i, s[i:])
			return
		case s[i] == '&' && !hasEscapePrefix(s[i:]):
			t.Errorf("unescaped '&' at %d: %.80q", i, s[i:])
			return
		}
	}
	for _, w := range broadcastWords {
		if strings.Contains(strings.ToLower(s), "@"+w) {
			t.Errorf("undefused @%s in %.200q", w, s)
		}
	}
}

func hasEscapePrefix(s string) bool {
	return strings.HasPrefix(s, "&amp;") || strings.HasPrefix(s, "&lt;") || strings.HasPrefix(s, "&gt;")
}

func TestEscapeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"a & b", "a &amp; b"},
		{"&amp;", "&amp;amp;"},
		{"<!channel>", "&lt;!channel&gt;"},
		{"<!here|here>", "&lt;!here|here&gt;"},
		{"<@U123>", "&lt;@U123&gt;"},
		{"<https://evil.example|click>", "&lt;https://evil.example|click&gt;"},
		{"@channel", "@\u2060channel"},
		{"hi @here!", "hi @\u2060here!"},
		{"@EVERYONE", "@\u2060EVERYONE"},
		{"@channels too", "@\u2060channels too"},
		{"@bob and a@b.c", "@bob and a@b.c"},
		{"trailing @", "trailing @"},
		{"🐳 & 漢字", "🐳 &amp; 漢字"},
	}
	for _, tt := range tests {
		if got := EscapeText(tt.in); got != tt.want {
			t.Errorf("EscapeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMrkdwnSplit(t *testing.T) {
	para := strings.Repeat("word ", 100) // 500 characters
	tests := []struct {
		name   string
		in     string
		max    int
		pieces int
	}{
		{"fits", "short", 3000, 1},
		{"empty", "", 3000, 0},
		{"blank", "\n\n \n\n", 3000, 0},
		{"paragraphs packed", strings.Repeat(para+"\n\n", 10), 3000, 2},
		{"lines packed", strings.Repeat(para+"\n", 10), 3000, 2},
		{"one long line", strings.Repeat("a", 10000), 3000, 4},
		{"entities", strings.Repeat("&amp;", 1000), 7, 1000},
		{"emoji", strings.Repeat("🐳", 2900), 3000, 2},
		{"cjk", strings.Repeat("漢", 6001), 3000, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitMrkdwn(tt.in, tt.max)
			if len(got) != tt.pieces {
				t.Errorf("%d pieces, want %d", len(got), tt.pieces)
			}
			for _, p := range got {
				checkPiece(t, p, tt.max)
			}
		})
	}
}

// checkPiece fails when a section piece is over the limit or cut inside a rune, an entity or a
// link token.
func checkPiece(t *testing.T, p string, limit int) {
	t.Helper()
	if n := textLen(p); n > limit || n == 0 {
		t.Errorf("piece of %d units, want 1..%d", n, limit)
	}
	if !utf8.ValidString(p) {
		t.Errorf("piece cut inside a rune: %.40q…%.40q", p, p[max(0, len(p)-40):])
	}
	if i := strings.LastIndexByte(p, '&'); i >= 0 && !hasEscapePrefix(p[i:]) {
		t.Errorf("piece ends inside an entity: …%q", p[i:])
	}
	if i := strings.LastIndexByte(p, '<'); i >= 0 && !strings.Contains(p[i:], ">") {
		t.Errorf("piece ends inside a token: …%.80q", p[i:])
	}
	if strings.Count(p, "```")%2 != 0 {
		t.Errorf("piece leaves a code block open: %.200q", p)
	}
}

// A long paragraph's first lines fill the piece before it, and a line that introduces a list
// goes with the list: no section ends on "The options:".
func TestMrkdwnSplitKeepsIntroductionsWithWhatFollows(t *testing.T) {
	line := strings.Repeat("x", 90)
	list := "• " + line + strings.Repeat("\n• "+line, 29)                      // 30 lines, about 2,800 units
	opening := strings.TrimSpace(strings.Repeat("An opening paragraph. ", 10)) // 220 units
	in := opening + "\n\nThe options:\n\n" + list
	pieces := splitMrkdwn(in, 3000)
	if len(pieces) != 2 {
		t.Fatalf("%d pieces, want 2:\n%q", len(pieces), pieces)
	}
	if strings.HasSuffix(pieces[0], "The options:") || !strings.HasPrefix(pieces[1], "The options:") {
		t.Errorf("the introduction is not at the head of its list's piece:\n%q\n%q", pieces[0], pieces[1][:40])
	}
	long := "A short opening.\n\n" + strings.Repeat(line+"\n", 40)
	if pieces := splitMrkdwn(long, 3000); len(pieces) != 2 || !strings.Contains(pieces[0], line) {
		t.Errorf("a long paragraph's first lines did not join the opening: %d pieces, first %.60q", len(pieces), pieces[0])
	}
}

func TestMrkdwnSplitKeepsText(t *testing.T) {
	in := Mrkdwn(strings.Repeat("[link](https://example.com/some/long/path) & <b> 🐳 ", 400))
	pieces := splitMrkdwn(in, 3000)
	if len(pieces) < 2 {
		t.Fatalf("want several pieces, got %d", len(pieces))
	}
	if got := strings.Join(pieces, ""); got != in {
		t.Errorf("pieces joined differ from input (%d vs %d bytes)", len(got), len(in))
	}
	for _, p := range pieces {
		checkPiece(t, p, 3000)
		checkMrkdwn(t, p)
	}
}

func TestMrkdwnSplitCodeBlock(t *testing.T) {
	in := Mrkdwn("```\n" + strings.Repeat("echo hello world\n", 500) + "```")
	pieces := splitMrkdwn(in, 3000)
	if len(pieces) < 2 {
		t.Fatalf("want several pieces, got %d", len(pieces))
	}
	for _, p := range pieces {
		checkPiece(t, p, 3000)
		if !strings.HasPrefix(p, "```\n") || !strings.HasSuffix(p, "\n```") {
			t.Errorf("piece is not a whole code block: %.40q…", p)
		}
	}
}

func TestFormatCut(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"a longer title", 8, "a longe…"},
		{"word cut at space ", 10, "word cut…"},
		{"Dockershim removal (Kubernetes dropped it)", 25, "Dockershim removal…"},
		{"one two (three four)", 12, "one two…"},
		{"🐳🐳🐳🐳", 5, "🐳🐳…"},
		{"漢字漢字漢字", 4, "漢字漢…"},
	}
	for _, tt := range tests {
		got := cut(tt.in, tt.max)
		if got != tt.want || textLen(got) > tt.max {
			t.Errorf("cut(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}
