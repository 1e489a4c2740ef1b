package slackfake

import "encoding/json"

// Button is a button in a message the app sent, as a person sees and clicks it.
type Button struct {
	// ActionID and Value come back in the block_actions payload of a click (see BlockAction).
	ActionID, Value string
	// Text is its label.
	Text string
	// BlockID is the block holding it.
	BlockID string
}

// Buttons lists the buttons of a Block Kit array, in actions blocks and as section accessories,
// in order; a test finds what to click in a Call's Blocks with it. Blocks that are not a JSON
// array give none.
func Buttons(blocks json.RawMessage) []Button {
	var list []struct {
		BlockID   string            `json:"block_id"`
		Elements  []json.RawMessage `json:"elements"`
		Accessory json.RawMessage   `json:"accessory"`
	}
	if json.Unmarshal(blocks, &list) != nil {
		return nil
	}
	var found []Button
	for _, b := range list {
		for _, el := range append(b.Elements, b.Accessory) {
			var btn struct {
				Type     string `json:"type"`
				ActionID string `json:"action_id"`
				Value    string `json:"value"`
				Text     struct {
					Text string `json:"text"`
				} `json:"text"`
			}
			if len(el) > 0 && json.Unmarshal(el, &btn) == nil && btn.Type == "button" {
				found = append(found, Button{ActionID: btn.ActionID, Value: btn.Value, Text: btn.Text.Text, BlockID: b.BlockID})
			}
		}
	}
	return found
}
