import { describe, expect, it } from '@jest/globals';
import { ConsoleSlots } from '../../src/console/console-slots.js';
import { admitOperation } from '../../src/edge/operation-limits.js';

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
        admitOperation({}, 3, slots, undefined, undefined, () => undefined).then(
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
});
