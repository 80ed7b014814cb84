import { describe, expect, it } from '@jest/globals';
import { chooseEncoding } from '../../src/http/compression.js';

/** Accept-Encoding as RFC 9110 reads it: q-values weigh, q=0 refuses, `*` stands for what is not named. */
describe('chooseEncoding', () => {
  it.each([
    ['no header', undefined, undefined],
    ['an empty header (identity only)', '', undefined],
    ['gzip', 'gzip', 'gzip'],
    ['br', 'br', 'br'],
    ["a browser's list", 'gzip, deflate, br, zstd', 'br'],
    ['both at equal weight: brotli', 'gzip, br', 'br'],
    ['gzip weighed above br', 'br;q=0.1, gzip;q=0.9', 'gzip'],
    ['gzip refused, anything else welcome', 'gzip;q=0, *', 'br'],
    ['br refused, anything else welcome', 'br;q=0, *', 'gzip'],
    ['both refused', 'br;q=0, gzip;q=0, *', undefined],
    ['everything refused', '*;q=0', undefined],
    ['only encodings the gateway does not make', 'deflate, zstd', undefined],
    ['identity only', 'identity', undefined],
    ['upper case and spaces', ' GZIP ; q=0.5 ', 'gzip'],
  ])('%s', (_name, header, expected) => {
    expect(chooseEncoding(header)).toBe(expected);
  });
});

describe('the memo of negotiated headers', () => {
  it('should answer a flood of distinct and oversized headers the same as fresh ones', () => {
    for (let i = 0; i < 5000; i += 1) expect(chooseEncoding(`gzip;q=0.${(i % 9) + 1}, x-${i}`)).toBe('gzip');
    const huge = `br;q=0, ${'x'.repeat(10_000)}, gzip`;
    expect(chooseEncoding(huge)).toBe('gzip');
    expect(chooseEncoding(huge)).toBe('gzip');
    expect(chooseEncoding('br;q=0.1, gzip;q=0.9')).toBe('gzip');
  });
});
