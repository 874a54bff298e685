// The reference parsers of the older generation ship no type declarations;
// the tests only use them as untyped oracles.
declare module 'engine.io-parser-v2';
declare module 'socket.io-parser-v3';
