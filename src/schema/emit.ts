import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildGatewaySchema } from './build-schema.js';
import { printGatewaySchema } from './print-schema.js';

/** `npm run schema`: writes schema/schema.graphql from the code. */
const target = fileURLToPath(new URL('../../../schema/schema.graphql', import.meta.url));
await writeFile(target, printGatewaySchema(await buildGatewaySchema()));
console.log(`wrote ${target}`);
