import { Kind, parse, specifiedRules, validate, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { manifestEntries } from '../edge/trusted-documents.js';

/** One operation of a manifest that the current schema would refuse, and why. */
export interface BrokenOperation {
  file: string;
  operation: string;
  reasons: string[];
}

/**
 * Every operation of every manifest (graphql-codegen's `{ "sha256:<hex>": "<document>" }` or Apollo's
 * persisted-query manifest, as the apps in users' hands were built with), validated against
 * `schema`: what would break for those apps if this schema shipped. A removed or retyped field, a
 * new required argument, a removed type: each named with the operation that uses it.
 */
export function checkOperations(schema: GraphQLSchema, files: string[]): { checked: number; broken: BrokenOperation[] } {
  let checked = 0;
  const broken: BrokenOperation[] = [];
  for (const file of files) {
    for (const { text, label } of manifestEntries(file)) {
      checked += 1;
      if (typeof text !== 'string') {
        broken.push({ file, operation: label, reasons: ["the entry's value is not a document's text"] });
        continue;
      }
      let operation = label;
      try {
        const document = parse(text);
        const names = document.definitions
          .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
          .map((d) => d.name?.value ?? '(anonymous)');
        operation = `${names.join(', ')} (${label.slice(0, 80)})`;
        const errors = validate(schema, document, specifiedRules);
        if (errors.length > 0) broken.push({ file, operation, reasons: errors.map((e) => e.message) });
      } catch (error) {
        broken.push({ file, operation, reasons: [`does not parse: ${error instanceof Error ? error.message : String(error)}`] });
      }
    }
  }
  return { checked, broken };
}
