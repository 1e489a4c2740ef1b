package index

import (
	"strings"
	"testing"
)

// An answer from a long entry shows the parts about the question, opening with the entry's
// own first line, in the entry's order; a short entry, or a topic picked by name, is shown whole.
func TestExcerptShowsThePartsAboutTheQuestion(t *testing.T) {
	ix := testIndex(t)
	for _, c := range []struct {
		question, entry string
		holds, lacks    []string
	}{
		{
			question: "docker compose down deleted my database", entry: "docker-volumes",
			holds: []string{"What `docker compose down` keeps and what `down -v` deletes"},
			lacks: []string{"Network shares", "One config file into a container"},
		},
		{
			question: "how do i put a grafana.ini config file into the grafana container", entry: "docker-volumes",
			holds: []string{"One config file into a container, for example Grafana"},
			lacks: []string{"Network shares", "What `docker compose down` keeps"},
		},
		{
			question: "how to see logs of a crashed pod", entry: "debugging-containers",
			holds: []string{"kubectl logs web-abc12 --previous"},
			lacks: []string{"Attaching a debugger to an app in a container"},
		},
	} {
		t.Run(c.question, func(t *testing.T) {
			a := expectAnswer(t, ix, c.question, c.entry)
			if a.Excerpt == "" || len(a.Excerpt) >= len(a.Entry.Body)/2 {
				t.Fatalf("excerpt of %d bytes from a body of %d, want one under half of it:\n%s", len(a.Excerpt), len(a.Entry.Body), a.Excerpt)
			}
			lead, _, _ := strings.Cut(a.Entry.Body, "\n")
			if !strings.HasPrefix(a.Excerpt, lead) {
				t.Errorf("excerpt does not open with the entry's first line %q", lead)
			}
			for _, want := range c.holds {
				if !strings.Contains(a.Excerpt, want) {
					t.Errorf("excerpt lacks %q:\n%s", want, a.Excerpt)
				}
			}
			for _, unwanted := range c.lacks {
				if strings.Contains(a.Excerpt, unwanted) {
					t.Errorf("excerpt holds %q, a part about something else", unwanted)
				}
			}
			inBodyOrder(t, a.Excerpt, a.Entry.Body)
		})
	}
	t.Run("short entry", func(t *testing.T) {
		if a := expectAnswer(t, ix, "what is docker", "what-is-docker"); a.Excerpt != "" {
			t.Errorf("a body of %d bytes was cut to %d", len(a.Entry.Body), len(a.Excerpt))
		}
	})
	t.Run("topic picked by name", func(t *testing.T) {
		if a, ok := ix.Explain("docker-volumes"); !ok || a.Excerpt != "" {
			t.Errorf("Explain gave an excerpt (%d bytes); a picked topic is shown whole", len(a.Excerpt))
		}
	})
}

// inBodyOrder fails unless every line of excerpt is a line of body, in body's order: an excerpt
// leaves parts out, and writes nothing of its own.
func inBodyOrder(t *testing.T, excerpt, body string) {
	t.Helper()
	lines := strings.Split(body, "\n")
	at := 0
	for _, line := range strings.Split(excerpt, "\n") {
		if line == "" {
			continue
		}
		for at < len(lines) && lines[at] != line {
			at++
		}
		if at == len(lines) {
			t.Fatalf("excerpt line is not a line of the body after the ones before it: %.80q", line)
		}
		at++
	}
}

func TestBodyParts(t *testing.T) {
	long := strings.Repeat("x", splitListBytes)
	for _, c := range []struct {
		name, body string
		want       []string
	}{
		{"paragraphs", "**Lead.**\n\nOne\nstill one.\n\nTwo.", []string{"**Lead.**", "One\nstill one.", "Two."}},
		{"blank line inside a code block", "Intro:\n```\na\n\nb\n```\n\nAfter.", []string{"Intro:\n```\na\n\nb\n```", "After."}},
		{"code block alone joins the part before", "Run this:\n\n```\ndocker ps\n```\n\nNext.", []string{"Run this:\n\n```\ndocker ps\n```", "Next."}},
		{"indented fence in a list", "- step:\n  ```\n  x\n\n  y\n  ```\n\nEnd.", []string{"- step:\n  ```\n  x\n\n  y\n  ```", "End."}},
		{"short list stays whole", "Three ways:\n- a\n- b\n- c", []string{"Three ways:\n- a\n- b\n- c"}},
		{"long list is split into its items", "Three ways:\n- a\n  more of a\n- b " + long + "\n```\n- not an item\n```\n1. c", []string{"Three ways:", "- a\n  more of a", "- b " + long + "\n```\n- not an item\n```", "1. c"}},
		{"long list without an introduction", "- a\n- b " + long + "\n- c", []string{"- a", "- b " + long, "- c"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, p := range bodyParts(c.body) {
				got = append(got, p.text)
			}
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("bodyParts = %q, want %q", got, c.want)
			}
		})
	}
}

// An item of a long list is shown under the line that introduces the list, as a list.
func TestExcerptKeepsAListItemUnderItsIntroduction(t *testing.T) {
	ix := testIndex(t)
	a := expectAnswer(t, ix, "two ingress objects with the same host, how do they combine", "kubernetes-ingress")
	if !strings.Contains(a.Excerpt, "- Several Ingress objects may use the same host") {
		t.Fatalf("excerpt lacks the same-host item:\n%s", a.Excerpt)
	}
	if strings.Contains(a.Excerpt, "Kubernetes Ingress Controller Fake Certificate") {
		t.Errorf("excerpt holds the default-certificate item of the same list, which is about something else")
	}
	inBodyOrder(t, a.Excerpt, a.Entry.Body)
}
