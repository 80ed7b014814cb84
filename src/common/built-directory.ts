import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A directory a build step wrote, found from a module that runs both compiled (dist/src/…) and from
 * source (src/…, in tests and `npm run dev`): the first candidate, relative to `moduleUrl`, that
 * holds `marker`. Undefined when none was built.
 */
export function findBuiltDirectory(moduleUrl: string, candidates: readonly string[], marker: string): string | undefined {
  return candidates.map((relative) => fileURLToPath(new URL(relative, moduleUrl))).find((directory) => existsSync(join(directory, marker)));
}
