import type { GraphQLFormattedError } from 'graphql';

/**
 * Rewrites graphql-js and Apollo messages that would repeat what the caller sent or reveal the
 * schema when introspection is off. graphql-js words a bad value by printing it ("Variable "$t" got
 * invalid value ["<a JWT>"]; String cannot represent a non string value: ["<a JWT>"]"), and a
 * value sent in a variable or an argument may be a token or a password: the message says what was
 * wrong with it, never what it was.
 */
export function saferMessage(message: string, options: { introspection: boolean }): string {
  let out = message;
  const variable = /^Variable "(\$[A-Za-z_][A-Za-z0-9_]*)" got invalid value /.exec(out);
  if (variable) {
    const expected = expectedTypeIn(out.slice(variable[0].length));
    return `Variable "${variable[1]}" got an invalid value: ${expected ? `expected ${expected}` : "it does not match the variable's type"}. (The value is not repeated here.)`;
  }
  const literal = /^Expected value of type "([^"]+)", found /.exec(out);
  if (literal) return `Expected value of type "${literal[1]}", found a value of another type. (The value is not repeated here.)`;
  const scalar = /^(\w+) cannot represent (.*?)(: [\s\S]*)?$/.exec(out);
  if (scalar) return `${scalar[1]} cannot represent ${scalar[2].replace(/: .*$/, '')}. (The value is not repeated here.)`;
  if (/^GraphQL introspection is not allowed/.test(out)) {
    return 'Introspection is off on this server. Set GRAPHQL_SANDBOX=true (the default unless NODE_ENV=production) to allow it and the Apollo Sandbox.';
  }
  if (!options.introspection) out = out.replace(/ Did you mean [^?]*\?$/, '');
  return out;
}

/** "String cannot represent …" → "String"; "Expected type "Int"." → "Int". */
function expectedTypeIn(reason: string): string | undefined {
  const named = /(?:^|; )(\w+) cannot represent/.exec(reason) ?? /Expected type "([^"]+)"/.exec(reason);
  return named?.[1];
}

/** Apollo's own request-level errors carry no code; these are the ones clients act on. */
const APOLLO_REQUEST_ERRORS: Record<string, { code: string; message: string }> = {
  'provided sha does not match query': {
    code: 'PERSISTED_QUERY_HASH_MISMATCH',
    message: "The persisted query's sha256Hash does not match its query: send the SHA-256 (hex) of the exact query text.",
  },
  'Unsupported persisted query version': {
    code: 'PERSISTED_QUERY_VERSION_UNSUPPORTED',
    message: 'Unsupported persisted query version: this server speaks version 1.',
  },
};

/** A code for Apollo's uncoded request errors (HTTP 400), so that they are not taken for internal ones. */
export function apolloRequestError(formatted: GraphQLFormattedError): GraphQLFormattedError | undefined {
  const known = APOLLO_REQUEST_ERRORS[formatted.message];
  if (!known) return undefined;
  return { message: known.message, extensions: { code: known.code } };
}
