package knowledge

import "fmt"

// Validate checks what no single file can show: ids used twice within one set of files, and
// related links to ids that do not exist in known. Pass the set being checked as entries, and as
// known everything it may link to (for a team folder: the merge with the built-in base). Check
// reads a folder and validates it in one step.
func Validate(entries, known []Entry) error {
	return validate(entries, known).errOrNil()
}

func validate(entries, known []Entry) Problems {
	var problems Problems
	firstFile := make(map[string]string, len(entries))
	for _, e := range entries {
		if e.ID == "" {
			continue // reported as a missing field
		}
		if prev, dup := firstFile[e.ID]; dup {
			problems = append(problems, Problem{File: e.File, Line: e.line("id"), Msg: fmt.Sprintf("duplicate id %q: also used by %s", e.ID, prev)})
			continue
		}
		firstFile[e.ID] = e.File
	}
	ids := make(map[string]bool, len(known))
	for _, e := range known {
		ids[e.ID] = true
	}
	for _, e := range entries {
		for _, r := range e.Related {
			if !ids[r] {
				problems = append(problems, Problem{File: e.File, Line: e.line("related"), Msg: fmt.Sprintf("related id %q does not exist", r)})
			}
		}
	}
	return problems
}
