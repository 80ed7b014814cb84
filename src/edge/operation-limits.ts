import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ErrorCode, OperationLimitError, withoutStack, type LimitErrorCode } from '../common/errors.js';
import { OperationCache } from '../common/operation-cache.js';
import type { OperationLimits } from '../config.js';
import { measureOperation } from './upstream-cost.js';

/** What the Console's connections look like to an operation about to start (console-slots.ts). */
export interface ConsoleCapacity {
  /** How long calls started now would wait for a free connection. */
  estimatedWaitMs(extraCalls: number): number;
  /** Counts the calls of an operation just admitted, until they ask for their connections. */
  reserve(calls: number): ConsoleReservationHandle;
  unreserve(reservation: ConsoleReservationHandle): void;
  /** The longest a call may wait (CONSOLE_QUEUE_TIMEOUT_MS). */
  readonly maxWaitMs: number;
}

/** What `reserve` hands out (src/console/console-slots.ts): the calls not yet claimed. */
export interface ConsoleReservationHandle {
  remaining: number;
}

/** Where an operation's reservation lives: its request's context. */
export interface ReservationHolder<C> {
  /** The reservation the operation brought from its wait for an admission slot, if it waited. */
  held(context: C): ConsoleReservationHandle | undefined;
  /** Hands the operation its reservation of Console calls (its calls claim it). */
  hold(context: C, reservation: ConsoleReservationHandle): void;
}

/**
 * Operation limits, checked once the operation is known and before any resolver runs (so before
 * any upstream call). Depth and aliases are counted by GraphQL Armor's rules; root fields and the
 * upstream cost by our own walk, since only this schema knows which fields cost Console calls.
 * Verdicts are remembered per parsed document (OperationCache), so a hot query is measured once.
 *
 * Then admission against the Console's capacity: an operation that may call the Console starts only
 * when its calls would get a connection within CONSOLE_QUEUE_TIMEOUT_MS; otherwise it is refused at
 * once, before any of its calls start (503 OVERLOADED, Retry-After), so that no half-finished
 * operation spends the Console's capacity on an answer that then fails on another route.
 */
export function operationLimitsPlugin<C>(
  schema: GraphQLSchema,
  limits: OperationLimits,
  console?: ConsoleCapacity,
  onConsoleBusy?: () => void,
  /** Charges the client's budget of Console calls with the operation's upstream cost; throws to refuse. */
  chargeConsoleCalls?: (context: C, upstreamCost: number) => Promise<void>,
  reservations?: ReservationHolder<C>,
): ApolloServerPlugin<C & object> {
  const verdicts = new OperationCache<{ error: GraphQLError | null; upstreamCost: number }>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, operationName, contextValue }) {
          if (!operation) return;
          let verdict = verdicts.get(document, operationName);
          if (verdict === undefined) {
            verdict = checkOperation(schema, document, operation, limits);
            verdicts.set(document, operationName, verdict);
          }
          if (verdict.error) throw verdict.error;
          await admitOperation(contextValue, verdict.upstreamCost, console, onConsoleBusy, chargeConsoleCalls, reservations);
        },
      };
    },
  };
}

/**
 * An operation within its limits, about to run: refused (a GraphQLError thrown) when the Console's
 * connections are too busy for its calls or the client's budget of Console calls is spent.
 * An operation that waited for its admission slot was judged against the Console when it arrived,
 * and its calls were counted (reserved) all the while it waited, so the operations after it saw
 * them: it is not judged a second time. Refused now, it would have waited for nothing; the wait
 * it did, up to seconds while the Console is slow, would be what refusing costs its client.
 * Shared by Apollo's pipeline (the plugin above) and prepared operations (src/graphql/prepared-path.ts).
 */
