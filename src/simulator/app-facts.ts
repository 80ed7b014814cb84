import type { SimProduct } from './rest-records.js';

/**
 * FLECS app facts, stored the way FLECS's products store them: in `attributes` (reverse-domain
 * name, versions, architectures, blacklist) and `meta_data` (icon, author, port version,
 * documentation, custom links). Real data is uneven, so `serial` picks the quirks: attribute names
 * in other cases, meta entries keyed `key` (WooCommerce) instead of `name` (the published doc),
 * versions in no particular order, http icons, custom links as an array or as an object, and
 * missing or malformed values.
 */
export function appFacts(product: SimProduct, reverseDomainName: string, serial: number): void {
  const id = product.id;
  const versions = [`1.${id % 9}.${id % 4}`, `1.${(id % 9) + 1}.0`, `1.${(id % 9) + 2}.1`, `0.${id % 5}.9`];
  if (serial % 7 === 0) versions.push(`1.${(id % 9) + 10}.0`); // "1.10.0" sorts after "1.9.x" as a version, not as a string
  if (serial % 11 === 0) versions.push('latest'); // not a version number
  if (serial % 8 === 3) versions.push(`v2.${id % 7}.0`); // a "v" prefix, as git tags have it
  if (serial % 8 === 7) versions.push(`1.${(id % 9) + 2}.1-beta.2`, `1.${(id % 9) + 3}.0-rc.1`); // pre-releases: below their release, above older ones
  if (serial % 10 === 6) versions.push(`1.${id % 9}.${id % 4}`); // typed twice
  // Stored unsorted, as vendors type them.
  const shuffled = versions
    .map((v, i) => ({ v, k: (i * 7 + id) % versions.length }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.v);
  const archs = id % 2 === 0 ? ['amd64', 'arm64', 'armhf'] : ['amd64'];
  const upper = serial % 5 === 0;
  product.attributes.push({ id: 3, name: upper ? 'Reverse-Domain-Name' : 'reverse-domain-name', options: [reverseDomainName] });
  if (serial % 13 !== 6) product.attributes.push({ id: 4, name: upper ? 'Versions' : 'versions', options: shuffled });
  product.attributes.push({ id: 5, name: upper ? 'ARCHS' : 'archs', options: archs });
  if (serial % 4 === 0) product.attributes.push({ id: 6, name: 'blacklist', options: ['armhf'] });

  const useKey = serial % 2 === 0; // WooCommerce-backed entries say `key`
  const meta = (n: number, name: string, value: unknown) =>
    product.meta_data.push(useKey ? { id: id * 10 + n, key: name, value } : { id: id * 10 + n, name, value });
  const iconScheme = serial % 3 === 0 ? 'http' : 'https';
  meta(2, 'app-icon', `${iconScheme}://flecs.tech/wp-content/uploads/icons/${reverseDomainName}.png`);
  if (serial % 12 === 8)
    meta(3, 'port-author-name', '   '); // blank: no author
  else if (serial % 6 !== 3) meta(3, 'port-author-name', `${product.store.shop_name}`);
  meta(4, 'port-version', serial % 17 === 5 ? 42 : `${(id % 3) + 1}.0`); // once a number where a string is expected
  if (serial % 10 === 7)
    meta(5, '_documentation_url', `ftp://docs.example/${reverseDomainName}`); // not a web URL
  else if (serial % 4 !== 1) meta(5, '_documentation_url', `https://docs.example/${reverseDomainName}`);
  if (serial % 8 === 1)
    meta(6, 'app-custom-link', `https://chat.example/${reverseDomainName}`); // one link, as a plain string
  else if (serial % 3 === 0) meta(6, 'app-custom-link', [`https://forum.example/${reverseDomainName}`, `https://github.example/${reverseDomainName}`]);
  else if (serial % 3 === 2) meta(6, 'app-custom-link', { support: `https://support.example/${reverseDomainName}` });
}
