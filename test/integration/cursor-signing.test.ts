import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { startStack } from '../support/stack.js';

/**
 * Cursors forged from outside, as an attacker who read docs/queries.md would make them: without
 * CURSOR_SECRET the tag is a public hash (a cursor is a position, and the docs say so); with it the
 * forgery is BAD_USER_INPUT, and a rotation (CURSOR_SECRET_PREVIOUS) keeps cursors issued under the
 * old secret working until it is dropped. Stacks run one after another: the secret is per process.
 */
const WINDOW = 'query($after: String) { catalog(storeId: 2, first: 5, after: $after) { edges { cursor node { id } } } }';
const SECRET_A = 'a'.repeat(16) + 'first-secret-of-this-test';
const SECRET_B = 'b'.repeat(16) + 'second-secret-of-this-test';

/** A cursor for the public catalogue of store 2 at page 2, index 3, made with nothing but the documented format. */
function forged(): string {
  const tag = createHash('sha256').update('c1|catalog|2||2|3').digest('base64url').slice(0, 16);
  return Buffer.from(`c1:2:3:${tag}`).toString('base64url');
}

type Body = {
  data?: { catalog: { edges: Array<{ cursor: string; node: { id: number } }> } | null };
  errors?: Array<{ extensions?: { code?: string; argument?: string } }>;
};

async function windowAfter(env: Record<string, string>, after: string | null): Promise<Body> {
  const stack = await startStack({ env });
  try {
    return (await stack.gql(WINDOW, { after })).body as Body;
  } finally {
    await stack.close();
  }
}

describe('cursor signing (CURSOR_SECRET)', () => {
  it('should accept a cursor made from the documented format when no secret is set: a position, not a capability', async () => {
    const res = await windowAfter({}, forged());
    expect(res.errors).toBeUndefined();
    expect(res.data!.catalog!.edges).toHaveLength(5);
  });

  it('should refuse the same forged cursor with BAD_USER_INPUT once CURSOR_SECRET is set, and accept its own', async () => {
    const refused = await windowAfter({ CURSOR_SECRET: SECRET_A }, forged());
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    const stack = await startStack({ env: { CURSOR_SECRET: SECRET_A } });
    try {
      const first = (await stack.gql(WINDOW, { after: null })).body as Body;
      const next = (await stack.gql(WINDOW, { after: first.data!.catalog!.edges.at(-1)!.cursor })).body as Body;
      expect(next.errors).toBeUndefined();
      expect(next.data!.catalog!.edges).toHaveLength(5);
    } finally {
      await stack.close();
    }
  });

  it('should keep cursors of the previous secret working during a rotation, and refuse them once it is dropped', async () => {
    const issued = (await windowAfter({ CURSOR_SECRET: SECRET_A }, null)).data!.catalog!.edges.at(-1)!.cursor;
    const during = await windowAfter({ CURSOR_SECRET: SECRET_B, CURSOR_SECRET_PREVIOUS: SECRET_A }, issued);
    expect(during.errors).toBeUndefined();
    const after = await windowAfter({ CURSOR_SECRET: SECRET_B }, issued);
    expect(after.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
  });
});
