package knowledge

import (
	"reflect"
	"strings"
	"testing"
)

// What a person types (colons, quotes, a leading dash, YAML syntax, a new field on a line of
// its own) comes back as typed: Format never lets text become front matter.
func TestFormatParsesBackAsWritten(t *testing.T) {
	e := Entry{
		ID: "prune-images", Title: `Pruning: "dangling" images # not a comment`, Kind: HowTo,
		Entities: []string{"docker", "images: all"}, Questions: []string{"- how do I prune?", "what is\nkind: faq"},
		Related: []string{"docker-disk-cleanup"}, Sources: []string{"https://docs.docker.com/engine/manage-resources/pruning/"},
		Body: "**Run `docker image prune`.**\n\n---\nid: evil",
	}
	data := Format(e, "captured in Slack by U0EXPERT\nfrom https://fake.slack.com/archives/C1/p1")
	got, problems := Parse("prune-images.md", data)
	if len(problems) > 0 {
		t.Fatalf("problems: %v\n%s", problems, data)
	}
	got.File, got.lines = "", fieldLines{}
	if !reflect.DeepEqual(got, e) {
		t.Fatalf("read back %+v\nwant %+v\nfile:\n%s", got, e, data)
	}
	if !strings.HasPrefix(string(data), "---\n# captured in Slack by U0EXPERT\n") {
		t.Fatalf("comment not at the top of the front matter:\n%s", data)
	}
}
