/**
 * The event maps of socket.io 4's typed API, in iostate's words: an app
 * describes what clients send (`ListenEvents`), what the server sends
 * (`EmitEvents`), what nodes send each other (`ServerSideEvents`) and what
 * `socket.data` holds, and every `on`/`emit` is checked against them.
 * Without maps every name and payload is allowed, as in plain JavaScript.
 */

/** Event name → listener signature. */
export interface EventsMap {
  [event: string]: any;
}

/** The map an untyped server uses: any name, any arguments. */
export interface DefaultEventsMap {
  [event: string]: (...args: any[]) => void;
}

export type EventNames<Map extends EventsMap> = keyof Map & (string | symbol);

export type EventParams<Map extends EventsMap, Ev extends EventNames<Map>> = Parameters<Map[Ev]>;

/** The listener of `Ev` in `Map`, or of any name when the map has an index signature. */
export type EventListener<Map extends EventsMap, Ev extends EventNames<Map>> = Map[Ev] extends (...args: any[]) => any ? Map[Ev] : never;

/** Names whose last parameter is an ack callback. */
export type EventNamesWithAck<Map extends EventsMap, K extends EventNames<Map> = EventNames<Map>> = IfAny<
  Last<Parameters<Map[K]>> | Map[K],
  K,
  K extends (Last<Parameters<Map[K]>> extends (...args: any[]) => any ? K : never) ? K : never
>;

type IfAny<T, Y, N> = 0 extends 1 & T ? Y : N;

export type Last<T extends any[]> = T extends [...infer _H, infer L] ? L : any;
export type AllButLast<T extends any[]> = T extends [...infer H, infer _L] ? H : any[];

/** The first argument of an ack callback, which is what `emitWithAck` resolves with. */
export type FirstArg<T> = T extends (arg: infer A, ...rest: any[]) => any ? A : any;

/** What `timeout()` does to the acks of a map: each callback gets an error first. */
export type DecorateAcknowledgements<Map extends EventsMap> = {
  [K in keyof Map]: Map[K] extends (...args: infer Params) => infer Result ? (...args: PrependTimeoutError<Params>) => Result : Map[K];
};

type PrependTimeoutError<T extends any[]> = {
  [K in keyof T]: T[K] extends (...args: infer Params) => infer Result ? (err: Error, ...args: Params) => Result : T[K];
};

/** What broadcasting does to the acks of a map: each callback gets an error and the array of every client's answer. */
export type DecorateAcknowledgementsWithMultipleResponses<Map extends EventsMap> = {
  [K in keyof Map]: Map[K] extends (...args: infer Params) => infer Result ? (...args: ExpectMultipleResponses<PrependTimeoutError<Params>>) => Result : Map[K];
};

type ExpectMultipleResponses<T extends any[]> = {
  [K in keyof T]: T[K] extends (err: Error, arg: infer Arg) => infer Result ? (err: Error, responses: Arg[]) => Result : T[K];
};

/** The first argument of an ack that is not the timeout error. */
export type FirstNonErrorArg<T> = T extends (...args: infer Params) => any ? FirstNonError<Params> : any;
type FirstNonError<T extends any[]> = T extends [infer First, ...infer Rest] ? ([First] extends [Error] ? FirstNonError<Rest> : First) : any;

/** `emitWithAck`'s Promise: the answer a client passes to the ack (the array of answers when broadcasting). */
export type AckResult<Map extends EventsMap, Ev extends EventNames<Map>> = FirstNonErrorArg<Last<EventParams<Map, Ev>>>;

/** A listener of either a reserved event (the library's) or one of the app's. */
export type ReservedOrUserEventNames<Reserved extends EventsMap, User extends EventsMap> = EventNames<Reserved> | EventNames<User>;

export type ReservedOrUserListener<
  Reserved extends EventsMap,
  User extends EventsMap,
  Ev extends ReservedOrUserEventNames<Reserved, User>,
> = FallbackToUntypedListener<Ev extends EventNames<Reserved> ? Reserved[Ev] : Ev extends EventNames<User> ? User[Ev] : never>;

/** When the map says nothing about a name (never), any listener is accepted, as socket.io 4 does. */
type FallbackToUntypedListener<T> = [T] extends [never] ? (...args: any[]) => void | Promise<void> : T;
