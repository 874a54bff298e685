// Starts a bench child process (a server or a load generator), waits until it
// says it is ready, and stops it gracefully so that `--cpu-prof` profiles get
// written on exit.
import { fork } from 'node:child_process';
import { createRpcClient } from './ipc.mjs';

const OUTPUT_TAIL_CHARS = 4000;

export class ChildUnavailableError extends Error {}

/**
 * Forks `script` and resolves with { ready, rpc, stop, outputTail } once it
 * sends { type: 'ready' }. A child that sends { type: 'unavailable', reason }
 * rejects with ChildUnavailableError; one that exits first rejects with its output.
 */
export function startChild({ script, execArgv = [], env = {}, rpcTimeoutMs, readyTimeoutMs, echoOutput = false }) {
  const child = fork(script, [], {
    execArgv,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let tail = '';
  const keep = (chunk) => {
    tail = (tail + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
    if (echoOutput) process.stderr.write(chunk);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const rpc = createRpcClient(child, rpcTimeoutMs);

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.send({ id: 0, type: 'exit' }, () => {});
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} was not ready within ${readyTimeoutMs} ms\n${tail}`));
    }, readyTimeoutMs);
    const onExit = (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${signal ?? code}) before it was ready\n${tail}`));
    };
    child.once('exit', onExit);
    child.on('message', function onMessage(message) {
      if (message?.type === 'ready') {
        clearTimeout(timer);
        child.off('exit', onExit);
        child.off('message', onMessage);
        resolve({ ready: message, rpc, stop, outputTail: () => tail });
      } else if (message?.type === 'unavailable') {
        clearTimeout(timer);
        child.off('exit', onExit);
        child.off('message', onMessage);
        stop().then(() => reject(new ChildUnavailableError(message.reason)));
      }
    });
  });
}
