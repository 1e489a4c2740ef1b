package index

// decide judges whether the best hit answers the question. Raw scores mean nothing across
// questions, so the decision rests on signals that do: whether the question is about this
// domain at all, how much of it the best entry covers and how close it is to a listed phrasing.
func decide(q Question, hits []Hit) (answered bool, confidence float64, reason string) {
	if len(hits) == 0 {
		return false, 0, "nothing matched"
	}
	ev := hits[0].Evidence
	unknown := float64(len(q.Unknown)) / float64(len(q.Terms))
	confidence = max(ev.Coverage, ev.Phrasing)
	switch {
	case !q.Anchored && len(q.Unknown) > 0:
		return false, confidence, "words from outside the domain"
	case len(q.Terms) <= shortQuestion && unknown >= maxUnknownShort:
		return false, confidence, "mostly words from outside the domain"
	case unknown >= maxUnknown:
		return false, confidence, "mostly words from outside the domain"
	case !q.Anchored && ev.Phrasing < minPhrasingUnanchored:
		return false, confidence, "no domain word and no close phrasing"
	case confidence < minConfidence:
		return false, confidence, "too far from every entry"
	}
	return true, confidence, ""
}

// The decision's thresholds. A question that names the domain ("docker", "kubectl") is answered
// when the best entry covers a fair part of it; one made only of everyday words ("node",
// "volume") must read almost like one of the entry's own phrasings.
const (
	shortQuestion         = 4
	maxUnknownShort       = 0.3
	maxUnknown            = 0.5
	minPhrasingUnanchored = 0.6
	minConfidence         = 0.3
)
