import http from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { addVary } from '../../src/http/vary.js';

/** Vary is added to by several layers; none may erase or repeat another's names. */
function response(vary?: string | string[]): http.ServerResponse {
  const res = new http.ServerResponse(new http.IncomingMessage(null as never));
  if (vary !== undefined) res.setHeader('vary', vary);
  return res;
}

describe('addVary', () => {
  it.each([
    ['nothing yet, one name', undefined, ['Accept'], 'Accept'],
    ['nothing yet, a list', undefined, ['Accept, Origin'], 'Accept, Origin'],
    ['nothing yet, padded', undefined, [' Accept '], 'Accept'],
    ['one there, another added', 'Origin', ['Accept'], 'Origin, Accept'],
    ['the same name in another case', 'accept', ['Accept'], 'accept'],
    ['the same name again', 'Accept', ['Accept'], 'Accept'],
    ['a second plain name', 'Accept', ['Accept-Encoding'], 'Accept, Accept-Encoding'],
    ['a name already in a list', 'Origin, Accept', ['accept'], 'Origin, Accept'],
    ['a repeat within the names', undefined, ['Accept', 'accept', 'Origin'], 'Accept, Origin'],
    ['an array header', ['Origin', 'Accept'], ['Accept-Encoding'], 'Origin, Accept, Accept-Encoding'],
  ])('%s', (_name, existing, names, expected) => {
    const res = response(existing);
    addVary(res, ...names);
    expect(res.getHeader('vary')).toBe(expected);
  });

  it('should merge the same way the second time and past its memo of merges', () => {
    for (let i = 0; i < 100; i += 1) {
      for (let round = 0; round < 2; round += 1) {
        const res = response(`Origin, X-${i}`);
        addVary(res, `Accept, x-${i}`, 'Accept-Encoding');
        expect(res.getHeader('vary')).toBe(`Origin, X-${i}, Accept, Accept-Encoding`);
      }
    }
  });

  it('should set nothing for an empty name', () => {
    const res = response();
    addVary(res, '');
    expect(res.getHeader('vary')).toBeUndefined();
  });
});
