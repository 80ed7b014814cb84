import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { ROOT } from '../support/processes.js';

/**
 * examples/web-dashboard's documents are typed against the checked-in schema: its build (the same
 * graphql-codegen CLI and config that `npm run example:build` runs) must fail when the schema
 * changes under them, before anything is bundled.
 */
const SCHEMA = readFileSync(join(ROOT, 'schema/schema.graphql'), 'utf8');
const CONFIG = readFileSync(join(ROOT, 'examples/web-dashboard/codegen.yml'), 'utf8');
const CODEGEN = join(ROOT, 'node_modules/@graphql-codegen/cli/cjs/bin.js');

/** The example's codegen with its own config, against `schema`, writing into a throwaway directory. */
async function codegenAgainst(schema: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'example-codegen-'));
  try {
    writeFileSync(join(dir, 'schema.graphql'), schema);
    const config = CONFIG.replace(/^schema: .*$/m, `schema: ${join(dir, 'schema.graphql')}`).replace(
      'examples/web-dashboard/src/gql/:',
      `${join(dir, 'gql')}/:`,
    );
    expect(config).toContain(dir);
    writeFileSync(join(dir, 'codegen.yml'), config);
    try {
      await promisify(execFile)(process.execPath, [CODEGEN, '--config', join(dir, 'codegen.yml')], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', FORCE_COLOR: '0', CI: 'true' },
      });
    } catch (error) {
      // What the developer would read in their terminal (codegen reports on both streams).
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`codegen failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the example frontend's typed documents", () => {
  it('should generate against the schema as it is', async () => {
    await expect(codegenAgainst(SCHEMA)).resolves.toBeUndefined();
  });

  it('should fail, naming the field, when a field it uses leaves the schema', async () => {
    const changed = SCHEMA.replace(/^\s*"""The newest of `versions`[^]*?"""\n\s*latestVersion: String\n/m, '\n');
    expect(changed).not.toContain('latestVersion');
    await expect(codegenAgainst(changed)).rejects.toThrow(/latestVersion/);
  });

  it('should fail when an argument it sends changes type', async () => {
    // Query.catalog's `after` (the example sends it for "Load more") becomes an Int.
    const changed = SCHEMA.replace(/(\n {2}catalog\(\n[\s\S]*?\n {4}after: )String\n/, '$1Int\n');
    expect(changed).not.toBe(SCHEMA);
    await expect(codegenAgainst(changed)).rejects.toThrow(/after/);
  });
});
