import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkClient } from '../edge/client-checks.js';
import { checkDocument } from '../edge/document-checks.js';
import { NotRun, notRunRefusal } from '../edge/admission.js';
import { executeOperation, type UnsampledTrace } from '../graphql/execution.js';
import { sendAnswer } from './answer.js';
import { applyCors } from './cors.js';
import { readGraphQLRequest } from './graphql-request.js';
import type { HttpAppOptions } from './http-options.js';
import { isRefusal } from '../edge/refusal.js';
import { refuse, type RefusalScope } from './refusal.js';

/**
 * `/graphql`, stage by stage. Each stage either hands the request on or refuses it (one way:
 * `refuse`); nothing that costs a Console call runs before the stages that may refuse for free.
 */
export async function serveGraphQL(req: IncomingMessage, res: ServerResponse, requestId: string, options: HttpAppOptions, unsampled?: UnsampledTrace) {
  const scope: RefusalScope = { logger: options.logger, requestId, method: (req.method ?? 'GET').toUpperCase(), path: '/graphql' };
  // 1. Transport: CORS (a preflight ends here), the method, the body.
  if (applyCors(req, res, options.corsOrigins)) return;
  const request = await readGraphQLRequest(req, options.maxBodyBytes);
  if (isRefusal(request)) return refuse(res, scope, request);
  // 2. Document: trusted ids and hashes, TRUSTED_DOCUMENTS=only, the size limits.
  const document = checkDocument(request, {
    trusted: options.trustedDocuments,
    maxVariablesBytes: options.maxVariablesBytes,
    maxDocumentBytes: options.maxDocumentBytes,
  });
  if (document) return refuse(res, scope, document);
  // 3. Client: who it is, and its operation budget.
  const client = await checkClient(req, request, requestId, { edge: options.services.edge, trustProxyHops: options.trustProxyHops, tracing: options.tracing });
  if (isRefusal(client)) return refuse(res, scope, client);
  // 4. Admission and execution: a slot, then the prepared path or Apollo (budgets of Console calls and limits inside).
  const executed = await executeOperation(req, res, request, client, requestId, options, unsampled);
  if (executed instanceof NotRun) return notRun(res, scope, executed, options);
  // 5. Answer: headers, Vary, ETag, compression.
  return sendAnswer(req, res, executed.response, executed.context, scope, options);
}

function notRun(res: ServerResponse, scope: RefusalScope, notRun: NotRun, options: HttpAppOptions): void {
  options.metrics.operationsNotRun.inc({ reason: notRun.reason });
  options.tracing?.api.trace.getActiveSpan()?.addEvent('operation not run', { 'flecs_graph.reason': notRun.reason });
  const refused = notRunRefusal(notRun, options.queueTimeoutMs);
  if (refused) return refuse(res, scope, refused);
  options.logger.info({ requestId: scope.requestId, status: 499, method: scope.method, path: scope.path }, 'client left while its operation waited; not run');
}
