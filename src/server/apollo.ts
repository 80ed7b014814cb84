import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Logger } from '../common/logger.js';
import type { GatewayContext } from '../context.js';

export interface SandboxOptions {
  /** Operation shown in the Sandbox's editor on first open. */
  document?: string;
  /** Headers pre-filled in the Sandbox (the demo puts a fresh bearer token here). */
  headers?: Record<string, string>;
}

export interface ApolloOptions {
  schema: GraphQLSchema;
  sandbox: boolean;
  development: boolean;
  logger: Logger;
  sandboxOptions?: SandboxOptions;
}

export function createApolloServer(options: ApolloOptions): ApolloServer<GatewayContext> {
  const landingPage: ApolloServerPlugin<GatewayContext> = options.sandbox
    ? ApolloServerPluginLandingPageLocalDefault({
        embed: true,
        includeCookies: false,
        ...(options.sandboxOptions?.document ? { document: options.sandboxOptions.document } : {}),
        ...(options.sandboxOptions?.headers ? { headers: options.sandboxOptions.headers } : {}),
      })
    : ApolloServerPluginLandingPageDisabled();
  return new ApolloServer<GatewayContext>({
    schema: options.schema,
    introspection: options.sandbox,
    includeStacktraceInErrorResponses: options.development,
    csrfPrevention: true,
    // We drain and exit ourselves (index.ts); Apollo's own handler re-raises the signal, so exit code 143.
    stopOnTerminationSignals: false,
    plugins: [landingPage],
    formatError: (formatted, error) => hideInternals(formatted, error, options),
  });
}

/** Errors we did not raise on purpose keep their details in the log, not in the response. */
function hideInternals(formatted: GraphQLFormattedError, error: unknown, options: ApolloOptions): GraphQLFormattedError {
  if (formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') return formatted;
  const original = unwrapResolverError(error);
  if (original instanceof GraphQLError && original.extensions?.code) return formatted;
  options.logger.error('unexpected resolver error', {
    path: formatted.path,
    error: original instanceof Error ? original.message : String(original),
  });
  if (options.development) return formatted;
  return { message: 'Internal server error.', ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
