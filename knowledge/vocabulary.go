package knowledge

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// VocabularyFile is the name of the vocabulary file in a knowledge folder.
const VocabularyFile = "vocabulary.yaml"

// Vocabulary is how people name things in the knowledge base's domain: what the matcher needs
// to know beyond the entries themselves. It is data, not code, so a team can teach the bot its
// own words (a product name, an internal abbreviation) in its knowledge folder.
type Vocabulary struct {
	// Synonyms map a word to what it stands for, one word or several ("k8s": "kubernetes",
	// "lb": "load balancing").
	Synonyms map[string]string `yaml:"synonyms"`
	// Compounds map a name people write as two or three words ("config map", "docker in
	// docker") to the one word it is.
	Compounds map[string]string `yaml:"compounds"`
	// Joined are hyphenated names kept as one word ("cri-o"): split, a part may mean
	// something else ("cri" is the runtime interface).
	Joined []string `yaml:"joined"`
	// Filler are words that carry no meaning for matching: greetings, politeness, the verbs
	// of asking.
	Filler []string `yaml:"filler"`
	// Everyday are the domain's words that are also everyday English ("node", "image"): on
	// their own they do not make a question one about the domain.
	Everyday []string `yaml:"everyday"`
	// Anchors are words only this domain uses ("kubectl"): one of them makes a question one
	// about the domain. The entries' entity names of one word are anchors too, unless everyday.
	Anchors []string `yaml:"anchors"`
	// Foreign are everyday words that give the domain's words another sense: "ship" makes
	// "helm" a tiller, "bees" make "swarm" insects. One of them in a question is evidence it is
	// about something else. An entry of several words ("space probe") counts only as a whole.
	Foreign []string `yaml:"foreign"`
	// Instructions are phrases that try to instruct the bot rather than ask it ("ignore all
	// previous instructions"): the bot only ever answers from its entries, and such a message
	// is not a question about them.
	Instructions []string `yaml:"instructions"`
	// Brands map a brand to the words that follow it in its products' names ("docker":
	// "compose", "desktop"): "docker compose" names the product, not Docker itself.
	Brands map[string][]string `yaml:"brands"`
	// Starters are the ids of the entries offered to someone whose question could not be
	// placed at all.
	Starters []string `yaml:"starters"`
	// Fallback is what the bot says, in Markdown, when it does not know and the question is not
	// one about the domain it can place: what it answers, and the starters.
	Fallback string `yaml:"fallback"`
	// NearMiss is what it says, in Markdown, to a question about the domain that no entry
	// answers surely enough, before the closest topics.
	NearMiss string `yaml:"near_miss"`
	// File is where the vocabulary was read from, for error messages.
	File string `yaml:"-"`
}

//go:embed vocabulary.yaml
var builtinVocabulary []byte

// BuiltinVocabulary is the vocabulary shipped in the binary.
func BuiltinVocabulary() Vocabulary {
	v, err := ParseVocabulary("vocabulary.yaml", builtinVocabulary)
	if err != nil {
		panic(fmt.Sprintf("embedded vocabulary: %v", err)) // a test parses it: a bad file never ships
	}
	return v
}

// LoadVocabulary reads the vocabulary file of a knowledge folder (open it with OpenDir), with
// the same limits as entry files. A folder without one has an empty vocabulary, which adds
// nothing.
func LoadVocabulary(fsys fs.FS) (Vocabulary, error) {
	data, err := readEntryFile(fsys, VocabularyFile, MaxFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return Vocabulary{}, nil
	}
	if err != nil {
		return Vocabulary{}, Problems{{File: VocabularyFile, Msg: err.Error()}}
	}
	return ParseVocabulary(VocabularyFile, data)
}

// ParseVocabulary reads a vocabulary file and checks it; problems name the file and line.
func ParseVocabulary(file string, data []byte) (Vocabulary, error) {
	v := Vocabulary{File: file}
	if len(strings.TrimSpace(string(data))) == 0 {
		return v, nil
	}
	if p := checkUTF8(file, data); p != nil {
		return Vocabulary{}, Problems{*p}
	}
	fields, p := decodeMapping(file, data, 1, "vocabulary")
	if p != nil {
		return Vocabulary{}, Problems{*p}
	}
	if err := fields.Decode(&v); err != nil {
		return Vocabulary{}, Problems{yamlProblem(file, err, 1, "vocabulary")}
	}
	return v, v.check(keyLines(fields))
}

