# flecs-graph gateway. Build: docker build -t flecs-graph .   Run: docker run -p 4000:4000 flecs-graph
# The build stage runs the same commands as CI (npm ci, npm run build); the runtime stage has
# production dependencies only and runs as the unprivileged `node` user.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=4000 \
    HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
USER node
EXPOSE 4000
CMD ["node", "dist/src/index.js"]
