// Package deploy holds no code: it is where dvkbot's deployment files live (the Slack app
// manifest, Docker Compose, the kustomize base and overlay, an example team knowledge folder) and
// where their tests check what an operator relies on. The Dockerfile at the repository root is
// tested here too.
package deploy
