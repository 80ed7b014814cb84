import { describe, expect, it } from '@jest/globals';
import { RouteBreakers, type CircuitState } from '../../src/console/circuit-breakers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const failAfter = (ms: number) => async () => {
  await sleep(ms);
  throw new Error('timed out');
};

describe('RouteBreakers', () => {
  it('should not open on one failure slower than the statistics window (the outside check\'s repro, scaled down)', async () => {
    const states: CircuitState[] = [];
    const breakers = new RouteBreakers({ failureThreshold: 5, resetMs: 10_000, rollingWindowMs: 100, onStateChange: (_r, s) => states.push(s) });
    try {
      await breakers.run('GET /x', async () => 'ok', () => true);
      await sleep(150); // the window has rotated past the good call
      await expect(breakers.run('GET /x', failAfter(250), () => true)).rejects.toThrow('timed out');
      expect(await breakers.run('GET /x', async () => 'ok', () => true)).toBe('ok');
      expect(states).toEqual([]);
    } finally {
      breakers.shutdown();
    }
  });

  it('should open after exactly the threshold of consecutive slow failures, whatever their duration', async () => {
    const states: CircuitState[] = [];
    const breakers = new RouteBreakers({ failureThreshold: 3, resetMs: 10_000, rollingWindowMs: 50, onStateChange: (_r, s) => states.push(s) });
    try {
      for (let i = 0; i < 2; i += 1) await expect(breakers.run('GET /x', failAfter(80), () => true)).rejects.toThrow('timed out');
      expect(states).toEqual([]);
      await expect(breakers.run('GET /x', failAfter(80), () => true)).rejects.toThrow('timed out');
      expect(states).toEqual(['open']);
      await expect(breakers.run('GET /x', async () => 'ok', () => true)).rejects.toMatchObject({ code: 'EOPENBREAKER' });
    } finally {
      breakers.shutdown();
    }
  });

  it('should not count failures its filter says are the caller\'s (4xx), nor let a success in between be forgotten', async () => {
    const breakers = new RouteBreakers({ failureThreshold: 2, resetMs: 10_000, rollingWindowMs: 50 });
    try {
      const refused = () => Promise.reject(new Error('400'));
      for (let i = 0; i < 5; i += 1) await expect(breakers.run('GET /x', refused, () => false)).rejects.toThrow('400');
      await expect(breakers.run('GET /x', failAfter(1), () => true)).rejects.toThrow();
      await breakers.run('GET /x', async () => 'ok', () => true);
      await expect(breakers.run('GET /x', failAfter(1), () => true)).rejects.toThrow();
      expect(await breakers.run('GET /x', async () => 'ok', () => true)).toBe('ok');
    } finally {
      breakers.shutdown();
    }
  });
});
