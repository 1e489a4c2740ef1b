package bot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/dvkbot/dvkbot/bot/brain"
	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// builtin loads the built-in knowledge base and indexes it, once for all tests of this file.
func builtin(t *testing.T) ([]knowledge.Entry, *index.Index) {
	t.Helper()
	entries, err := knowledge.Load(knowledge.Builtin())
	if err != nil {
		t.Fatalf("load built-in knowledge: %v", err)
	}
	ix, err := index.Build(entries)
	if err != nil {
		t.Fatalf("build index: %v", err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	return entries, ix
}

func TestMessageBuiltinEntries(t *testing.T) {
	entries, ix := builtin(t)
	if len(entries) == 0 {
		t.Fatal("no built-in entries")
	}
	for _, e := range entries {
		answers := map[string]index.Answer{
			"direct": {Answered: true, Sure: true, Entry: e, Related: relatedOf(ix, e)},
		}
		if len(e.Questions) > 0 {
			answers["asked"] = ix.Answer(e.Questions[0])
		}
		for how, a := range answers {
			for _, ephemeral := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/ephemeral=%v", e.ID, how, ephemeral), func(t *testing.T) {
					opts := MessageOptions{Ephemeral: ephemeral, Asker: "U0123ABC", Question: a.Question}
					checkMessage(t, AnswerMessage(a, opts))
				})
			}
		}
	}
}

func relatedOf(ix *index.Index, e knowledge.Entry) []knowledge.Entry {
	var related []knowledge.Entry
	for _, id := range e.Related {
		if r, ok := ix.Entry(id); ok {
			related = append(related, r)
		}
	}
	return related
}

// hostileEntry is an entry written to break the layout: huge body, huge title, hostile text.
func hostileEntry(body string) knowledge.Entry {
	return knowledge.Entry{
		ID:    "hostile",
		Title: strings.Repeat("<!channel> @here Ｔｉｔｌｅ 🐳 & ", 1000/25),
		Body:  body,
		Sources: []string{
			"javascript:alert(1)",
			"https://e.com/" + strings.Repeat("p", 2500),
			"https://kubernetes.io/docs/concepts/workloads/pods/",
			"https://docs.docker.com/engine/|<!here>",
			"https://example.com/a?b=1&c=2",
			"https://example.com/fourth",
		},
	}
}

func manyRelated(n int) []knowledge.Entry {
	var related []knowledge.Entry
	for i := 0; i < n; i++ {
		related = append(related, knowledge.Entry{
			ID:    fmt.Sprintf("related-%d", i),
			Title: fmt.Sprintf("%d <@U999> %s", i, strings.Repeat("very long related title ", 40)),
		})
	}
	return related
}

func TestMessageHostileAnswer(t *testing.T) {
	bodies := map[string]string{
		"200KB of lines": strings.Repeat("**Line** with <!here> & [a|link>](https://e.com/?a=1&b=2) 🐳 漢字\n", 200*1024/70),
		"200KB one line": strings.Repeat("word&<> ", 200*1024/8),
		"200KB of code":  "```\n" + strings.Repeat("echo <!channel> ``` && true\n", 200*1024/30) + "```",
		"10000 items":    strings.Repeat("- item <@U1>\n  - nested\n", 10000),
		"empty":          "",
	}
	for name, body := range bodies {
		for _, ephemeral := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/ephemeral=%v", name, ephemeral), func(t *testing.T) {
				a := index.Answer{Answered: true, Sure: true, Entry: hostileEntry(body), Related: manyRelated(20)}
				opts := MessageOptions{Ephemeral: ephemeral, Asker: "U1", Question: strings.Repeat("<!everyone> why? ", 100)}
				m := AnswerMessage(a, opts)
				checkMessage(t, m)
				if len(body) > 100*1024 && m.Blocks[len(m.Blocks)-1-tailBlocks(m)].ID() != "answer_cut" {
					t.Errorf("a cut answer must end with the cut note; blocks: %v", blockIDs(m))
				}
			})
		}
	}
}

// tailBlocks counts the blocks after the body: related, sources, buttons.
func tailBlocks(m Message) int {
	n := 0
	for _, b := range m.Blocks {
		switch b.ID() {
		case "related_label", "related", "sources", blockFeedback, blockShare:
			n++
		}
	}
	return n
}

