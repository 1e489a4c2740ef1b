package bot

import (
	"bufio"
	"bytes"
	"fmt"
	stdhtml "html"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
)

// Limits of the links Mrkdwn writes, escaped and encoded as sent. A whole link token must fit
// well inside one section (3000 characters) so that splitting an answer never cuts through one.
const (
	maxLinkURL   = 2000
	maxLinkLabel = 300
)

// zeroWidthSpace separates backticks inside code blocks: Slack has no escape for "```", and a
// fence inside the code would end the block early.
const zeroWidthSpace = "\u200b"

// markdown parses the Markdown that knowledge entries are written in. Linkify turns bare URLs
// into links whose scheme we can check; strikethrough maps onto Slack's ~strike~; tables are
// laid out as lists (see table). A goldmark.Markdown is safe for concurrent use.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Linkify, extension.Strikethrough, extension.Table))

// slackEscaper escapes the three characters Slack treats as control characters in mrkdwn.
var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Mrkdwn converts Markdown to Slack mrkdwn by walking goldmark's syntax tree: **bold** becomes
// *bold*, *italics* _italics_, lists "• item" and "1. item" lines, links <url|text>, headings
// *Heading* lines, block quotes "> " lines, fenced code ``` blocks.
//
// Everything that is text rather than markup is escaped like user text (see EscapeText), so
// knowledge written by a team can never ping a channel or forge a link. Only http, https and
// mailto links become links; any other link shows its text only.
//
//	Mrkdwn("**Pods** run [containers](https://kubernetes.io)") == "*Pods* run <https://kubernetes.io|containers>"
func Mrkdwn(md string) string {
	src := []byte(strings.ToValidUTF8(md, "\uFFFD")) // Slack would reject or mangle invalid UTF-8
	doc := markdown.Parser().Parse(text.NewReader(src))
	r := newRenderer(src)
	return strings.TrimSpace(r.children(doc, "\n\n"))
}

// plainText is Markdown without its markup, for places that show no formatting.
func plainText(md string) string {
	src := []byte(md)
	doc := markdown.Parser().Parse(text.NewReader(src))
	return newRenderer(src).plain(doc)
}

// EscapeText makes text the bot repeats harmless in mrkdwn: &, < and > are escaped, so
// "<!channel>" shows as typed instead of pinging everyone, and a word joiner (U+2060) goes after
// the '@' of "@channel", "@here" and "@everyone" so they stay plain words even where Slack
// would link names.
//
//	EscapeText("<!here> & @here") == "&lt;!here&gt; &amp; @\u2060here"
func EscapeText(s string) string {
	return defuseBroadcasts(slackEscaper.Replace(s))
}

// broadcastWords are the names after '@' that notify a whole channel or workspace.
var broadcastWords = []string{"channel", "here", "everyone"}

// defuseBroadcasts inserts a word joiner after each '@' that starts a broadcast word, in any
// case: the text still reads the same but no longer matches Slack's mention syntax.
func defuseBroadcasts(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] == '@' && startsBroadcast(s[i+1:]) {
			b.WriteString("\u2060")
		}
	}
	return b.String()
}

func startsBroadcast(s string) bool {
	for _, w := range broadcastWords {
		if len(s) >= len(w) && strings.EqualFold(s[:len(w)], w) {
			return true
		}
	}
	return false
}

// renderer turns one parsed document into mrkdwn. Block methods return strings without
// surrounding blank lines; their parents decide the separators.
type renderer struct {
	src []byte
	buf bytes.Buffer
	w   *bufio.Writer
	// html resolves backslash escapes and entity references exactly as goldmark's own HTML
	// renderer does, so the text we escape for Slack is the text a Markdown reader sees.
	html gmhtml.Writer
}

func newRenderer(src []byte) *renderer {
	r := &renderer{src: src, html: gmhtml.NewWriter()}
	r.w = bufio.NewWriter(&r.buf)
	return r
}

// decode resolves Markdown's backslash escapes and entity references in raw source text.
// goldmark's HTML writer does that while HTML-escaping; unescaping its output leaves the text.
func (r *renderer) decode(raw []byte) string {
	if bytes.IndexAny(raw, "\\&\x00") < 0 {
		return string(raw) // the usual case: nothing to resolve
	}
	r.buf.Reset()
	r.w.Reset(&r.buf)
	r.html.Write(r.w, raw)
	_ = r.w.Flush() // writes to a bytes.Buffer cannot fail
	return stdhtml.UnescapeString(r.buf.String())
}

// children renders each block child of n and joins the non-empty results with sep.
func (r *renderer) children(n ast.Node, sep string) string {
	var parts []string
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if s := r.block(c); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, sep)
}

