package deploy_test

import (
	"os"
	"slices"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/dvkbot/dvkbot/bot"
)

// slackManifest is the part of the Slack app manifest schema dvkbot uses. Decoding is strict, so
// a misspelt key fails here instead of being dropped silently by Slack.
type slackManifest struct {
	Metadata struct {
		MajorVersion int `json:"major_version"`
		MinorVersion int `json:"minor_version"`
	} `json:"_metadata"`
	DisplayInformation struct {
		Name            string `json:"name"`
		Description     string `json:"description"`
		BackgroundColor string `json:"background_color"`
	} `json:"display_information"`
	Features struct {
		AppHome struct {
			HomeTabEnabled             bool `json:"home_tab_enabled"`
			MessagesTabEnabled         bool `json:"messages_tab_enabled"`
			MessagesTabReadOnlyEnabled bool `json:"messages_tab_read_only_enabled"`
		} `json:"app_home"`
		BotUser struct {
			DisplayName  string `json:"display_name"`
			AlwaysOnline bool   `json:"always_online"`
		} `json:"bot_user"`
		SlashCommands []struct {
			Command      string `json:"command"`
			Description  string `json:"description"`
			UsageHint    string `json:"usage_hint"`
			URL          string `json:"url"`
			ShouldEscape bool   `json:"should_escape"`
		} `json:"slash_commands"`
		Shortcuts []struct {
			Name        string `json:"name"`
			Type        string `json:"type"`
			CallbackID  string `json:"callback_id"`
			Description string `json:"description"`
		} `json:"shortcuts"`
	} `json:"features"`
	OAuthConfig struct {
		Scopes struct {
			Bot []string `json:"bot"`
		} `json:"scopes"`
	} `json:"oauth_config"`
	Settings struct {
		EventSubscriptions struct {
			RequestURL string   `json:"request_url"`
			BotEvents  []string `json:"bot_events"`
		} `json:"event_subscriptions"`
		Interactivity struct {
			IsEnabled  bool   `json:"is_enabled"`
			RequestURL string `json:"request_url"`
		} `json:"interactivity"`
		OrgDeployEnabled     bool `json:"org_deploy_enabled"`
		SocketModeEnabled    bool `json:"socket_mode_enabled"`
		TokenRotationEnabled bool `json:"token_rotation_enabled"`
	} `json:"settings"`
}

func TestSlackManifest(t *testing.T) {
	data, err := os.ReadFile("slack/manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m slackManifest
	if err := yaml.UnmarshalStrict(data, &m); err != nil {
		t.Fatalf("decode manifest: %v", err)
	}
	if len(m.Features.SlashCommands) != 1 {
		t.Fatalf("%d slash commands, want 1 (/dvk)", len(m.Features.SlashCommands))
	}
	slash := m.Features.SlashCommands[0]
	runChecks(t, []check{
		{"socket_mode_enabled", m.Settings.SocketModeEnabled, true},
		// Socket Mode: Slack sends everything over the websocket; a request URL would be unused.
		{"request URLs", m.Settings.EventSubscriptions.RequestURL + m.Settings.Interactivity.RequestURL + slash.URL, ""},
		{"interactivity", m.Settings.Interactivity.IsEnabled, true},
		// Long-lived tokens: dvkbot does not refresh rotating ones.
		{"token_rotation_enabled", m.Settings.TokenRotationEnabled, false},
		{"bot_events", m.Settings.EventSubscriptions.BotEvents, bot.SubscribedEvents},
		{"bot scopes", m.OAuthConfig.Scopes.Bot, bot.Scopes},
		{"slash command", slash.Command, "/dvk"},
		{"slash command documented", slash.Description != "" && slash.UsageHint != "", true},
		{"home tab", m.Features.AppHome.HomeTabEnabled, true},
		// DMs to the bot arrive through the Messages tab.
		{"messages tab", m.Features.AppHome.MessagesTabEnabled && !m.Features.AppHome.MessagesTabReadOnlyEnabled, true},
		{"bot user", m.Features.BotUser.DisplayName != "", true},
		// Slack's limits: app name 35 characters, short description 140.
		{"name fits", len(m.DisplayInformation.Name) <= 35 && m.DisplayInformation.Name != "", true},
		{"description fits", len(m.DisplayInformation.Description) <= 140 && m.DisplayInformation.Description != "", true},
	})
	// Message shortcuts, exactly the ones the bot handles (the callback id is how it knows them).
	var shortcuts []string
	for _, sc := range m.Features.Shortcuts {
		if sc.Type != "message" || sc.Name == "" || len(sc.Name) > 25 || sc.Description == "" || len(sc.Description) > 80 {
			t.Errorf("shortcut %+v: want a message shortcut with a name (at most 25 characters) and a description (at most 80)", sc)
		}
		shortcuts = append(shortcuts, sc.CallbackID)
	}
	if !slices.Equal(shortcuts, bot.MessageShortcuts) {
		t.Errorf("shortcuts %v, want the bot's %v", shortcuts, bot.MessageShortcuts)
	}
	// The commands scope is what lets an app own a slash command, and message shortcuts.
	if !slices.Contains(m.OAuthConfig.Scopes.Bot, "commands") {
		t.Errorf("scopes %v lack commands, needed by /dvk", m.OAuthConfig.Scopes.Bot)
	}
}
