# The decomposer image: one image for every subcommand (api, worker, endpoint, cost-report, cleanup,
# doctor, submit). Multi-stage: a Swift toolchain stage builds the release binary with the static Swift
# standard library; the runtime stage is Debian slim with only the shared libraries that binary links
# (hiredis, libcurl, libpng, libjpeg, libdeflate, zlib, libstdc++), CA certificates and a non-root user.
#
#   docker build -t decomposer .
#   docker run --rm -p 8000:8000 -e REDIS_URL=redis://redis:6379/0 decomposer api
#
# Base images are build arguments so that the file users build is the one scripts/container-test.sh
# builds and runs on machines with no registry (there they are local images made with debootstrap).
# BINARY_SOURCE=prebuilt skips the toolchain stage and takes prebuilt/decomposer and
# prebuilt/swift-backtrace-static from the build context instead (a context folder of their own, as
# scripts/container-test.sh makes): a release binary built on a Debian bookworm host with
# `swift build -c release --static-swift-stdlib --product decomposer`, and the toolchain's file.
# podman 4.3 (buildah 1.28) decides which stages to build from the given build arguments only:
# there, pass --build-arg BINARY_SOURCE=build for the default too.
ARG BUILDER_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim
ARG BINARY_SOURCE=build

# --- build: the release binary --------------------------------------------------------------------
FROM ${BUILDER_IMAGE} AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libhiredis-dev libcurl4-openssl-dev libpng-dev libjpeg62-turbo-dev libdeflate-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so a source change does not fetch them again.
COPY Package.* ./
RUN swift package resolve
COPY . .
# --strip-debug drops DWARF (about a third of the file) but keeps the symbol table, so a crash
# backtrace still names functions. swift-backtrace-static is the toolchain's crash reporter for
# binaries with the static standard library (SWIFT_BACKTRACE below points at it).
RUN swift build -c release --static-swift-stdlib --product decomposer \
    && mkdir /staging \
    && strip --strip-debug -o /staging/decomposer .build/release/decomposer \
    && cp "$(dirname "$(readlink -f "$(command -v swift)")")/../libexec/swift/linux/swift-backtrace-static" /staging/

# --- runtime -----------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ca-certificates libhiredis0.14 libcurl4 libpng16-16 libjpeg62-turbo libdeflate0 zlib1g libstdc++6 \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log
# A fixed numeric id, so Kubernetes' runAsNonRoot can check it; its home is the working directory,
# where the default UPLOADS_DIR / RESULTS_DIR (./data/…) live.
RUN groupadd --gid 10001 decomposer \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /var/lib/decomposer --shell /usr/sbin/nologin decomposer \
    && install -d -o 10001 -g 10001 /var/lib/decomposer /var/lib/decomposer/data

# The binary from the build stage, or from the build context (BINARY_SOURCE selects).
FROM runtime AS runtime-build
COPY --from=build /staging/decomposer /staging/swift-backtrace-static /usr/local/bin/

FROM runtime AS runtime-prebuilt
COPY prebuilt/decomposer prebuilt/swift-backtrace-static /usr/local/bin/

FROM runtime-${BINARY_SOURCE}
WORKDIR /var/lib/decomposer
USER 10001:10001
# Listen on every interface inside the container (the code's default, 127.0.0.1, is unreachable
# from outside it). Crash backtraces go to stderr, without interactive prompts.
ENV HOST=0.0.0.0 \
    PORT=8000 \
    SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/local/bin/swift-backtrace-static
EXPOSE 8000
ENTRYPOINT ["decomposer"]
CMD ["api"]
