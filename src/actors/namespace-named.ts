/**
 * `nsps[name]` if it is an own entry: a name a client picked can never
 * reach Object.prototype (`/__proto__`, `constructor`), whatever the object.
 */
export function namespaceNamed<T>(nsps: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(nsps, name) ? nsps[name] : undefined;
}
