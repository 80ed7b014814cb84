import type { ServerResponse } from 'node:http';

/**
 * Adds names to the response's Vary header, keeping those already there (case-insensitive, no
 * repeats). Vary is the one header every layer adds to — CORS (Origin), Apollo (Accept),
 * compression (Accept-Encoding), cache control (Authorization) — and a layer that set it outright
 * erased the others: a CDN then replayed origin A's answer to origin B.
 */
export function addVary(res: ServerResponse, ...names: string[]): void {
  const current = res.getHeader('vary');
  // Most answers: one plain name added to no Vary or to one other plain name (this runs for every answer, twice).
  const name = names.length === 1 ? names[0] : '';
  if (name !== '' && !name.includes(',') && name.trim() === name) {
    if (current === undefined) {
      res.setHeader('vary', name);
      return;
    }
    if (typeof current === 'string' && current !== '' && !current.includes(',') && current.trim() === current) {
      if (current.toLowerCase() !== name.toLowerCase()) res.setHeader('vary', `${current}, ${name}`);
      return;
    }
  }
  const existing = (Array.isArray(current) ? current.join(', ') : current === undefined ? '' : String(current))
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const lower = new Set(existing.map((v) => v.toLowerCase()));
  for (const name of names.flatMap((n) => n.split(',').map((v) => v.trim()))) {
    if (name !== '' && !lower.has(name.toLowerCase())) {
      existing.push(name);
      lower.add(name.toLowerCase());
    }
  }
  if (existing.length > 0) res.setHeader('vary', existing.join(', '));
}
