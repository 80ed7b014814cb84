import type { Server } from 'node:http';
import type { Socket } from 'node:net';

interface ConnectionState {
  /** Requests on this connection whose answer is not finished. */
  busy: number;
  /** Requests this connection has carried to the end. */
  served: number;
  acceptedAt: number;
  /** `socket.bytesRead` when its last answer finished: more since means a new request is arriving. */
  bytesReadWhenIdle: number;
}

/**
 * The server's open connections, for a drain that loses no request. Node's own
 * `closeIdleConnections()` counts a connection as idle until the first byte of its request has been
 * read, so a connection accepted in the same loop turn as the drain began was cut before its request
 * was read: the client saw ECONNRESET for a request it had sent in time. Here
 * a connection is closed as idle only when no request runs on it and nothing has arrived since its
 * last answer, and a connection that has not sent its first request gets `silentGraceMs` to do so.
 */
export class ConnectionTracker {
  private readonly connections = new Map<Socket, ConnectionState>();
  private draining = false;
  private accepted = 0;

  constructor(
    server: Server,
    private readonly silentGraceMs: number,
  ) {
    server.on('connection', (socket: Socket) => {
      this.accepted += 1;
      this.connections.set(socket, { busy: 0, served: 0, acceptedAt: Date.now(), bytesReadWhenIdle: 0 });
      socket.once('close', () => this.connections.delete(socket));
    });
    server.on('request', (req, res) => {
      const state = this.connections.get(req.socket);
      if (!state) return;
      state.busy += 1;
      res.once('close', () => {
        state.busy -= 1;
        state.served += 1;
        state.bytesReadWhenIdle = req.socket.bytesRead;
        // While draining every answer carries `Connection: close`; this covers those that began before.
        if (this.draining && state.busy === 0) req.socket.end();
      });
    });
  }

  /**
   * Resolves once one turn of the event loop has accepted no new connection (at most `maxMs`):
   * connections the kernel queued for us before the drain are accepted and served, not reset
   * when the listener closes. A connection is accepted in the loop's poll phase, which runs
   * between two `setImmediate` turns.
   */
  async acceptPending(maxMs = 200): Promise<void> {
    const until = Date.now() + maxMs;
    for (;;) {
      const before = this.accepted;
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      if (this.accepted === before || Date.now() >= until) return;
    }
  }

  get size(): number {
    return this.connections.size;
  }

  /** From now on a connection is ended as soon as its last running request is answered. */
  startDraining(): void {
    this.draining = true;
  }

  /** Ends connections with nothing to do: idle after an answer, or silent since accepted for the grace period. */
  closeIdle(now = Date.now()): void {
    for (const [socket, state] of this.connections) {
      if (state.busy > 0 || socket.bytesRead !== state.bytesReadWhenIdle) continue;
      if (state.served > 0 || now - state.acceptedAt >= this.silentGraceMs) socket.destroy();
    }
  }
}