// block renders one block node; unknown containers render their children so that content of
// a construct we do not know is still shown.
func (r *renderer) block(n ast.Node) string {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		return r.inlines(n, style{})
	case *ast.Heading:
		// A heading is one bold line: bold inside it is already bold, and a newline would end it.
		return wrap("*", strings.ReplaceAll(r.inlines(n, style{bold: true}), "\n", " "))
	case *ast.ThematicBreak:
		return "———"
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		return codeBlock(r.lines(n))
	case *ast.Blockquote:
		return prefixLines(r.children(n, "\n\n"), "> ", "> ")
	case *ast.List:
		return r.list(n)
	case *ast.HTMLBlock:
		return r.htmlBlock(n)
	case *east.Table:
		return r.table(n)
	default:
		return r.children(n, "\n\n")
	}
}

// table lays a table out as one "• " line a row: Slack has no tables, and their pipes, in a
// proportional font, line up with nothing. The first cell leads and the others follow, each
// after its column's heading: "• `docker ps` — kubectl: `kubectl get pods`".
func (r *renderer) table(t *east.Table) string {
	var heads, rows []string
	for row := t.FirstChild(); row != nil; row = row.NextSibling() {
		var cells []string
		for c := row.FirstChild(); c != nil; c = c.NextSibling() {
			cells = append(cells, strings.TrimSpace(r.inlines(c, style{})))
		}
		if _, ok := row.(*east.TableHeader); ok {
			heads = cells
		} else if line := tableRow(heads, cells); line != "" {
			rows = append(rows, line)
		}
	}
	return strings.Join(rows, "\n")
}

// tableRow is one row of a table as a "• " line, its cells after the first named by heads.
func tableRow(heads, cells []string) string {
	if len(cells) == 0 || strings.Join(cells, "") == "" {
		return ""
	}
	var rest []string
	for i, cell := range cells[1:] {
		if cell == "" {
			continue
		}
		if i+1 < len(heads) && heads[i+1] != "" {
			cell = heads[i+1] + ": " + cell
		}
		rest = append(rest, cell)
	}
	if len(rest) == 0 {
		return "• " + cells[0]
	}
	return "• " + cells[0] + " — " + strings.Join(rest, "; ")
}

// lines is the raw source of a block's lines, as written.
func (r *renderer) lines(n ast.Node) string {
	var b strings.Builder
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		b.WriteString(strings.Repeat(" ", seg.Padding))
		b.Write(seg.Value(r.src))
	}
	return b.String()
}

// codeBlock writes code as a Slack ``` block, without the language tag Slack would show as code.
func codeBlock(code string) string {
	code = strings.TrimRight(code, "\n")
	if strings.TrimSpace(code) == "" {
		return ""
	}
	return "```\n" + breakFences(slackEscaper.Replace(code)) + "\n```"
}

// breakFences puts a zero-width space between consecutive backticks so code cannot close the
// block it sits in.
func breakFences(s string) string {
	if !strings.Contains(s, "``") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '`' && i > 0 && s[i-1] == '`' {
			b.WriteString(zeroWidthSpace)
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// htmlBlock shows raw HTML as the text it is, since Slack renders no HTML. Comments are hidden
// as a Markdown renderer would hide them.
func (r *renderer) htmlBlock(n *ast.HTMLBlock) string {
	raw := r.lines(n)
	if n.HasClosure() {
		raw += string(n.ClosureLine.Value(r.src))
	}
	if strings.HasPrefix(strings.TrimSpace(raw), "<!--") {
		return ""
	}
	return EscapeText(strings.TrimRight(raw, "\n"))
}

// list renders each item as a "• " or "N. " line, its further lines indented under it, so
// nested lists indent one level deeper each time.
func (r *renderer) list(l *ast.List) string {
	sep := "\n"
	if !l.IsTight {
		sep = "\n\n"
	}
	var items []string
	num := l.Start
	for c := l.FirstChild(); c != nil; c = c.NextSibling() {
		marker := "• "
		if l.IsOrdered() {
			marker = fmt.Sprintf("%d. ", num)
			num++
		}
		items = append(items, prefixLines(r.children(c, sep), marker, "    "))
	}
	return strings.Join(items, sep)
}

// prefixLines puts first before the first line of s and rest before every later non-empty line.
func prefixLines(s, first, rest string) string {
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		switch {
		case i == 0:
			lines[i] = first + line
		case line != "":
			lines[i] = rest + line
		case strings.TrimSpace(rest) != "":
			lines[i] = strings.TrimRight(rest, " ") // a quote keeps its bar across blank lines
		}
	}
	return strings.Join(lines, "\n")
}

// style records the emphasis already open, because Slack cannot nest *bold* in *bold*.
type style struct {
	bold, italic, strike bool
}

// inlines renders the inline children of n.
func (r *renderer) inlines(n ast.Node, st style) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		r.inline(&b, c, st)
	}
	return b.String()
}

