// The plain requests the prepared path takes (src/graphql/prepared-path.ts): a POST body or GET
// parameters holding exactly a document (or a persisted query's hash), an operation name and
// variables. Anything else is undefined here, and Apollo's path answers it.

export interface PlainRequest {
  source: string;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

/** A request's `main` field (`query`, or `extensions` for a persisted query by hash), its operation name and its variables. */
export interface RequestFields {
  main: unknown;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

/** The fields of a POST body holding `main` and at most `operationName` and `variables`; undefined for anything else. */
export function postFields(body: unknown, main: 'query' | 'extensions'): RequestFields | undefined {
  if (!isPlainObject(body)) return undefined;
  const fields = body as Record<string, unknown>;
  for (const key in fields) if (key !== main && key !== 'operationName' && key !== 'variables') return undefined;
  return checked(fields[main], fields.operationName, fields.variables);
}

/** The same for GET parameters, each given once; `variables` (and `extensions`) are JSON text there. */
export function getFields(url: URL, main: 'query' | 'extensions'): RequestFields | undefined {
  const params = url.searchParams;
  for (const key of params.keys()) if (key !== main && key !== 'operationName' && key !== 'variables') return undefined;
  const [value, ...more] = params.getAll(main);
  const operationName = params.getAll('operationName');
  const variables = params.getAll('variables');
  if (value === undefined || more.length > 0 || operationName.length > 1 || variables.length > 1) return undefined;
  try {
    return checked(main === 'extensions' ? JSON.parse(value) : value, operationName[0], variables.length === 1 ? JSON.parse(variables[0]) : undefined);
  } catch {
    return undefined;
  }
}

function checked(main: unknown, operationName: unknown, variables: unknown): RequestFields | undefined {
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
  if (variables !== undefined && variables !== null && !isPlainObject(variables)) return undefined;
  return { main, operationName: operationName ?? undefined, variables: (variables ?? undefined) as Record<string, unknown> | undefined };
}

/** `{ persistedQuery: { version: 1, sha256Hash } }` and nothing else: the hash; anything else: undefined. */
export function persistedHash(extensions: unknown): string | undefined {
  if (!isPlainObject(extensions)) return undefined;
  const { persistedQuery, ...others } = extensions as Record<string, unknown>;
  if (Object.keys(others).length > 0 || !isPlainObject(persistedQuery)) return undefined;
  const { version, sha256Hash, ...rest } = persistedQuery as Record<string, unknown>;
  return version === 1 && typeof sha256Hash === 'string' && Object.keys(rest).length === 0 ? sha256Hash : undefined;
}

function isPlainObject(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
