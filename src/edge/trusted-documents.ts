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
 * Reads TRUSTED_DOCUMENTS_FILE: `{ "<sha256>": "<document>" }` as graphql-codegen's client preset
 * writes it (`persistedDocuments`, keys `sha256:<hex>` or bare hex). Every entry must be the SHA-256
 * of its text, parse, and validate against this schema (with introspection refused when the
 * Sandbox is off, as for any request); the first that does not stops the start, named.
 */
export function loadTrustedDocuments(file: string, mode: TrustedDocumentsMode, schema: GraphQLSchema, introspection: boolean): TrustedDocuments {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`TRUSTED_DOCUMENTS_FILE ${file} could not be read as JSON (${error instanceof Error ? error.message.slice(0, 200) : 'unreadable'})`);
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new ConfigError(`TRUSTED_DOCUMENTS_FILE ${file} must hold a JSON object { "sha256:<hex>": "<document>" }`);
  }
  const rules = introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  const texts = new Map<string, string>();
  const documents = new Map<string, DocumentNode>();
  for (const [key, text] of Object.entries(manifest)) {
    const entry = `entry "${key.slice(0, 80)}" of TRUSTED_DOCUMENTS_FILE`;
    const hash = hashOfDocumentId(key);
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
