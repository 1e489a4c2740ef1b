package slackfake

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Limits Slack enforces (https://docs.slack.dev/reference/block-kit).
const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
	maxMessageText   = 40000
	maxSectionText   = 3000
	maxFieldText     = 2000
	maxFields        = 10
	maxHeaderText    = 150
	maxButtonText    = 75
	maxID            = 255 // block_id, action_id
	maxButtonValue   = 2000
	maxURL           = 3000
	maxAltText       = 2000
	maxActions       = 25
	maxContext       = 10
	maxLabel         = 2000 // an input block's label and hint
	maxPlaceholder   = 150
	maxInputLength   = 3000 // a plain_text_input's max_length, and so its value
)

// blockChecks holds the block types Slack accepts and what to check in
// each; a type missing here is rejected.
var blockChecks = map[string]func(*checker, map[string]any, string){
	"section":         (*checker).section,
	"header":          (*checker).header,
	"context":         (*checker).context,
	"actions":         (*checker).actions,
	"image":           (*checker).image,
	"divider":         nil,
	"rich_text":       nil,
	"markdown":        nil,
	"input":           (*checker).input,
	"file":            nil,
	"video":           nil,
	"table":           nil,
	"context_actions": nil,
}

// knownElements are the interactive element types Slack accepts.
var knownElements = map[string]bool{
	"button": true, "checkboxes": true, "datepicker": true, "datetimepicker": true,
	"email_text_input": true, "file_input": true, "image": true, "number_text_input": true,
	"overflow": true, "plain_text_input": true, "radio_buttons": true, "rich_text_input": true,
	"static_select": true, "external_select": true, "users_select": true, "conversations_select": true,
	"channels_select": true, "multi_static_select": true, "multi_external_select": true,
	"multi_users_select": true, "multi_conversations_select": true, "multi_channels_select": true,
	"timepicker": true, "url_text_input": true, "workflow_button": true,
	"feedback_buttons": true, "icon_button": true,
}

// checker collects Slack-style errors ("must be less than 3001 characters
// [json-pointer:/blocks/0/text/text]") while walking decoded JSON.
type checker struct {
	errs     []string
	blockIDs map[string]bool
}

// validateBlocks checks a Block Kit array. err is set when raw is not a
// JSON array of blocks at all (Slack's invalid_blocks_format).
func validateBlocks(raw json.RawMessage, max int, ptr string) ([]string, error) {
	var blocks []any
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return nil, err
	}
	c := &checker{blockIDs: map[string]bool{}}
	if len(blocks) > max {
		c.fail(ptr, "no more than %d items allowed", max)
	}
	for i, b := range blocks {
		c.block(b, fmt.Sprintf("%s/%d", ptr, i))
	}
	return c.errs, nil
}

func (c *checker) fail(ptr, format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...)+" [json-pointer:"+ptr+"]")
}

func (c *checker) block(v any, ptr string) {
	m := c.object(v, ptr)
	if m == nil {
		return
	}
	typ, _ := m["type"].(string)
	check, known := blockChecks[typ]
	if !known {
		c.fail(ptr+"/type", "unsupported block type %q", typ)
		return
	}
	c.blockID(m, ptr)
	if check != nil {
		check(c, m, ptr)
	}
}

func (c *checker) blockID(m map[string]any, ptr string) {
	id, ok := m["block_id"].(string)
	if !ok {
		return
	}
	c.maxLen(m, "block_id", ptr, maxID)
	if c.blockIDs[id] {
		c.fail(ptr+"/block_id", "duplicate block_id %q", id)
	}
	c.blockIDs[id] = true
}

func (c *checker) section(m map[string]any, ptr string) {
	text, hasText := m["text"]
	fields, hasFields := m["fields"]
	if !hasText && !hasFields {
		c.fail(ptr, "must provide either text or fields")
	}
	if hasText {
		c.text(text, ptr+"/text", false, maxSectionText)
	}
	if hasFields {
		for i, f := range c.list(fields, ptr+"/fields", maxFields) {
			c.text(f, fmt.Sprintf("%s/fields/%d", ptr, i), false, maxFieldText)
		}
	}
	if acc, ok := m["accessory"]; ok {
		c.element(acc, ptr+"/accessory", map[string]bool{})
	}
}

// input checks an input block (modals, Home tabs): a plain_text label, an optional hint,
// and its element.
func (c *checker) input(m map[string]any, ptr string) {
	c.text(m["label"], ptr+"/label", true, maxLabel)
	if hint, ok := m["hint"]; ok {
		c.text(hint, ptr+"/hint", true, maxLabel)
	}
	c.element(m["element"], ptr+"/element", map[string]bool{})
}

func (c *checker) header(m map[string]any, ptr string) {
	c.text(m["text"], ptr+"/text", true, maxHeaderText)
}

