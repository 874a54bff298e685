/**
 * engine.io 4+'s HTTP middlewares (`engine.use(fn)`, and `cors` as the
 * first of them): connect-style functions run on every request under the
 * engine's path before it is verified, the WebSocket upgrade request
 * included, which gets a stand-in response (the headers a middleware sets
 * join the 101 answer; ending it drops the upgrade), as engine.io 6 does.
 * This is how socket.io 4 apps share an express-session with Socket.IO.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HttpMiddleware } from './engine-options';
import { hasInvalidHeaderChar } from './origins';

/**
 * Runs `middlewares` in order, each once the previous called `next()`;
 * `done(err)` when one fails or throws. One that answers the request itself
 * (a CORS preflight) and never calls `next` ends the chain there.
 */
export function runHttpMiddlewares(middlewares: readonly HttpMiddleware[], req: IncomingMessage, res: ServerResponse, done: (err?: unknown) => void): void {
  let finished = false;
  const finish = (err?: unknown) => {
    if (finished) return;
    finished = true;
    done(err);
  };
  const run = (index: number): void => {
    const middleware = middlewares[index];
    if (!middleware) return finish();
    let called = false;
    try {
      middleware(req, res, (err?: unknown) => {
        if (called) return;
        called = true;
        // A tick between middlewares, as engine.io 6's promise chain leaves one.
        if (err) queueMicrotask(() => finish(err));
        else queueMicrotask(() => run(index + 1));
      });
    } catch (error) {
      finish(error);
    }
  };
  run(0);
}

const kUpgradeHeaders = Symbol('iostate.upgradeHeaders');

/** The response a middleware sees for a WebSocket upgrade request. */
export class UpgradeResponse extends EventEmitter {
  constructor(
    private readonly req: IncomingMessage,
    private readonly socket: Duplex,
  ) {
    super();
    (req as IncomingMessage & { [kUpgradeHeaders]?: Record<string, string | string[]> })[kUpgradeHeaders] = {};
    socket.once('close', () => this.emit('close'));
  }

  private get headers(): Record<string, string | string[]> {
    return (this.req as IncomingMessage & { [kUpgradeHeaders]: Record<string, string | string[]> })[kUpgradeHeaders];
  }

  setHeader(name: string, value: string | number | readonly string[]): this {
    this.headers[name] = Array.isArray(value) ? value.map(String) : String(value);
    return this;
  }

  getHeader(name: string): string | string[] | undefined {
    return this.headers[name];
  }

  removeHeader(name: string): void {
    delete this.headers[name];
  }

  write(): boolean {
    return true;
  }

  writeHead(): this {
    return this;
  }

  /** A middleware that answers the upgrade itself refuses it: the socket is dropped. */
  end(): this {
    this.emit('finish');
    this.socket.destroy();
    return this;
  }
}

/**
 * The header lines the middlewares set for an upgrade, for the 101 answer;
 * a name or value that would end the line (CR, LF) is dropped.
 */
export function upgradeHeaderLines(req: IncomingMessage): string[] {
  const headers = (req as IncomingMessage & { [kUpgradeHeaders]?: Record<string, string | string[]> })[kUpgradeHeaders];
  if (!headers) return [];
  const lines: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) continue;
    for (const each of Array.isArray(value) ? value : [value]) if (!hasInvalidHeaderChar(each) && !/[\r\n]/.test(each)) lines.push(`${name}: ${each}`);
  }
  return lines;
}
