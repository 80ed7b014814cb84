import { toGraphQLError } from './status-mapping.js';
import { UpstreamFailure } from './upstream-failure.js';

/**
 * `pending`, or UPSTREAM_TIMEOUT once `deadline` passes first. An answer that is already there wins
 * even after the deadline: its callbacks run before any timer.
 */
export function untilDeadline<T>(pending: Promise<T>, deadline: number, route: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(toGraphQLError(new UpstreamFailure('deadline', 'operation deadline passed while waiting for a shared call'), route)),
      Math.max(0, deadline - Date.now()),
    );
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
