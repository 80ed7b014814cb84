import { pino, type DestinationStream } from 'pino';

/** Above this many characters waiting, the lines are written at once rather than at the end of the turn. */
const MAX_PENDING_CHARS = 64 * 1024;

export interface LineDestination extends DestinationStream {
  /** Writes what is waiting now, synchronously; then calls `done` (pino's `logger.flush(cb)` calls this). */
  flush(done?: (error?: Error) => void): void;
}

/**
 * Log lines to a file descriptor, at most two writes per turn of the event loop: the turn's first
 * line at once, the lines that follow it in the same turn together when the turn's I/O callbacks
 * have run (a `setImmediate`), never later. One synchronous write per line was a tenth of a login's
 * CPU; under load a turn finishes several answers. A lone request (the quiet case) still has its line
 * on stderr before its answer is sent. On `process.exit` (a crash included: the gateway logs the
 * error, then exits) what waits is written before the process ends; only a process killed outright
 * in the middle of a turn loses that turn's later lines, as an asynchronous logger would lose its
 * buffer.
 */
export function turnBufferedDestination(fd: number): LineDestination {
  // sonic-boom, synchronous: it retries a pipe that is full (EAGAIN) and finishes partial writes.
  const sink = pino.destination({ dest: fd, sync: true });
  let pending = '';
  let scheduled = false;
  const write = () => {
    scheduled = false;
    if (pending === '') return;
    const text = pending;
    pending = '';
    sink.write(text);
  };
  process.on('exit', write);
  return {
    write(line: string) {
      if (!scheduled) {
        // The turn's first line goes out at once: a lone request's line still precedes its answer.
        scheduled = true;
        setImmediate(write);
        sink.write(line);
        return;
      }
      pending += line;
      if (pending.length >= MAX_PENDING_CHARS) write();
    },
    flush(done) {
      write();
      done?.();
    },
  };
}

let stderr: LineDestination | undefined;

/** The process's stderr as a log destination: one for every logger, so that their lines keep their order. */
export function stderrDestination(): LineDestination {
  return (stderr ??= turnBufferedDestination(2));
}
