/**
 * Node processes for the multi-process tests: a script run with tsx that
 * prints "READY <port>" once it listens, and `ask`, which sends one /control
 * command and waits for its ack.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { TestSocket } from '../redis/cluster-harness';

export const root = join(import.meta.dirname, '../..');

export interface SpawnedNode {
  name: string;
  child: ChildProcess;
  port: number;
  startedAt: number;
}

/**
 * A process loading the sources through tsx needs about a second of CPU to
 * start; with two test files starting three each on a loaded 2-core machine
 * that took over 15 s of wall time. The deadline only catches a node that
 * never starts.
 */
export const START_DEADLINE = 60_000;

/** Runs `script` (relative to the repository) with NODE_NAME=name and `env`; resolves once it is READY. */
export function spawnNode(script: string, name: string, env: Record<string, string>): Promise<SpawnedNode> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, script)], {
    cwd: root,
    env: { ...process.env, ...env, NODE_NAME: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${START_DEADLINE} ms: ${stderr}`)), START_DEADLINE);
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /READY (\d+)/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      resolve({ name, child, port: Number(match[1]), startedAt: Date.now() });
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}: ${stderr}`)));
  });
}

/** Sends a /control command; rejects with the node's `{ error }` answer or after 5 s. */
export function ask<T>(control: TestSocket, event: string, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${event}`)), 5000);
    control.emit(event, ...args, (answer: T) => {
      clearTimeout(timer);
      if (answer && typeof answer === 'object' && 'error' in answer) reject(new Error(String((answer as { error: unknown }).error)));
      else resolve(answer);
    });
  });
}
