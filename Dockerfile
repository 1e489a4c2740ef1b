# syntax=docker/dockerfile:1
#
# dvkbot image: a static Go binary on distroless, run as the non-root user 65532.
#
#   docker build --build-arg VERSION=1.2.3 -t dvkbot:1.2.3 .
#
# No secrets are baked in: Slack tokens come from the environment at run time.

# Build stage: compile on the build machine's platform, for the target's OS and architecture.
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
WORKDIR /src
# Modules first, in a layer of their own that only a go.mod or go.sum change rebuilds. The root
# module holds only what the bot needs: the deployment tests, with their Kubernetes and kustomize
# libraries, are the separate module deploy/ and stay out of the build context.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG TARGETOS
ARG TARGETARCH
# -tags noterm leaves out the terminal renderer of ask and chat: no use in a container, and it
# costs every process (serve too) about 8 MB of memory.
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -tags noterm -trimpath -ldflags "-s -w -X main.version=$VERSION" -o /out/dvkbot ./cmd/dvkbot
# The folder where the bot keeps what it learns (DVK_DATA_DIR), empty and owned by the runtime
# user: a volume mounted there starts with that owner, so the non-root bot can write to it.
RUN mkdir -p /out/data

# Runtime stage: no shell, no package manager; CA certificates and tzdata only.
# Debian 13 is distroless's maintained release: its Debian 12 images stop updating in September 2026.
FROM gcr.io/distroless/static-debian13:nonroot AS runtime
ARG VERSION=dev
LABEL org.opencontainers.image.title="dvkbot" \
      org.opencontainers.image.description="Slack bot that answers Docker and Kubernetes questions" \
      org.opencontainers.image.source="https://github.com/dvkbot/dvkbot" \
      org.opencontainers.image.url="https://github.com/dvkbot/dvkbot" \
      org.opencontainers.image.documentation="https://github.com/dvkbot/dvkbot#deploy" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.base.name="gcr.io/distroless/static-debian13:nonroot"
COPY --from=build /out/dvkbot /dvkbot
COPY --from=build --chown=65532:65532 /out/data /var/lib/dvkbot
USER 65532:65532
# Ops server: /healthz, /readyz, /metrics.
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/dvkbot", "healthcheck"]
ENTRYPOINT ["/dvkbot"]
CMD ["serve"]
