import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { installed, ROOT } from '../support/processes.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * deploy/observability: the Grafana dashboard and the Prometheus alert rules use only metrics the
 * gateway really exports, and the rules pass `promtool check rules` (Debian's prometheus package;
 * `.ci/run` installs it, and this test says so loudly when it is missing).
 */
const RULES = `${ROOT}deploy/observability/prometheus-rules.yaml`;
const DASHBOARD = `${ROOT}deploy/observability/grafana-dashboard.json`;
const PROMTOOL = installed('promtool');

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
const rules = parse(readFileSync(RULES, 'utf8')) as {
  groups: Array<{ rules: Array<{ alert: string; expr: string; annotations: { runbook?: string; summary?: string } }> }>;
};
const expressions = [...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)), ...rules.groups.flatMap((g) => g.rules.map((r) => r.expr))];
/** The exported family a series name belongs to (a histogram's _bucket and _count are its own). */
const familyOf = (name: string) => name.replace(/_(bucket|count|sum)$/, '');

describe('the dashboard and the alert rules', () => {
  let stack: Stack;
  // With a REDIS_URL (unreachable here), so that flecs_graph_redis_up is exported as it is in production.
  beforeAll(async () => (stack = await startStack({ env: { REDIS_URL: 'redis://127.0.0.1:9', REDIS_TIMEOUT_MS: '20' } })), 20_000);
  afterAll(async () => stack.close());

  it('should use only metric names the gateway exports', async () => {
    const exported = new Set(
      (await (await fetch(stack.gateway.metricsUrl)).text())
        .split('\n')
        .filter((l) => l.startsWith('# TYPE '))
        .map((l) => l.split(' ')[2]),
    );
    const used = new Set(expressions.flatMap((e) => e.match(/flecs_graph_[a-z0-9_]+/g) ?? []));
    expect(used.size).toBeGreaterThan(12);
    expect([...used].filter((name) => !exported.has(familyOf(name)) && !exported.has(name))).toEqual([]);
  });

  it('should give every alert a summary and a one-line runbook, and cover what wakes an operator', () => {
    const alerts = rules.groups.flatMap((g) => g.rules);
    for (const alert of alerts) {
      expect(alert.annotations.summary).toBeTruthy();
      expect(alert.annotations.runbook).toBeTruthy();
      expect(alert.annotations.runbook).not.toContain('\n');
    }
    expect(alerts.map((a) => a.alert)).toEqual(
      expect.arrayContaining(['FlecsGraphConsoleFailing', 'FlecsGraphConsoleSlow', 'FlecsGraphCircuitOpen', 'FlecsGraphRedisDown', 'FlecsGraphSheddingLoad']),
    );
  });

  (PROMTOOL ? it : it.skip)('should pass promtool check rules', () => {
    const out = execFileSync(PROMTOOL!, ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });
  if (!PROMTOOL) process.stderr.write("\n*** SKIPPED promtool check rules: install Debian's prometheus package (apt-get install prometheus).\n\n");
});
