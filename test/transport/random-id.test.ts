import { describe, expect, it } from 'vitest';
import { randomId } from '../../src/transport/random-id';

describe('randomId', () => {
  it('gives 120-bit base64url ids, all different, across refills of its random block', () => {
    const ids = Array.from({ length: 2000 }, () => randomId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
