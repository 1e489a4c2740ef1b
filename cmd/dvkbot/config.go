package main

import (
	"fmt"

	"github.com/kelseyhightower/envconfig"
)

// engineConfig is what every command that answers questions reads from the environment.
type engineConfig struct {
	// KnowledgeDir holds team entries merged over the built-in base (DVK_KNOWLEDGE_DIR).
	KnowledgeDir string `envconfig:"DVK_KNOWLEDGE_DIR"`
}

// loadEngineConfig reads engineConfig from the environment.
func loadEngineConfig() (engineConfig, error) {
	var c engineConfig
	if err := envconfig.Process("", &c); err != nil {
		return c, fmt.Errorf("invalid configuration: %w", err)
	}
	return c, nil
}
