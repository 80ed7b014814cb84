import { describe, expect, it } from '@jest/globals';
import { AUTO_MAX, AUTO_MIN, AUTO_START, AdmissionGate, NotRun } from '../../src/edge/admission.js';
import { loadGatewayConfig } from '../../src/config.js';

/** A unit of work that ends when the test says so. */
function pending() {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { work: () => done, finish, fail };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** `count` operations handed to the gate at once; `finishAll` ends them and waits for each. */
function submit(gate: AdmissionGate, count: number) {
  const jobs = Array.from({ length: count }, () => pending());
  const ran = jobs.map((job) => gate.run(job.work));
  return {
    jobs,
    ran,
    finishAll: async () => {
      jobs.forEach((job) => job.finish());
      await Promise.all(ran);
    },
  };
}

describe('AdmissionGate', () => {
  it('should run at most the fixed limit at once and admit the waiting ones in arrival order', async () => {
    const gate = new AdmissionGate({ mode: 'fixed', limit: 2 });
    const order: string[] = [];
    const jobs = ['a', 'b', 'c', 'd'].map((name) => {
      const job = pending();
      const ran = gate.run(async () => {
        order.push(name);
        await job.work();
      });
      return { ...job, ran };
    });
    await tick();
    expect(order).toEqual(['a', 'b']);
    expect(gate.queued).toBe(2);
    jobs[1].finish();
    await jobs[1].ran;
    await tick();
    expect(order).toEqual(['a', 'b', 'c']);
    jobs[0].finish();
    jobs[2].finish();
    jobs[3].finish();
    await Promise.all(jobs.map((j) => j.ran));
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    expect(gate.queued).toBe(0);
    gate.close();
  });

  it('should give the slot back when the work fails, so a failure never shrinks the gate for good', async () => {
    const gate = new AdmissionGate({ mode: 'fixed', limit: 1 });
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.run(async () => 'next')).resolves.toBe('next');
    gate.close();
  });

  it('should skip work whose client left while it waited, and hand its slot on', async () => {
    const gate = new AdmissionGate({ mode: 'fixed', limit: 1 });
    const holder = pending();
    const held = gate.run(holder.work);
    let left = false;
    const ranWork: string[] = [];
    const skipped = gate.run(
      async () => ranWork.push('skipped'),
      () => left,
    );
    const next = gate.run(async () => ranWork.push('next'));
    // Asked when the turn comes, not when queued: the client was still there then.
    left = true;
    holder.finish();
    await held;
    await expect(skipped).resolves.toEqual(new NotRun('client_left'));
    await next;
    expect(ranWork).toEqual(['next']);
    // The slot came back: one more runs at once.
    await expect(
      gate.run(
        async () => 'free',
        () => true,
      ),
    ).resolves.toBe('free');
    gate.close();
  });

  it('should refuse work at once, without queueing it, when maxQueued operations already wait (issue 23.6)', async () => {
    const gate = new AdmissionGate({ mode: 'fixed', limit: 1 }, 10_000, 2);
    const holder = pending();
    const held = gate.run(holder.work);
    const waiting = [gate.run(async () => 'a'), gate.run(async () => 'b')];
    expect(gate.queued).toBe(2);
    await expect(gate.run(async () => 'c')).resolves.toEqual(new NotRun('queue_full'));
    expect(gate.queued).toBe(2);
    holder.finish();
    await held;
    await expect(Promise.all(waiting)).resolves.toEqual(['a', 'b']);
    gate.close();
  });

  it('should refuse work that waited maxWaitMs, without taking a slot, and run the ones behind it', async () => {
    const gate = new AdmissionGate({ mode: 'fixed', limit: 1 }, 40);
    const holder = pending();
    const held = gate.run(holder.work);
    const ranWork: string[] = [];
    const late = gate.run(async () => ranWork.push('late'));
    await expect(late).resolves.toEqual(new NotRun('waited_too_long'));
    expect(gate.queued).toBe(0);
    const next = gate.run(async () => ranWork.push('next'));
    holder.finish();
    await held;
    await next;
    expect(ranWork).toEqual(['next']);
    // Admitted before its time was up: it runs, however long the work then takes.
    const slow = gate.run(() => new Promise<string>((resolve) => setTimeout(() => resolve('slow'), 80)));
    await expect(slow).resolves.toBe('slow');
    gate.close();
  });

  it('should never queue without a limit', async () => {
    const gate = new AdmissionGate({ mode: 'unlimited' });
    const all = submit(gate, 500);
    await tick();
    expect(gate.queued).toBe(0);
    await all.finishAll();
    gate.close();
  });

  it('should shrink while the event loop is saturated, down to its minimum, and grow when operations wait on an idle loop', async () => {
    const gate = new AdmissionGate({ mode: 'auto' });
    expect(gate.limit).toBe(AUTO_START);
    for (let i = 0; i < 100; i += 1) gate.adapt(1);
    expect(gate.limit).toBe(AUTO_MIN);
    // Operations waiting while the loop idles (a slow Console): the limit grows and admits them at once.
    const waiting = submit(gate, AUTO_MIN + 40);
    await tick();
    expect(gate.queued).toBe(40);
    let steps = 0;
    while (gate.queued > 0 && steps < 20) {
      gate.adapt(0.2);
      steps += 1;
    }
    expect(steps).toBeLessThanOrEqual(6); // 100 ms each: well under a second
    expect(gate.limit).toBeGreaterThanOrEqual(AUTO_MIN + 40);
    expect(gate.queued).toBe(0);
    // An idle loop with nothing waiting is no reason to grow.
    const grown = gate.limit;
    await waiting.finishAll();
    gate.adapt(0.2);
    gate.adapt(0.2);
    expect(gate.limit).toBe(grown);
    // However long operations keep waiting, the limit stops at its maximum.
    const many = submit(gate, AUTO_MAX + 10);
    await tick();
    for (let i = 0; i < 100; i += 1) gate.adapt(0);
    expect(gate.limit).toBe(AUTO_MAX);
    expect(gate.queued).toBe(10);
    await many.finishAll();
    gate.close();
  });

  it('should not hand a finished slot on while over a limit that just shrank', async () => {
    const gate = new AdmissionGate({ mode: 'auto' });
    const { jobs, ran, finishAll } = submit(gate, AUTO_START + 1);
    await tick();
    expect(gate.queued).toBe(1);
    for (let i = 0; i < 100; i += 1) gate.adapt(1); // limit now AUTO_MIN, AUTO_START running
    for (const job of jobs.slice(0, AUTO_START - AUTO_MIN)) job.finish();
    await Promise.all(ran.slice(0, AUTO_START - AUTO_MIN));
    await tick();
    expect(gate.queued).toBe(1); // still AUTO_MIN running: the waiting one waits
    jobs[AUTO_START - AUTO_MIN].finish();
    await ran[AUTO_START - AUTO_MIN];
    await tick();
    expect(gate.queued).toBe(0);
    await finishAll();
    gate.close();
  });
});

