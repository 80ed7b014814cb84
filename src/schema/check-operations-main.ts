import { buildGatewaySchema } from './build-schema.js';
import { checkOperations } from './check-operations.js';

/**
 * `npm run check:operations -- <manifest>…`: validates every operation of the given manifests
 * against the current schema; exit 1 naming each operation that would break, 2 on bad usage or an
 * unreadable manifest, 0 when all hold (docs/clients.md#schema-changes-and-shipped-apps).
 */
const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: npm run check:operations -- <manifest.json>…  (graphql-codegen persisted documents or Apollo persisted-query manifests)\n');
  process.exit(2);
}
try {
  const { checked, broken } = checkOperations(await buildGatewaySchema(), files);
  for (const b of broken) process.stdout.write(`BROKEN ${b.file}: ${b.operation}\n${b.reasons.map((r) => `  - ${r}\n`).join('')}`);
  process.stdout.write(`${checked} operations in ${files.length} manifest(s) checked against the current schema: ${broken.length} would break\n`);
  process.exitCode = broken.length > 0 ? 1 : 0;
} catch (error) {
  process.stderr.write(`check:operations: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
