package brain

// Vote is one person's 👍 or 👎 on one answer message.
type Vote struct {
	// EntryID is the entry the answer served.
	EntryID string
	// User is the voter's Slack user id.
	User string
	// Channel and MessageTS identify the answer message voted on.
	Channel   string
	MessageTS string
	// Up is 👍; false is 👎.
	Up bool
}

// Tally is the votes counted for an entry.
type Tally struct {
	// Up counts 👍 votes.
	Up int
	// Down counts 👎 votes.
	Down int
}

// check validates a vote: every field names something, within bounds.
func (v Vote) check() error {
	return requireIDs(field{"entry id", v.EntryID}, field{"user", v.User},
		field{"channel", v.Channel}, field{"message ts", v.MessageTS})
}

// voter names who voted on which message: one vote each.
func (v Vote) voter() string {
	return v.Channel + "/" + v.MessageTS + "/" + v.User
}

// side is the tally field a vote counts in.
func (v Vote) side() string {
	if v.Up {
		return "up"
	}
	return "down"
}
