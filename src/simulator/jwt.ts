import { createHmac, timingSafeEqual } from 'node:crypto';

/** Minimal HS256 JWTs for the simulator: signed, expiring, tamper-evident. */
export interface TokenClaims {
  sub: number;
  login: string;
  iat: number;
  exp: number;
  /** The token's own id: two logins in one second get two tokens, as the Console's do. */
  jti?: string;
}

const b64url = (input: string | Buffer) => Buffer.from(input).toString('base64url');

export function signToken(claims: TokenClaims, secret: string): string {
  const head = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

/** The claims of a well-signed, unexpired token; undefined for anything else. */
export function verifyToken(token: string, secret: string, nowSeconds: number): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<TokenClaims>;
    if (typeof claims.sub !== 'number' || typeof claims.exp !== 'number' || typeof claims.login !== 'string') return undefined;
    return claims.exp > nowSeconds ? (claims as TokenClaims) : undefined;
  } catch {
    return undefined;
  }
}
