// engine.io-client 3.x ships no type declarations; tests wrap it in the small typed surface they use.
declare module 'engine.io-client-v3';
