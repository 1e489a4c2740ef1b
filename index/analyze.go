package index

import (
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Analyze reads a question: removes Slack markup, corrects misspelt words against the
// knowledge base's own vocabulary, analyses it into terms, and finds the entities, aspects and
// intent it names. User text only ever becomes terms: it never reaches a query syntax.
func (ix *Index) Analyze(text string) Question {
	q := Question{Text: cleanText(text)}
	words := ix.surfaceWords(q.Text)
	q.Intent, q.Cues = intentOf(words)
	q.Foreign, q.Instructed = ix.lx.foreignWords(words), ix.lx.instructs(words)
	q.Corrected = ix.correctAll(words)
	seq := ix.sequence(strings.Join(words, " "))
	q.Terms = dedupe(seq, maxTerms)
	for _, t := range q.Terms {
		if !ix.usedTerm(t) {
			q.Unknown = append(q.Unknown, t)
		}
		q.Topical = q.Topical || ix.anchors[t] || ix.generic[t] || ix.hasFlag(t, topicalTerm)
	}
	q.Anchored = ix.anchored(words, seq)
	q.Entities = ix.entities.in(seq)
	for brand, products := range ix.lx.brands {
		if brandOnly(words, brand, products) {
			q.Entities = slices.DeleteFunc(q.Entities, func(e string) bool { return e == brand })
		}
	}
	q.Aspects = ix.aspects.in(seq)
	if asking := askingPart(q.Text); asking != "" {
		words := ix.corrected(asking, q.Corrected)
		q.asking = ix.sequence(strings.Join(words, " "))
		intent, cues := intentOf(words)
		if q.Intent == AnyIntent {
			q.Intent = intent
		}
		if cues != 1<<AnyIntent {
			q.Cues = q.Cues&^(1<<AnyIntent) | cues
		}
	}
	return q
}

// anchored reports whether one of words (the question's, corrected) names something only this
// domain talks about: one of the words that made an anchor term or an inflection of one
// ("statefulsets"), or a synonym or compound of the vocabulary that analyses to an anchor term
// ("k8", "stateful set"). The term alone is not enough, since the stemmer runs everyday words
// into the domain's names: "ready" and readiness, "live" and liveness, "final" and finalizer,
// "operation" and operator. Refitted with it, and with names that are everyday words elsewhere
// (scheduler, windows, logging, operator, gpu) moved to the everyday words, the highest
// confidence of a dev off-topic question fell from 0.524 to 0.461 ("is there a way to change the
// scheduler to the local timezon ?", about a job scheduler), and the answer threshold with it:
// dev answered 60.2% right and 12.8% wrong, against 56.5% and 10.4%. At equal thresholds the two
// models answer dev alike; what changed is the off-topic questions at the top.
func (ix *Index) anchored(words, seq []string) bool {
	// Most anchored questions say one of the vocabulary's anchors as it is written ("docker",
	// "hpa"), and every other way of anchoring ends in an anchor term among the question's:
	// both are checked before any word is analysed on its own.
	if slices.ContainsFunc(words, func(w string) bool { return ix.lx.anchors[w] }) {
		return true
	}
	if !slices.ContainsFunc(seq, func(t string) bool { return ix.anchors[t] }) {
		return false
	}
	for i, w := range words {
		if ix.anchorWord(w) {
			return true
		}
		if target, ok := ix.lx.synonyms[w]; ok && ix.anchorTerms(target) {
			return true
		}
		if !ix.lx.compoundStarts[w] {
			continue
		}
		for n := 2; n <= 3 && i+n <= len(words); n++ {
			if c, ok := ix.lx.compounds[strings.Join(words[i:i+n], " ")]; ok && ix.anchorTerms(c) {
				return true
			}
		}
	}
	return false
}

// anchorWord reports whether w is an inflection of an anchor word of the vocabulary or of an
// entity's name of one word: hyphens aside ("kube-proxy"), it starts with all but the
// last letter of one that analyses to the same anchor term ("statefulsets", "containerizing",
// "oomkiller" for oomkilled). "live" shares only four letters with liveness, "ready" with
// readiness.
func (ix *Index) anchorWord(w string) bool {
	joined := strings.ReplaceAll(w, "-", "")
	inflects := func(a string) bool {
		a = strings.ToLower(a)
		return len(a) > 1 && !strings.ContainsAny(a, "- ") && !ix.lx.everyday[a] && strings.HasPrefix(joined, a[:len(a)-1])
	}
	for _, t := range ix.terms(w) {
		if ix.anchors[t] && (slices.ContainsFunc(ix.anchorWords[t], inflects) || slices.ContainsFunc(ix.entities.byFirst[t], inflects)) {
			return true
		}
	}
	return false
}

// anchorTerms reports whether text analyses to an anchor term.
func (ix *Index) anchorTerms(text string) bool {
	return slices.ContainsFunc(ix.terms(text), func(t string) bool { return ix.anchors[t] })
}

// correctAll replaces the misspelt words in words by their corrections and returns what it
// replaced, nil when nothing.
func (ix *Index) correctAll(words []string) map[string]string {
	var corrections map[string]string
	for i, w := range words {
		if !ix.unwritten(w) {
			continue
		}
		terms := ix.terms(w)
		c := ""
		if ix.misspelt(terms) {
			c = ix.correct(w)
		} else {
			c = ix.stemTypo(w, terms)
		}
		if c != "" {
			if corrections == nil {
				corrections = map[string]string{}
			}
			corrections[w] = c
			words[i] = c
		}
	}
	return corrections
}

// corrected is text's words with the corrections of q applied.
func (ix *Index) corrected(text string, corrections map[string]string) []string {
	words := ix.surfaceWords(text)
	for i, w := range words {
		if c, ok := corrections[w]; ok {
			words[i] = c
		}
	}
	return words
}

var (
	sentence      = regexp.MustCompile(`[^.!?\n]+[.!?\n]*`)
	questionStart = regexp.MustCompile(`(?i)^\s*(what|whats|what's|how|why|which|when|where|who|can|could|does|do|is|are|should|will|would)\b`)
)

// askingPart is what of a ramble asks something: the sentences ending in "?" or opening with a
// question word, each cut to its last clause that opens with one ("sorry if this is dumb, but
// honestly: what is docker actually for?" asks "what is docker actually for?"). A question of
// one plain clause has none apart from the whole.
func askingPart(text string) string {
	sentences := sentence.FindAllString(text, -1)
	var asking []string
	for _, s := range sentences {
		if strings.HasSuffix(strings.TrimSpace(s), "?") || questionStart.MatchString(s) {
			asking = append(asking, questionClause(s))
		}
	}
	part := strings.Join(asking, " ")
	if len(asking) == 0 || strings.TrimSpace(part) == strings.TrimSpace(text) {
		return ""
	}
	return part
}

// clauseBreak is where a sentence's clauses meet: a comma, colon, semicolon or dash.
var clauseBreak = regexp.MustCompile(`[,:;]\s+|\s+[-–—]+\s+`)

// questionClause is the last clause of sentence that opens with a question word, through the
// end of the sentence; the sentence itself when no later clause does.
func questionClause(sentence string) string {
	breaks := clauseBreak.FindAllStringIndex(sentence, -1)
	for i := len(breaks) - 1; i >= 0; i-- {
		if rest := sentence[breaks[i][1]:]; questionStart.MatchString(rest) {
			return rest
		}
	}
	return sentence
}

// unwritten reports whether w is a word long enough to correct that no entry writes and that
// is not filler: a typo, or an inflection no entry happens to use.
func (ix *Index) unwritten(w string) bool {
	return len(w) >= minCorrectable && ix.known.count(w) == 0 && !ix.lx.filler[w]
}

// misspelt reports whether an unwritten word, analysed to terms, is unknown to the knowledge
// base: some term in no entry's own text (a typo in a learned question is still one).
func (ix *Index) misspelt(terms []string) bool {
	for _, t := range terms {
		if !ix.ownTerm(t) {
			return true
		}
	}
	return false
}

// stemTypo returns the correction of an unwritten word w, analysed to terms, whose stem is by
// chance a term of the knowledge base, when the correction is an anchor (a name only this domain
// uses) that typoDominance times as many entries use: "kubenetes" stems to kubenet, a network
// plugin two entries mention, and is kubernetes misspelt. Corrections to other words bent
// everyday ones ("score" to store, "standing" to starting), and an inflection no entry writes
// ("deploys") corrects to a word of the same term.
func (ix *Index) stemTypo(w string, terms []string) string {
	c := ix.correct(w)
	if c == "" {
		return ""
	}
	corrected := ix.terms(c)
	if slices.Equal(terms, corrected) {
		return ""
	}
	for _, t := range corrected {
		if !ix.anchors[t] {
			return ""
		}
	}
	if ix.mostUsed(corrected) < typoDominance*ix.mostUsed(terms) {
		return ""
	}
	return c
}

// typoDominance is how many times as many entries a correction's term must be used by as the
// term an unwritten word stems to.
const typoDominance = 20

// mostUsed is how many entries use the most used of terms.
func (ix *Index) mostUsed(terms []string) int32 {
	most := int32(0)
	for _, t := range terms {
		if id, ok := ix.termID(t); ok {
			most = max(most, ix.df[id])
		}
	}
	return most
}

// brandOnly reports whether every use of brand in words is the first word of one of its
// products' names ("docker compose", "docker desktop"): then the question names the product,
// not the brand as a second thing.
func brandOnly(words []string, brand string, products map[string]bool) bool {
	used := false
	for i, w := range words {
		if w != brand {
			continue
		}
		if i+1 == len(words) || !products[words[i+1]] {
			return false
		}
		used = true
	}
	return used
}

// dedupe keeps the first of each term, at most limit of them.
func dedupe(seq []string, limit int) []string {
	seen := make(map[string]bool, len(seq))
	out := make([]string, 0, min(len(seq), limit))
	for _, t := range seq {
		if !seen[t] && len(out) < limit {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// names are the multi-word names of entities or aspects, indexed by their first term so that
// finding them in a question costs a lookup per word, however many names there are.
type names struct {
	terms   map[string][]string // each name's terms
	byFirst map[string][]string // the names starting with each term
}

func newNames() *names {
	return &names{terms: map[string][]string{}, byFirst: map[string][]string{}}
}

func (n *names) add(name string, terms []string) {
	if _, ok := n.terms[name]; ok || len(terms) == 0 {
		return
	}
	n.terms[name] = terms
	n.byFirst[terms[0]] = append(n.byFirst[terms[0]], name)
}

// in lists, sorted, the names whose terms stand together in seq: "docker desktop" is named by
// "is docker desktop free", not by "docker on my windows desktop".
func (n *names) in(seq []string) []string {
	var found []string
	for i, t := range seq {
		for _, name := range n.byFirst[t] {
			if hasPrefix(seq[i:], n.terms[name]) && !slices.Contains(found, name) {
				found = append(found, name)
			}
		}
	}
	sort.Strings(found)
	return found
}

// hasPrefix reports whether seq starts with run.
func hasPrefix(seq, run []string) bool {
	if len(run) > len(seq) {
		return false
	}
	for j, t := range run {
		if seq[j] != t {
			return false
		}
	}
	return true
}
