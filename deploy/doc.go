// Package deploy holds no code: it is where dvkbot's deployment files live (the Slack app
// manifest, Docker Compose, the kustomize base and overlay, an example team knowledge folder) and
// where their tests check what an operator relies on. The Dockerfile at the repository root is
// tested here too.
//
// deploy is a Go module of its own, so the libraries these tests need (Kubernetes types,
// kustomize) stay out of the bot's module graph and out of the image build. It takes the bot's
// packages from the same checkout (the replace directive in go.mod), so the manifest is checked
// against the code beside it; after the bot gains a dependency, run `go mod tidy` here too.
package deploy