describe('OPERATION_CONCURRENCY, OPERATION_QUEUE_TIMEOUT_MS and HEAP_GROWING_PERCENT', () => {
  const base = { CONSOLE_URL: 'http://127.0.0.1:1' };
  it('should wait at most 10 s for a slot by default, and refuse a queue timeout outside 1–600000 ms', () => {
    expect(loadGatewayConfig(base).operationQueueTimeoutMs).toBe(10_000);
    expect(loadGatewayConfig({ ...base, OPERATION_QUEUE_TIMEOUT_MS: '250' }).operationQueueTimeoutMs).toBe(250);
    for (const bad of ['0', '600001', 'soon', '1.5']) {
      expect(() => loadGatewayConfig({ ...base, OPERATION_QUEUE_TIMEOUT_MS: bad })).toThrow(/^OPERATION_QUEUE_TIMEOUT_MS/);
    }
  });

  it('should read auto (default), a fixed number and 0 (no limit)', () => {
    expect(loadGatewayConfig(base).operationConcurrency).toEqual({ mode: 'auto' });
    expect(loadGatewayConfig({ ...base, OPERATION_CONCURRENCY: 'AUTO' }).operationConcurrency).toEqual({ mode: 'auto' });
    expect(loadGatewayConfig({ ...base, OPERATION_CONCURRENCY: '12' }).operationConcurrency).toEqual({ mode: 'fixed', limit: 12 });
    expect(loadGatewayConfig({ ...base, OPERATION_CONCURRENCY: '0' }).operationConcurrency).toEqual({ mode: 'unlimited' });
    expect(loadGatewayConfig(base).heapGrowingPercent).toBe(0);
    expect(loadGatewayConfig({ ...base, HEAP_GROWING_PERCENT: '35' }).heapGrowingPercent).toBe(35);
  });

  it.each(['-1', 'lots', '1.5', '100001'])('should refuse OPERATION_CONCURRENCY=%s with a message naming the variable', (value) => {
    expect(() => loadGatewayConfig({ ...base, OPERATION_CONCURRENCY: value })).toThrow(
      /OPERATION_CONCURRENCY must be "auto", 0 \(no limit\) or a whole number/,
    );
  });

  it('should refuse HEAP_GROWING_PERCENT outside 0–1000', () => {
    expect(() => loadGatewayConfig({ ...base, HEAP_GROWING_PERCENT: '5000' })).toThrow(/HEAP_GROWING_PERCENT must be between 0 and 1000/);
  });
});
