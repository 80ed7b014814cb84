import { describe, expect, it } from '@jest/globals';
import { sortVersions, toAppDetails } from '../../src/catalog/app-details.mapper.js';

const rdn = (name = 'tech.flecs.mqtt-bridge') => ({ id: 3, name: 'reverse-domain-name', options: [name] });

describe('toAppDetails', () => {
  it('should read every fact from attributes and meta data, whatever the case of their names and whether meta says key or name', () => {
    const details = toAppDetails(
      [
        { id: 3, name: 'Reverse-Domain-Name', options: [' tech.flecs.mqtt-bridge '] },
        { id: 4, name: 'VERSIONS', options: ['1.9.2', '1.10.0', '0.9.9', '1.2.0'] },
        { id: 5, name: 'Archs', options: ['amd64', 'arm64'] },
        { id: 6, name: 'blacklist', options: ['armhf'] },
      ],
      [
        { id: 1, key: 'app-icon', value: 'http://flecs.tech/icon.png' },
        { id: 2, name: 'Port-Author-Name', value: 'FLECS' },
        { id: 3, key: 'port-version', value: '2.0' },
        { id: 4, name: '_documentation_url', value: 'https://docs.flecs.tech/mqtt' },
        { id: 5, key: 'app-custom-link', value: { forum: 'https://forum.example/a', repo: 'https://github.example/b' } },
      ],
    );
    expect(details).toEqual({
      reverseDomainName: 'tech.flecs.mqtt-bridge',
      versions: ['1.10.0', '1.9.2', '1.2.0', '0.9.9'],
      latestVersion: '1.10.0',
      architectures: ['amd64', 'arm64'],
      blacklist: ['armhf'],
      iconUrl: 'https://flecs.tech/icon.png',
      author: 'FLECS',
      portVersion: '2.0',
      documentationUrl: 'https://docs.flecs.tech/mqtt',
      customLinks: ['https://forum.example/a', 'https://github.example/b'],
    });
  });

  it.each([
    ['no attributes at all', undefined],
    ['attributes that are not a list', { name: 'reverse-domain-name' }],
    ['no reverse-domain-name attribute', [{ id: 1, name: 'Architecture', options: ['amd64'] }]],
    ['an empty reverse-domain name', [{ id: 3, name: 'reverse-domain-name', options: ['  '] }]],
    ['a reverse-domain name that is not a string', [{ id: 3, name: 'reverse-domain-name', options: [42] }]],
  ])('should say a product with %s is not an app (null)', (_name, attributes) => {
    expect(toAppDetails(attributes, [])).toBeNull();
  });

  it('should give null or [] for missing or malformed values, never an error', () => {
    const details = toAppDetails(
      [rdn(), { id: 4, name: 'versions', options: 'not a list' }, { id: 5, name: 'archs' }, null, 'junk'],
      [
        { id: 1, key: 'app-icon', value: 'javascript:alert(1)' },
        { id: 2, key: 'port-author-name', value: 42 },
        { id: 3, key: 'port-version', value: { major: 2 } },
        { id: 4, key: '_documentation_url', value: 'not a url' },
        { id: 5, key: 'app-custom-link', value: [17, null, 'ftp://x.example/y', 'https://ok.example/'] },
        { id: 6, value: 'an entry without a key' },
        null,
      ],
    );
    expect(details).toEqual({
      reverseDomainName: 'tech.flecs.mqtt-bridge',
      versions: [],
      latestVersion: null,
      architectures: [],
      blacklist: [],
      iconUrl: null,
      author: null,
      portVersion: null,
      documentationUrl: null,
      customLinks: ['https://ok.example/'],
    });
  });

  it('should take custom links as an array, an object or a single string', () => {
    const links = (value: unknown) => toAppDetails([rdn()], [{ key: 'app-custom-link', value }])?.customLinks;
    expect(links(['https://a.example/'])).toEqual(['https://a.example/']);
    expect(links({ 0: 'https://a.example/', 1: 'https://b.example/' })).toEqual(['https://a.example/', 'https://b.example/']);
    expect(links('https://a.example/')).toEqual(['https://a.example/']);
    expect(links(undefined)).toEqual([]);
  });
});

describe('sortVersions', () => {
  it.each([
    [
      ['1.9.2', '1.10.0'],
      ['1.10.0', '1.9.2'],
    ],
    [
      ['2', '10', '9.1'],
      ['10', '9.1', '2'],
    ],
    [
      ['1.0.0-rc1', '1.0.0', '0.9'],
      ['1.0.0', '1.0.0-rc1', '0.9'],
    ],
    [
      ['v1.2.0', '1.11.0', 'latest', '', 'one'],
      ['1.11.0', 'v1.2.0'],
    ],
    [
      ['1.0', '1.0.0', '1.0'],
      ['1.0', '1.0.0'],
    ],
  ])('should order %p as %p (newest first, version numbers only)', (input, expected) => {
    expect(sortVersions(input)).toEqual(expected);
  });
});
