/**
 * `connectionStateRecovery` (socket.io 4.6's option, with iostate's bounds):
 * how long an absent socket's state is kept, whether a recovered socket runs
 * the namespace middlewares again, and how many packets (and bytes) a
 * namespace keeps for absent sockets at most.
 */
import { z } from 'zod';
import { MAX_DELAY, objectSchema, optionRule, type OptionRule } from '../../transport/option-rules';

export interface ConnectionStateRecoveryOptions {
  /** How long a socket may be away and still recover (ms). Default 2 minutes, as socket.io 4. */
  maxDisconnectionDuration?: number;
  /** A recovered socket skips the namespace middlewares. Default true, as socket.io 4. */
  skipMiddlewares?: boolean;
  /** The most packets a namespace keeps for recovery. Default 10 000. */
  maxPackets?: number;
  /** The most bytes (estimated from the packets' data) a namespace keeps for recovery. Default 16 MiB. */
  maxBytes?: number;
}

export type ResolvedRecoveryOptions = Required<ConnectionStateRecoveryOptions>;

export const RECOVERY_DEFAULTS: ResolvedRecoveryOptions = Object.freeze({
  maxDisconnectionDuration: 2 * 60 * 1000,
  skipMiddlewares: true,
  maxPackets: 10_000,
  maxBytes: 16 * 1024 * 1024,
});

const count = z.number().int().min(1);

const FIELDS = ['maxDisconnectionDuration', 'skipMiddlewares', 'maxPackets', 'maxBytes'];

/** An object of known fields (a typo such as `skipMiddleware` would silently keep the default); each field has its own rule. */
export const recoveryOptionRule: OptionRule = optionRule(
  `an object with no other fields than ${FIELDS.join(', ')}`,
  objectSchema.refine((value) => Object.keys(value).every((key) => FIELDS.includes(key))),
  {
    maxDisconnectionDuration: optionRule(`a number of milliseconds from 0 to ${MAX_DELAY}`, z.number().min(0).max(MAX_DELAY)),
    skipMiddlewares: optionRule('true or false', z.boolean()),
    maxPackets: optionRule('a whole number of packets, 1 or more', count),
    maxBytes: optionRule('a whole number of bytes, 1 or more (or Infinity)', count.or(z.literal(Infinity))),
  },
);

export function resolveRecoveryOptions(options: ConnectionStateRecoveryOptions): ResolvedRecoveryOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  return { ...RECOVERY_DEFAULTS, ...defined };
}
