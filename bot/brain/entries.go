package brain

import (
	"fmt"
	"time"

	"github.com/dvkbot/dvkbot/knowledge"
)

// Draft is an entry to capture: the Markdown of a knowledge file (front matter and body) and
// where it came from.
type Draft struct {
	// Markdown is the whole knowledge file; its front matter's id names the entry.
	Markdown string
	// Author is the Slack user id of whoever wrote or submitted it.
	Author string
	// Permalink is the Slack message or thread it came from; may be empty.
	Permalink string
}

// Captured is one saved version of a captured entry.
type Captured struct {
	// ID is the entry's id, from its front matter.
	ID string `json:"id"`
	// Version counts the saves of this id, from 1.
	Version int `json:"version"`
	// Markdown is the knowledge file: front matter and body.
	Markdown string `json:"markdown"`
	// Author is the Slack user id who saved this version.
	Author string `json:"author"`
	// Permalink is the Slack message or thread it came from; may be empty.
	Permalink string `json:"permalink,omitempty"`
	// Saved is when this version was saved.
	Saved time.Time `json:"saved"`
}

// Knowledge parses the entry as the index reads knowledge files. File is the id with ".md",
// the name `dvkbot export` writes it under.
func (c Captured) Knowledge() (knowledge.Entry, error) {
	e, problems := knowledge.Parse(c.ID+".md", []byte(c.Markdown))
	if len(problems) > 0 {
		return e, fmt.Errorf("captured entry %q, version %d: %w", c.ID, c.Version, problems)
	}
	return e, nil
}

// maxPermalink bounds a captured entry's permalink, in bytes.
const maxPermalink = 2048

// checkDraft validates a draft and returns the id its Markdown names.
func checkDraft(d Draft) (string, error) {
	if err := requireIDs(field{"author", d.Author}); err != nil {
		return "", err
	}
	if len(d.Permalink) > maxPermalink {
		return "", invalid("permalink is %d bytes, more than %d", len(d.Permalink), maxPermalink)
	}
	if len(d.Markdown) > MaxMarkdown {
		return "", invalid("Markdown is %d bytes, more than %d", len(d.Markdown), MaxMarkdown)
	}
	e, problems := knowledge.Parse("captured entry", []byte(d.Markdown))
	if len(problems) > 0 {
		return "", fmt.Errorf("%w: %w", ErrInvalid, problems)
	}
	return e.ID, nil
}

// nextVersion is the version a draft becomes after history (oldest first), with the history
// to keep: the newest MaxVersions.
func nextVersion(history []Captured, id string, d Draft, now time.Time) (Captured, []Captured) {
	c := Captured{ID: id, Version: 1, Markdown: d.Markdown, Author: d.Author, Permalink: d.Permalink, Saved: stamp(now)}
	if n := len(history); n > 0 {
		c.Version = history[n-1].Version + 1
	}
	history = append(history, c)
	if len(history) > MaxVersions {
		history = history[len(history)-MaxVersions:]
	}
	return c, history
}

// latest is the newest of an entry's versions; ok is false when it has none.
func latest(history []Captured, err error) (c Captured, ok bool, _ error) {
	if err != nil || len(history) == 0 {
		return Captured{}, false, err
	}
	return history[len(history)-1], true, nil
}
