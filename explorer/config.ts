/** What the landing page tells its explorer (src/explorer/landing-page.ts writes it as JSON). */
export interface ExplorerConfig {
  /** Id of the element the explorer fills. */
  target: string;
  /** The GraphQL endpoint: the page's own address. */
  endpoint: string;
  /** The operation in the editor on first open. */
  document: string;
  /** Request headers pre-filled (the demo's bearer token). */
  headers: Record<string, string>;
}

export const EXPLORER_CONFIG_ID = 'explorer-config';

export function readExplorerConfig(page: Document): ExplorerConfig {
  const text = page.getElementById(EXPLORER_CONFIG_ID)?.textContent;
  if (!text) throw new Error(`#${EXPLORER_CONFIG_ID} is missing from the page`);
  const raw = JSON.parse(text) as Partial<ExplorerConfig>;
  return {
    target: raw.target ?? 'explorer',
    endpoint: raw.endpoint ?? page.location.href.split(/[?#]/, 1)[0],
    document: raw.document ?? '',
    headers: raw.headers ?? {},
  };
}
