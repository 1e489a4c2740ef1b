package main

import (
	"encoding/json"
	"flag"
	"fmt"

	"github.com/dvkbot/dvkbot/index/fit"
)

// runEval scores a question set and fails below --min on answers or on abstentions, above
// --max-wrong on wrong answers, or when any off-topic question is answered.
func runEval(args []string, s stdio) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	minRate := fs.Float64("min", 0.95, "lowest acceptable share of right answers and of right abstentions")
	maxWrong := fs.Float64("max-wrong", 1, "highest acceptable share of questions answered with a wrong entry")
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
	ix, err := openIndex(s.err)
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
	if rep.Wrong.Rate > *maxWrong {
		return exitError{code: 1, msg: fmt.Sprintf("above --max-wrong %.2f: %.3f of the questions answered with a wrong entry", *maxWrong, rep.Wrong.Rate)}
	}
	if rep.OffTopicAnswered > 0 {
		return exitError{code: 1, msg: fmt.Sprintf("%d off-topic questions answered", rep.OffTopicAnswered)}
	}
	return nil
}
