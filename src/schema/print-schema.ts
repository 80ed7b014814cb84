import { isInterfaceType, isObjectType, lexicographicSortSchema, print, printSchema, type GraphQLSchema } from 'graphql';

/**
 * The SDL checked in as schema/schema.graphql: graphql-js's layout, sorted so that it only changes
 * when the schema does, with the directives applied to fields written after each field's type
 * (printSchema drops them, and the cost directives must be there for routers and readers).
 */
export function printGatewaySchema(schema: GraphQLSchema): string {
  const sorted = lexicographicSortSchema(schema);
  const lines = printSchema(sorted).split('\n');
  let fields: Map<string, string> | undefined;
  let field: string | undefined;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    const opens = /^(?:type|interface) (\w+)/.exec(line);
    if (opens) {
      const type = sorted.getType(opens[1]);
      fields = isObjectType(type) || isInterfaceType(type) ? appliedDirectives(type) : undefined;
      continue;
    }
    if (line === '}') fields = undefined;
    if (!fields) continue;
    const starts = /^ {2}(\w+)[(:]/.exec(line);
    if (starts) field = starts[1];
    // A field ends on the line at its own indentation that names its type: `  name: T` or `  ): T`.
    if (field !== undefined && /^ {2}(\w+(\(.*\))?|\)): /.test(line) && fields.has(field)) {
      lines[i] = `${line} ${fields.get(field)}`;
      field = undefined;
    }
  }
  return `${lines.join('\n')}\n`;
}

function appliedDirectives(type: { getFields(): Record<string, { astNode?: { directives?: readonly unknown[] } | null | undefined }> }): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, field] of Object.entries(type.getFields())) {
    const directives = (field.astNode?.directives ?? []) as Parameters<typeof print>[0][];
    if (directives.length > 0) out.set(name, directives.map((d) => print(d)).join(' '));
  }
  return out;
}
