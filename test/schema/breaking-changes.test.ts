import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import {
  BreakingChangeType,
  buildSchema,
  findBreakingChanges,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedScalarType,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLSchema,
} from 'graphql';
import { ROOT } from '../support/processes.js';

/**
 * The schema only grows: against the last release's SDL (schema/release.graphql, copied from
 * schema/schema.graphql when a release is cut), nothing a shipped client may query is removed or
 * retyped, unless it was already deprecated in that release.
 */
const RELEASE = readFileSync(`${ROOT}schema/release.graphql`, 'utf8');
const CURRENT = readFileSync(`${ROOT}schema/schema.graphql`, 'utf8');

/** Breaking changes from `before` to `after`, except removals of what `before` had deprecated. */
function breakingChanges(before: string, after: string): string[] {
  const old = buildSchema(before);
  return findBreakingChanges(old, buildSchema(after))
    .filter((change) => !(change.type === BreakingChangeType.FIELD_REMOVED && deprecatedIn(old, change.description)))
    .map((change) => `${change.type}: ${change.description}`);
}

/** Whether the field a FIELD_REMOVED description names ("Type.field was removed.") was deprecated. */
function deprecatedIn(schema: GraphQLSchema, description: string): boolean {
  const [typeName, fieldName] = description.split(' ')[0].split('.');
  const type = schema.getType(typeName) as { getFields?: () => Record<string, { deprecationReason?: string | null }> } | undefined;
  return Boolean(type?.getFields?.()[fieldName]?.deprecationReason);
}

type Field = GraphQLField<unknown, unknown> | GraphQLInputField;
const argsOf = (field: Field): string[] => ('args' in field ? field.args.map((a) => a.name) : []);

/** What `after` adds to `before`: new types, fields and arguments, each as the name a reader would look for. */
function additions(before: GraphQLSchema, after: GraphQLSchema): Array<{ what: string; name: string }> {
  const added: Array<{ what: string; name: string }> = [];
  for (const [typeName, type] of Object.entries(after.getTypeMap())) {
    if (typeName.startsWith('__') || isSpecifiedScalarType(type)) continue;
    const old = before.getType(typeName);
    if (!old) {
      added.push({ what: `type ${typeName}`, name: typeName });
      continue;
    }
    if (!(isObjectType(type) || isInterfaceType(type) || isInputObjectType(type))) continue;
    if (!(isObjectType(old) || isInterfaceType(old) || isInputObjectType(old))) continue;
    const oldFields: Record<string, Field> = old.getFields();
    const fields: Record<string, Field> = type.getFields();
    for (const [fieldName, field] of Object.entries(fields)) {
      const was = oldFields[fieldName];
      if (!was) added.push({ what: `field ${typeName}.${fieldName}`, name: fieldName });
      else for (const arg of argsOf(field)) if (!argsOf(was).includes(arg)) added.push({ what: `argument ${typeName}.${fieldName}(${arg})`, name: arg });
    }
  }
  return added;
}

describe('the schema against the last release', () => {
  it('should break nothing a client of that release may query', () => {
    expect(breakingChanges(RELEASE, CURRENT)).toEqual([]);
  });

  it('should name a removed field, a retyped field and a new required argument, and let a deprecated field go', () => {
    const removed = CURRENT.replace(/\n {2}"""Shop name shown to buyers\."""\n {2}shopName: String\n/, '\n');
    expect(removed).not.toBe(CURRENT);
    expect(breakingChanges(CURRENT, removed)).toEqual(['FIELD_REMOVED: Store.shopName was removed.']);
    const retyped = CURRENT.replace('\n  shopName: String\n', '\n  shopName: Int\n');
    expect(breakingChanges(CURRENT, retyped)).toEqual(['FIELD_CHANGED_KIND: Store.shopName changed type from String to Int.']);
    const required = CURRENT.replace(/(\n {2}catalog\(\n {4}"""Page number, from 1 \(default 1\) to 10000\."""\n {4}page: Int\n)/, '$1    region: String!\n');
    expect(breakingChanges(CURRENT, required)).toEqual(['REQUIRED_ARG_ADDED: A required arg region on Store.catalog was added.']);
    // Deprecated in the release first, then removed: allowed.
    const deprecated = CURRENT.replace('\n  shopName: String\n', '\n  shopName: String @deprecated(reason: "Use name.")\n');
    expect(breakingChanges(deprecated, removed)).toEqual([]);
  });

  it('should let the schema grow: a new field and a new optional argument break nothing', () => {
    const grown = CURRENT.replace('\n  shopName: String\n', '\n  shopName: String\n  motto: String\n');
    expect(breakingChanges(CURRENT, grown)).toEqual([]);
  });

  it("should name in CHANGELOG.md's Unreleased section every type, field and argument added since the release", () => {
    const changelog = readFileSync(`${ROOT}CHANGELOG.md`, 'utf8');
    const unreleased = /## Unreleased\n([\s\S]*?)(?=\n## |$)/.exec(changelog)?.[1] ?? '';
    const named = new Set([...unreleased.matchAll(/`([^`]+)`/g)].flatMap((m) => m[1].match(/[A-Za-z_]\w*/g) ?? []));
    const added = additions(buildSchema(RELEASE), buildSchema(CURRENT));
    expect(added.filter(({ name }) => !named.has(name)).map(({ what }) => what)).toEqual([]);
    // The check sees an addition the changelog does not name.
    const grown = CURRENT.replace('\n  shopName: String\n', '\n  shopName: String\n  motto: String\n');
    expect(additions(buildSchema(CURRENT), buildSchema(grown)).filter(({ name }) => !named.has(name))).toEqual([{ what: 'field Store.motto', name: 'motto' }]);
  });
});
