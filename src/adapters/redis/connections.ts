/**
 * The Redis connections of one `redisAdapter(...)`: one for commands and
 * publishing, one in subscriber mode, and one more per node for the blocking
 * read of the log stream. Clients we create are ours to close; clients the
 * user passed stay theirs.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { endpointOf } from './endpoint';
import type { RedisAdapterOptions } from './options';

export interface Connections {
  pub: Redis;
  sub: Redis;
  /** True when iostate created the clients (and so closes them). */
  owned: boolean;
}

/** The longest wait between two reconnection attempts of the clients iostate creates (ms). */
export const MAX_RECONNECT_DELAY = 2000;

/** Reconnect quickly at first, then every 2 s at most, forever: a node must come back by itself. */
const retryStrategy = (times: number): number => Math.min(times * 100, MAX_RECONNECT_DELAY);

export function openConnections(options: RedisAdapterOptions): Connections {
  if (options.pubClient && options.subClient) return { pub: options.pubClient, sub: options.subClient, owned: false };
  // A broadcast made while Redis is away is dropped, not queued and delivered late:
  // pub/sub is fire-and-forget anyway, and the log stream has its own buffer.
  const common: RedisOptions = { retryStrategy, enableOfflineQueue: false, maxRetriesPerRequest: 1 };
  const pub = options.url ? new Redis(options.url, common) : new Redis({ host: options.host, port: options.port, ...common });
  // The subscriber queues its (p)subscribe commands until connected, and re-subscribes after a reconnect.
  const sub = pub.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  return { pub, sub, owned: true };
}

/** A connection for blocking stream reads: commands wait for a reconnection instead of failing. */
export function openReader(pub: Redis): Redis {
  return pub.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
}

/** A connection for appending to the log stream: commands wait for a reconnection instead of failing. */
export function openWriter(pub: Redis): Redis {
  return pub.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
}

/**
 * Where the servers using one `redisAdapter(...)` result get their
 * connections: each server its own (Redis counts subscribers per connection,
 * and requests wait for one answer per subscriber), or the user's clients.
 */
export class ConnectionSource {
  private endpoint: string | undefined | null = null;

  constructor(private readonly options: RedisAdapterOptions) {}

  /** Whether `other` connects the same way: the same clients, or the same url or host and port (so its connections can serve). */
  sameTarget(other: ConnectionSource): boolean {
    const [a, b] = [this.options, other.options];
    return a.pubClient === b.pubClient && a.subClient === b.subClient && a.url === b.url && a.host === b.host && a.port === b.port;
  }

  /** Whether `other` reaches the same Redis server and database, by whatever url, address or client (endpoint.ts). */
  sameServer(other: ConnectionSource): boolean {
    if (this.sameTarget(other)) return true;
    const mine = this.resolvedEndpoint();
    return mine !== undefined && mine === other.resolvedEndpoint();
  }

  private resolvedEndpoint(): string | undefined {
    if (this.endpoint === null) this.endpoint = endpointOf(this.options);
    return this.endpoint;
  }

  open(): Connections {
    return openConnections(this.options);
  }

  async close(connections: Connections): Promise<void> {
    if (!connections.owned) return;
    await Promise.allSettled([quit(connections.pub), quit(connections.sub)]);
  }
}

/** Resolves once `client` can take commands (at once when it already can). */
export function whenReady(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

/** QUIT when connected (pending replies arrive first), a plain disconnect otherwise. */
export async function quit(client: Redis): Promise<void> {
  if (client.status === 'ready') await client.quit();
  else client.disconnect();
}
