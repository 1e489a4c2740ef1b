package main

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/dvkbot/dvkbot/bot/brain"
	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// layers are the knowledge the bot answers from, by where it comes from: the built-in base, the
// team's folder (DVK_KNOWLEDGE_DIR) and the entries experts captured in Slack.
type layers struct {
	builtin, team []knowledge.Entry
	captured      []brain.Captured
	vocab         knowledge.Vocabulary
}

// loadLayers reads the built-in knowledge base and vocabulary and, when dir is set, the team's
// entries and vocabulary. The team's folder is read through knowledge.OpenDir, so that nothing
// in it can lead the bot outside it or stall it, and checked whole: every problem is reported at
// once.
func loadLayers(dir string) (layers, error) {
	l := layers{vocab: knowledge.BuiltinVocabulary()}
	base, err := knowledge.Load(knowledge.Builtin())
	if err != nil {
		return l, fmt.Errorf("built-in knowledge: %w", err)
	}
	l.builtin = base
	if dir == "" {
		return l, nil
	}
	folder, err := knowledge.OpenDir(dir)
	if err != nil {
		return l, err
	}
	defer folder.Close()
	team, entriesErr := knowledge.Check(folder, base)
	teamVocab, vocabErr := knowledge.LoadVocabulary(folder)
	if err := errors.Join(entriesErr, vocabErr); err != nil {
		return l, fmt.Errorf("knowledge in %s:\n%w", dir, err)
	}
	l.team, l.vocab = team, l.vocab.Extend(teamVocab)
	return l, nil
}

// loadKnowledge is the built-in knowledge base with the team's folder laid over it (see
// loadLayers), and the vocabulary of both.
func loadKnowledge(dir string) ([]knowledge.Entry, knowledge.Vocabulary, error) {
	l, err := loadLayers(dir)
	return knowledge.Merge(l.builtin, l.team), l.vocab, err
}

// entries merges the layers into what the bot answers from. A captured entry replaces a
// built-in one of its id (an expert's better answer); a team entry replaces a captured one (the
// folder is what the team reviewed and committed). A captured entry that no longer reads as
// valid knowledge (a related entry gone since it was saved) is left out, and said so in skipped.
func (l layers) entries() (merged []knowledge.Entry, skipped []error) {
	var captured []knowledge.Entry
	for _, c := range l.captured {
		e, err := c.Knowledge()
		if err != nil {
			skipped = append(skipped, err)
			continue
		}
		captured = append(captured, e)
	}
	merged = knowledge.Merge(knowledge.Merge(l.builtin, captured), l.team)
	var valid []knowledge.Entry
	for _, e := range captured {
		if err := knowledge.Validate([]knowledge.Entry{e}, merged); err != nil {
			skipped = append(skipped, fmt.Errorf("captured entry %q: %w", e.ID, err))
			continue
		}
		valid = append(valid, e)
	}
	if len(valid) < len(captured) {
		merged = knowledge.Merge(knowledge.Merge(l.builtin, valid), l.team)
	}
	return merged, skipped
}

// buildIndex indexes the knowledge of dir laid over the built-in base, with captured entries in
// between (see layers.entries). skipped lists the captured entries left out. room, when not
// nil, may refuse to build an index of the merged entries, with its reason.
func buildIndex(dir string, captured []brain.Captured, room func([]knowledge.Entry) error) (ix *index.Index, skipped []error, err error) {
	l, err := loadLayers(dir)
	if err != nil {
		return nil, nil, err
	}
	l.captured = captured
	entries, skipped := l.entries()
	if room != nil {
		if err := room(entries); err != nil {
			return nil, skipped, err
		}
	}
	ix, err = index.Build(entries, index.WithVocabulary(l.vocab))
	return ix, skipped, err
}

// openIndex indexes the knowledge the environment names (DVK_KNOWLEDGE_DIR over the built-in
// base, with the entries captured in Slack when a brain is named): what the offline commands
// answer from, as the bot would. A brain that cannot be read (a running serve holds the
// embedded one, Redis is down) is said on warn and left out: answering without the captured
// entries beats not answering, as when `dvkbot ask` runs inside the bot's own container.
func openIndex(warn io.Writer) (*index.Index, error) {
	var cfg offlineConfig
	if err := load(&cfg); err != nil {
		return nil, err
	}
	cfg.MemoryConfig.offlineGC()
	captured, err := readCaptured(cfg.BrainConfig)
	if err != nil {
		fmt.Fprintf(warn, "dvkbot: answering without the entries captured in Slack: %v\n", err)
	}
	ix, _, err := buildIndex(cfg.KnowledgeDir, captured, nil)
	return ix, err
}

// offlineConfig is the configuration of the commands that answer without Slack.
type offlineConfig struct {
	EngineConfig
	BrainConfig
	MemoryConfig
}

func (c offlineConfig) validate() []varError {
	return slices.Concat(c.EngineConfig.validate(), c.BrainConfig.validate(), c.MemoryConfig.validate())
}
