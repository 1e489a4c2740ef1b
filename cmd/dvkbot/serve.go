package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dvkbot/dvkbot/bot"
	"github.com/dvkbot/dvkbot/bot/brain"
)

// runServe runs the Slack bot until SIGINT or SIGTERM, then drains and returns nil.
func runServe(args []string, s stdio) error {
	if err := parseNoArgs(noFlags("serve"), args, s); err != nil {
		return err
	}
	cfg, err := loadServeConfig()
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(s.err, &slog.HandlerOptions{Level: cfg.LogLevel}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return serve(ctx, cfg, log)
}

// serve wires knowledge, index and bot together and runs them until ctx is done.
func serve(ctx context.Context, cfg serveConfig, log *slog.Logger) error {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	memory, err := brain.Open(brain.Options{RedisURL: cfg.RedisURL, DataDir: cfg.DataDir, Logger: log})
	if err != nil {
		return fmt.Errorf("the bot's memory (DVK_REDIS_URL, DVK_DATA_DIR): %w", err)
	}
	defer memory.Close() // last: the bot and the reloader use it until they stop
	metrics := bot.NewMetrics(reg)
	mem := applyMemorySettings(cfg.MemoryConfig, memlimit.FromCgroup, log) // GOMEMLIMIT bounds indexing too
	reloads, err := startReloader(ctx, cfg.KnowledgeDir, memory, metrics.BrainFailed, log, reg)
	if err != nil {
		return err
	}
	mem.fitGC()
	log.Info("memory settings", mem.attrs()...)
	defer reloads.stop() // after the bot: it answers from the index until it has drained
	live := reloads.live
	log.Info("knowledge indexed", "entries", len(live.Entries()), "team_dir", cfg.KnowledgeDir)

	b := bot.New(bot.Options{
		AppToken: cfg.AppToken, BotToken: cfg.BotToken, APIURL: cfg.APIURL,
		Answerer: live, Logger: log, Metrics: metrics,
		SlashCommand: cfg.SlashCommand, AllowedChannels: cfg.AllowedChannels, Workers: cfg.Workers,
		DrainTimeout: cfg.ShutdownTimeout, Brain: memory, ExpertsChannel: cfg.ExpertsChannel, Admins: cfg.Admins,
	})

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("DVK_HTTP_ADDR %q: %w", cfg.HTTPAddr, err)
	}
	// Every reason is named, not the first: an SRE reading /readyz during an outage should see
	// all that is down at once.
	ready := func() error {
		var socket error
		if !b.Connected() {
			socket = errors.New("Socket Mode not connected")
		}
		return errors.Join(socket, brainReady(memory, cfg.RedisURL != ""), reloads.ready())
	}
	// Timeouts bound what a slow or idle client can hold: the ops port may be reachable by more
	// than Prometheus and the kubelet.
	ops := &http.Server{Handler: opsHandler(reg, ready), ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute}
	go func() {
		if err := ops.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("ops server stopped", "err", err)
		}
	}()
	log.Info("ops server listening", "addr", ln.Addr().String())

	err = b.Run(ctx)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = ops.Shutdown(shutdownCtx)
	if err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// brainReady says why the bot is not ready as far as its memory goes. Only a required brain
// counts: the shared one (DVK_REDIS_URL), without which replicas would answer twice and lose
// each other's threads. The bot answers from its index either way.
func brainReady(memory brain.Brain, required bool) error {
	if !required {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := memory.Ping(ctx); err != nil {
		return fmt.Errorf("shared brain (DVK_REDIS_URL) unreachable: %w", err)
	}
	return nil
}

// opsHandler serves /healthz (the process is up), /readyz (ready returns nil: the socket is
// connected and the knowledge folder watched; knowledge is indexed once serve gets here; its
// errors joined by errors.Join are listed on one line) and /metrics.
func opsHandler(reg *prometheus.Registry, ready func() error) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if err := ready(); err != nil {
			http.Error(w, "not ready: "+strings.ReplaceAll(err.Error(), "\n", "; "), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	return mux
}

// runHealthcheck asks a running bot's ops server for /healthz: the container image has no shell
// or curl, so Compose's healthcheck runs the binary itself.
func runHealthcheck(args []string, s stdio) error {
	if err := parseNoArgs(noFlags("healthcheck"), args, s); err != nil {
		return err
	}
	var cfg OpsConfig
	if err := load(&cfg); err != nil {
		return err
	}
	host, port, _ := net.SplitHostPort(cfg.HTTPAddr) // validated above
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	client := http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort(host, port) + "/healthz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/healthz answered %s", resp.Status)
	}
	fmt.Fprintln(s.out, "healthy")
	return nil
}
