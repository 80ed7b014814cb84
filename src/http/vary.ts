import type { ServerResponse } from 'node:http';

/**
 * Merged Vary values by (current value, names added): the inputs are the gateway's own header
 * names (CORS, Apollo, cache control, compression), so a handful of combinations serve every
 * answer. Bounded all the same: past this many, a merge is worked out each time and not kept.
 */
const MERGED_MAX = 64;
const merged = new Map<string, string>();

/**
 * Adds names to the response's Vary header, keeping those already there (case-insensitive, no
 * repeats). Vary is the one header every layer adds to — CORS (Origin), Apollo (Accept),
 * compression (Accept-Encoding), cache control (Authorization) — and a layer that set it outright
 * erased the others: a CDN then replayed origin A's answer to origin B. Each name may itself be a
 * comma-separated list.
 */
export function addVary(res: ServerResponse, ...names: string[]): void {
  const current = res.getHeader('vary');
  const added = names.length === 1 ? names[0] : names.join(', ');
  if (current !== undefined && typeof current !== 'string') {
    res.setHeader('vary', mergeVary(Array.isArray(current) ? current.join(', ') : String(current), added));
    return;
  }
  const key = current === undefined ? `\n${added}` : `${current}\n${added}`;
  let value = merged.get(key);
  if (value === undefined) {
    value = mergeVary(current ?? '', added);
    if (merged.size < MERGED_MAX) merged.set(key, value);
  }
  if (value !== current && value !== '') res.setHeader('vary', value);
}

/** `current` with the names of `added` it lacks appended (both comma-separated lists). */
function mergeVary(current: string, added: string): string {
  const names = current
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const lower = new Set(names.map((v) => v.toLowerCase()));
  for (const raw of added.split(',')) {
    const name = raw.trim();
    if (name !== '' && !lower.has(name.toLowerCase())) {
      names.push(name);
      lower.add(name.toLowerCase());
    }
  }
  return names.join(', ');
}
