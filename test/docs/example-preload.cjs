// Loaded (NODE_OPTIONS=--require) into every docs example and the workers it forks.
const net = require('node:net');

// Examples listen on 3000, 3001 …: any fixed port becomes a free one, so they
// run beside the suite and beside each other.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnFreePort(...args) {
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) args[0] = 0;
  else if (args[0] && typeof args[0] === 'object' && args[0].port !== undefined) args[0] = Object.assign({}, args[0], { port: 0 });
  return listen.apply(this, args);
};

// Appended to each example: its top level has run. It then has a moment for
// what it started asynchronously to fail, and the process ends.
globalThis.__exampleRan = () => {
  console.log('EXAMPLE-RAN');
  setTimeout(() => process.exit(0), Number(process.env.EXAMPLE_SETTLE_MS || 1000)).unref();
};
