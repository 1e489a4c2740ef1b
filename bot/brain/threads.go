package brain

// threadKey names where a conversation's context is kept: a thread, or a DM's top level.
func threadKey(channel, threadTS string) string {
	return channel + "/" + threadTS
}

// checkThread validates a thread's context before it is kept.
func checkThread(channel, threadTS, entryID string) error {
	if err := requireIDs(field{"channel", channel}, field{"entry id", entryID}); err != nil {
		return err
	}
	if len(threadTS) > maxID {
		return invalid("thread ts is %d bytes, more than %d", len(threadTS), maxID)
	}
	return nil
}
