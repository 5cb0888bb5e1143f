# Multi-stage build: compile with dev dependencies, ship only production dependencies and the build output.
# Needs only the two registries it names: Docker Hub (the node image) and the npm registry (npm ci); no
# BuildKit frontend image. NODE_VERSION must satisfy package.json's engines (scripts/check-engines.mjs checks).
ARG NODE_VERSION=20.20

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/ticket-service/package.json apps/ticket-service/
COPY libs/contracts/package.json libs/contracts/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json nest-cli.json ./
COPY apps apps
COPY libs libs
COPY migrations migrations
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    ENVIRONMENT=production \
    SERVICE_PORT=8002 \
    UPLOAD_STORAGE_PATH=/var/lib/ticket-service/attachments
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules node_modules
COPY --from=build --chown=node:node /app/libs/contracts/package.json libs/contracts/
COPY --from=build --chown=node:node /app/libs/contracts/dist libs/contracts/dist
COPY --from=build --chown=node:node /app/apps/ticket-service/package.json apps/ticket-service/
COPY --from=build --chown=node:node /app/apps/ticket-service/dist apps/ticket-service/dist
RUN mkdir -p /var/lib/ticket-service/attachments && chown -R node:node /var/lib/ticket-service
USER node
EXPOSE 8002
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.SERVICE_PORT||8002)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--expose-gc", "apps/ticket-service/dist/apps/ticket-service/src/main.js"]
