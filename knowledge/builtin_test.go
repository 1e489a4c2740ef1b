package knowledge

import (
	"net/url"
	"strings"
	"testing"
)

func loadBuiltin(t *testing.T) []Entry {
	t.Helper()
	entries, err := Load(Builtin())
	if err != nil {
		t.Fatalf("built-in knowledge:\n%v", err)
	}
	return entries
}

func TestBuiltinIsValid(t *testing.T) {
	entries := loadBuiltin(t)
	if err := Validate(entries, entries); err != nil {
		t.Errorf("Validate(builtin, builtin):\n%v", err)
	}
	if len(entries) < 60 {
		t.Errorf("built-in has %d entries, want >= 60", len(entries))
	}
}

// Every built-in entry is complete enough to answer well: several phrasings, a way on, a source,
// and a bold one-line summary first.
func TestBuiltinEntriesAreComplete(t *testing.T) {
	for _, e := range loadBuiltin(t) {
		if len(e.Questions) < 3 || len(e.Related) < 1 || len(e.Sources) < 1 {
			t.Errorf("%s: %d questions, %d related, %d sources; want >= 3, 1, 1", e.File, len(e.Questions), len(e.Related), len(e.Sources))
		}
		for _, s := range e.Sources {
			if u, err := url.Parse(s); err != nil || u.Scheme != "https" || u.Host == "" {
				t.Errorf("%s: source %q is not an https URL", e.File, s)
			}
		}
		if first := strings.SplitN(e.Body, "\n", 2)[0]; len(first) < 5 || !strings.HasPrefix(first, "**") || !strings.HasSuffix(first, "**") {
			t.Errorf("%s: body's first line %q is not bold (**...**)", e.File, first)
		}
		if !validKind(e.Kind) {
			t.Errorf("%s: kind %q", e.File, e.Kind)
		}
	}
}
