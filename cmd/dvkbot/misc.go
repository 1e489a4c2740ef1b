package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/dvkbot/dvkbot/knowledge"
)

// runLint validates the built-in knowledge, or a team folder merged over it (a team entry may
// link to built-in ones). Every problem is printed with file and line.
func runLint(args []string, s stdio) error {
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	if err := parseFlags(fs, args, s); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usagef(fs, "want at most one DIR, got %d arguments", fs.NArg())
	}
	dir := fs.Arg(0)
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
	entries, _, err := loadKnowledge(dir)
	return entries, err
}

// runTopics lists the entries the bot can answer with, and where each comes from.
func runTopics(args []string, s stdio) error {
	fs := flag.NewFlagSet("topics", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := parseNoArgs(fs, args, s); err != nil {
		return err
	}
	var cfg knowledgeConfig
	if err := load(&cfg); err != nil {
		return err
	}
	l, err := loadLayers(cfg.KnowledgeDir)
	if err != nil {
		return err
	}
	if l.captured, err = readCaptured(cfg.BrainConfig); err != nil {
		return err
	}
	rows := topicRows(l)
	if *asJSON {
		return json.NewEncoder(s.out).Encode(rows)
	}
	printTopicRows(s.out, rows)
	return nil
}

// printTopics lists entries one a line: id, kind and title.
func printTopics(w io.Writer, entries []knowledge.Entry) {
	for _, e := range entries {
		fmt.Fprintf(w, "%-34s %-10s %s\n", e.ID, e.Kind, e.Title)
	}
}

// runVersion prints the stamped version and what the binary was built with.
func runVersion(args []string, s stdio) error {
	if err := parseNoArgs(noFlags("version"), args, s); err != nil {
		return err
	}
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
