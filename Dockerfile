# syntax=docker/dockerfile:1
# Multi-stage build: compile in the Rust image, run in a small distroless image as non-root.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
# The fake Logto (`demo` feature) is not built into the production image.
RUN cargo build --release --locked --no-default-features \
 && mkdir -p /out/data \
 && cp target/release/logto-portal /out/logto-portal

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/logto-portal /usr/local/bin/logto-portal
# SQLite lives in /data (mount a volume); the root filesystem can be read-only.
COPY --from=build --chown=nonroot:nonroot /out/data /data
WORKDIR /data
ENV PORTAL_LISTEN=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///data/portal.db
USER nonroot
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/logto-portal", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/logto-portal"]
CMD ["serve"]