func (c *checker) context(m map[string]any, ptr string) {
	for i, el := range c.list(m["elements"], ptr+"/elements", maxContext) {
		p := fmt.Sprintf("%s/elements/%d", ptr, i)
		if e, ok := el.(map[string]any); ok && e["type"] == "image" {
			c.image(e, p)
			continue
		}
		c.text(el, p, false, maxSectionText)
	}
}

func (c *checker) actions(m map[string]any, ptr string) {
	ids := map[string]bool{}
	for i, el := range c.list(m["elements"], ptr+"/elements", maxActions) {
		c.element(el, fmt.Sprintf("%s/elements/%d", ptr, i), ids)
	}
}

// image checks an image block or an image context element.
func (c *checker) image(m map[string]any, ptr string) {
	if _, ok := m["slack_file"]; !ok {
		c.required(m, "image_url", ptr, maxURL)
	}
	c.required(m, "alt_text", ptr, maxAltText)
}

// element checks an interactive element; ids holds the action_ids already
// used in the same block, which Slack requires to be unique.
func (c *checker) element(v any, ptr string, ids map[string]bool) {
	m := c.object(v, ptr)
	if m == nil {
		return
	}
	typ, _ := m["type"].(string)
	if !knownElements[typ] {
		c.fail(ptr+"/type", "unsupported element type %q", typ)
		return
	}
	if id, ok := m["action_id"].(string); ok && id != "" {
		c.maxLen(m, "action_id", ptr, maxID)
		if ids[id] {
			c.fail(ptr+"/action_id", "duplicate action_id %q", id)
		}
		ids[id] = true
	}
	switch typ {
	case "button":
		c.button(m, ptr)
	case "plain_text_input":
		c.plainTextInput(m, ptr)
	}
}

// plainTextInput checks a text field: its placeholder and lengths, and that its initial value
// fits them.
func (c *checker) plainTextInput(m map[string]any, ptr string) {
	if p, ok := m["placeholder"]; ok {
		c.text(p, ptr+"/placeholder", true, maxPlaceholder)
	}
	limit := maxInputLength
	for _, key := range []string{"min_length", "max_length"} {
		n, ok := m[key].(float64)
		if _, present := m[key]; present && (!ok || n < 0 || n > maxInputLength) {
			c.fail(ptr+"/"+key, "must be a number from 0 to %d", maxInputLength)
		}
		if key == "max_length" && ok && int(n) < limit {
			limit = int(n)
		}
	}
	c.maxLen(m, "initial_value", ptr, limit)
}

func (c *checker) button(m map[string]any, ptr string) {
	c.text(m["text"], ptr+"/text", true, maxButtonText)
	c.maxLen(m, "value", ptr, maxButtonValue)
	c.maxLen(m, "url", ptr, maxURL)
	if style, ok := m["style"]; ok && style != "primary" && style != "danger" {
		c.fail(ptr+"/style", "must be one of primary, danger")
	}
}

// text checks a text object: the right type and 1..max characters.
func (c *checker) text(v any, ptr string, plainOnly bool, max int) {
	m := c.object(v, ptr)
	if m == nil {
		return
	}
	switch typ := m["type"]; {
	case plainOnly && typ != "plain_text":
		c.fail(ptr+"/type", "must be plain_text")
	case typ != "plain_text" && typ != "mrkdwn":
		c.fail(ptr+"/type", "must be plain_text or mrkdwn")
	}
	s, ok := m["text"].(string)
	switch n := utf8.RuneCountInString(s); {
	case !ok:
		c.fail(ptr+"/text", "must be a string")
	case n == 0:
		c.fail(ptr+"/text", "must be more than 0 characters")
	case n > max:
		c.fail(ptr+"/text", "must be less than %d characters", max+1)
	}
}

func (c *checker) required(m map[string]any, key, ptr string, max int) {
	if s, _ := m[key].(string); s == "" {
		c.fail(ptr+"/"+key, "must be a non-empty string")
		return
	}
	c.maxLen(m, key, ptr, max)
}

func (c *checker) maxLen(m map[string]any, key, ptr string, max int) {
	v, present := m[key]
	if !present {
		return
	}
	s, ok := v.(string)
	switch {
	case !ok:
		c.fail(ptr+"/"+key, "must be a string")
	case utf8.RuneCountInString(s) > max:
		c.fail(ptr+"/"+key, "must be less than %d characters", max+1)
	}
}

func (c *checker) list(v any, ptr string, max int) []any {
	items, ok := v.([]any)
	switch {
	case !ok:
		c.fail(ptr, "must be an array")
	case len(items) == 0:
		c.fail(ptr, "must provide at least 1 items")
	case len(items) > max:
		c.fail(ptr, "no more than %d items allowed", max)
	}
	return items
}

func (c *checker) object(v any, ptr string) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		c.fail(ptr, "must be an object")
	}
	return m
}
