package index

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/dvkbot/dvkbot/knowledge"
)

// benchQuestions are questions as people type them, typos and Slack noise included, cycled
// over b.N so every benchmark sees the same mix.
var benchQuestions = []string{
	"what is docker",
	"kuberntes vs dokcer, which one do i need",
	"<@U0DVKBOT> how does k8s scale my pods when traffic goes up?",
	"hpa not scaling my deployment",
	"how do i get a shell in a runing pod",
	"whats a statefulset for",
	"docker compose or swarm for a tiny team",
	"my pod is stuck in CrashLoopBackOff what now",
	"how do i move my docker-compose.yml to kubernetes manifests",
	"ingress vs service of type loadbalancer",
	"are k8s secrets actualy encrypted",
	"imagepullbackoff from a private registry",
	"how do docker and kubernetes fit together in our ci pipeline",
	"what happens to pods when a node dies",
	"rolling update maxsurge explained",
	"is kubernetes overkill for a three person startup",
	"podman instead of docker desktop on a mac",
	"we run a few containers on one vm with compose and keep running out of memory, should we look at kubernetes or is there something simpler for a small team like ours",
	"helm chart values override",
	"best pizza near the office",
}

// benchSizes are the knowledge base sizes benchmarked besides the built-in one.
var benchSizes = []int{1000, 10000}

var benchBases struct {
	sync.Mutex
	built map[int]*Index
}

// benchIndex returns the index of size entries (0: the built-in base), built once per process:
// building 10,000 entries takes seconds, too long to repeat per benchmark run.
func benchIndex(b *testing.B, size int) *Index {
	b.Helper()
	benchBases.Lock()
	defer benchBases.Unlock()
	if ix := benchBases.built[size]; ix != nil {
		return ix
	}
	ix, err := Build(benchEntries(b, size))
	if err != nil {
		b.Fatal(err)
	}
	if benchBases.built == nil {
		benchBases.built = map[int]*Index{}
	}
	benchBases.built[size] = ix
	return ix
}

// benchEntries is the built-in base, grown with synthetic entries to size when size is larger.
func benchEntries(b *testing.B, size int) []knowledge.Entry {
	b.Helper()
	base := builtinEntries(b)
	if size <= len(base) {
		return base
	}
	return append(base, syntheticEntries(base, size-len(base))...)
}

// syntheticEntries makes n entries that look like real ones: titles naming an entity, five
// questions and a body of about 150 words. Words come from the built-in bodies and from a pool
// of made-up words that grows with n, so the vocabulary grows as a real knowledge base's does.
func syntheticEntries(base []knowledge.Entry, n int) []knowledge.Entry {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	real, names, aspects := builtinVocabulary(base)
	made := make([]string, 3*n)
	for i := range made {
		made[i] = madeUpWord(r)
	}
	word := func() string {
		if r.IntN(10) < 7 {
			return real[r.IntN(len(real))]
		}
		return made[r.IntN(len(made))]
	}
	words := func(k int) string {
		ws := make([]string, k)
		for i := range ws {
			ws[i] = word()
		}
		return strings.Join(ws, " ")
	}
	starts := []string{"what is", "how do i", "why does", "can i", "difference between"}
	out := make([]knowledge.Entry, n)
	for i := range out {
		name := names[r.IntN(len(names))]
		own := made[r.IntN(len(made))]
		e := knowledge.Entry{
			ID:       fmt.Sprintf("synthetic-%05d", i),
			Title:    fmt.Sprintf("%s %s %s", name, own, words(2)),
			Kind:     knowledge.Kinds[i%len(knowledge.Kinds)],
			Entities: []string{name, own},
			Aspects:  []string{aspects[r.IntN(len(aspects))]},
			Body:     words(150),
		}
		for range 5 {
			e.Questions = append(e.Questions, starts[r.IntN(len(starts))]+" "+own+" "+words(4))
		}
		out[i] = e
	}
	return out
}

// builtinVocabulary returns the words of the built-in bodies, and the entity and aspect names.
func builtinVocabulary(base []knowledge.Entry) (words, entities, aspects []string) {
	for _, e := range base {
		for _, w := range strings.Fields(strings.ToLower(e.Body)) {
			if w = strings.Trim(w, ".,;:()*`'\""); len(w) > 2 {
				words = append(words, w)
			}
		}
		entities = append(entities, e.Entities...)
		aspects = append(aspects, e.Aspects...)
	}
	slices.Sort(entities)
	slices.Sort(aspects)
	return words, slices.Compact(entities), slices.Compact(aspects)
}

func madeUpWord(r *rand.Rand) string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	w := make([]byte, 4+r.IntN(7))
	for i := range w {
		w[i] = letters[r.IntN(len(letters))]
	}
	return string(w)
}

