import { BadUserInputError } from './errors.js';

/**
 * Highest page a caller may ask for: no Console list here has anywhere near 100,000 entries, and a
 * page far past the end is the caller's mistake, not the Console's (which answers 400 for some).
 */
export const MAX_PAGE = 10_000;

/** Argument checks made before any upstream call; a bad value is BAD_USER_INPUT naming the argument. */
export function checkPositive(value: number | undefined | null, argument: string, max = 2_147_483_647): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new BadUserInputError(`${argument} must be a whole number from 1 to ${max}.`, argument);
  }
  return value;
}

export function checkPage(value: number | undefined | null): number | undefined {
  return checkPositive(value, 'page', MAX_PAGE);
}

export function checkNonEmpty(value: string, argument: string, maxLength: number): string {
  if (value.trim() === '') throw new BadUserInputError(`${argument} must not be empty.`, argument);
  if (value.length > maxLength) {
    throw new BadUserInputError(`${argument} must be at most ${maxLength} characters.`, argument);
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new BadUserInputError(`${argument} must not contain control characters.`, argument);
  }
  return value;
}

export function pageArgs(storeId: number | undefined | null, page: number | undefined | null): { storeId?: number; page?: number } {
  const checkedStore = checkPositive(storeId, 'storeId');
  const checkedPage = checkPage(page);
  return {
    ...(checkedStore === undefined ? {} : { storeId: checkedStore }),
    ...(checkedPage === undefined ? {} : { page: checkedPage }),
  };
}
