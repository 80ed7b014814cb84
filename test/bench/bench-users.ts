import type autocannon from 'autocannon';
import type { BenchCase } from './cases.js';

/** The users a case sends as: one, each of `connections` its own compactN, or user1 … userN in turn. */
export function usersOf(c: BenchCase, connections: number): string[] {
  if (c.users === 'per-connection') return Array.from({ length: connections }, (_, i) => `compact${i + 1}`);
  if (c.users) return Array.from({ length: c.users.roundRobin }, (_, i) => `user${i + 1}`);
  return [c.user ?? 'demo'];
}

/** A user's token, from the gateway's own login mutation at `url`. */
export async function loginAt(url: string, user: string): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `mutation { login(username: "${user}", password: "password") { token } }` }),
  });
  return ((await res.json()) as { data: { login: { token: string } } }).data.login.token;
}

/** A request's headers for the `user`-th user of a case (its address too, for an addressPerUser case). */
export function requestHeaders(c: BenchCase, token: string, user = 0): Record<string, string> {
  return {
    'content-type': 'application/json',
    ...(c.auth ? { authorization: `Bearer ${token}` } : {}),
    // 10.x.y.z: one address per user, never the loopback the TCP peer is.
    ...(c.addressPerUser ? { 'x-forwarded-for': `10.${(user >> 16) & 255}.${(user >> 8) & 255}.${user & 255}` } : {}),
    ...c.headers,
  };
}

/**
 * autocannon options for a many-users case: each connection its own token, or the next token on
 * every request. Empty for a one-user case (its token goes in the load's own headers).
 */
export function manyUsersLoad(c: BenchCase, tokens: string[]): Partial<autocannon.Options> {
  let next = 0;
  const nextHeaders = () => {
    const user = next++ % tokens.length;
    return requestHeaders(c, tokens[user], user);
  };
  if (c.users === 'per-connection') return { setupClient: (client) => client.setHeaders(nextHeaders()) };
  if (c.users) return { requests: [{ setupRequest: (request) => ({ ...request, headers: nextHeaders() }) }] };
  return {};
}
