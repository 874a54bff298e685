export { forEachClient } from './for-each-client';
export { clientV2, clientV4, withTimeout, type ClientKind, type TestClient, type Outcome } from './clients';
export { startServer, adopt, closeHttp, listen, freePort, portIsFree, onCleanup, sleep, waitUntil, nextEvent, FAST_HEARTBEAT, type Fixture } from './fixture';
export { createServer, createEngineIo3, isReference, targetName, itBeyondReference } from './target';
export type { ServerLike, NamespaceLike, SocketLike } from './api';
export { join, leave, clientsOf, emitWithAck } from './callbacks';
