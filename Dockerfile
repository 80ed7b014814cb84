# flecs-graph gateway. Build: docker build -t flecs-graph .   Run: docker run -p 4000:4000 flecs-graph
# The build stage runs the same commands as CI (npm ci, npm run build); the runtime stage has
# production dependencies only and runs as the unprivileged `node` user.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY explorer ./explorer
RUN npm run build
# What the runtime needs of the build: the gateway's modules and the local GraphiQL. The Console
# simulator, the demo, the development runner and the schema printer are for laptops and tests.
RUN mkdir -p /runtime/dist \
 && cp -r dist/src dist/explorer /runtime/dist/ \
 && rm -rf /runtime/dist/src/simulator /runtime/dist/src/demo.js* /runtime/dist/src/demo-query.js* /runtime/dist/src/demo-site.js* \
      /runtime/dist/src/dev-runner.js* /runtime/dist/src/schema/emit.js* /runtime/dist/src/schema/print-schema.js*

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=4000 \
    HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# The gateway, and the local GraphiQL (served only when GRAPHQL_SANDBOX=true, off in production by default).
COPY --from=build /runtime/dist ./dist
COPY deploy/docker/heap-from-cgroup.sh /usr/local/bin/heap-from-cgroup
# The official image's `node` user, by number so that Kubernetes can check runAsNonRoot.
USER 1000:1000
EXPOSE 4000
# The slim image has no curl: Node's own fetch asks /healthz, on PROBE_PORT when it is set.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PROBE_PORT||process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM drains in-flight requests (SHUTDOWN_TIMEOUT_MS) and exits 0.
STOPSIGNAL SIGTERM
# The old generation gets 60 % of the container's memory limit (HEAP_PERCENT_OF_LIMIT), so that V8
# collects before the kernel kills; the script execs node, which keeps PID 1 and its signals.
ENTRYPOINT ["/usr/local/bin/heap-from-cgroup"]
CMD ["node", "dist/src/index.js"]
