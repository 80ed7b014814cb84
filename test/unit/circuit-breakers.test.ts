import { describe, expect, it } from '@jest/globals';
import { RouteBreakers, type CircuitState } from '../../src/console/circuit-breakers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const failAfter =
  (ms: number, message = 'timed out') =>
  async () => {
    await sleep(ms);
    throw new Error(message);
  };
/** Health failures are errors named "5xx" or "timed out"; "deadline" and "400" say nothing about the Console. */
const isHealth = (error: unknown) => error instanceof Error && !['deadline', '400'].includes(error.message);

describe('RouteBreakers', () => {
  it('should not open on one slow failure between successes', async () => {
    const states: CircuitState[] = [];
    const breakers = new RouteBreakers({ failureThreshold: 5, resetMs: 10_000, onStateChange: (_r, s) => states.push(s) });
    await breakers.run('GET /x', async () => 'ok', isHealth);
    await expect(breakers.run('GET /x', failAfter(250), isHealth)).rejects.toThrow('timed out');
    expect(await breakers.run('GET /x', async () => 'ok', isHealth)).toBe('ok');
    expect(states).toEqual([]);
  });

  it('should open after exactly the threshold of consecutive slow failures, whatever their duration', async () => {
    const states: CircuitState[] = [];
    const breakers = new RouteBreakers({ failureThreshold: 3, resetMs: 10_000, onStateChange: (_r, s) => states.push(s) });
    for (let i = 0; i < 2; i += 1) await expect(breakers.run('GET /x', failAfter(80), isHealth)).rejects.toThrow('timed out');
    expect(states).toEqual([]);
    await expect(breakers.run('GET /x', failAfter(80), isHealth)).rejects.toThrow('timed out');
    expect(states).toEqual(['open']);
    let called = false;
    await expect(breakers.run('GET /x', async () => (called = true), isHealth)).rejects.toMatchObject({ code: 'EOPENBREAKER' });
    expect(called).toBe(false);
  });

  it("should not count failures that are the caller's (4xx), nor let a success in between be forgotten", async () => {
    const breakers = new RouteBreakers({ failureThreshold: 2, resetMs: 10_000 });
    for (let i = 0; i < 5; i += 1) await expect(breakers.run('GET /x', failAfter(1, '400'), isHealth)).rejects.toThrow('400');
    await expect(breakers.run('GET /x', failAfter(1), isHealth)).rejects.toThrow();
    await breakers.run('GET /x', async () => 'ok', isHealth);
    await expect(breakers.run('GET /x', failAfter(1), isHealth)).rejects.toThrow();
    expect(breakers.stateOf('GET /x')).toBe('closed');
    expect(await breakers.run('GET /x', async () => 'ok', isHealth)).toBe('ok');
  });

  it('should not let a call abandoned at its deadline reset the count of consecutive failures (issue 23.4)', async () => {
    const breakers = new RouteBreakers({ failureThreshold: 3, resetMs: 10_000 });
    await expect(breakers.run('GET /x', failAfter(1), isHealth)).rejects.toThrow();
    await expect(breakers.run('GET /x', failAfter(1), isHealth)).rejects.toThrow();
    await expect(breakers.run('GET /x', failAfter(1, 'deadline'), isHealth)).rejects.toThrow('deadline');
    await expect(breakers.run('GET /x', failAfter(1), isHealth)).rejects.toThrow();
    expect(breakers.stateOf('GET /x')).toBe('open');
  });

  it('should keep a half-open circuit half-open when its probe is abandoned at a deadline, and close it on a real success', async () => {
    let now = 0;
    const states: CircuitState[] = [];
    const breakers = new RouteBreakers({ failureThreshold: 1, resetMs: 1000, onStateChange: (_r, s) => states.push(s) }, () => now);
    await expect(breakers.run('GET /x', failAfter(1), isHealth)).rejects.toThrow();
    now += 1000;
    await expect(breakers.run('GET /x', failAfter(1, 'deadline'), isHealth)).rejects.toThrow('deadline');
    expect(breakers.stateOf('GET /x')).toBe('half-open');
    // One probe at a time: while it is on its way, others fail fast.
    const probe = breakers.run('GET /x', async () => (await sleep(20), 'ok'), isHealth);
    await expect(breakers.run('GET /x', async () => 'ok', isHealth)).rejects.toMatchObject({ code: 'EOPENBREAKER' });
    expect(await probe).toBe('ok');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('should open again when the half-open probe fails, and wait another resetMs', async () => {
    let now = 0;
    const breakers = new RouteBreakers({ failureThreshold: 1, resetMs: 1000 }, () => now);
    await expect(breakers.run('GET /x', failAfter(1), isHealth)).rejects.toThrow();
    now += 1000;
    await expect(breakers.run('GET /x', failAfter(1), isHealth)).rejects.toThrow('timed out');
    expect(breakers.stateOf('GET /x')).toBe('open');
    now += 999;
    await expect(breakers.run('GET /x', async () => 'ok', isHealth)).rejects.toMatchObject({ code: 'EOPENBREAKER' });
    now += 1;
    expect(await breakers.run('GET /x', async () => 'ok', isHealth)).toBe('ok');
  });
});
