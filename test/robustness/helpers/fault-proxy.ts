/**
 * A loopback TCP proxy in front of the server, one per client, to inject
 * network faults the client library cannot: `drop()` destroys every TCP
 * connection at once (a cable pulled), `silence()` stops forwarding in both
 * directions while keeping the sockets open (a peer that stops answering
 * pings). Either way the client is cut off for good.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export class FaultProxy {
  private readonly server: net.Server;
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private silent = false;

  private constructor(targetPort: number) {
    this.server = net.createServer((inbound) => {
      const outbound = net.connect(targetPort, '127.0.0.1');
      const pair: [net.Socket, net.Socket] = [inbound, outbound];
      this.pairs.add(pair);
      for (const [from, to] of [pair, [outbound, inbound] as const]) {
        from.on('data', (chunk) => {
          if (!this.silent) to.write(chunk);
        });
        from.on('end', () => to.end());
        from.on('error', () => to.destroy());
        from.on('close', () => {
          to.destroy();
          this.pairs.delete(pair);
        });
      }
    });
  }

  static async start(targetPort: number): Promise<FaultProxy> {
    const proxy = new FaultProxy(targetPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Destroys every connection; new ones are refused. */
  drop(): void {
    this.server.close();
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
  }

  /** Stops forwarding; connections stay open until `close()`. */
  silence(): void {
    this.silent = true;
    this.server.close();
  }

  /** Releases the proxy (the same as a drop, for cleanup). */
  close(): void {
    this.drop();
  }
}
