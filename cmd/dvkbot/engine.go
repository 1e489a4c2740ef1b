package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// loadEntries reads the built-in knowledge base and, when dir is set, lays the team's entries
// over it.
func loadEntries(dir string) ([]knowledge.Entry, error) {
	base, err := knowledge.Load(knowledge.Builtin())
	if err != nil {
		return nil, fmt.Errorf("built-in knowledge: %w", err)
	}
	if dir == "" {
		return base, nil
	}
	team, loadErr := knowledge.Load(os.DirFS(dir))
	merged := knowledge.Merge(base, team)
	if err := errors.Join(loadErr, knowledge.Validate(team, merged)); err != nil {
		return nil, fmt.Errorf("knowledge in %s:\n%w", dir, err)
	}
	return merged, nil
}

// loadVocabulary is the built-in vocabulary extended by the team folder's, when dir is set.
func loadVocabulary(dir string) (knowledge.Vocabulary, error) {
	base := knowledge.BuiltinVocabulary()
	if dir == "" {
		return base, nil
	}
	team, err := knowledge.LoadVocabulary(os.DirFS(dir))
	if err != nil {
		return base, fmt.Errorf("knowledge in %s:\n%w", dir, err)
	}
	return base.Extend(team), nil
}

// buildIndex loads the knowledge (see loadEntries and loadVocabulary) and indexes it.
func buildIndex(dir string) (*index.Index, error) {
	entries, err := loadEntries(dir)
	if err != nil {
		return nil, err
	}
	vocab, err := loadVocabulary(dir)
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
