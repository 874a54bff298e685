/**
 * Node liveness. Every node renews `<key>-node#<name>` (expiring after
 * `heartbeatTimeout`) every `heartbeatInterval`, and is listed in the set
 * `<key>-nodes`. Every node also checks, at the same pace, the nodes it knows
 * of (that set, plus those whose events it read from the log): one whose key
 * expired is down. So a node that dies is declared down within
 * heartbeatTimeout + heartbeatInterval of its last renewal.
 *
 * Right after (re)connecting to Redis a node waits heartbeatTimeout plus the
 * longest reconnection delay before declaring anyone down: a Redis that
 * restarted empty has no keys until every node reconnected and renewed its own.
 *
 * A node that leaves on purpose does not delete its key but marks it left
 * (for heartbeatTimeout): it wrote why it left to the log stream just before,
 * and the other nodes' readers may not have taken that entry in yet. A left
 * node is neither live nor down; once its mark expired, it is down to those
 * who still know of it (a reader lagging by more than heartbeatTimeout).
 */
import type { Redis } from 'ioredis';
import { MAX_RECONNECT_DELAY } from './connections';

/** The value of a node's key once it left on purpose. */
const LEFT = JSON.stringify({ left: true });

export interface LivenessOptions {
  redis: Redis;
  key: string;
  node: string;
  interval: number;
  timeout: number;
  /** Namespaces this node serves, published with its heartbeat. */
  namespaces: () => string[];
  /** Other nodes this node has seen in the log and not yet seen leave. */
  known: () => Iterable<string>;
  onDown: (node: string) => void;
  onError: (error: Error) => void;
}

export class Liveness {
  private timer: NodeJS.Timeout | undefined;
  private connectedSince: number | undefined;
  /** Live iostate nodes (this one included) → the namespaces they serve, as of the last check. */
  private live = new Map<string, string[]>();
  private readonly setKey: string;

  constructor(private readonly options: LivenessOptions) {
    this.setKey = `${options.key}-nodes`;
    const redis = options.redis;
    redis.on('ready', this.onReady);
    redis.on('close', this.onClose);
    if (redis.status === 'ready') this.onReady();
  }

  /** Live iostate nodes serving `nsp`, this one included. */
  nodesServing(nsp: string): string[] {
    const nodes = [...this.live].filter(([, nsps]) => nsps.includes(nsp)).map(([node]) => node);
    if (!nodes.includes(this.options.node)) nodes.push(this.options.node);
    return nodes;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.interval);
    this.timer.unref();
    void this.beat();
  }

  /** Leaves the cluster cleanly: stops beating and marks its key left, unless a node replacing this one under the same name keeps it (`leaving` false). */
  async stop(leaving = true): Promise<void> {
    clearInterval(this.timer);
    const { redis, node, timeout } = this.options;
    redis.off('ready', this.onReady);
    redis.off('close', this.onClose);
    if (!leaving || redis.status !== 'ready') return;
    await Promise.allSettled([redis.set(this.nodeKey(node), LEFT, 'PX', timeout), redis.srem(this.setKey, node)]);
  }

  /** Renews the key now (when the served namespaces changed). */
  beat(): Promise<void> {
    const { redis, node, timeout } = this.options;
    if (redis.status !== 'ready') return Promise.resolve();
    const value = JSON.stringify({ nsps: this.options.namespaces() });
    return Promise.all([redis.set(this.nodeKey(node), value, 'PX', timeout), redis.sadd(this.setKey, node)]).then(
      () => undefined,
      (error: Error) => this.options.onError(new Error(`heartbeat failed: ${error.message}`)),
    );
  }

  private readonly onReady = (): void => {
    this.connectedSince = Date.now();
    void this.beat();
  };

  private readonly onClose = (): void => {
    this.connectedSince = undefined;
  };

  private async tick(): Promise<void> {
    await this.beat();
    await this.check();
  }

  private async check(): Promise<void> {
    const { redis, node } = this.options;
    if (redis.status !== 'ready') return;
    try {
      const members = await redis.smembers(this.setKey);
      const candidates = [...new Set([...members, ...this.options.known()])].filter((name) => name !== node);
      const values = candidates.length > 0 ? await redis.mget(candidates.map((name) => this.nodeKey(name))) : [];
      const live = new Map<string, string[]>([[node, this.options.namespaces()]]);
      const settled = this.connectedSince !== undefined && Date.now() - this.connectedSince >= this.options.timeout + MAX_RECONNECT_DELAY;
      candidates.forEach((name, i) => {
        const value = values[i];
        // Left on purpose (it took itself out of the set): neither live nor down.
        if (value === LEFT) return;
        if (value) live.set(name, parseNamespaces(value));
        else if (settled) {
          void redis.srem(this.setKey, name).catch(() => undefined);
          this.options.onDown(name);
        }
      });
      this.live = live;
    } catch (error) {
      this.options.onError(new Error(`liveness check failed: ${(error as Error).message}`));
    }
  }

  private nodeKey(name: string): string {
    return `${this.options.key}-node#${name}`;
  }
}

function parseNamespaces(value: string): string[] {
  try {
    const parsed = JSON.parse(value) as { nsps?: unknown };
    return Array.isArray(parsed.nsps) ? parsed.nsps.filter((nsp): nsp is string => typeof nsp === 'string') : [];
  } catch {
    return [];
  }
}
