package main

import (
	"fmt"

	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/knowledge"
)

// loadEntries reads the built-in knowledge base and, when dir is set, lays the team's entries
// over it. The team's folder is read through knowledge.OpenDir, so that nothing in it can lead
// the bot outside it or stall it, and checked whole: every problem is reported at once.
func loadEntries(dir string) ([]knowledge.Entry, error) {
	base, err := knowledge.Load(knowledge.Builtin())
	if err != nil {
		return nil, fmt.Errorf("built-in knowledge: %w", err)
	}
	if dir == "" {
		return base, nil
	}
	folder, err := knowledge.OpenDir(dir)
	if err != nil {
		return nil, err
	}
	defer folder.Close()
	team, err := knowledge.Check(folder, base)
	if err != nil {
		return nil, fmt.Errorf("knowledge in %s:\n%w", dir, err)
	}
	return knowledge.Merge(base, team), nil
}

// buildIndex loads the knowledge (see loadEntries) and indexes it.
func buildIndex(dir string) (*index.Index, error) {
	entries, err := loadEntries(dir)
	if err != nil {
		return nil, err
	}
	return index.Build(entries)
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
