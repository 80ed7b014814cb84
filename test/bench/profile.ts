/**
 * `npm run profile -- <case> [seconds]`: one benchmark case against the gateway alone, with V8's
 * CPU profiler on. Writes a .cpuprofile into profiles/ (open it in Chrome DevTools or VS Code).
 * `npm run profile -- raw <seconds> '<query>'` profiles any query of the demo user.
 * PROFILE_GATEWAY_ENV='{"OTEL_EXPORTER_OTLP_ENDPOINT":"…"}' adds to the gateway's environment.
 */
import autocannon from 'autocannon';
import { startProcesses } from '../support/processes.js';
import { CASES } from './cases.js';

const name = process.argv[2] ?? 'dashboard';
const seconds = Math.min(120, Math.max(1, Number(process.argv[3] ?? 8)));
const c =
  name === 'raw' ? { query: process.argv[4] ?? '{ __typename }', headers: {} as Record<string, string>, user: undefined } : CASES.find((x) => x.name === name);
if (!c) {
  console.error(`profile: unknown case ${name}; cases are ${CASES.map((x) => x.name).join(', ')}, or raw`);
  process.exit(2);
}
const { simulator, gateway, url } = await startProcesses(
  { NODE_ENV: 'production', LOG_LEVEL: 'info', ...(JSON.parse(process.env.PROFILE_GATEWAY_ENV ?? '{}') as Record<string, string>) },
  {},
  {
    quietGateway: true,
    gatewayNodeArgs: ['--cpu-prof', '--cpu-prof-dir=profiles'],
  },
);
try {
  const login = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `mutation { login(username: "${c.user ?? 'demo'}", password: "password") { token } }` }),
  });
  const token = ((await login.json()) as { data: { login: { token: string } } }).data.login.token;
  const run = (duration: number) =>
    autocannon({
      url,
      method: 'POST',
      connections: 10,
      duration,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...c.headers },
      body: JSON.stringify({ query: c.query }),
    });
  await run(2);
  const result = await run(seconds);
  console.log(`${name}: ${(result['2xx'] / result.duration).toFixed(0)} req/s, p50 ${result.latency.p50} ms, non-2xx ${result.non2xx}; profile in profiles/`);
} finally {
  await gateway.stop();
  await simulator.stop();
}