func (r *renderer) inline(b *strings.Builder, n ast.Node, st style) {
	switch n := n.(type) {
	case *ast.Text:
		b.WriteString(EscapeText(r.decode(n.Segment.Value(r.src))))
		if n.SoftLineBreak() || n.HardLineBreak() {
			b.WriteByte('\n')
		}
	case *ast.String:
		b.WriteString(EscapeText(r.stringValue(n)))
	case *ast.CodeSpan:
		b.WriteString(codeSpan(r.plain(n)))
	case *ast.Emphasis:
		r.emphasis(b, n, st)
	case *east.Strikethrough:
		if st.strike {
			b.WriteString(r.inlines(n, st))
			return
		}
		st.strike = true
		b.WriteString(wrap("~", r.inlines(n, st)))
	case *ast.Link:
		b.WriteString(r.link(n.Destination, r.plain(n), false))
	case *ast.Image:
		b.WriteString(r.link(n.Destination, r.plain(n), false))
	case *ast.AutoLink:
		b.WriteString(r.autoLink(n))
	case *ast.RawHTML:
		b.WriteString(r.rawHTML(n))
	default:
		b.WriteString(r.inlines(n, st))
	}
}

func (r *renderer) stringValue(n *ast.String) string {
	if n.IsCode() || n.IsRaw() {
		return string(n.Value)
	}
	return r.decode(n.Value)
}

// emphasis maps level 2 to *bold* and level 1 to _italics_, unless that style is already open.
func (r *renderer) emphasis(b *strings.Builder, n *ast.Emphasis, st style) {
	marker := "_"
	open := &st.italic
	if n.Level >= 2 {
		marker = "*"
		open = &st.bold
	}
	if *open {
		b.WriteString(r.inlines(n, st))
		return
	}
	*open = true
	b.WriteString(wrap(marker, r.inlines(n, st)))
}

// wrap puts marker around s. Slack only formats when the marker touches a non-space, so
// surrounding spaces stay outside, and empty content gets no markers at all.
func wrap(marker, s string) string {
	inner := strings.TrimSpace(s)
	if inner == "" {
		return s
	}
	start := strings.Index(s, inner)
	return s[:start] + marker + inner + marker + s[start+len(inner):]
}

// codeSpan writes inline code. Slack has no escape for a backtick inside `code`, so one is
// shown as a look-alike (U+02CB) rather than ending the span.
func codeSpan(code string) string {
	code = strings.ReplaceAll(code, "\n", " ")
	if strings.TrimSpace(code) == "" {
		return code
	}
	return "`" + strings.ReplaceAll(slackEscaper.Replace(code), "`", "ˋ") + "`"
}

// plain is the text of n's inline content without markup: link labels and code spans.
// Code spans keep their raw text as CommonMark says; other text is decoded.
func (r *renderer) plain(n ast.Node) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			if _, inCode := n.(*ast.CodeSpan); inCode {
				b.Write(c.Segment.Value(r.src))
			} else {
				b.WriteString(r.decode(c.Segment.Value(r.src)))
			}
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.WriteString(r.stringValue(c))
		case *ast.AutoLink:
			b.Write(c.Label(r.src))
		default:
			b.WriteString(r.plain(c))
		}
	}
	return b.String()
}

// link writes <url|label> for a safe destination, and the label alone otherwise: a link whose
// scheme we do not allow, or whose URL is too long for a section, is shown as its text.
func (r *renderer) link(dest []byte, label string, auto bool) string {
	target, ok := linkURL(r.decode(dest))
	label = strings.Join(strings.Fields(label), " ")
	switch {
	case !ok && label == "":
		return EscapeText(string(dest))
	case !ok:
		return EscapeText(label)
	case auto || label == "":
		return "<" + target + ">"
	default:
		return "<" + target + "|" + escapeLabel(label) + ">"
	}
}

// autoLink writes <url> for <https://…> and bare URLs, <mailto:…|address> for e-mail addresses.
func (r *renderer) autoLink(n *ast.AutoLink) string {
	u := n.URL(r.src)
	if n.AutoLinkType == ast.AutoLinkEmail {
		if !bytes.HasPrefix(bytes.ToLower(u), []byte("mailto:")) {
			u = append([]byte("mailto:"), u...)
		}
		return r.link(u, string(n.Label(r.src)), false)
	}
	return r.link(u, string(n.Label(r.src)), true)
}

