import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsoleRoute, routeName } from '../../src/console/routes.js';
import { PUBLIC_ROOT_FIELDS } from '../../src/graphql/cache-control.js';
import { buildGatewaySchema } from '../../src/schema/build-schema.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server.js';
import { ROOT } from '../support/processes.js';

/**
 * The steps of adding a Console route that would otherwise be forgotten silently (CONTRIBUTING,
 * "Adding a Console route"): the simulator serves it, the fault matrix tries it, and every root
 * query field says whether its answer may be cached publicly.
 */
const ROUTES = Object.values(ConsoleRoute).map(routeName);

/** Root query fields whose answers depend on the caller or carry what the caller sent: never public. */
const PRIVATE_ROOT_FIELDS: Record<string, string> = {
  me: "the caller's own data",
  validateToken: 'answers about the token the caller sent',
  node: "may be the caller's own subscription",
  nodes: "may hold the caller's own subscriptions",
};

describe('every Console route the gateway calls', () => {
  let sim: RunningSimulator;
  beforeAll(async () => (sim = await startSimulator()));
  afterAll(async () => sim.close());

  it.each(ROUTES)('%s: the simulator serves it', async (route) => {
    const [method, path] = route.split(' ');
    const res = await fetch(`${sim.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) });
    await res.arrayBuffer();
    expect(res.status).not.toBe(404);
  });

  it('should each be a row of the fault matrix (test/integration/faults.test.ts)', () => {
    const matrix = readFileSync(`${ROOT}test/integration/faults.test.ts`, 'utf8');
    expect(ROUTES.filter((route) => !matrix.includes(`'${route}'`))).toEqual([]);
  });
});

describe('root query fields', () => {
  it('should each be listed as public (cacheable without a token) or private', async () => {
    const fields = Object.keys((await buildGatewaySchema()).getQueryType()!.getFields());
    expect(fields.filter((f) => !PUBLIC_ROOT_FIELDS.has(f) && !(f in PRIVATE_ROOT_FIELDS))).toEqual([]);
    expect(fields.filter((f) => PUBLIC_ROOT_FIELDS.has(f) && f in PRIVATE_ROOT_FIELDS)).toEqual([]);
  });
});