// An answer that is only the closest the bot has says so, and offers the next candidates first.
func TestUnsureAnswerSaysSoAndOffersAlternatives(t *testing.T) {
	e := knowledge.Entry{ID: "docker-volumes", Title: "Docker volumes", Body: "**Volumes keep data.**"}
	alternatives := []knowledge.Entry{{ID: "docker-data-location", Title: "Where Docker keeps its data"}, {ID: "backup-and-disaster-recovery", Title: "Backups"}}
	m := AnswerMessage(index.Answer{Answered: true, Entry: e, Suggestions: alternatives}, MessageOptions{})
	checkMessage(t, m)
	if got := strings.Join(blockIDs(m), ","); got != "title,unsure,answer_0,alternatives_label,alternatives,feedback" {
		t.Errorf("blocks %v, want the unsure note after the title and the alternatives before the footer", got)
	}
	if got := buttonsOf(m)["alternatives"]; strings.Join(got, ",") != "dvk_related_0=docker-data-location,dvk_related_1=backup-and-disaster-recovery" {
		t.Errorf("alternative buttons %v", got)
	}
	if sure := AnswerMessage(index.Answer{Answered: true, Sure: true, Entry: e, Suggestions: alternatives}, MessageOptions{}); strings.Contains(strings.Join(blockIDs(sure), ","), "unsure") {
		t.Errorf("a sure answer carries the unsure note: %v", blockIDs(sure))
	}
}

// An answer that shows only the parts of its entry about the question says so, and offers the
// whole entry with a button; an answer showing the whole entry has no such button.
func TestExcerptAnswerOffersTheWholeEntry(t *testing.T) {
	e := knowledge.Entry{ID: "docker-volumes", Title: "Docker volumes", Body: "**Volumes keep data.**\n\nBackups.\n\nNetwork shares."}
	m := AnswerMessage(index.Answer{Answered: true, Sure: true, Entry: e, Excerpt: "**Volumes keep data.**\n\nBackups."}, MessageOptions{})
	checkMessage(t, m)
	if got := strings.Join(blockIDs(m), ","); got != "title,answer_0,excerpt_note,whole,feedback" {
		t.Errorf("blocks %v, want the note and the button right after the answer", got)
	}
	text := blocksOf(t, m)
	if !strings.Contains(text, "Backups.") || strings.Contains(text, "Network shares") {
		t.Errorf("the message does not show the excerpt alone:\n%s", text)
	}
	if got := buttonsOf(m)["whole"]; strings.Join(got, ",") != "dvk_whole=docker-volumes" {
		t.Errorf("whole-answer button %v", got)
	}
	whole := AnswerMessage(index.Answer{Answered: true, Sure: true, Entry: e}, MessageOptions{})
	if _, ok := buttonsOf(whole)["whole"]; ok || !strings.Contains(blocksOf(t, whole), "Network shares") {
		t.Errorf("an answer without an excerpt: blocks %v, want the whole body and no whole-answer button", blockIDs(whole))
	}
}

func TestMessageLayout(t *testing.T) {
	e := knowledge.Entry{
		ID: "difference-scaling", Title: "Scaling in Docker vs Kubernetes",
		Body:    "**Kubernetes scales on its own; Docker needs you.**\n\nMore detail.",
		Sources: []string{"https://kubernetes.io/docs/concepts/workloads/autoscaling/"},
	}
	related := []knowledge.Entry{{ID: "kubernetes-hpa", Title: "Horizontal Pod Autoscaler"}, {ID: "docker-swarm", Title: "Docker Swarm"}}
	a := index.Answer{Answered: true, Sure: true, Entry: e, Related: related}
	tests := []struct {
		name string
		opts MessageOptions
		ids  []string
	}{
		{"mention", MessageOptions{}, []string{"title", "answer_0", "related_label", "related", "sources", "feedback"}},
		{"slash", MessageOptions{Ephemeral: true, Question: "how to scale"}, []string{"title", "question", "answer_0", "related_label", "related", "sources", "share"}},
		{"shared", MessageOptions{Asker: "U123"}, []string{"title", "question", "answer_0", "related_label", "related", "sources", "feedback"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := AnswerMessage(a, tt.opts)
			checkMessage(t, m)
			if got := blockIDs(m); strings.Join(got, ",") != strings.Join(tt.ids, ",") {
				t.Errorf("blocks %v, want %v", got, tt.ids)
			}
			if want := "Scaling in Docker vs Kubernetes: Kubernetes scales on its own; Docker needs you."; m.Text != want {
				t.Errorf("Text = %q, want %q", m.Text, want)
			}
			buttons := buttonsOf(m)
			if got := buttons["related"]; strings.Join(got, ",") != "dvk_related_0=kubernetes-hpa,dvk_related_1=docker-swarm" {
				t.Errorf("related buttons %v", got)
			}
			want := "dvk_feedback_up=difference-scaling,dvk_feedback_down=difference-scaling"
			if tt.opts.Ephemeral {
				want = "dvk_share=difference-scaling"
			}
			if got := buttons[tt.ids[len(tt.ids)-1]]; strings.Join(got, ",") != want {
				t.Errorf("footer buttons %v, want %s", got, want)
			}
		})
	}
}

