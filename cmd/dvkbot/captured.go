package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/dvkbot/dvkbot/bot/brain"
	"github.com/dvkbot/dvkbot/knowledge"
)

// knowledgeConfig is the knowledge the commands without Slack read: the team's folder, and
// the brain holding the entries captured in Slack.
type knowledgeConfig struct {
	EngineConfig
	BrainConfig
}

func (c knowledgeConfig) validate() []varError {
	return append(c.EngineConfig.validate(), c.BrainConfig.validate()...)
}

// Bounds of a command reading the brain: how long it waits for the embedded brain's file, and
// for the entries.
const (
	cliLockWait = 3 * time.Second
	cliTimeout  = 10 * time.Second
)

// readCaptured reads the entries captured in Slack from the brain c names; none when it names
// none.
func readCaptured(c BrainConfig) ([]brain.Captured, error) {
	if c.DataDir == "" && c.RedisURL == "" {
		return nil, nil
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := brain.Open(brain.Options{RedisURL: c.RedisURL, DataDir: c.DataDir, LockWait: cliLockWait, Logger: quiet})
	if err != nil && c.RedisURL != "" {
		return nil, fmt.Errorf("DVK_REDIS_URL: %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("DVK_DATA_DIR: %w (a running dvkbot serve holds its data folder: stop it first, or share the brain through DVK_REDIS_URL)", err)
	}
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	captured, err := b.Entries(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the entries captured in Slack: %w", err)
	}
	return captured, nil
}

// Where an entry comes from, as topics shows it.
const (
	sourceBuiltin  = "builtin"
	sourceTeam     = "team"
	sourceCaptured = "captured"
)

// topicRow is one entry as topics lists it.
type topicRow struct {
	topicJSON
	// Source is where the entry comes from: builtin, team (DVK_KNOWLEDGE_DIR) or captured
	// (saved in Slack by an expert).
	Source string `json:"source"`
	// Captured says who saved a captured entry, when and from where.
	Captured *capturedJSON `json:"captured,omitempty"`
}

// capturedJSON describes a captured entry's latest version.
type capturedJSON struct {
	Author    string    `json:"author"`
	Saved     time.Time `json:"saved"`
	Version   int       `json:"version"`
	Permalink string    `json:"permalink,omitempty"`
	// NotServed says why the bot does not answer with it: a team entry has its id, or it no
	// longer reads as valid knowledge.
	NotServed string `json:"not_served,omitempty"`
}

// topicRows lists the entries the bot answers with, each with its source, then the captured
// entries it does not answer with, saying why.
func topicRows(l layers) []topicRow {
	served, skipped := l.entries()
	source := map[string]string{}
	for _, e := range l.builtin {
		source[e.ID] = sourceBuiltin
	}
	byID := map[string]brain.Captured{}
	for _, c := range l.captured {
		source[c.ID], byID[c.ID] = sourceCaptured, c
	}
	for _, e := range l.team {
		source[e.ID] = sourceTeam
	}
	var rows []topicRow
	seen := map[string]bool{}
	for _, e := range served {
		row := topicRow{topicJSON: topicJSON{ID: e.ID, Title: e.Title, Kind: string(e.Kind)}, Source: source[e.ID]}
		if c, ok := byID[e.ID]; ok && row.Source == sourceCaptured {
			row.Captured, seen[e.ID] = describeCaptured(c, ""), true
		}
		rows = append(rows, row)
	}
	for _, c := range l.captured {
		if seen[c.ID] {
			continue
		}
		why := "a team entry has its id"
		if source[c.ID] != sourceTeam {
			why = fmt.Sprint("not valid knowledge any more: ", errors.Join(skipped...))
		}
		e, _ := c.Knowledge()
		rows = append(rows, topicRow{topicJSON: topicJSON{ID: c.ID, Title: e.Title, Kind: string(e.Kind)}, Source: sourceCaptured, Captured: describeCaptured(c, why)})
	}
	return rows
}

func describeCaptured(c brain.Captured, notServed string) *capturedJSON {
	return &capturedJSON{Author: c.Author, Saved: c.Saved, Version: c.Version, Permalink: c.Permalink, NotServed: notServed}
}

// printTopicRows lists entries one a line: id, kind, source and title, and who captured a
// captured one.
func printTopicRows(w io.Writer, rows []topicRow) {
	for _, r := range rows {
		fmt.Fprintf(w, "%-34s %-10s %-9s %s", r.ID, r.Kind, r.Source, r.Title)
		if c := r.Captured; c != nil {
			fmt.Fprintf(w, "  (by %s, %s, version %d", c.Author, c.Saved.Format("2006-01-02"), c.Version)
			if c.Permalink != "" {
				fmt.Fprintf(w, ", %s", c.Permalink)
			}
			if c.NotServed != "" {
				fmt.Fprintf(w, "; not answered with: %s", c.NotServed)
			}
			fmt.Fprint(w, ")")
		}
		fmt.Fprintln(w)
	}
}

// runExport writes the entries captured in Slack into DIR as knowledge files, to review and
// commit to the team's folder (where an entry then wins over the captured one).
func runExport(args []string, s stdio) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	force := fs.Bool("force", false, "replace files of the same name in DIR (they are kept otherwise)")
	if err := parseFlags(fs, args, s); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef(fs, "want one DIR, got %d arguments", fs.NArg())
	}
	var cfg BrainConfig
	if err := load(&cfg); err != nil {
		return err
	}
	if cfg.DataDir == "" && cfg.RedisURL == "" {
		return errors.New("nothing to export: set DVK_DATA_DIR or DVK_REDIS_URL as the bot's serve has them")
	}
	captured, err := readCaptured(cfg)
	if err != nil {
		return err
	}
	return exportCaptured(fs.Arg(0), captured, *force, s.out)
}

// exportCaptured writes each captured entry as DIR/ID.md, with who captured it, when and from
// where as comments in its front matter.
func exportCaptured(dir string, captured []brain.Captured, force bool, out io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	written := 0
	var problems []error
	for _, c := range captured {
		e, err := c.Knowledge()
		if err != nil {
			problems = append(problems, err)
			continue
		}
		path := filepath.Join(dir, c.ID+".md")
		if _, err := os.Lstat(path); err == nil && !force {
			fmt.Fprintf(out, "kept %s: it exists (--force replaces it)\n", path)
			continue
		}
		comment := fmt.Sprintf("Captured in Slack by %s on %s (version %d)", c.Author, c.Saved.Format("2006-01-02"), c.Version)
		if c.Permalink != "" {
			comment += "\nfrom " + c.Permalink
		}
		if err := os.WriteFile(path, knowledge.Format(e, comment), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(out, "wrote %s\n", path)
		written++
	}
	fmt.Fprintf(out, "%d of %d captured entries written to %s; check them with: dvkbot lint %s\n", written, len(captured), dir, dir)
	return errors.Join(problems...)
}
