# idbridge as a container: a build stage with the Rust toolchain, then a small runtime image
# holding only the binary, CA certificates and the shipped configuration without its demo
# tenant (its keys are public; the image listens on every interface), run as an unprivileged
# user. The build stage's commands live in packaging/build-stage.sh, which CI
# runs without a Docker daemon (.ci/container-check); see docs/operations.md.
#
#   docker build -t idbridge .
#   docker run -p 8080:8080 -v idbridge-data:/var/lib/idbridge \
#       -e IDBRIDGE_STORAGE__MASTER_KEY="$(cat master.key)" idbridge
#
# It serves no tenant until you mount your configuration at /etc/idbridge/idbridge.toml
# (tenants, keys, storage). The
# master key belongs in a secret (IDBRIDGE_STORAGE__MASTER_KEY or a mounted key file named by
# IDBRIDGE_STORAGE__MASTER_KEY_FILE), never in the image.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN packaging/build-stage.sh release /out

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/idbridge --shell /usr/sbin/nologin idbridge \
    && install -d -o idbridge -g idbridge -m 0700 /var/lib/idbridge
COPY --from=build /out/idbridge /usr/local/bin/idbridge
COPY --from=build /out/idbridge.toml /etc/idbridge/idbridge.toml
ENV IDBRIDGE_CONFIG=/etc/idbridge/idbridge.toml
ENV IDBRIDGE_SERVER__LISTEN=0.0.0.0:8080
ENV IDBRIDGE_STORAGE__DATA_DIR=/var/lib/idbridge/data
ENV IDBRIDGE_STORAGE__MASTER_KEY_FILE=/var/lib/idbridge/master.key
USER 10001:10001
WORKDIR /var/lib/idbridge
VOLUME /var/lib/idbridge
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/idbridge"]
CMD ["serve"]
