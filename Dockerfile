# One image per process, from one multi-stage build.
#   docker build --target service --build-arg SERVICE=core-api .
#   docker build --target web .

FROM node:20-bookworm-slim AS manifests
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Fixes to dependencies, applied by npm ci's postinstall (patch-package); see patches/README.md.
COPY patches patches
COPY contracts/package.json contracts/
COPY kit/package.json kit/
COPY core-api/package.json core-api/
COPY ml/package.json ml/
COPY analytics/package.json analytics/
COPY search/package.json search/
COPY bridge/package.json bridge/
COPY web/package.json web/

FROM manifests AS prod-deps
RUN npm ci --omit=dev && npm cache clean --force

FROM manifests AS web-build
RUN npm ci
COPY tsconfig.base.json ./
COPY web web
RUN npm run build --workspace web

# The Node services run their TypeScript sources through tsx, exactly as `npm run start:<service>`.
FROM node:20-bookworm-slim AS service
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/node_modules node_modules
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY contracts contracts
COPY kit kit
COPY core-api core-api
COPY ml ml
COPY analytics analytics
COPY search search
COPY bridge bridge
COPY --from=web-build /app/web/dist web/dist
COPY web/package.json web/package.json
USER node
ARG SERVICE=core-api
ENV SERVICE=${SERVICE}
CMD ["sh", "-c", "exec npm run --silent start:${SERVICE}"]

# The web app: static files, with /v1 and the API docs proxied to core-api (one origin).
FROM nginx:1.27-alpine AS web
COPY infra/docker/nginx.conf /etc/nginx/conf.d/default.conf
COPY --from=web-build /app/web/dist /usr/share/nginx/html
