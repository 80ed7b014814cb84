/**
 * Coercions for upstream values. The Console's records may omit or mistype a field; these turn such
 * a value into null (or drop a list entry) so that one odd record never fails a whole response.
 */
export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function int(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) <= 2_147_483_647 ? value : null;
}

export function bool(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** A decimal string such as "4.50" → 4.5; anything else → null. */
export function decimal(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || !/^\s*-?\d+(\.\d+)?\s*$/.test(value)) return null;
  return Number.parseFloat(value);
}

/** A list that may be missing → [], mapped entry by entry, entries that map to null dropped. */
export function list<T, R>(value: T[] | undefined | null, map: (item: T) => R | null): R[] {
  if (!Array.isArray(value)) return [];
  const out: R[] = [];
  for (const item of value) {
    if (item === null || typeof item !== 'object') continue;
    const mapped = map(item);
    if (mapped !== null) out.push(mapped);
  }
  return out;
}
