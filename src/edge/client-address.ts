import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/**
 * The client's address, as the login limits and per-client budgets see it: the TCP peer, or, behind
 * `trustProxyHops` proxies (TRUST_PROXY_HOPS), the address that many hops from the right of
 * X-Forwarded-For — the one the outermost trusted proxy saw. Entries left of it are whatever the
 * client wrote and are never read. With no trusted hops the header is ignored; a header that is
 * malformed or too short falls back to the peer.
 */
export function clientAddress(req: IncomingMessage, trustProxyHops: number): string {
  const peer = normalize(req.socket.remoteAddress ?? 'unknown');
  if (trustProxyHops === 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (raw === undefined || raw.length > 4096) return peer;
  const hops = raw.split(',').map((part) => part.trim());
  // The peer is the innermost proxy; each trusted proxy appended the address it saw.
  const candidate = hops[hops.length - trustProxyHops];
  if (candidate === undefined || isIP(candidate) === 0) return peer;
  return normalize(candidate);
}

/** "::ffff:127.0.0.1" and "127.0.0.1" are one client. */
function normalize(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address.toLowerCase();
}
