package slackfake

import "strings"

// ChannelKind is what kind of conversation a channel id names, as
// conversations.info describes it.
type ChannelKind int

const (
	// PublicChannel is a channel anyone in the workspace can find and read.
	PublicChannel ChannelKind = iota + 1
	// PrivateChannel is a channel only its members can read. Slack gives
	// newer ones, and shared ones, ids starting with C, like public ones.
	PrivateChannel
	// DirectMessage is a DM between one person and the app.
	DirectMessage
	// GroupDM is a direct message among several people.
	GroupDM
)

// SetChannel says what kind of conversation id is. Without it the fake
// guesses from the id, as Slack's older ids would suggest: C public, G
// private, D a DM; conversations.info on any other id answers
// channel_not_found.
func (s *Server) SetChannel(id string, kind ChannelKind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[id] = kind
}

func (s *Server) channelKind(id string) (ChannelKind, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if kind, ok := s.channels[id]; ok {
		return kind, true
	}
	switch {
	case strings.HasPrefix(id, "C"):
		return PublicChannel, true
	case strings.HasPrefix(id, "G"):
		return PrivateChannel, true
	case strings.HasPrefix(id, "D"):
		return DirectMessage, true
	}
	return 0, false
}

// conversationInfo answers conversations.info with Slack's conversation
// object for the kind of channel: the is_* flags a client decides on, and
// the usual fields around them. It answers as if the app had every read
// scope (channels:read, groups:read, im:read, mpim:read).
func (s *Server) conversationInfo(c *Call) reply {
	kind, ok := s.channelKind(c.Channel)
	if !ok {
		return failure("channel_not_found")
	}
	return reply{"ok": true, "channel": conversationObject(c.Channel, kind)}
}

func conversationObject(id string, kind ChannelKind) map[string]any {
	if kind == DirectMessage {
		return map[string]any{
			"id": id, "created": 1700000000, "is_archived": false, "is_im": true, "is_org_shared": false,
			"context_team_id": TeamID, "updated": 1700000000000, "user": DefaultUserID,
			"is_user_deleted": false, "priority": 0,
		}
	}
	name := strings.ToLower(id)
	if kind == GroupDM {
		name = "mpdm-fake.user--other.user-1"
	}
	topic := map[string]any{"value": "", "creator": "", "last_set": 0}
	return map[string]any{
		"id": id, "name": name, "name_normalized": name,
		"is_channel": kind != GroupDM, "is_group": false, "is_im": false, "is_mpim": kind == GroupDM,
		"is_private": kind != PublicChannel, "created": 1700000000, "is_archived": false,
		"is_general": false, "unlinked": 0, "is_shared": false, "is_org_shared": false,
		"is_pending_ext_shared": false, "pending_shared": []any{}, "context_team_id": TeamID,
		"updated": 1700000000000, "parent_conversation": nil, "creator": DefaultUserID,
		"is_ext_shared": false, "shared_team_ids": []any{TeamID}, "pending_connected_team_ids": []any{},
		"is_member": true, "topic": topic, "purpose": topic, "previous_names": []any{},
	}
}
