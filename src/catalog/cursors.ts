import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { BadUserInputError } from '../common/errors.js';

/** Most items one window may ask for (`first`). */
export const FIRST_MAX = 50;
/** Most Console pages one window reads: the limiter adds WINDOW_MAX_PAGES - 1 to a windowed field's weight. */
export const WINDOW_MAX_PAGES = 6;

/**
 * Which list a cursor belongs to: the list (`my-products`, `my-apps`, `catalog`), its store, and
 * whose it is (a hash of the bearer token for the caller's own lists, empty for the public
 * catalogue). Only a hash of all that travels in the cursor: no user data.
 */
export interface CursorScope {
  list: 'my-products' | 'my-apps' | 'catalog';
  storeId: number | undefined;
  /** Who may use the cursor: the caller's token hash for own lists, '' for public ones. */
  owner: string;
}

/** An item's place in the Console's pages: page (from 1) and index on that page (from 0). */
export interface Position {
  page: number;
  index: number;
  /** The item is the last of its Console page: the next window starts on the next page, without reading this one again. */
  last?: boolean;
}

const VERSION = 'c1';

/**
 * The keys cursors are signed with (CURSOR_SECRET, and CURSOR_SECRET_PREVIOUS during a rotation),
 * set once at start (`useCursorSecrets`): process-wide because a cursor is made and read inside
 * resolvers that carry no configuration, and the same for every request. Without a secret the tag
 * is a plain hash: anyone can compute it, so a cursor is a position, not a capability (reads use
 * the caller's own token either way, docs/queries.md#paging).
 */
let signing: { current: Buffer; previous?: Buffer } | undefined;

export function useCursorSecrets(current: string | undefined, previous?: string): void {
  signing = current === undefined ? undefined : { current: Buffer.from(current), ...(previous === undefined ? {} : { previous: Buffer.from(previous) }) };
}

function tagWith(key: Buffer | undefined, scope: CursorScope, position: Position): string {
  const text = `${VERSION}|${scope.list}|${scope.storeId ?? ''}|${scope.owner}|${position.page}|${position.index}${position.last ? '|last' : ''}`;
  return (key === undefined ? createHash('sha256').update(text) : createHmac('sha256', key).update(text)).digest('base64url').slice(0, 16);
}

function tag(scope: CursorScope, position: Position): string {
  return tagWith(signing?.current, scope, position);
}

/** The tag matches the current key, or the previous one while a rotation goes on. */
function tagMatches(given: string, scope: CursorScope, position: Position): boolean {
  const same = (expected: string) => given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
  if (same(tag(scope, position))) return true;
  return signing?.previous !== undefined && same(tagWith(signing.previous, scope, position));
}

/** Opaque, the same on every replica, and bound to its list and owner by a tag (signed with CURSOR_SECRET when set). */
export function encodeCursor(scope: CursorScope, position: Position): string {
  return Buffer.from(`${VERSION}:${position.page}:${position.index}:${tag(scope, position)}${position.last ? ':l' : ''}`).toString('base64url');
}

/** The position a cursor names; BAD_USER_INPUT for a cursor this list did not issue (forged, foreign, old or garbage). */
export function decodeCursor(cursor: string, scope: CursorScope, argument: string): Position {
  const refuse = () => new BadUserInputError(`${argument} is not a cursor of this list: start again without it.`, argument);
  if (cursor.length > 200) throw refuse();
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  const flagged = parts.length === 5 && parts[4] === 'l';
  if ((parts.length !== 4 && !flagged) || parts[0] !== VERSION || !/^[1-9]\d{0,5}$/.test(parts[1]) || !/^\d{1,6}$/.test(parts[2])) throw refuse();
  const position: Position = { page: Number(parts[1]), index: Number(parts[2]), ...(flagged ? { last: true } : {}) };
  if (!tagMatches(parts[3] ?? '', scope, position)) throw refuse();
  return position;
}

/** Connection arguments, checked: `page` with `first`/`after` is refused; `after` alone means the default window. */
export function windowArgs(
  page: number | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
): { first: number; after: string | undefined } | undefined {
  if ((first === null || first === undefined) && (after === null || after === undefined)) return undefined;
  if (page !== null && page !== undefined) throw new BadUserInputError('Use page, or first and after, not both.', 'page');
  const size = first ?? 10;
  if (!Number.isInteger(size) || size < 0 || size > FIRST_MAX) throw new BadUserInputError(`first must be a whole number from 0 to ${FIRST_MAX}.`, 'first');
  return { first: size, after: after ?? undefined };
}
