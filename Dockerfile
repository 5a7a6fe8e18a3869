# walrus-gateway: build the native codec kernel and the TypeScript sources, then run on a slim image.
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
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/native/build/Release/*.node ./native/build/Release/
COPY package.json openapi.yaml ./
COPY bin ./bin
USER node
ENTRYPOINT ["node", "bin/walrus-gateway.js"]
CMD ["--help"]
