// The 2.x generation ships no type declarations; the harness wraps both
// packages behind typed interfaces, so `any` stops at this boundary.
declare module 'socket.io-client-v2';
declare module 'socket.io-v2';
