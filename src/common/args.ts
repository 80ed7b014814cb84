import { BadUserInputError } from './errors.js';

/** Argument checks made before any upstream call; a bad value is BAD_USER_INPUT naming the argument. */
export function checkPositive(value: number | undefined | null, argument: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || value < 1) {
    throw new BadUserInputError(`${argument} must be 1 or more (got ${value}).`, argument);
  }
  return value;
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
  const checkedPage = checkPositive(page, 'page');
  return {
    ...(checkedStore === undefined ? {} : { storeId: checkedStore }),
    ...(checkedPage === undefined ? {} : { page: checkedPage }),
  };
}
