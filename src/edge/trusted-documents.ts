import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { NoSchemaIntrospectionCustomRule, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { ConfigError } from '../common/env.js';

export type TrustedDocumentsMode = 'allow' | 'only';

/** The manifest of documents first-party apps may send by id, parsed and validated once at start. */
export interface TrustedDocuments {
  mode: TrustedDocumentsMode;
  /** SHA-256 (hex) of a document's text → the text. */
  texts: ReadonlyMap<string, string>;
  /** The same hashes → the parsed, validated documents (Apollo's document store serves them). */
  documents: ReadonlyMap<string, DocumentNode>;
}

const HEX = /^[0-9a-f]{64}$/;

/** `sha256:<hex>` (GraphQL over HTTP's persisted documents) or a bare hex hash (APQ); lower case. */
export function hashOfDocumentId(id: string): string | undefined {
  const hex = (id.startsWith('sha256:') ? id.slice(7) : id).toLowerCase();
  return HEX.test(hex) ? hex : undefined;
}

/**
 * Reads TRUSTED_DOCUMENTS_FILE, in either format, detected from the file: graphql-codegen's client
 * preset `{ "<sha256>": "<document>" }` (`persistedDocuments`, keys `sha256:<hex>` or bare hex), or
 * Apollo's persisted-query manifest `{ "format": "apollo-persisted-query-manifest", "version": 1,
 * "operations": [{ "id", "body", "name", "type" }] }` as Apollo Kotlin, Apollo iOS and Apollo's
 * generate-persisted-query-manifest write it (`id` the SHA-256 of `body`). Every entry must be the
 * SHA-256 of its text, parse, and validate against this schema (with introspection refused when the
 * Sandbox is off, as for any request); the first that does not stops the start, named.
 */
export function loadTrustedDocuments(file: string, mode: TrustedDocumentsMode, schema: GraphQLSchema, introspection: boolean): TrustedDocuments {
  const entries = manifestEntries(file);
  const rules = introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  const texts = new Map<string, string>();
  const documents = new Map<string, DocumentNode>();
  for (const { key, text, label } of entries) {
    const entry = `entry "${label.slice(0, 80)}" of TRUSTED_DOCUMENTS_FILE`;
    const hash = typeof key === 'string' ? hashOfDocumentId(key) : undefined;
    if (hash === undefined) throw new ConfigError(`${entry}: the key must be "sha256:<64 hex digits>"`);
    if (typeof text !== 'string') throw new ConfigError(`${entry}: the value must be the document's text`);
    if (createHash('sha256').update(text).digest('hex') !== hash) throw new ConfigError(`${entry}: the key is not the SHA-256 of its document`);
    let document: DocumentNode;
    try {
      document = parse(text);
    } catch (error) {
      throw new ConfigError(`${entry} does not parse: ${error instanceof Error ? error.message : String(error)}`);
    }
    const errors = validate(schema, document, rules);
    if (errors.length > 0) throw new ConfigError(`${entry} is not valid against the schema: ${errors[0].message}`);
    texts.set(hash, text);
    documents.set(hash, document);
  }
  return { mode, texts, documents };
}

/**
 * The entries of a manifest file in either format, unchecked: (key, text, label). A ConfigError
 * when the file is not JSON or not one of the two formats. Also read by `npm run check:operations`.
 */
export function manifestEntries(file: string): Array<{ key: unknown; text: unknown; label: string }> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`TRUSTED_DOCUMENTS_FILE ${file} could not be read as JSON (${error instanceof Error ? error.message.slice(0, 200) : 'unreadable'})`);
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new ConfigError(`TRUSTED_DOCUMENTS_FILE ${file} must hold a JSON object { "sha256:<hex>": "<document>" }, or an Apollo persisted-query manifest`);
  }
  const fields = manifest as Record<string, unknown>;
  return 'format' in fields ? apolloEntries(fields) : Object.entries(fields).map(([key, text]) => ({ key, text, label: key }));
}

/** The operations of Apollo's persisted-query manifest as (key, text) entries, or a ConfigError naming what is wrong. */
function apolloEntries(manifest: Record<string, unknown>): Array<{ key: unknown; text: unknown; label: string }> {
  if (manifest.format !== 'apollo-persisted-query-manifest') {
    throw new ConfigError(`TRUSTED_DOCUMENTS_FILE: "format" must be "apollo-persisted-query-manifest" (got ${JSON.stringify(manifest.format)?.slice(0, 60)})`);
  }
  if (manifest.version !== 1)
    throw new ConfigError(
      `TRUSTED_DOCUMENTS_FILE: only version 1 of Apollo's persisted-query manifest is read (got ${JSON.stringify(manifest.version)?.slice(0, 20)})`,
    );
  if (!Array.isArray(manifest.operations)) throw new ConfigError('TRUSTED_DOCUMENTS_FILE: Apollo\'s manifest needs an "operations" list');
  return manifest.operations.map((operation: unknown, i: number) => {
    if (operation === null || typeof operation !== 'object')
      throw new ConfigError(`operation ${i} of TRUSTED_DOCUMENTS_FILE must be an object { "id", "body", "name", "type" }`);
    const { id, body, name } = operation as { id?: unknown; body?: unknown; name?: unknown };
    return { key: id, text: body, label: `${typeof name === 'string' ? name : `#${i}`} (${typeof id === 'string' ? id : 'no id'})` };
  });
}
