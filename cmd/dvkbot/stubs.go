package main

import "errors"

func runServe([]string, stdio) error       { return errors.New("not yet") }
func runChat([]string, stdio) error        { return errors.New("not yet") }
func runHealthcheck([]string, stdio) error { return errors.New("not yet") }
