/**
 * The Console account a bearer token belongs to, read from the token's own claims: a JWT's payload
 * carries the user's id (`sub` in the Console's tokens; `data.user.id` as WordPress's JWT plugins
 * write it; `user_id` or `id` in others). Only ever asked of a token the Console has just vouched
 * for (its login issued it, a `/my/` route or validate accepted it): the signature the Console
 * checked is what makes the claims true, so this code never checks one. Undefined for a token
 * that is no JWT or names no id: such a token is its own account.
 */
export function accountOfToken(token: string): string | undefined {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || second - first > 8192) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null) return undefined;
  const c = claims as { sub?: unknown; data?: { user?: { id?: unknown } }; user_id?: unknown; id?: unknown };
  return accountId(c.sub) ?? accountId(c.data?.user?.id) ?? accountId(c.user_id) ?? accountId(c.id);
}

/** An account id as a short string: a whole number, or a string of up to 64 characters. */
export function accountId(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && value !== '' && value.length <= 64) return value;
  return undefined;
}
