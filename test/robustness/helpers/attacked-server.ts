/**
 * The usual stage of a hostile-input file: one iostate server for the whole
 * file, with bystanders connected from the start, both torn down at the end.
 */
import { afterAll, beforeAll } from 'vitest';
import type { ServerOptions } from '../../../src/actors/server';
import { Bystanders } from './bystanders';
import { startIostate, type Running } from './server';

export interface AttackedServer {
  readonly running: Running;
  readonly bystanders: Bystanders;
}

export function attackedServer(options: ServerOptions): AttackedServer {
  let running: Running | undefined;
  let bystanders: Bystanders | undefined;
  beforeAll(async () => {
    running = await startIostate(options);
    bystanders = await Bystanders.join(running);
  });
  afterAll(async () => {
    bystanders?.leave();
    await running?.stop();
  });
  return {
    get running() {
      if (!running) throw new Error('the server is not started yet (use it inside a test)');
      return running;
    },
    get bystanders() {
      if (!bystanders) throw new Error('the bystanders have not joined yet (use them inside a test)');
      return bystanders;
    },
  };
}
