package index

// decide judges whether the best hit answers the question. Raw scores mean nothing across
// questions, so the decision rests on signals that do: whether the question names something
// only this domain talks about, how many of its words the knowledge base has never seen, and
// how close the best entry comes to it (a listed phrasing, its title, questions and tags).
func decide(q Question, hits []Hit) (answered bool, confidence float64, reason string) {
	if len(hits) == 0 {
		return false, 0, "nothing matched"
	}
	ev := hits[0].Evidence
	confidence = min(max(hits[0].Score, 0), 1)
	unknown := unknownShare(q)
	near := ev.Wording >= closePhrasing || ev.Lead >= closeLead
	veryNear := ev.Wording >= veryClosePhrasing || ev.Lead >= veryCloseLead
	switch {
	case q.Anchored && mostlyUnknown(q) && !near:
		return false, confidence, "mostly words from outside the domain"
	case q.Anchored && confidence < minScoreAnchored:
		return false, confidence, "too far from every entry"
	case q.Anchored:
		return true, confidence, ""
	case !q.Topical:
		return false, confidence, "no word names a topic I know"
	case len(q.Unknown) > 0 && (unknown > maxUnknownPlain || len(q.Terms) < minTermsPlain):
		return false, confidence, "words from outside the domain"
	case !near || (len(q.Unknown) > 0 && !veryNear):
		return false, confidence, "no domain word and no close phrasing"
	case ev.Coverage < minCoveragePlain:
		return false, confidence, "no domain word and most of the question unexplained"
	}
	return true, confidence, ""
}

// unknownShare is the share of q's terms that no entry uses.
func unknownShare(q Question) float64 {
	if len(q.Terms) == 0 {
		return 0
	}
	return float64(len(q.Unknown)) / float64(len(q.Terms))
}

// mostlyUnknown reports whether too many of q's words are foreign to the knowledge base for a
// domain word in it to make it a question about the domain.
func mostlyUnknown(q Question) bool {
	return unknownShare(q) > maxUnknownAnchored
}

// The decision's thresholds. A question that names the domain ("docker", "kubectl") is answered
// unless the best entry is far from it, or it is short and mostly made of words the knowledge
// base never uses ("docker pants sizing"). One made only of everyday words ("node", "volume",
// "helm") must come close to an entry's own wording, and may hold only a few unknown words, in
// a question long enough for them to be asides ("swarm of bees in my garden" is not). The values
// sit between the on-topic and off-topic questions of the project's question set and of an
// independent development set.
const (
	maxUnknownAnchored = 0.3
	minScoreAnchored   = 0.25
	maxUnknownPlain    = 0.25
	minTermsPlain      = 5
	minCoveragePlain   = 0.45
	closePhrasing      = 0.45
	closeLead          = 0.5
	veryClosePhrasing  = 0.5
	veryCloseLead      = 0.6
)
