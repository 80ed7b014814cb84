/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call --
   Kubernetes manifests are free-form YAML: the test walks them as parsed and asserts each value it reads */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { loadGatewayConfig } from '../../src/config.js';
import { ROOT } from '../support/processes.js';
import { startStack, type Stack } from '../support/stack.js';

/** deploy/kubernetes read as Kubernetes would, and checked against the code and the Dockerfile. */
const DIR = `${ROOT}deploy/kubernetes/base/`;
const COMPONENTS = `${ROOT}deploy/kubernetes/components/`;
type Doc = { kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: any }; // why: manifests are free-form YAML

const kustomization = parseAllDocuments(readFileSync(`${DIR}kustomization.yaml`, 'utf8'))[0].toJS() as {
  resources: string[];
  images: Array<{ name: string; newTag: string }>;
};
const readYaml = (file: string): Doc[] => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Doc);
const docs: Doc[] = kustomization.resources.flatMap((file) =>
  parseAllDocuments(readFileSync(`${DIR}${file}`, 'utf8')).map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0].message}`);
    return d.toJS() as Doc;
  }),
);
const find = (kind: string, name = 'flecs-graph') => docs.find((d) => d.kind === kind && d.metadata.name === name)!;
const deployment = find('Deployment');
const pod = deployment.spec.template;
const container = pod.spec.containers[0];
const configMap = find('ConfigMap').data as Record<string, string>;
/** The development Redis component's Secret, as its secretGenerator literals say. */
const devRedis = readYaml(`${COMPONENTS}dev-redis/kustomization.yaml`)[0] as unknown as { secretGenerator: Array<{ name: string; literals: string[] }> };
const secret = Object.fromEntries(devRedis.secretGenerator[0].literals.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

/** `kubectl kustomize DIR`, parsed; undefined (and said so) without kubectl. */
function kustomize(dir: string): Doc[] | undefined {
  let rendered: string;
  try {
    rendered = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    process.stderr.write(`\n*** SKIPPED rendering ${dir} with kubectl kustomize: kubectl is not installed (the YAML checks still ran).\n\n`);
    return undefined;
  }
  return parseAllDocuments(rendered).map((d) => d.toJS() as Doc);
}

/** Every variable the gateway reads, found by letting it read a recording environment. */
function variablesTheGatewayReads(): Set<string> {
  const read = new Set<string>();
  loadGatewayConfig(new Proxy({}, { get: (_t, key) => (typeof key === 'string' && read.add(key), undefined) }));
  return read;
}

describe('the Kubernetes manifests', () => {
  it('should list every file of the folder in the kustomization, each valid YAML', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(docs.map((d) => d.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'HorizontalPodAutoscaler',
      'Ingress',
      'PodDisruptionBudget',
      'Service',
      'Service',
    ]);
  });

  it('should render a base that applies to a plain cluster: built-in kinds only, no Secret to overwrite, no development Redis, a pinned image', () => {
    const rendered = kustomize(`${ROOT}deploy/kubernetes`);
    const objects = rendered ?? docs;
    expect(objects.filter((d) => String(d.apiVersion).includes('monitoring.coreos.com'))).toEqual([]);
    expect(objects.filter((d) => d.kind === 'Secret')).toEqual([]);
    expect(objects.filter((d) => d.metadata.name === 'flecs-graph-redis')).toEqual([]);
    // The image is the package's version, never `latest`: a rollout is a change of this tag.
    const version = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version;
    expect(kustomization.images).toEqual([expect.objectContaining({ name: 'flecs-graph', newTag: version })]);
    if (rendered) expect(rendered.find((d) => d.kind === 'Deployment')!.spec.template.spec.containers[0].image).toBe(`flecs-graph:${version}`);
    // Without the Secret the pod still starts (no Redis: limits and caches per replica).
    expect(container.env.find((e: { name: string }) => e.name === 'REDIS_URL').valueFrom.secretKeyRef.optional).toBe(true);
  });

  it('should add the development Redis and its Secret, and the ServiceMonitor and the alert rules, only through components', () => {
    const rendered = kustomize(`${ROOT}deploy/kubernetes/overlays/development`);
    if (!rendered) return;
    const kinds = rendered.map((d) => d.kind).sort();
    expect(kinds).toEqual(expect.arrayContaining(['PrometheusRule', 'Secret', 'ServiceMonitor']));
    expect(
      rendered
        .filter((d) => d.metadata.name === 'flecs-graph-redis')
        .map((d) => d.kind)
        .sort(),
    ).toEqual(['Deployment', 'Secret', 'Service']);
  });

  it('should carry the alert rules in the PrometheusRule word for word as deploy/observability/prometheus-rules.yaml has them', () => {
    const rule = readYaml(`${COMPONENTS}monitoring/prometheusrule.yaml`)[0];
    const file = readYaml(`${ROOT}deploy/observability/prometheus-rules.yaml`)[0] as unknown as { groups: unknown };
    expect(rule.kind).toBe('PrometheusRule');
    expect(rule.spec.groups).toEqual(file.groups);
  });

  it('should route the Ingress to the Service, and scrape the metrics port with the ServiceMonitor, never through the Service clients reach', () => {
    const ingress = find('Ingress');
    const backend = ingress.spec.rules[0].http.paths[0].backend.service;
    expect(backend.name).toBe('flecs-graph');
    expect(find('Service').spec.ports.map((p: { name: string }) => p.name)).toContain(backend.port.name);
    expect(configMap.TRUST_PROXY_HOPS).toBe('1'); // the Ingress is the one proxy in front
    const metricsService = find('Service', 'flecs-graph-metrics');
    const monitor = readYaml(`${COMPONENTS}monitoring/servicemonitor.yaml`).find((d) => d.kind === 'ServiceMonitor')!;
    expect(metricsService.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    const metricsPort = metricsService.spec.ports.find((p: { name: string }) => p.name === monitor.spec.endpoints[0].port);
    expect(container.ports.find((p: { name: string }) => p.name === metricsPort.targetPort).containerPort).toBe(Number(configMap.METRICS_PORT));
    expect(monitor.spec.endpoints[0].path).toBe('/metrics');
    expect(find('Service').spec.ports.map((p: { targetPort: string }) => p.targetPort)).not.toContain('metrics');
  });

  it('should carry a commented OTEL_* example that, uncommented, is valid and documented', () => {
    const text = readFileSync(`${DIR}configmap.yaml`, 'utf8');
    const example = [...text.matchAll(/^ {2}# (OTEL_[A-Z_]+): (.+)$/gm)].map((m) => [m[1], m[2]]);
    expect(example.map(([name]) => name)).toEqual(expect.arrayContaining(['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME', 'OTEL_TRACES_SAMPLER']));
    // Uncommented, it is still valid YAML for the ConfigMap's data, and every name is one docs/configuration.md lists.
    const uncommented = parseAllDocuments(text.replace(/^ {2}# (OTEL_[A-Z_]+: .+)$/gm, '  $1'))[0].toJS() as { data: Record<string, string> };
    const documented = readFileSync(`${ROOT}docs/configuration.md`, 'utf8');
    for (const [name] of example) {
      expect(typeof uncommented.data[name]).toBe('string');
      expect(documented).toContain(`\`${name}\``);
    }
    expect(uncommented.data.OTEL_EXPORTER_OTLP_ENDPOINT).toMatch(/^https?:\/\/[^/]+:4318$/);
  });

  it('should set only variables the gateway knows, with values it accepts', () => {
    const known = variablesTheGatewayReads();
    expect(known.has('REDIS_URL')).toBe(true);
    const names = [...Object.keys(configMap), ...container.env.map((e: { name: string }) => e.name)];
    expect(names.filter((n) => !known.has(n))).toEqual([]);
    const config = loadGatewayConfig({ ...configMap, ...secret });
    expect(config.nodeEnv).toBe('production');
    expect(config.publicCache.redis?.urls[0]?.hostname).toBe('flecs-graph-redis');
  });

  it("should run 3 replicas as the Dockerfile's non-root user, read-only, without privilege escalation", () => {
    const user = /^USER\s+(\d+)(?::(\d+))?\s*$/m.exec(readFileSync(`${ROOT}Dockerfile`, 'utf8'));
    expect(user).not.toBeNull();
    expect(deployment.spec.replicas).toBe(3);
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: Number(user![1]), runAsGroup: Number(user![2] ?? user![1]) });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits.memory).toBeDefined();
  });

  it('should give a draining pod more time than SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS', () => {
    const config = loadGatewayConfig({ ...configMap, ...secret });
    const drainSeconds = (config.shutdownDelayMs + config.shutdownTimeoutMs) / 1000;
    expect(config.shutdownDelayMs).toBeGreaterThan(0);
    expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThan(drainSeconds);
  });

  it("should agree on ports: the container, PORT, the Dockerfile's EXPOSE, the probes and the Service", () => {
    const port = container.ports[0];
    expect(port.containerPort).toBe(Number(configMap.PORT));
    expect(readFileSync(`${ROOT}Dockerfile`, 'utf8')).toMatch(new RegExp(`^EXPOSE ${port.containerPort}$`, 'm'));
    // The probes go to PROBE_PORT's own listener, which the Service does not expose.
    const probes = container.ports.find((p: { name: string }) => p.name === 'probes');
    expect(probes.containerPort).toBe(Number(configMap.PROBE_PORT));
    expect(new Set([configMap.PORT, configMap.METRICS_PORT, configMap.PROBE_PORT]).size).toBe(3);
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) expect(container[probe].httpGet.port).toBe(probes.name);
    const service = find('Service');
    expect(service.spec.ports[0].targetPort).toBe(port.name);
    expect(service.spec.selector).toEqual(pod.metadata.labels);
    expect(find('PodDisruptionBudget').spec.selector.matchLabels).toEqual(pod.metadata.labels);
    expect(find('HorizontalPodAutoscaler').spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'flecs-graph' });
    expect(find('HorizontalPodAutoscaler').spec.minReplicas).toBe(deployment.spec.replicas);
  });

  it("should give V8 an old generation well inside the pod's memory limit, through the image's entrypoint", () => {
    const dockerfile = readFileSync(`${ROOT}Dockerfile`, 'utf8');
    expect(dockerfile).toMatch(/^COPY deploy\/docker\/heap-from-cgroup\.sh \/usr\/local\/bin\/heap-from-cgroup$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/local\/bin\/heap-from-cgroup"\]$/m);
    const limitMiB = Number(/^(\d+)Mi$/.exec(container.resources.limits.memory)![1]);
    const cgroup = mkdtempSync(join(tmpdir(), 'flecs-graph-cgroup-'));
    /** Runs node through the entrypoint: the heap limit it got (MiB) and the NODE_OPTIONS it ran with. */
    const throughEntrypoint = (env: Record<string, string>) =>
      JSON.parse(
        execFileSync(
          'sh',
          [
            `${ROOT}deploy/docker/heap-from-cgroup.sh`,
            process.execPath,
            '-e',
            'process.stdout.write(JSON.stringify({ heap: require("v8").getHeapStatistics().heap_size_limit / 1048576, options: process.env.NODE_OPTIONS ?? "" }))',
          ],
          { env: { PATH: process.env.PATH ?? '', CGROUP_DIR: cgroup, ...env } },
        ).toString(),
      ) as { heap: number; options: string };
    const heapLimitMiB = (env: Record<string, string>) => throughEntrypoint(env).heap;
    try {
      writeFileSync(join(cgroup, 'memory.max'), String(limitMiB * 1_048_576));
      const heap = heapLimitMiB({});
      // Old generation (60 % of the limit) plus V8's young generation: room left for code, buffers and sockets.
      expect(heap).toBeGreaterThan(limitMiB * 0.5);
      expect(heap).toBeLessThan(limitMiB * 0.75);
      // An operator's own setting wins: the entrypoint adds nothing to it.
      expect(throughEntrypoint({ NODE_OPTIONS: '--max-old-space-size=100' }).options).toBe('--max-old-space-size=100');
      // No limit: Node's own sizing.
      writeFileSync(join(cgroup, 'memory.max'), 'max');
      expect(heapLimitMiB({})).toBeGreaterThan(limitMiB);
    } finally {
      rmSync(cgroup, { recursive: true, force: true });
    }
  });

  it('should serve /metrics on its own port, scraped from the pod and never exposed by the Service', () => {
    const metricsPort = container.ports.find((p: { name: string }) => p.name === 'metrics');
    expect(metricsPort.containerPort).toBe(Number(configMap.METRICS_PORT));
    expect(Number(configMap.METRICS_PORT)).not.toBe(Number(configMap.PORT));
    expect(pod.metadata.annotations['prometheus.io/port']).toBe(configMap.METRICS_PORT);
    const service = find('Service');
    expect(service.spec.ports.map((p: { targetPort: string }) => p.targetPort)).toEqual(['http']);
  });

  it('should let a replica miss a few slow readiness answers before it leaves the Service (a slow Console must not empty it)', () => {
    const readiness = container.readinessProbe;
    expect(readiness.failureThreshold).toBeGreaterThanOrEqual(3);
    expect(readiness.timeoutSeconds).toBeGreaterThanOrEqual(2);
  });

  describe('probe paths', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({ env: { SHUTDOWN_DELAY_MS: '0', PROBE_PORT: '0' } });
    });
    afterAll(async () => stack.close());

    it('should point liveness at /healthz and readiness at /readyz, which the gateway serves on PROBE_PORT', async () => {
      expect(container.livenessProbe.httpGet.path).toBe('/healthz');
      expect(container.startupProbe.httpGet.path).toBe('/healthz');
      expect(container.readinessProbe.httpGet.path).toBe('/readyz');
      for (const path of ['/healthz', '/readyz']) expect((await fetch(`${stack.gateway.probeUrl}${path}`)).status).toBe(200);
    });
  });
});