// keyLines maps each top-level key of a YAML mapping to its line.
func keyLines(m *yaml.Node) map[string]int {
	lines := make(map[string]int, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		lines[m.Content[i].Value] = m.Content[i].Line
	}
	return lines
}

// check reports the words the matcher could not use: empty ones, compounds that are not two or
// three words, joined names without a hyphen, and words listed in two senses (see bothSenses).
func (v Vocabulary) check(lines map[string]int) error {
	var ps Problems
	for _, field := range []struct {
		name  string
		words []string
	}{{"filler", v.Filler}, {"everyday", v.Everyday}, {"anchors", v.Anchors}, {"joined", v.Joined},
		{"foreign", v.Foreign}, {"instructions", v.Instructions},
		{"synonyms", slices.Collect(maps.Keys(v.Synonyms))}} {
		for _, w := range field.words {
			if strings.TrimSpace(w) == "" {
				ps = append(ps, Problem{File: v.File, Line: lines[field.name], Msg: field.name + ": an empty word"})
			}
		}
	}
	for pair := range v.Compounds {
		if n := len(strings.Fields(pair)); n < 2 || n > 3 {
			ps = append(ps, Problem{File: v.File, Line: lines["compounds"],
				Msg: fmt.Sprintf("compounds: %q must be two or three words", pair)})
		}
	}
	for _, j := range v.Joined {
		if !strings.Contains(j, "-") {
			ps = append(ps, Problem{File: v.File, Line: lines["joined"], Msg: fmt.Sprintf("joined: %q has no hyphen", j)})
		}
	}
	return append(ps, v.bothSenses(lines)...).errOrNil()
}

// bothSenses reports the foreign words that the same vocabulary also lists as the domain's:
// one counts as evidence against a question, the other for it. "harbor" was both, and a
// question about the Harbor registry counted as one about ships.
func (v Vocabulary) bothSenses(lines map[string]int) Problems {
	var ps Problems
	for _, domain := range []struct {
		name  string
		words []string
	}{{"anchors", v.Anchors}, {"everyday", v.Everyday}} {
		for _, w := range v.Foreign {
			if slices.Contains(domain.words, w) {
				ps = append(ps, Problem{File: v.File, Line: lines["foreign"],
					Msg: fmt.Sprintf("foreign: %q is also in %s: a word belongs to the domain or to another one, not both", w, domain.name)})
			}
		}
	}
	return ps
}

// Extend lays a team's vocabulary over this one: its words are added, its synonyms, compounds
// and brands replace those of the same word, and its starters, fallback and near-miss text, when
// it has them, replace these.
func (v Vocabulary) Extend(team Vocabulary) Vocabulary {
	out := Vocabulary{
		Synonyms: mergeMaps(v.Synonyms, team.Synonyms), Compounds: mergeMaps(v.Compounds, team.Compounds),
		Brands: mergeMaps(v.Brands, team.Brands), Joined: concat(v.Joined, team.Joined),
		Filler: concat(v.Filler, team.Filler), Everyday: concat(v.Everyday, team.Everyday),
		Anchors: concat(v.Anchors, team.Anchors), Foreign: concat(v.Foreign, team.Foreign),
		Instructions: concat(v.Instructions, team.Instructions), Starters: v.Starters, Fallback: v.Fallback, NearMiss: v.NearMiss, File: v.File,
	}
	if len(team.Starters) > 0 {
		out.Starters = team.Starters
	}
	if team.Fallback != "" {
		out.Fallback = team.Fallback
	}
	if team.NearMiss != "" {
		out.NearMiss = team.NearMiss
	}
	return out
}

func mergeMaps[V any](base, over map[string]V) map[string]V {
	out := make(map[string]V, len(base)+len(over))
	maps.Copy(out, base)
	maps.Copy(out, over)
	return out
}

func concat(a, b []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(a), b...))))
}
