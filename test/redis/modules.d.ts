// socket.io-redis 5 (the 2.x clusters' adapter) ships no type declarations; the tests type what they use.
declare module 'socket.io-redis';
