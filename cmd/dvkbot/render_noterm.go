//go:build noterm

package main

import "io"

// writeMarkdown prints md as it is. The noterm build, which the container image uses, leaves
// the terminal renderer out: a bot in a container has no terminal, and the renderer's
// libraries cost every process about 8 MB of memory and the binary about 6 MB.
func writeMarkdown(w io.Writer, md string) error {
	return writePlain(w, md)
}
