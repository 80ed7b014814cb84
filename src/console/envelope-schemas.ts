import { z } from 'zod';

/**
 * The shape of each Console answer, checked at the boundary. Strict where a wrong shape would
 * make the answer meaningless (no data object, a list that is not a list, a login without a
 * token); lenient inside records, whose odd fields the mappers turn into null one by one.
 */
const list = z.array(z.unknown()).nullish();
const count = z.number().nullish();
const flags = z.looseObject({ isVendor: z.boolean().nullish(), isWhitelabeled: z.boolean().nullish() }).nullish();

/** The whole envelope `{ data: … }` per answer, built once: zod compiles a schema on first use. */
const envelope = <T extends z.ZodType>(data: T) => z.looseObject({ data });

export const EnvelopeSchema = {
  productPage: envelope(z.looseObject({ page: count, totalPages: count, products: list })),
  appList: envelope(z.looseObject({ totalProducts: count, products: list })),
  subscriptions: envelope(z.looseObject({ totalSubscriptions: count, subscriptions: list })),
  login: envelope(
    z.looseObject({
      feature_flags: flags,
      jwt: z.looseObject({ token: z.string().min(1), token_expires: z.number() }),
      user: z.looseObject({ ID: z.number(), user_login: z.string() }),
    }),
  ),
  review: envelope(z.looseObject({ review: z.looseObject({ id: z.number(), product_id: z.number().nullish(), date_created_gmt: z.string().nullish() }) })),
  validate: envelope(z.looseObject({ isValid: z.boolean(), feature_flags: z.looseObject({ ff: flags }).nullish() })),
} as const;

/** Where a payload broke the schema, for the log: paths and messages, never the values. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
