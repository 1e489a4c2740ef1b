package bot

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the bot's Prometheus metrics, registered on the registry the ops server exposes.
type Metrics struct {
	events        *prometheus.CounterVec
	answers       *prometheus.CounterVec
	latency       prometheus.Histogram
	slackErrors   *prometheus.CounterVec
	slackRetries  *prometheus.CounterVec
	reconnects    prometheus.Counter
	feedback      *prometheus.CounterVec
	unanswered    prometheus.Counter
	panics        prometheus.Counter
	queueDepth    prometheus.Gauge
	refused       *prometheus.CounterVec
	lost          *prometheus.CounterVec
	refusedURLs   prometheus.Counter
	badEnvelopes  prometheus.Counter
	duplicates    prometheus.Counter
	ignoredEvents *prometheus.CounterVec
	brainErrors   *prometheus.CounterVec
	captured      prometheus.Counter
	toExperts     prometheus.Counter
}

// NewMetrics creates the bot's metrics and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dvkbot_events_total", Help: "Socket Mode envelopes received, by type.",
		}, []string{"type"}),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dvkbot_answers_total", Help: "Replies sent, by outcome (answered, unanswered) and source (mention, dm, slash, followup, related).",
		}, []string{"outcome", "source"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "dvkbot_answer_latency_seconds", Help: "Time from receiving an event to the reply being posted.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		slackErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dvkbot_slack_api_errors_total", Help: "Slack Web API calls refused with an error not worth retrying, by method.",
		}, []string{"method"}),
		slackRetries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dvkbot_slack_api_retries_total", Help: "Slack Web API calls retried after a rate limit or transient error, by method.",
		}, []string{"method"}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dvkbot_socket_reconnects_total", Help: "Socket Mode connections opened after the first.",
		}),
		feedback: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dvkbot_feedback_total", Help: "Feedback button clicks, by entry id and vote (up, down).",
		}, []string{"entry", "vote"}),
		unanswered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dvkbot_unanswered_questions_total", Help: "Questions the bot could not answer (see /dvk gaps).",
		}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dvkbot_handler_panics_total", Help: "Panics recovered in event handlers.",
		}),
		queueDepth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dvkbot_worker_queue_depth", Help: "Events waiting for a free worker.",
		}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dvkbot_envelopes_refused_total", Help: "Envelopes left un-acked because the worker queue was full (Slack delivers events again later), by type.",
		}, []string{"type"}),
		lost: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dvkbot_replies_lost_total", Help: "Slack calls given up after retrying transient failures for the whole retry budget, or cut short by shutdown, by method.",
		}, []string{"method"}),
		refusedURLs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dvkbot_response_urls_refused_total", Help: "Replies not sent because the payload's response_url was not a Slack host.",
		}),
		badEnvelopes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dvkbot_bad_envelopes_total", Help: "Envelopes whose inner event could not be decoded (acked and logged).",
		}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dvkbot_duplicate_events_total", Help: "Events skipped because they were already answered (Slack retries, mention + message).",
		}),
		ignoredEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dvkbot_ignored_events_total", Help: "Events deliberately not answered, by reason.",
		}, []string{"reason"}),
		brainErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dvkbot_brain_errors_total", Help: "Calls to the bot's memory (Redis or the data folder's file) that failed, by operation; the bot carries on without it.",
		}, []string{"op"}),
		captured: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dvkbot_answers_captured_total", Help: "Answers experts saved from Slack (Answer modal, Save as dvkbot answer shortcut).",
		}),
		toExperts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dvkbot_questions_to_experts_total", Help: "Unanswered questions posted in the experts' channel.",
		}),
	}
	reg.MustRegister(m.events, m.answers, m.latency, m.slackErrors, m.slackRetries, m.reconnects,
		m.feedback, m.unanswered, m.panics, m.queueDepth, m.refused, m.lost, m.refusedURLs, m.badEnvelopes,
		m.duplicates, m.ignoredEvents, m.brainErrors, m.captured, m.toExperts)
	return m
}

// BrainFailed counts a failed call to the brain made outside the bot, such as reading captured
// entries for a knowledge reload.
func (m *Metrics) BrainFailed(op string) {
	m.brainErrors.WithLabelValues(op).Inc()
}