func TestMessageSources(t *testing.T) {
	e := knowledge.Entry{ID: "x", Title: "X", Body: "b", Sources: []string{
		"slack://open", "https://www.docker.com/resources/what-container/", "https://kubernetes.io/",
		"https://e.com/a?b=1&c=2", "https://fourth.example/",
	}}
	m := AnswerMessage(index.Answer{Answered: true, Sure: true, Entry: e}, MessageOptions{})
	want := "Sources: <https://www.docker.com/resources/what-container/|docker.com/resources/what-container> · " +
		"<https://kubernetes.io/|kubernetes.io> · <https://e.com/a?b=1&amp;c=2|e.com/a>"
	if got := contextText(t, m, "sources"); got != want {
		t.Errorf("sources\n got %q\nwant %q", got, want)
	}
}

func TestMessageQuestionContext(t *testing.T) {
	a := index.Answer{Answered: true, Sure: true, Entry: knowledge.Entry{ID: "x", Title: "X", Body: "b"}}
	tests := []struct {
		name string
		opts MessageOptions
		want string // "" for no context block
	}{
		{"nothing", MessageOptions{}, ""},
		{"asker", MessageOptions{Asker: "U024BE7LH"}, "Asked by <@U024BE7LH>"},
		{"enterprise asker", MessageOptions{Asker: "W012A3CDE"}, "Asked by <@W012A3CDE>"},
		{"broadcast as asker", MessageOptions{Asker: "!channel"}, ""},
		{"forged asker", MessageOptions{Asker: "U1>|<!here"}, ""},
		{"lowercase asker", MessageOptions{Asker: "u123"}, ""},
		{"question", MessageOptions{Question: "what is a pod?"}, "“what is a pod?”"},
		{"both", MessageOptions{Asker: "U1", Question: "k8s vs docker"}, "Asked by <@U1>: “k8s vs docker”"},
		{"hostile question", MessageOptions{Question: "<!channel> & @here\nhi"}, "“&lt;!channel&gt; &amp; @\u2060here hi”"},
		{"long question", MessageOptions{Question: strings.Repeat("a", 250)}, "“" + strings.Repeat("a", 199) + "…”"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := AnswerMessage(a, tt.opts)
			checkMessage(t, m)
			if got := contextText(t, m, "question"); got != tt.want {
				t.Errorf("context %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMessageNotAnswered(t *testing.T) {
	_, ix := builtin(t)
	for _, q := range []string{"what is the best pizza topping", "", "<!channel> help"} {
		t.Run(q, func(t *testing.T) {
			a := ix.Answer(q)
			if a.Answered {
				t.Skipf("%q was answered", q)
			}
			m := AnswerMessage(a, MessageOptions{Question: q})
			checkMessage(t, m)
			if !strings.HasPrefix(m.Text, "I'm not sure") {
				t.Errorf("Text = %q", m.Text)
			}
			if got := sectionText(m, "fallback_0"); !strings.HasPrefix(got, "*I'm not sure") || !strings.Contains(got, "• what each one is") {
				t.Errorf("fallback section %q", got)
			}
			got := buttonsOf(m)["suggestions"]
			if len(a.Suggestions) > 0 && (len(got) == 0 || len(got) > 3) {
				t.Errorf("suggestion buttons %v for %d suggestions", got, len(a.Suggestions))
			}
			for i, b := range got {
				if want := fmt.Sprintf("dvk_related_%d=%s", i, a.Suggestions[i].ID); b != want {
					t.Errorf("button %d = %s, want %s", i, b, want)
				}
			}
		})
	}
}

// The notification text of a reply that does not answer is the first thing it says: for a
// near miss, that the bot is not sure, not what it can answer.
func TestMessageNotAnsweredNotificationText(t *testing.T) {
	for fallback, want := range map[string]string{
		"**I don't have an answer I'm sure of.** Try naming the tool.":            "I don't have an answer I'm sure of. Try naming the tool.",
		"**I'm not sure I can answer that one.** I answer:\n\n- what each one is": "I'm not sure I can answer that one. I answer:",
		"": "I'm not sure I can answer that one.",
	} {
		if got := AnswerMessage(index.Answer{Fallback: fallback}, MessageOptions{}).Text; got != want {
			t.Errorf("fallback %q: notification text %q, want %q", fallback, got, want)
		}
	}
}

func TestMessageNotAnsweredManySuggestions(t *testing.T) {
	m := AnswerMessage(index.Answer{Suggestions: manyRelated(20)}, MessageOptions{})
	checkMessage(t, m)
	if got := buttonsOf(m)["suggestions"]; len(got) != 3 {
		t.Errorf("%d suggestion buttons, want 3", len(got))
	}
}

func TestMessageThankYou(t *testing.T) {
	a := index.Answer{Answered: true, Sure: true, Entry: knowledge.Entry{ID: "x", Title: "X", Body: "b"}}
	original := AnswerMessage(a, MessageOptions{})
	// The router rebuilds the message from the interaction payload: go through JSON as it does.
	raw, err := json.Marshal(slack.Blocks{BlockSet: original.Blocks})
	if err != nil {
		t.Fatal(err)
	}
	var decoded slack.Blocks
	if err := json.Unmarshal(raw, &decoded); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		up      bool
		want    string
		suggest string // the Suggest a better answer button's value after the vote, if any
	}{
		{true, "Thanks for the feedback! 👍", ""},
		{false, "Thanks for the feedback! 👎 We'll use it to improve this answer.", "entry:x"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.up), func(t *testing.T) {
			m := ThankYouMessage(Message{Text: original.Text, Blocks: decoded.BlockSet}, tt.up, "x")
			checkMessage(t, m)
			if got := contextText(t, m, blockFeedback); got != tt.want {
				t.Errorf("feedback block %q, want %q", got, tt.want)
			}
			if len(buttonsOf(m)[blockFeedback]) != 0 {
				t.Error("feedback buttons still there")
			}
			var suggest string
			for _, btn := range buttonsOf(m)[blockSuggest] {
				if !strings.HasPrefix(btn, ActionAnswer+"=") {
					t.Errorf("suggest button %s does not open the Answer modal", btn)
				}
				suggest = strings.TrimPrefix(btn, ActionAnswer+"=")
			}
			if suggest != tt.suggest {
				t.Errorf("suggest button value %q, want %q", suggest, tt.suggest)
			}
			added := 0
			if tt.suggest != "" {
				added = 1 // the suggest button's block
			}
			if len(m.Blocks) != len(original.Blocks)+added || m.Text != original.Text {
				t.Error("the rest of the message changed")
			}
		})
	}
	if len(buttonsOf(original)[blockFeedback]) != 2 {
		t.Error("ThankYouMessage changed the original message")
	}
}

func TestFormatActionKind(t *testing.T) {
	tests := map[string]string{
		ActionFeedbackUp:     ActionFeedbackUp,
		ActionFeedbackDown:   ActionFeedbackDown,
		ActionShare:          ActionShare,
		ActionRelated:        ActionRelated,
		ActionRelated + "_0": ActionRelated,
		ActionRelated + "_2": ActionRelated,
		ActionWhole:          ActionWhole,
		"dvk_relatedx":       "",
		"other":              "",
		"":                   "",
	}
	for id, want := range tests {
		if got := ActionKind(id); got != want {
			t.Errorf("ActionKind(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestMessageText(t *testing.T) {
	m := TextMessage("How to use <dvkbot>", strings.Repeat("• line &amp; more\n", 2000))
	checkMessage(t, m)
	if m.Text != "How to use &lt;dvkbot&gt;" {
		t.Errorf("Text = %q", m.Text)
	}
}

// checkMessage fails when Slack would reject m or when m could ping or link more than we mean:
// Block Kit limits, unique ids, and every mrkdwn text checked by checkMrkdwn.
func checkMessage(t *testing.T, m Message) {
	t.Helper()
	if n := len(m.Blocks); n == 0 || n > maxBlocks {
		t.Fatalf("%d blocks, want 1..%d", n, maxBlocks)
	}
	if m.Text == "" || textLen(m.Text) > maxFallback {
		t.Errorf("fallback text of %d units", textLen(m.Text))
	}
	checkMrkdwn(t, m.Text)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep '<' readable so the checks below see it
	if err := enc.Encode(m.Blocks); err != nil {
		t.Fatalf("marshal blocks: %v", err)
	}
	if bytes.Contains(buf.Bytes(), []byte("<!")) {
		t.Errorf("'<!' in message JSON")
	}
	var blocks []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &blocks); err != nil {
		t.Fatalf("unmarshal blocks: %v", err)
	}
	ids := map[string]bool{}
	for i, b := range blocks {
		id, _ := b["block_id"].(string)
		if id == "" || ids[id] {
			t.Errorf("block %d: block_id %q missing or repeated", i, id)
		}
		ids[id] = true
		checkBlock(t, b)
	}
}

func checkBlock(t *testing.T, b map[string]any) {
	t.Helper()
	id := b["block_id"]
	switch b["type"] {
	case "header":
		checkText(t, id, b["text"], "plain_text", maxHeaderText)
	case "section":
		checkText(t, id, b["text"], "mrkdwn", maxSectionText)
	case "context":
		elements, _ := b["elements"].([]any)
		if len(elements) == 0 || len(elements) > 10 {
			t.Errorf("%v: %d context elements", id, len(elements))
		}
		for _, el := range elements {
			checkText(t, id, el, "mrkdwn", maxSectionText)
		}
	case "actions":
		checkActions(t, id, b["elements"])
	default:
		t.Errorf("%v: unexpected block type %v", id, b["type"])
	}
}

func checkActions(t *testing.T, id any, v any) {
	t.Helper()
	elements, _ := v.([]any)
	if len(elements) == 0 || len(elements) > 25 {
		t.Errorf("%v: %d elements", id, len(elements))
	}
	actionIDs := map[string]bool{}
	for _, v := range elements {
		el, _ := v.(map[string]any)
		action, _ := el["action_id"].(string)
		if ActionKind(action) == "" || actionIDs[action] {
			t.Errorf("%v: action_id %q unknown or repeated", id, action)
		}
		actionIDs[action] = true
		value, _ := el["value"].(string)
		if value == "" || len(value) > maxButtonValue {
			t.Errorf("%v: button value of %d bytes", id, len(value))
		}
		checkText(t, id, el["text"], "plain_text", maxButtonText)
		if text, _ := el["text"].(map[string]any); text["emoji"] != true {
			t.Errorf("%v: button text without emoji: true", id)
		}
	}
}

func checkText(t *testing.T, id, v any, typ string, limit int) {
	t.Helper()
	obj, _ := v.(map[string]any)
	s, _ := obj["text"].(string)
	if obj["type"] != typ {
		t.Errorf("%v: text type %v, want %s", id, obj["type"], typ)
	}
	if n := textLen(s); n == 0 || n > limit {
		t.Errorf("%v: text of %d units, want 1..%d", id, n, limit)
	}
	checkMrkdwn(t, s) // plain_text too: Slack reads &, < and > as control characters there as well
}

func blockIDs(m Message) []string {
	var ids []string
	for _, b := range m.Blocks {
		ids = append(ids, b.ID())
	}
	return ids
}

// blocksOf is a message's blocks as the JSON Slack is sent.
func blocksOf(t *testing.T, m Message) string {
	t.Helper()
	raw, err := json.Marshal(slack.Blocks{BlockSet: m.Blocks})
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// buttonsOf maps each actions block id to its buttons as "action_id=value".
func buttonsOf(m Message) map[string][]string {
	out := map[string][]string{}
	for _, b := range m.Blocks {
		ab, ok := b.(*slack.ActionBlock)
		if !ok {
			continue
		}
		for _, el := range ab.Elements.ElementSet {
			if btn, ok := el.(*slack.ButtonBlockElement); ok {
				out[ab.BlockID] = append(out[ab.BlockID], btn.ActionID+"="+btn.Value)
			}
		}
	}
	return out
}

// contextText is the text of the context block with the given id, "" when there is none.
func contextText(t *testing.T, m Message, id string) string {
	t.Helper()
	for _, b := range m.Blocks {
		cb, ok := b.(*slack.ContextBlock)
		if !ok || cb.BlockID != id {
			continue
		}
		var texts []string
		for _, el := range cb.ContextElements.Elements {
			if tb, ok := el.(*slack.TextBlockObject); ok {
				texts = append(texts, tb.Text)
			}
		}
		return strings.Join(texts, " ")
	}
	return ""
}

func sectionText(m Message, id string) string {
	for _, b := range m.Blocks {
		if sb, ok := b.(*slack.SectionBlock); ok && sb.BlockID == id && sb.Text != nil {
			return sb.Text.Text
		}
	}
	return ""
}

// The knowledge loop's messages stay within Slack's limits whatever the questions hold, and
// repeat nobody's broadcast mentions.
func TestLoopMessagesWithinLimits(t *testing.T) {
	long := strings.Repeat("why <!channel> & @here? ", 100)
	p := brain.Pending{ID: "C1/1.1", Question: long, Asker: "U1", Channel: "C1", ThreadTS: "1.1"}
	checkMessage(t, ExpertsMessage(p, "https://fake.slack.com/archives/C1/p11"))
	checkMessage(t, ExpertsMessage(p, ""))
	var gaps []brain.Gap
	for i := range 10 {
		q := fmt.Sprint(i, strings.Repeat(" <!here> what is this é", 9))
		gaps = append(gaps, brain.Gap{Key: strings.ToLower(q), Question: q, Count: 3, Public: true})
	}
	m := GapsMessage(gaps, gaps)
	checkMessage(t, m)
	if n := len(buttonsOf(m)); n != 0 { // accessories, not actions blocks
		t.Errorf("%d actions blocks, want the Answer buttons as accessories", n)
	}
	checkMessage(t, GapsMessage(nil, nil))
	a := index.Answer{Question: "q", Fallback: "I do not know."}
	for _, loop := range []LoopOffer{{Pending: "C1/1.1", ExpertsChannel: "C2"}, {AskExperts: `{"q":"x","t":""}`}} {
		checkMessage(t, AnswerMessage(a, MessageOptions{Loop: loop}))
	}
}

// The Answer modal holds any entry within Slack's input limits: an answer longer than its field
// is not cut (a cut answer saved back would lose its end) but left for the expert to write.
func TestAnswerModalWithinLimits(t *testing.T) {
	var questions []string
	for i := range 200 {
		questions = append(questions, fmt.Sprint("how do I do thing number ", i, " with docker and kubernetes"))
	}
	d := answerDraft{Title: strings.Repeat("Title ", 40), Answer: strings.Repeat("word ", 1000), Questions: questions,
		Entities: strings.Fields(strings.Repeat("docker kubernetes ", 100))}
	view := AnswerModal(d, strings.Repeat("note ", 1000), `{"p":"C1/1.1"}`)
	if view.CallbackID != AnswerCallbackID || textLen(view.Title.Text) > 24 || textLen(view.Submit.Text) > 24 {
		t.Fatalf("view = %+v", view)
	}
	inputs := 0
	for _, b := range view.Blocks.BlockSet {
		in, ok := b.(*slack.InputBlock)
		if !ok {
			continue
		}
		inputs++
		el := in.Element.(*slack.PlainTextInputBlockElement)
		if el.MaxLength > 3000 || textLen(el.InitialValue) > el.MaxLength || textLen(in.Label.Text) > 2000 {
			t.Errorf("%s: max_length %d, initial value of %d", in.BlockID, el.MaxLength, textLen(el.InitialValue))
		}
		if in.BlockID == BlockAnswer && el.InitialValue != "" {
			t.Error("an answer longer than the field was cut into it")
		}
	}
	if inputs != 4 {
		t.Fatalf("%d inputs, want 4", inputs)
	}
}
