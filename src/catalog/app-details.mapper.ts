import type { RestAttribute, RestMeta } from '../console/rest-types.js';
import type { AppDetails } from './app-details.type.js';

/**
 * The one place where FLECS's app facts are read out of a product's `attributes` and `meta_data`,
 * as FLECS's web app reads them in the browser today. Real data is uneven: attribute and meta names
 * in any case, meta entries keyed `key` or `name`, versions unsorted, links as an array or an
 * object. A missing or malformed value gives null or [] for that field, never an error; a product
 * without a reverse-domain name is not an app (null).
 */
export function toAppDetails(attributes: unknown, meta: unknown): AppDetails | null {
  const attribute = indexAttributes(attributes);
  const reverseDomainName = attribute.get('reverse-domain-name')?.[0]?.trim();
  if (!reverseDomainName) return null;
  const entries = indexMeta(meta);
  const versions = sortVersions(attribute.get('versions') ?? []);
  return {
    reverseDomainName,
    versions,
    latestVersion: versions[0] ?? null,
    architectures: attribute.get('archs') ?? [],
    blacklist: attribute.get('blacklist') ?? [],
    iconUrl: httpsUrl(entries.get('app-icon')),
    author: nonEmpty(entries.get('port-author-name')),
    portVersion: nonEmpty(entries.get('port-version')),
    documentationUrl: webUrl(entries.get('_documentation_url')),
    customLinks: links(entries.get('app-custom-link')),
  };
}

/** Attribute name (lower case) → its string options. The first attribute of a name wins. */
function indexAttributes(attributes: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!Array.isArray(attributes)) return out;
  for (const a of attributes as RestAttribute[]) {
    if (a === null || typeof a !== 'object' || typeof a.name !== 'string') continue;
    const name = a.name.trim().toLowerCase();
    if (out.has(name)) continue;
    out.set(name, Array.isArray(a.options) ? a.options.filter((o): o is string => typeof o === 'string' && o.trim() !== '').map((o) => o.trim()) : []);
  }
  return out;
}

/** Meta key (lower case; `key`, else `name`) → its value. The first entry of a key wins. */
function indexMeta(meta: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!Array.isArray(meta)) return out;
  for (const m of meta as RestMeta[]) {
    if (m === null || typeof m !== 'object') continue;
    const key = typeof m.key === 'string' ? m.key : typeof m.name === 'string' ? m.name : undefined;
    if (key !== undefined && !out.has(key.trim().toLowerCase())) out.set(key.trim().toLowerCase(), m.value);
  }
  return out;
}

const VERSION = /^v?(\d+(?:\.\d+)*)(?:[-+~][0-9A-Za-z.+~-]*)?$/;

/** Newest first, compared as numbers part by part ("1.10.0" > "1.9.2"); a release sorts above its pre-releases. */
export function sortVersions(values: readonly string[]): string[] {
  const parsed = [...new Set(values)].flatMap((v) => {
    const match = VERSION.exec(v);
    return match ? [{ v, parts: match[1].split('.').map(Number), pre: v.length > match[1].length + (v.startsWith('v') ? 1 : 0) }] : [];
  });
  parsed.sort((a, b) => {
    for (let i = 0; i < Math.max(a.parts.length, b.parts.length); i += 1) {
      const d = (b.parts[i] ?? 0) - (a.parts[i] ?? 0);
      if (d !== 0) return d;
    }
    return Number(a.pre) - Number(b.pre) || a.v.localeCompare(b.v);
  });
  return parsed.map((p) => p.v);
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function webUrl(value: unknown): string | null {
  const text = nonEmpty(value);
  if (text === null) return null;
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null;
  } catch {
    return null;
  }
}

function httpsUrl(value: unknown): string | null {
  const url = webUrl(value);
  return url === null ? null : url.replace(/^http:/, 'https:');
}

function links(value: unknown): string[] {
  const candidates =
    typeof value === 'string' ? [value] : Array.isArray(value) ? value : value !== null && typeof value === 'object' ? Object.values(value) : [];
  return candidates.map(webUrl).filter((u): u is string => u !== null);
}