// rawHTML shows inline HTML as text, except comments, which Markdown readers never see.
func (r *renderer) rawHTML(n *ast.RawHTML) string {
	var b strings.Builder
	for i := 0; i < n.Segments.Len(); i++ {
		seg := n.Segments.At(i)
		b.Write(seg.Value(r.src))
	}
	if strings.HasPrefix(b.String(), "<!--") {
		return ""
	}
	return EscapeText(b.String())
}

// escapeLabel makes link text safe inside <url|text>: escaped like any text, cut to a sane
// length, and with '|' swapped for a look-alike (U+2223) so the label cannot start another field.
func escapeLabel(label string) string {
	return fit(strings.ReplaceAll(label, "|", "∣"), maxLinkLabel, EscapeText)
}

// linkURL returns the URL as it may stand inside a Slack link token, and whether it may be a
// link at all: only http(s) URLs with a host and mailto addresses qualify.
func linkURL(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	colon := strings.IndexByte(raw, ':')
	if colon <= 0 {
		return "", false
	}
	scheme, rest := strings.ToLower(raw[:colon]), raw[colon+1:]
	switch scheme {
	case "http", "https":
		u, err := url.Parse(scheme + ":" + rest)
		if err != nil || u.Host == "" || !strings.HasPrefix(rest, "//") {
			return "", false
		}
	case "mailto":
		if len(strings.Trim(rest, "/")) == 0 {
			return "", false
		}
	default:
		return "", false
	}
	encoded := encodeURL(scheme + ":" + rest)
	return encoded, len(encoded) <= maxLinkURL // a longer token would not fit a section whole
}

// encodeURL percent-encodes every byte that could end or split a Slack link token (space,
// quotes, <, >, |, controls, non-ASCII) and escapes & as Slack expects.
func encodeURL(u string) string {
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c == '&':
			b.WriteString("&amp;")
		case c <= ' ' || c >= 0x7f || strings.IndexByte("\"<>\\^`{|}", c) >= 0:
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// textLen is a text's length as Slack's limits count it. Counting UTF-16 units errs on the safe
// side: it equals the character count except for runes outside the BMP (most emoji), which
// count twice.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n += runeLen(r)
	}
	return n
}