export async function admitOperation<C>(
  context: C,
  upstreamCost: number,
  console: ConsoleCapacity | undefined,
  onConsoleBusy: (() => void) | undefined,
  chargeConsoleCalls: ((context: C, upstreamCost: number) => Promise<void>) | undefined,
  reservations?: ReservationHolder<C>,
): Promise<void> {
  if (upstreamCost <= 0) return;
  let reservation: ConsoleReservationHandle | undefined;
  if (console) {
    const held = reservations?.held(context);
    if (held === undefined) {
      const waitMs = console.estimatedWaitMs(upstreamCost);
      if (waitMs > console.maxWaitMs) {
        onConsoleBusy?.();
        throw consoleBusyError(waitMs);
      }
    } else {
      // Its cost is known now (the queue counted the least it could be): counted afresh, in this turn.
      console.unreserve(held);
    }
    // Counted at once, in the same turn as the estimate: the next operation's estimate sees these calls.
    if (reservations) reservation = console.reserve(upstreamCost);
  }
  try {
    if (chargeConsoleCalls) await chargeConsoleCalls(context, upstreamCost);
  } catch (error) {
    if (reservation) console!.unreserve(reservation);
    throw error;
  }
  if (reservation) reservations!.hold(context, reservation);
}

function consoleBusyError(waitMs: number): GraphQLError {
  const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
  return withoutStack(
    () =>
      new GraphQLError(
        `The gateway is overloaded: the Console is answering slowly and its calls would wait about ${Math.round(waitMs)} ms for a connection. This operation was not run; retry in ${retryAfter} s.`,
        { extensions: { code: ErrorCode.Overloaded, retryAfter, http: { status: 503, headers: new HeaderMap([['retry-after', String(retryAfter)]]) } } },
      ),
  );
}

export function checkOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  limits: OperationLimits,
): { error: GraphQLError | null; upstreamCost: number } {
  const error = (e: GraphQLError | null, upstreamCost = 0) => ({ error: e, upstreamCost });
  if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
    // graphql-js 16 only notices at execution time (an internal error); say it plainly, as a 400.
    return error(
      new GraphQLError('This API has no subscriptions; use a query or a mutation.', {
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
      }),
    );
  }
  const rejected: GraphQLError[] = [];
  const onReject = [(_ctx: unknown, error: GraphQLError) => void rejected.push(error)];
  // Only this operation and its fragments: another operation in the document must not count.
  const single: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)],
  };
  validate(schema, single, [maxDepthRule({ n: limits.maxDepth, onReject, propagateOnRejection: false, flattenFragments: true })]);
  if (rejected[0])
    return error(
      new OperationLimitError(
        ErrorCode.QueryTooDeep,
        `The query is too deep (${found(rejected[0])} levels; the limit is ${limits.maxDepth}).`,
        limits.maxDepth,
        found(rejected[0]),
      ),
    );
  validate(schema, single, [maxAliasesRule({ n: limits.maxAliases, onReject, propagateOnRejection: false })]);
  if (rejected[0])
    return error(
      new OperationLimitError(
        ErrorCode.TooManyAliases,
        `The query uses too many aliases (${found(rejected[0])}; the limit is ${limits.maxAliases}).`,
        limits.maxAliases,
        found(rejected[0]),
      ),
    );
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const shape = measureOperation(schema, operation, fragments);
  // Armor does not count aliased __typename, and counts a fragment's aliases once however often
  // it is spread: 1,500 aliased __typename under a list made a 2.6 MB answer from a 30 kB query.
  // What the walk measured, each against its limit, in the order they are reported.
  const measured: Array<[LimitErrorCode, number, number, () => string]> = [
    [
      ErrorCode.TooManyAliases,
      shape.aliases,
      limits.maxAliases,
      () => `The query uses too many aliases (${shape.aliases}, fragments expanded; the limit is ${limits.maxAliases}).`,
    ],
    [
      ErrorCode.QueryTooComplex,
      shape.upstreamCost,
      limits.maxUpstreamCost,
      () => `The operation could cause up to ${shape.upstreamCost} Console calls; the limit is ${limits.maxUpstreamCost}.`,
    ],
    [
      ErrorCode.TooManyRootFields,
      shape.rootFields,
      limits.maxRootFields,
      () => `The operation selects too many root fields (${shape.rootFields}; the limit is ${limits.maxRootFields}).`,
    ],
  ];
  for (const [code, value, limit, message] of measured) if (value > limit) return error(new OperationLimitError(code, message(), limit, value));
  return error(null, shape.upstreamCost);
}

/** Armor's messages end "…, found N."; the number is what we report. */
function found(error: GraphQLError): number {
  const match = /found (\d+)/.exec(error.message);
  return match ? Number(match[1]) : -1;
}
