import { bool, int, str } from '../common/coerce.js';
import type { RestReview } from '../console/rest-types.js';
import type { AppReview } from './review.type.js';

/** The one place where the Console's review record becomes an AppReview. */
export function toAppReview(rest: RestReview, requestedProductId: number): AppReview {
  return {
    id: int(rest.id) ?? 0,
    productId: int(rest.product_id) ?? requestedProductId,
    createdAt: utcDate(rest.date_created_gmt),
    status: str(rest.status),
    rating: int(rest.rating),
    review: str(rest.review),
    reviewer: str(rest.reviewer),
    productName: str(rest.product_name),
    verified: bool(rest.verified),
  };
}

/** WooCommerce's `date_created_gmt` is "2026-11-27T16:00:00": UTC without a zone designator. */
function utcDate(value: unknown): Date | null {
  if (typeof value !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(value)) return null;
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}
