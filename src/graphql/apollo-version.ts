import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * `@apollo/server@<version>`, as Apollo's own landing page tells the Sandbox (its `runtime`). The
 * package exports no package.json, so it is found beside the entry point Node resolves.
 */
export function apolloServerVersion(): string {
  try {
    let directory = dirname(createRequire(import.meta.url).resolve('@apollo/server'));
    for (let i = 0; i < 5; i += 1, directory = dirname(directory)) {
      try {
        const pkg = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === '@apollo/server' && pkg.version) return `@apollo/server@${pkg.version}`;
      } catch {
        // not this directory
      }
    }
  } catch {
    // not resolvable: the Sandbox copes without
  }
  return '@apollo/server';
}
