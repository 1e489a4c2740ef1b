package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/dvkbot/dvkbot/knowledge"
)

// runLint validates the built-in knowledge, or a team folder merged over it (a team entry may
// link to built-in ones). Every problem is printed with file and line.
func runLint(args []string, s stdio) error {
	if len(args) > 1 {
		return fmt.Errorf("want at most one DIR, got %d arguments", len(args))
	}
	dir := ""
	if len(args) == 1 {
		dir = args[0]
	}
	entries, err := lintEntries(dir)
	if err != nil {
		fmt.Fprintln(s.out, err)
		return exitError{code: 1, msg: "knowledge has problems"}
	}
	fmt.Fprintf(s.out, "%d entries ok\n", len(entries))
	return nil
}

func lintEntries(dir string) ([]knowledge.Entry, error) {
	if dir == "" {
		return knowledge.Check(knowledge.Builtin(), nil)
	}
	return loadEntries(dir)
}

// runTopics lists the entries the bot can answer with.
func runTopics(args []string, s stdio) error {
	fs := flag.NewFlagSet("topics", flag.ContinueOnError)
	fs.SetOutput(s.err)
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadEngineConfig()
	if err != nil {
		return err
	}
	entries, err := loadEntries(cfg.KnowledgeDir)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(s.out).Encode(topics(entries))
	}
	for _, e := range entries {
		fmt.Fprintf(s.out, "%-34s %-10s %s\n", e.ID, e.Kind, e.Title)
	}
	return nil
}

// runVersion prints the stamped version and what the binary was built with.
func runVersion(_ []string, s stdio) error {
	fmt.Fprintf(s.out, "dvkbot %s %s %s/%s\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, setting := range info.Settings {
			if setting.Key == "vcs.revision" || setting.Key == "vcs.time" {
				fmt.Fprintf(s.out, "%s %s\n", setting.Key, setting.Value)
			}
		}
	}
	return nil
}
