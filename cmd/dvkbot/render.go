//go:build !noterm

package main

import (
	"fmt"
	"io"

	"charm.land/glamour/v2"
	"charm.land/glamour/v2/ansi"
	"charm.land/glamour/v2/styles"
)

// writeMarkdown prints md for a person when w is a terminal (headings, bold, code and links
// styled, wrapped to the terminal's width) and as the Markdown itself otherwise.
func writeMarkdown(w io.Writer, md string) error {
	width, ok := terminalWidth(w)
	if !ok {
		return writePlain(w, md)
	}
	r, err := glamour.NewTermRenderer(glamour.WithStyles(terminalStyle()), glamour.WithWordWrap(min(width, maxWidth)))
	if err != nil {
		return fmt.Errorf("terminal renderer: %w", err)
	}
	out, err := r.Render(md)
	if err != nil {
		return fmt.Errorf("render answer: %w", err)
	}
	_, err = io.WriteString(w, out)
	return err
}

// terminalStyle is glamour's dark style with body text in the terminal's own colour and code
// blocks in one mid grey (no syntax colours, which are pale on white), so that answers read as
// well on a light background as on a dark one.
func terminalStyle() ansi.StyleConfig {
	style := styles.DarkStyleConfig
	style.Document.Color = nil
	style.CodeBlock.Chroma = nil
	return style
}
