/**
 * The engine.io servers an app may hand to `io.bind(engine)`: engine.io 3,
 * as socket.io 2.5 brings it, and engine.io 6, as socket.io 4.8 does.
 */
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);
export const engineIo3 = createRequire(requireHere.resolve('socket.io-v2'))('engine.io');
export const engineIo6 = requireHere('engine.io');
