/**
 * Bystanders: a 4.x client over WebSocket and a 2.x client over polling that
 * must keep receiving broadcasts and getting acks while an attacker does its
 * worst on the same server. `check()` proves it once; `around(attack)`
 * proves it before, during and after an attack.
 */
import { expect } from 'vitest';
import type { Socket } from '../../../src/actors/socket';
import { connectClient, connected } from './clients';
import { within, type Running } from './server';

/** Generous: a loaded CI machine must not fail a check that only proves liveness. */
const BYSTANDER_WAIT_MS = 5000;

export class Bystanders {
  private tick = 0;
  private constructor(
    private readonly running: Running,
    readonly clients: any[],
  ) {}

  /** `extraHeaders` lets them through a server that checks origins. */
  static async join(running: Running, extraHeaders?: Record<string, string>): Promise<Bystanders> {
    running.io.on('connection', (socket: Socket) => {
      socket.on('echo', (value: unknown, ack: unknown) => {
        if (typeof ack === 'function') ack(value);
      });
    });
    const extra = extraHeaders ? { extraHeaders } : {};
    const clients = [connectClient('v4', running.url, 'websocket', '/', extra), connectClient('v2', running.url, 'polling', '/', extra)];
    await Promise.all(clients.map((c) => connected(c)));
    return new Bystanders(running, clients);
  }

  /** Every bystander gets a broadcast and an ack, within a short bound. */
  async check(when: string): Promise<void> {
    const n = ++this.tick;
    const broadcasts = this.clients.map(
      (client) =>
        new Promise<void>((resolve) => {
          const onTick = (value: number) => {
            if (value !== n) return;
            client.off('tick', onTick);
            resolve();
          };
          client.on('tick', onTick);
        }),
    );
    this.running.io.emit('tick', n);
    const acks = this.clients.map((client) => new Promise<unknown>((resolve) => client.emit('echo', n, resolve)));
    await within(Promise.all([...broadcasts, ...acks]), BYSTANDER_WAIT_MS, `bystanders ${when}`);
    for (const client of this.clients) expect(client.connected, `bystander still connected ${when}`).toBe(true);
  }

  /** Checks before, while `attack` runs, and after it. */
  async around<T>(attack: () => Promise<T>): Promise<T> {
    await this.check('before the attack');
    const running = attack();
    await this.check('during the attack');
    const result = await running;
    await this.check('after the attack');
    return result;
  }

  leave(): void {
    for (const client of this.clients) client.close();
  }
}
