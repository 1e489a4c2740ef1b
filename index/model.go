package index

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// Model ranks candidates and decides whether to answer, in two stages. The ranker is a
// conditional logit: each candidate's score is its features weighted, a "none of these" option
// scores the question's own features, and a softmax over them all gives each candidate the
// probability that it is the answer. The decision is a logistic regression over what the
// ranker concluded (the best candidate's probability, its margin, how close it comes to the
// question): the probability that answering with the best candidate is right. The answer is
// given when that probability reaches Threshold, and given as sure when it reaches
// SureThreshold; between the two the bot says it is the closest answer it has and offers the
// next candidates.
//
// The weights are fitted on real questions (see package index/fit) and kept as data, so
// changing how answers are chosen is a refit, not an edit of hand-set rules.
type Model struct {
	// Weights weigh the candidate features, by name (see FeatureNames).
	Weights map[string]float64 `json:"weights"`
	// NullWeights weigh the question features for the "none of these" option.
	NullWeights map[string]float64 `json:"null_weights"`
	// Decision weighs the decision features (see DecisionFeatureNames).
	Decision map[string]float64 `json:"decision"`
	// Learned are real questions each entry answered, by entry id, from the questions the
	// model was fitted on: how people really ask, matched as a field of its own.
	Learned map[string][]string `json:"learned,omitempty"`
	// Threshold is the least probability of being right an answer needs to be given at all.
	Threshold float64 `json:"threshold"`
	// SureThreshold is the least probability of being right an answer needs to be given
	// without a doubt.
	SureThreshold float64 `json:"sure_threshold"`
	// Fitted says how the weights were made, for people reading the file.
	Fitted map[string]any `json:"fitted,omitempty"`

	w, v, d []float64 // the weights in feature order
}

//go:embed model.json
var defaultModelJSON []byte

// DefaultModel is the model shipped in the binary.
func DefaultModel() *Model {
	m, err := ParseModel(defaultModelJSON)
	if err != nil {
		panic(fmt.Sprintf("built-in model: %v", err)) // a test parses it: a bad file never ships
	}
	return m
}

// ParseModel reads a model written by Model.JSON. Every weight must name a known feature: a
// misspelt name would silently weigh nothing.
func ParseModel(data []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("parse model: %w", err)
	}
	if err := m.compile(); err != nil {
		return nil, err
	}
	return &m, nil
}

// NewModel makes a model of weight vectors in feature order: the ranker's (w for candidates,
// v for "none of these") and the decision's (d).
func NewModel(w, v, d []float64, threshold float64) *Model {
	m := &Model{Weights: named(candidateFeatures, w), NullWeights: named(questionFeatures, v),
		Decision: named(decisionFeatures, d), Threshold: threshold, SureThreshold: threshold}
	m.w, m.v, m.d = w, v, d
	return m
}

func named(names []string, values []float64) map[string]float64 {
	out := make(map[string]float64, len(names))
	for i, name := range names {
		if values[i] != 0 {
			out[name] = values[i]
		}
	}
	return out
}

func (m *Model) compile() error {
	var err error
	if m.w, err = vectorOf(candidateFeatures, m.Weights); err != nil {
		return fmt.Errorf("model weights: %w", err)
	}
	if m.v, err = vectorOf(questionFeatures, m.NullWeights); err != nil {
		return fmt.Errorf("model null_weights: %w", err)
	}
	if m.d, err = vectorOf(decisionFeatures, m.Decision); err != nil {
		return fmt.Errorf("model decision: %w", err)
	}
	if m.Threshold <= 0 || m.Threshold >= 1 {
		return fmt.Errorf("model threshold %v: want a probability between 0 and 1", m.Threshold)
	}
	if m.SureThreshold == 0 {
		m.SureThreshold = m.Threshold
	}
	if m.SureThreshold < m.Threshold || m.SureThreshold >= 1 {
		return fmt.Errorf("model sure_threshold %v: want a probability from threshold (%v) to 1", m.SureThreshold, m.Threshold)
	}
	return nil
}

func vectorOf(names []string, weights map[string]float64) ([]float64, error) {
	v := make([]float64, len(names))
	for name, w := range weights {
		i := featureIndex(names, name)
		if i < 0 {
			return nil, fmt.Errorf("unknown feature %q", name)
		}
		v[i] = w
	}
	return v, nil
}

// JSON is the model as the file the binary embeds, keys sorted so refits diff well.
func (m *Model) JSON() ([]byte, error) {
	return json.MarshalIndent(m, "", "  ")
}

// Scores returns the candidates' scores and the "none of these" option's score.
func (m *Model) Scores(candidates [][]float64, question []float64) (scores []float64, null float64) {
	scores = make([]float64, len(candidates))
	for i, f := range candidates {
		scores[i] = dot(m.w, f)
	}
	return scores, dot(m.v, question)
}

// Confidence is the decision's probability that answering with the best candidate is right,
// from the decision features (see DecisionVector).
func (m *Model) Confidence(decision []float64) float64 {
	return Sigmoid(dot(m.d, decision))
}

// Sigmoid is the logistic function.
func Sigmoid(x float64) float64 {
	return 1 / (1 + math.Exp(-x))
}

// Probabilities turns scores into the probability of each candidate and of "none of these".
func Probabilities(scores []float64, null float64) (probs []float64, pNull float64) {
	top := null
	for _, s := range scores {
		top = max(top, s)
	}
	total := math.Exp(null - top)
	probs = make([]float64, len(scores))
	for i, s := range scores {
		probs[i] = math.Exp(s - top)
		total += probs[i]
	}
	for i := range probs {
		probs[i] /= total
	}
	return probs, math.Exp(null-top) / total
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// Top lists the n weights that matter most, for a fitting report.
func (m *Model) Top(n int) []string {
	type weight struct {
		name string
		w    float64
	}
	var all []weight
	for name, w := range m.Weights {
		all = append(all, weight{name, w})
	}
	for name, w := range m.NullWeights {
		all = append(all, weight{"null:" + name, w})
	}
	for name, w := range m.Decision {
		all = append(all, weight{"decision:" + name, w})
	}
	sort.Slice(all, func(i, j int) bool { return math.Abs(all[i].w) > math.Abs(all[j].w) })
	out := make([]string, 0, n)
	for _, x := range all[:min(n, len(all))] {
		out = append(out, fmt.Sprintf("%s=%+.2f", x.name, x.w))
	}
	return out
}