// runeLen is one rune's length in UTF-16 units. Ranging over a string never yields a surrogate,
// so the answer is 1 or 2.
func runeLen(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// cut shortens s to at most max units (see textLen), ending with "…" when anything was dropped.
// It cuts between runes, never inside one, and between words when a space falls in the second
// half of what it keeps: "Dockershim removal (Kubernetes dropped its…", not "…its built-in
// Docker Engine suppo…".
func cut(s string, max int) string {
	if textLen(s) <= max {
		return s
	}
	n := 0
	for i, r := range s {
		w := runeLen(r)
		if n+w > max-1 {
			kept := s[:i]
			if space := strings.LastIndexByte(kept, ' '); space > len(kept)/2 {
				kept = kept[:space]
			}
			return strings.TrimRight(kept, " ([{,;:-–—") + "…"
		}
		n += w
	}
	return s
}

// fit cuts s so that escape(s) fits in limit units: the limits count the escaped text Slack
// receives, and escaping after cutting never leaves half an entity.
func fit(s string, limit int, escape func(string) string) string {
	for n := limit; ; {
		out := escape(cut(s, n))
		over := textLen(out) - limit
		if over <= 0 || n <= 1 {
			return out
		}
		n -= over
	}
}

// splitMrkdwn cuts mrkdwn into pieces of at most max units (see textLen) for Slack sections:
// between paragraphs where it can, else between lines, else inside a line at a point that is
// neither inside a rune, an &entity; nor a <link> token. A code block cut in two is closed at
// the end of one piece and reopened at the start of the next. Blank pieces are dropped.
func splitMrkdwn(s string, max int) []string {
	budget := max - len(fenceClose) - len(fenceOpen) // room to close and reopen a code block
	if budget < 1 {
		budget = max
	}
	var out []string
	for _, piece := range balanceFences(pack(s, budget, []string{"\n\n", "\n"})) {
		if piece = strings.Trim(piece, "\n"); strings.TrimSpace(piece) != "" {
			out = append(out, piece)
		}
	}
	return out
}

// pack cuts s into pieces of at most max units: paragraphs, or the lines of a paragraph too
// long for one piece, or hard cuts of a line too long for one, joined back greedily in order.
// A long paragraph's first lines fill what is left of the piece before it, rather than
// starting a piece of their own, and a short line that introduces what follows ("The
// options:") moves with it to the next piece rather than ending one.
func pack(s string, max int, seps []string) []string {
	if textLen(s) <= max {
		return []string{strings.Trim(s, "\n")}
	}
	var pieces []string
	var cur []packUnit
	curLen := 0
	for _, u := range packUnits(s, max, seps, "") {
		n := textLen(u.text)
		if len(cur) > 0 && !u.hard && curLen+len(u.sep)+n <= max {
			cur = append(cur, u)
			curLen += len(u.sep) + n
			continue
		}
		var carried []packUnit
		if len(cur) > 1 && !u.hard && introduces(cur[len(cur)-1].text) && textLen(cur[len(cur)-1].text)+len(u.sep)+n <= max {
			cur, carried = cur[:len(cur)-1], cur[len(cur)-1:]
		}
		if len(cur) > 0 {
			pieces = append(pieces, joinUnits(cur))
		}
		cur = append(slices.Clone(carried), u)
		curLen = textLen(joinUnits(cur))
	}
	if len(cur) > 0 {
		pieces = append(pieces, joinUnits(cur))
	}
	return pieces
}

// packUnit is a part of the text pack lays out: its text, the separator before it, and whether
// it is a hard cut that must start a piece.
type packUnit struct {
	text, sep string
	hard      bool
}

// packUnits splits s at seps[0] into units of at most max units, a part too long split further
// at the next separator, or hard when none is left; sep is the separator before s.
func packUnits(s string, max int, seps []string, sep string) []packUnit {
	if textLen(s) <= max {
		return []packUnit{{text: s, sep: sep}}
	}
	if len(seps) == 0 {
		var units []packUnit
		for i, p := range hardSplit(s, max) {
			units = append(units, packUnit{text: p, sep: sep, hard: i > 0})
			sep = ""
		}
		return units
	}
	var units []packUnit
	for i, part := range strings.Split(s, seps[0]) {
		if i > 0 {
			sep = seps[0]
		}
		units = append(units, packUnits(part, max, seps[1:], sep)...)
	}
	return units
}

// joinUnits writes units back as text, each after its separator but the first.
func joinUnits(units []packUnit) string {
	var b strings.Builder
	for i, u := range units {
		if i > 0 {
			b.WriteString(u.sep)
		}
		b.WriteString(u.text)
	}
	return b.String()
}

// introduces reports whether a line opens what follows it: short, and ending in a colon.
func introduces(line string) bool {
	line = strings.TrimSpace(line)
	return strings.HasSuffix(line, ":") && textLen(line) <= maxIntroduction && !strings.Contains(line, "\n")
}

// maxIntroduction is the longest line that moves with what it introduces.
const maxIntroduction = 120

// hardSplit cuts one over-long line into pieces of at most max units.
func hardSplit(s string, max int) []string {
	var pieces []string
	for s != "" {
		i := safeCut(s, max)
		pieces = append(pieces, s[:i])
		s = s[i:]
	}
	return pieces
}

// safeCut is the byte offset of the longest prefix of s that fits in max units and does not end
// inside a rune, an &amp;-style entity or a <…> token. It always makes progress.
func safeCut(s string, max int) int {
	n, end := 0, len(s)
	for i, r := range s {
		if n+runeLen(r) > max {
			end = i
			break
		}
		n += runeLen(r)
	}
	if end == len(s) {
		return end
	}
	if amp := strings.LastIndexByte(s[:end], '&'); amp >= 0 && !strings.Contains(s[amp:end], ";") && end-amp < len("&amp;") {
		if amp > 0 {
			end = amp
		}
	}
	if lt := strings.LastIndexByte(s[:end], '<'); lt > 0 && !strings.Contains(s[lt:end], ">") {
		end = lt
	}
	if end == 0 {
		_, size := utf8.DecodeRuneInString(s)
		end = size
	}
	return end
}

// The fence lines Mrkdwn writes around code blocks.
const (
	fenceOpen  = "```\n"
	fenceClose = "\n```"
)

// balanceFences closes a code block left open at the end of a piece and reopens it at the start
// of the next, so each section renders on its own.
func balanceFences(pieces []string) []string {
	open := false
	for i, p := range pieces {
		wasOpen := open
		for _, line := range strings.Split(p, "\n") {
			if isFence(line) {
				open = !open
			}
		}
		if wasOpen {
			p = fenceOpen + p
		}
		if open {
			p += fenceClose
		}
		pieces[i] = p
	}
	return pieces
}

// isFence reports whether a line is a code fence, as Mrkdwn writes them (maybe indented in a
// list or prefixed in a quote).
func isFence(line string) bool {
	return strings.TrimLeft(line, " >") == "```"
}
