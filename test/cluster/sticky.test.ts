// The node:cluster sticky helper: the worker choice, and long-polling
// sessions of both client generations through a real cluster of workers.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ioV2 from 'socket.io-client-v2';
import { io as ioV4 } from 'socket.io-client';
import { pickWorker } from '../../src/cluster/sticky';
import type { TestSocket } from '../redis/cluster-harness';
import { START_DEADLINE, root } from './spawn-node';

describe('pickWorker', () => {
  it('always picks the same worker for an address, and spreads addresses over the workers', () => {
    const workers = ['w1', 'w2', 'w3'];
    expect(pickWorker('10.0.0.7', workers)).toBe(pickWorker('10.0.0.7', [...workers]));
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const worker = pickWorker(`10.0.${i >> 8}.${i & 255}`, workers)!;
      counts.set(worker, (counts.get(worker) ?? 0) + 1);
    }
    for (const worker of workers) expect(counts.get(worker)).toBeGreaterThan(800);
    expect(pickWorker('10.0.0.7', [])).toBeUndefined();
  });

  it('when a worker goes, only the addresses that were on it move', () => {
    const addresses = Array.from({ length: 1000 }, (_, i) => `192.168.${i >> 8}.${i & 255}`);
    const before = addresses.map((address) => pickWorker(address, ['w1', 'w2', 'w3']));
    const after = addresses.map((address) => pickWorker(address, ['w1', 'w3']));
    addresses.forEach((_, i) => {
      if (before[i] !== 'w2') expect(after[i]).toBe(before[i]);
    });
    expect(after.filter((worker) => worker === 'w2')).toEqual([]);
  });
});

describe('sticky sessions in a node:cluster', () => {
  let primary: ChildProcess;
  let port: number;

  beforeAll(async () => {
    primary = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/cluster/sticky-cluster.ts')], {
      cwd: root,
      env: { ...process.env, WORKERS: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    primary.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the cluster did not start within ${START_DEADLINE} ms: ${stderr}`)), START_DEADLINE);
      primary.stdout!.on('data', (chunk: Buffer) => {
        const match = /READY (\d+)/.exec(chunk.toString());
        if (!match) return;
        clearTimeout(timer);
        resolve(Number(match[1]));
      });
    });
  }, START_DEADLINE + 10_000);

  afterAll(() => {
    primary?.kill('SIGKILL');
  });

  it.each([2, 4] as const)('a %s.x long-polling client keeps its session on one worker', async (generation) => {
    const url = `http://127.0.0.1:${port}`;
    const options = { transports: ['polling'], forceNew: true, reconnection: false };
    const client = (generation === 4 ? ioV4(url, options) : ioV2(url, options)) as TestSocket;
    try {
      await new Promise<void>((resolve, reject) => {
        client.on('connect', () => resolve());
        client.on('connect_error', (error: unknown) => reject(error as Error));
      });
      const whoami = () => new Promise<number>((resolve) => client.emit('whoami', resolve));
      const pids = [];
      for (let i = 0; i < 5; i++) pids.push(await whoami());
      expect(new Set(pids).size).toBe(1);
      expect(pids[0]).not.toBe(primary.pid);
      expect(client.connected).toBe(true);
    } finally {
      client.close();
    }
  });
});
