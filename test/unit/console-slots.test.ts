import { describe, expect, it } from '@jest/globals';
import { ConsoleSlots } from '../../src/console/console-slots.js';
import { admitOperation, type ConsoleReservationHandle, type ReservationHolder } from '../../src/edge/operation-limits.js';

/** A context that holds its reservation, as a request's context does (src/console/console-client.ts). */
interface Held {
  fromQueue?: ConsoleReservationHandle;
  reservation?: ConsoleReservationHandle;
}
const holder: ReservationHolder<Held> = {
  held: (c) => c.fromQueue,
  hold: (c, r) => (c.reservation = r),
};

/** The Console's connections as the admission sees them: reserved calls count until they ask for a connection. */
describe('ConsoleSlots reservations', () => {
  /** Four connections, each busy with a call the Console answers in about 1 s. */
  async function busySlots(): Promise<ConsoleSlots> {
    const slots = new ConsoleSlots(4, 1000);
    for (let i = 0; i < 4; i += 1) expect(await slots.acquire()).toBe(true);
    slots.release(1000); // one answer read: the average call is 1 s, and that connection is free again
    return slots;
  }

  it('should let the next admission see the calls of operations admitted in the same instant', async () => {
    const slots = await busySlots();
    const admitted: string[] = [];
    const refused: string[] = [];
    // Twenty three-call operations arrive in one turn: without reservations each saw one free
    // connection and all twenty were admitted, to wait on 60 calls of 1 s behind 4 connections.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        admitOperation<Held>({}, 3, slots, undefined, undefined, holder).then(
          () => admitted.push(`op${i}`),
          () => refused.push(`op${i}`),
        ),
      ),
    );
    // Admitted only while their calls fit within CONSOLE_QUEUE_TIMEOUT_MS (1 s) at 4 calls a second.
    expect(admitted.length).toBeGreaterThanOrEqual(1);
    expect(admitted.length).toBeLessThanOrEqual(2);
    expect(refused.length).toBe(20 - admitted.length);
  });

  it('should free what an operation claimed as its calls ask for connections, and the rest when it ends', async () => {
    const slots = await busySlots();
    const reservation = slots.reserve(3);
    expect(slots.estimatedWaitMs(0)).toBeGreaterThan(0);
    slots.claim(reservation);
    expect(reservation.remaining).toBe(2);
    slots.unreserve(reservation);
    slots.unreserve(reservation); // twice is once
    expect(reservation.remaining).toBe(0);
    // Back to what the connections alone say: one free connection, nothing waiting.
    expect(slots.estimatedWaitMs(1)).toBe(0);
  });

  it('should not judge again an operation that waited for its slot with its calls counted, and count them once', async () => {
    const slots = await busySlots();
    // Queued while the Console had room: its three calls were counted all the while it waited.
    const fromQueue = slots.reserve(3);
    // Others filled the Console meanwhile: an operation arriving now is refused at once...
    for (let i = 0; i < 3; i += 1) slots.reserve(3);
    await expect(admitOperation<Held>({}, 3, slots, undefined, undefined, holder)).rejects.toMatchObject({ extensions: { code: 'OVERLOADED' } });
    // ...but the one whose turn came after its wait runs: refused now, it would have waited for nothing.
    const context: Held = { fromQueue };
    await admitOperation<Held>(context, 2, slots, undefined, undefined, holder);
    // Its calls are counted once, at their known cost: the queue's count is gone, its own is held.
    expect(fromQueue.remaining).toBe(0);
    expect(context.reservation?.remaining).toBe(2);
  });

  it('should refuse with an error that carries no stack frames, and leave the stack trace limit as it was', async () => {
    const slots = await busySlots();
    for (let i = 0; i < 4; i += 1) slots.reserve(3);
    const limit = Error.stackTraceLimit;
    const refused = (await admitOperation<Held>({}, 3, slots, undefined, undefined, holder).catch((error: unknown) => error)) as Error;
    expect(refused).toMatchObject({ extensions: { code: 'OVERLOADED' } });
    // A refusal is an answer: no frame is captured for it (the costliest part of refusing under overload).
    expect(refused.stack ?? '').not.toMatch(/\n\s+at /);
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error('a fault').stack).toMatch(/\n\s+at /);
  });
});