// benchName names a sub-benchmark by its knowledge base size.
func benchName(size int) string {
	if size == 0 {
		return "builtin"
	}
	return fmt.Sprintf("entries=%d", size)
}

// BenchmarkMatch measures what a question costs: analysis, typo correction, the bleve query,
// re-ranking and the decision. It reports the median and p99 of single calls.
func BenchmarkMatch(b *testing.B) {
	for _, size := range append([]int{0}, benchSizes...) {
		b.Run(benchName(size), func(b *testing.B) {
			ix := benchIndex(b, size)
			timed(b, func(q string) { ix.Match(q) })
		})
	}
}

// BenchmarkExcerpt measures choosing the parts of a long entry to show for a question, on top
// of Match, for the benchmark questions whose best entry's body is long enough to excerpt.
func BenchmarkExcerpt(b *testing.B) {
	ix := benchIndex(b, 0)
	type asked struct {
		body string
		q    Question
	}
	var long []asked
	for _, q := range benchQuestions {
		if m := ix.Match(q); len(m.Hits) > 0 && len(m.Hits[0].Entry.Body) > wholeBodyBytes {
			long = append(long, asked{m.Hits[0].Entry.Body, m.Question})
		}
	}
	if len(long) == 0 {
		b.Fatal("no benchmark question is answered from a long entry")
	}
	next := 0
	timed(b, func(string) {
		a := long[next%len(long)]
		next++
		ix.excerpt(a.body, a.q)
	})
}

// BenchmarkBareMatchQuery is the yardstick for BenchmarkMatch: a plain bleve MatchQuery of the
// same question text on the same index field, with nothing of dvkbot's analysis.
func BenchmarkBareMatchQuery(b *testing.B) {
	for _, size := range append([]int{0}, benchSizes...) {
		b.Run(benchName(size), func(b *testing.B) {
			ix := benchIndex(b, size)
			timed(b, func(q string) { bareMatch(b, ix, q) })
		})
	}
}

// BenchmarkMatchRatio runs Match and the bare MatchQuery on the same questions in turn and
// reports the ratio of their medians, which the project holds under 3x.
func BenchmarkMatchRatio(b *testing.B) {
	for _, size := range append([]int{0}, benchSizes...) {
		b.Run(benchName(size), func(b *testing.B) {
			ix := benchIndex(b, size)
			ours := make([]time.Duration, 0, 1024)
			bare := make([]time.Duration, 0, 1024)
			for i := 0; b.Loop(); i++ {
				q := benchQuestions[i%len(benchQuestions)]
				start := time.Now()
				ix.Match(q)
				mid := time.Now()
				bareMatch(b, ix, q)
				ours, bare = append(ours, mid.Sub(start)), append(bare, time.Since(mid))
			}
			b.ReportMetric(float64(percentile(ours, 50))/float64(percentile(bare, 50)), "median-ratio")
		})
	}
}

// BenchmarkBuild measures indexing a whole knowledge base, as a reload does.
func BenchmarkBuild(b *testing.B) {
	for _, size := range append([]int{0}, benchSizes...) {
		b.Run(benchName(size), func(b *testing.B) {
			entries := benchEntries(b, size)
			for b.Loop() {
				ix, err := Build(entries)
				if err != nil {
					b.Fatal(err)
				}
				ix.Close()
			}
		})
	}
}

// bareMatch is bleve alone: the question text as a MatchQuery on each field the engine
// searches, analysed by bleve with the engine's analyzer, top candidates taken.
func bareMatch(b *testing.B, ix *Index, q string) {
	fields := make([]query.Query, len(retrievalNames))
	for i, name := range retrievalNames {
		mq := bleve.NewMatchQuery(q)
		mq.SetField(name)
		mq.Analyzer = en.AnalyzerName
		fields[i] = mq
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(fields...), candidates, 0, false)
	if _, err := ix.bleve.Search(req); err != nil {
		b.Fatal(err)
	}
}

// timed runs f over the question mix and reports the median and p99 of single calls next to
// the mean that ns/op gives: the tail is what a person waiting on an answer notices.
func timed(b *testing.B, f func(string)) {
	b.ReportAllocs()
	took := make([]time.Duration, 0, 1024)
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		f(benchQuestions[i%len(benchQuestions)])
		took = append(took, time.Since(start))
	}
	b.ReportMetric(float64(percentile(took, 50))/1e3, "p50-µs")
	b.ReportMetric(float64(percentile(took, 99))/1e3, "p99-µs")
}

// percentile returns the p-th percentile of took, sorting it.
func percentile(took []time.Duration, p int) time.Duration {
	if len(took) == 0 {
		return 0
	}
	slices.Sort(took)
	return took[(len(took)-1)*p/100]
}
