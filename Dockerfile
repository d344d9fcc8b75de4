# syntax=docker/dockerfile:1

# Lindungi: one static binary (cmd/lindungi) with the subcommands serve,
# worker, migrate, keygen and more (lindungi help). Configuration comes only
# from environment variables (see cmd/lindungi/config.go).
#
#   docker build -t lindungi .
#   docker run --rm lindungi migrate        # the default command is `serve`
#
# No HEALTHCHECK here: the distroless runtime image has no shell or curl. Let
# the orchestrator probe GET /healthz (liveness) and GET /readyz (readiness).

# ---- build ----------------------------------------------------------------
# The build runs on the builder's own platform and cross-compiles for the
# target platform, so multi-arch builds (docker buildx --platform) need no
# emulation. The golang image sets GOTOOLCHAIN=local: its Go 1.26 must be at
# least the `go` line of go.mod.
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
ARG TARGETOS
ARG TARGETARCH
WORKDIR /src

# Dependencies first, so that source edits reuse this layer.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download

COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -o /out/lindungi ./cmd/lindungi

# An empty /data owned by the runtime user (distroless nonroot is 65532): a
# named volume mounted there starts with this ownership, so the non-root
# binary can write its files (e.g. the development token key) into it.
RUN mkdir -p /out/data

# ---- runtime --------------------------------------------------------------
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/lindungi /lindungi
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/lindungi"]
CMD ["serve"]
