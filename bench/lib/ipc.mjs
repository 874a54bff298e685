// Request/response over a child process IPC channel. Each request carries an
// id and the reply echoes it, so the orchestrator can await a command sent to a
// server or a load generator as it would await a function call.

/** Parent side: returns `rpc(type, payload, timeoutMs)` for a forked child. */
export function createRpcClient(child, defaultTimeoutMs) {
  let nextId = 1;
  const pending = new Map();

  child.on('message', (message) => {
    if (!message || message.replyTo === undefined) return;
    const request = pending.get(message.replyTo);
    if (!request) return;
    pending.delete(message.replyTo);
    clearTimeout(request.timer);
    if (message.error !== undefined) request.reject(new Error(message.error));
    else request.resolve(message.result);
  });
  child.on('exit', (code, signal) => {
    for (const request of pending.values()) {
      clearTimeout(request.timer);
      request.reject(new Error(`child exited (${signal ?? code}) during '${request.type}'`));
    }
    pending.clear();
  });

  return function rpc(type, payload = {}, timeoutMs = defaultTimeoutMs) {
    return new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`'${type}' got no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, { type, resolve, reject, timer });
      try {
        child.send({ id, type, payload });
      } catch (error) {
        pending.delete(id);
        clearTimeout(timer);
        reject(error);
      }
    });
  };
}

/** Child side: answers requests with `handlers[type](payload)`; a throw becomes an error reply. */
export function serveRpc(handlers) {
  // An orphaned bench process would hold its port and CPU: leave with the parent.
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (message) => {
    if (!message || typeof message.type !== 'string' || message.id === undefined) return;
    const handler = handlers[message.type];
    try {
      if (!handler) throw new Error(`unknown command '${message.type}'`);
      const result = await handler(message.payload ?? {});
      process.send({ replyTo: message.id, result });
    } catch (error) {
      process.send({ replyTo: message.id, error: String(error?.stack ?? error) });
    }
  });
}
