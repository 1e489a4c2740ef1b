package main

import (
	"errors"
	"fmt"

	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// loadKnowledge reads the built-in knowledge base and vocabulary and, when dir is set, lays
// the team's entries and vocabulary over them. The team's folder is read through
// knowledge.OpenDir, so that nothing in it can lead the bot outside it or stall it, and checked
// whole: every problem is reported at once.
func loadKnowledge(dir string) ([]knowledge.Entry, knowledge.Vocabulary, error) {
	vocab := knowledge.BuiltinVocabulary()
	base, err := knowledge.Load(knowledge.Builtin())
	if err != nil {
		return nil, vocab, fmt.Errorf("built-in knowledge: %w", err)
	}
	if dir == "" {
		return base, vocab, nil
	}
	folder, err := knowledge.OpenDir(dir)
	if err != nil {
		return nil, vocab, err
	}
	defer folder.Close()
	team, entriesErr := knowledge.Check(folder, base)
	teamVocab, vocabErr := knowledge.LoadVocabulary(folder)
	if err := errors.Join(entriesErr, vocabErr); err != nil {
		return nil, vocab, fmt.Errorf("knowledge in %s:\n%w", dir, err)
	}
	return knowledge.Merge(base, team), vocab.Extend(teamVocab), nil
}

// buildIndex loads the knowledge (see loadKnowledge) and indexes it.
func buildIndex(dir string) (*index.Index, error) {
	entries, vocab, err := loadKnowledge(dir)
	if err != nil {
		return nil, err
	}
	return index.Build(entries, index.WithVocabulary(vocab))
}

// openIndex indexes the knowledge the environment names (DVK_KNOWLEDGE_DIR over the built-in
// base): what the offline commands answer from, as the bot would.
func openIndex() (*index.Index, error) {
	cfg, err := loadEngineConfig()
	if err != nil {
		return nil, err
	}
	return buildIndex(cfg.KnowledgeDir)
}
