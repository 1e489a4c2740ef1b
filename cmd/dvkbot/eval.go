package main

import (
	"encoding/json"
	"flag"
	"fmt"

	"github.com/dvkbot/dvkbot/index/fit"
)

// runEval scores a question set and fails below --min on answers or on abstentions, or when
// any off-topic question is answered.
func runEval(args []string, s stdio) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	minRate := fs.Float64("min", 0.95, "lowest acceptable share of right answers and of right abstentions")
	if err := parseFlags(fs, flagsFirst(fs, args), s); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef(fs, "want one question set FILE, got %d arguments", fs.NArg())
	}
	cases, err := fit.Read(fs.Arg(0))
	if err != nil {
		return err
	}
	ix, err := openIndex()
	if err != nil {
		return err
	}
	defer ix.Close()
	rep := fit.Evaluate(ix, cases)
	if *asJSON {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		rep.Print(s.out)
	}
	if rep.Answers.Below(*minRate) || rep.Abstention.Below(*minRate) {
		return exitError{code: 1, msg: fmt.Sprintf("below --min %.2f: answers %.3f, abstention %.3f", *minRate, rep.Answers.Rate, rep.Abstention.Rate)}
	}
	return nil
}
