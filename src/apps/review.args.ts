import { checkPositive } from '../common/args.js';
import { BadUserInputError } from '../common/errors.js';
import type { RestReviewRequest } from '../console/rest-types.js';
import type { AppReviewInput } from './review.type.js';

const EMAIL = /^[^\s@"<>()[\],;:\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
// eslint-disable-next-line no-control-regex -- control characters are what is refused (line breaks and tabs are text)
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function text(value: string, argument: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new BadUserInputError(`${argument} must not be empty.`, argument);
  if (trimmed.length > max) throw new BadUserInputError(`${argument} must be at most ${max} characters.`, argument);
  if (CONTROL.test(trimmed)) throw new BadUserInputError(`${argument} must not contain control characters.`, argument);
  return trimmed;
}

/** Checks a review before any Console call; a bad field is BAD_USER_INPUT naming it (input.rating, …). */
export function toReviewRequest(input: AppReviewInput): RestReviewRequest {
  const productId = checkPositive(input.productId, 'input.productId')!;
  if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5) {
    throw new BadUserInputError('input.rating must be a whole number from 1 to 5.', 'input.rating');
  }
  const email = input.reviewerEmail.trim();
  if (email.length > 254 || !EMAIL.test(email)) {
    throw new BadUserInputError('input.reviewerEmail must be an e-mail address like name@example.com.', 'input.reviewerEmail');
  }
  return {
    product_id: productId,
    rating: input.rating,
    review: text(input.review, 'input.review', 5000),
    reviewer: text(input.reviewer, 'input.reviewer', 200),
    reviewer_email: email,
  };
}
