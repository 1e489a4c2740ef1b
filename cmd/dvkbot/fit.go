package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/dvkbot/dvkbot/index"
	"github.com/dvkbot/dvkbot/index/fit"
)

// nearestOffTopic is how many of dev's off-topic questions fit lists, surest first: the first
// sets the answer threshold unless train's off-topic questions set it higher, and the next show
// how close it came to being set by another.
const nearestOffTopic = 3

// runFit refits the ranking model on the train split, chooses its threshold on dev, and
// reports train, dev and test; --write saves the model where the binary embeds it.
func runFit(args []string, s stdio) error {
	fs := flag.NewFlagSet("fit", flag.ContinueOnError)
	train := fs.String("train", "index/testdata/real/train.jsonl", "comma-separated question sets to fit the weights on")
	dev := fs.String("dev", "index/testdata/real/dev.jsonl", "comma-separated question sets to choose the threshold on")
	test := fs.String("test", "index/testdata/real/test.jsonl", "comma-separated question sets to report, never fitted on")
	extra := fs.String("extra", "index/testdata/questions.jsonl,index/testdata/dev.jsonl,index/testdata/fresh.jsonl",
		"comma-separated question sets written for the bot: fitted on with the real ones (see --extra-weight), never learned")
	cv := fs.Bool("cv", false, "also rank the train split out of fold and list its misses: how the ranking generalises, without dev or test")
	write := fs.String("write", "", "write the fitted model to this file (index/model.json ships in the binary)")
	opts := fit.DefaultOptions
	fs.Float64Var(&opts.L2, "l2", opts.L2, "ridge penalty on the weights")
	fs.IntVar(&opts.Steps, "steps", opts.Steps, "optimiser steps")
	fs.Float64Var(&opts.ExtraWeight, "extra-weight", opts.ExtraWeight, "how much a question of --extra counts against a real one")
	sure, answer := fit.SureBars, fit.AnswerBars
	fs.Float64Var(&sure.MaxWrong, "sure-max-wrong", sure.MaxWrong, "largest share of dev questions a sure answer may get wrong")
	fs.Float64Var(&answer.MaxWrong, "max-wrong", answer.MaxWrong, "largest share of dev questions any answer may get wrong")
	if err := parseNoArgs(fs, args, s); err != nil {
		return err
	}
	sets := map[string][]fit.Case{}
	for name, paths := range map[string]string{"train": *train, "dev": *dev, "test": *test, "extra": *extra} {
		cases, err := fit.Read(strings.Split(paths, ",")...)
		if err != nil {
			return err
		}
		sets[name] = cases
	}
	entries, _, err := loadKnowledge("")
	if err != nil {
		return err
	}
	if *cv {
		res, err := fit.CrossValidate(entries, fit.Sets{Train: sets["train"], Extra: sets["extra"]}, opts)
		if err != nil {
			return err
		}
		for _, m := range res.Misses {
			fmt.Fprintf(s.out, "CV MISS want=%v got=%s %q\n", m.Want, m.Got, m.Q)
		}
		fmt.Fprintf(s.out, "train out of fold %s\n", res.Ranking)
	}
	model, err := fit.Model(entries, fit.Sets{Train: sets["train"], Extra: sets["extra"], Dev: sets["dev"]}, opts, sure, answer)
	if err != nil {
		return err
	}
	ix, err := index.Build(entries, index.WithModel(model))
	if err != nil {
		return err
	}
	defer ix.Close()
	fmt.Fprintf(s.out, "threshold %.3f, sure from %.3f\nweights %s\n", model.Threshold, model.SureThreshold, strings.Join(model.Top(12), " "))
	fmt.Fprintln(s.out, "nearest off-topic questions of dev:")
	for _, m := range fit.NearestOffTopic(ix, sets["dev"], nearestOffTopic) {
		fmt.Fprintf(s.out, "  %.3f %s %q\n", m.Confidence, m.Entry, m.Q)
	}
	for _, name := range []string{"train", "dev", "test"} {
		fmt.Fprintf(s.out, "\n== %s (%d questions)\n", name, len(sets[name]))
		fit.Evaluate(ix, sets[name]).PrintSummary(s.out)
		fmt.Fprintln(s.out, fit.Rank(ix, sets[name]))
	}
	if *write == "" {
		return nil
	}
	data, err := model.JSON()
	if err != nil {
		return err
	}
	return os.WriteFile(*write, append(data, '\n'), 0o644)
}
