# walrus-gateway: build the native codec kernel and the TypeScript sources, then run on a slim image.
# By default the container runs `walrus-gateway daemon` (reads and PUT /v1/blobs on one port), on an
# embedded local network in /data/local-network; configure it with WALRUS_GATEWAY_* variables
# (README "Configuration"), e.g. WALRUS_GATEWAY_NETWORK=testnet + WALRUS_GATEWAY_WALLET_KEY_FILE, or
# WALRUS_GATEWAY_LOCAL_NETWORK_DIR for a local network run elsewhere (docker-compose.yml).
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY native ./native
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
# Inside a container the listeners must not be on loopback to be reachable; publish only what you
# mean to expose (the metrics port is for the scraper, not the public).
ENV NODE_ENV=production \
    WALRUS_GATEWAY_BIND_ADDRESS=0.0.0.0:31415 \
    WALRUS_GATEWAY_METRICS_ADDRESS=0.0.0.0:27182 \
    WALRUS_GATEWAY_DATA_DIR=/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/native/build/Release/*.node ./native/build/Release/
COPY package.json openapi.yaml ./
COPY bin ./bin
COPY deploy/healthcheck.mjs ./deploy/healthcheck.mjs
# The data directory holds the wallets (main-wallet.key on the local network, sub-wallets/) and the
# embedded local network: a volume, owned by the unprivileged user the gateway runs as.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 31415 27182
# No curl in the node images: node itself asks GET /status on WALRUS_GATEWAY_BIND_ADDRESS. The start
# period covers an embedded network's start and the sub-wallets' funding.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["node", "deploy/healthcheck.mjs"]
ENTRYPOINT ["node", "bin/walrus-gateway.js"]
CMD ["daemon"]
