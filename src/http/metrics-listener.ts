import type { Server } from 'node:http';
import { http } from './node-http.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { sendMetrics } from './http-app.js';
import { sendJson } from './refusal.js';

/** METRICS_PORT's own listener: GET /metrics and nothing else, away from the public port. */
export function createMetricsListener(metrics: GatewayMetrics): Server {
  return http.createServer((req, res) => {
    if ((req.url ?? '/').split('?', 1)[0] === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      sendMetrics(res, metrics).catch(() => res.destroy());
      return;
    }
    sendJson(res, 404, { errors: [{ message: 'This port serves only GET /metrics.', extensions: { code: 'NOT_FOUND' } }] });
  });
}
