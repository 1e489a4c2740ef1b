package main

import (
	"testing"

	"github.com/dvkbot/dvkbot/cmd/dvkbot/dvkbottest"
)

// TestMain lets dvkbottest build the binary once for every test that runs it, and remove it.
func TestMain(m *testing.M) { dvkbottest.Main(m) }
