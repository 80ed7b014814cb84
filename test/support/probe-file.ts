import { readFileSync, rmSync } from 'node:fs';

/**
 * Reads and removes the JSON file a preloaded probe writes when signalled (the bench's allocation
 * meter, the soak's live-heap probe); polls until it exists, up to `ms`.
 */
export async function takeProbeFile<T>(file: string, ms = 3000): Promise<T> {
  for (let waited = 0; waited < ms; waited += 20) {
    try {
      const value = JSON.parse(readFileSync(file, 'utf8')) as T;
      rmSync(file);
      return value;
    } catch {
      await new Promise((r) => setTimeout(r, 20)); // not written yet
    }
  }
  throw new Error(`the probe wrote no ${file} within ${ms} ms`);
}
