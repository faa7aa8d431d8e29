# Spyglass as a container: `spyglass serve` on port 8080 by default, any other spyglass command when named
# (`docker run IMAGE cves registry://…`). The data directory (vulnerability database, server database,
# blob cache) is the volume /data. Building and running it: docs/container.md.

FROM node:20-bookworm-slim AS build
# better-sqlite3 downloads a prebuilt binary for this Node when one exists; python3, make and g++ build it
# from source when none does.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json README.md ./
COPY scripts ./scripts
COPY bin ./bin
COPY docs ./docs
COPY src ./src
COPY web ./web
# `npm ci` runs `prepare`, which is `npm run build` (TypeScript into dist/ with its data files); the
# development dependencies are then dropped so that only what runs is copied into the final image.
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    SPYGLASS_DATA_DIR=/data \
    SPYGLASS_CACHE_DIR=/data/cache
WORKDIR /opt/spyglass
COPY --from=build /src/package.json ./
COPY --from=build /src/bin ./bin
COPY --from=build /src/dist ./dist
COPY --from=build /src/docs ./docs
COPY --from=build /src/node_modules ./node_modules
# A dedicated user with no login shell owns /data; the code itself stays root-owned and read-only to it.
RUN groupadd --system --gid 10001 spyglass \
 && useradd --system --uid 10001 --gid spyglass --home-dir /data --shell /usr/sbin/nologin spyglass \
 && mkdir -p /data \
 && chown spyglass:spyglass /data \
 && ln -s /opt/spyglass/bin/spyglass.js /usr/local/bin/spyglass
USER spyglass
VOLUME /data
EXPOSE 8080
# The slim image has neither curl nor wget: node's own fetch asks /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/opt/spyglass/bin/spyglass.js"]
CMD ["serve", "--listen", "0.0.0.0:8080"]
