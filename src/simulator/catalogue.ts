import { appFacts } from './app-facts.js';
import { prng } from './prng.js';
import type { SimProduct, SimStore } from './rest-records.js';

/**
 * The public side of the simulated Console: six stores and their products, the same in every run.
 * Shaped like the real Console's data rather than like what the gateway reads: product ids are
 * WooCommerce post ids, interleaved across stores with gaps; every catalogue spans several pages;
 * some products were delisted (users still own them, no public catalogue shows them); FLECS apps
 * carry FLECS's own attribute and meta keys, some missing or odd.
 */
export const DEFAULT_STORE_ID = 1;
/** A product id that no store sells and no user owns: one line item of every user points at it. */
export const UNKNOWN_PRODUCT_ID = 999_999;

export const STORES: readonly SimStore[] = [
  store(1, 'FLECS Marketplace', 'FLECS', 'https://flecs.tech', ['Am Weichselgarten 7', '', 'Erlangen', '91058', 'DE', 'BY']),
  store(2, 'Edge Apps', 'Edge Apps GmbH', 'https://edge-apps.example', ['Hafenstraße 12', 'Halle 3', 'Hamburg', '20457', 'DE', 'HH']),
  store(3, 'Industrial IoT Store', 'IIoT Solutions AG', 'https://iiot.example', ['Bahnhofstrasse 1', '', 'Zürich', '8001', 'CH', 'ZH']),
  store(4, 'Vision Systems', 'Vision Systems Ltd', 'https://vision.example', ['1 Innovation Way', 'Suite 200', 'Cambridge', 'CB4 0WS', 'GB', 'Cambridgeshire']),
  store(7, 'Automation Hub', 'Automation Hub s.r.o.', 'https://automation-hub.example', ['Vinohradská 12', '', 'Praha', '120 00', 'CZ', '']),
  store(12, 'Open Edge Collective', 'Open Edge e.V.', 'https://open-edge.example', ['Lindenstraße 3', '', 'Berlin', '10969', 'DE', 'BE']),
];

/** Products each store lists publicly: every catalogue spans at least 3 pages of 10. */
const STORE_SIZES: Readonly<Record<number, number>> = { 1: 34, 2: 26, 3: 31, 4: 23, 7: 29, 12: 38 };
/** Delisted products per store: owned by users, absent from every public catalogue. */
const DELISTED_PER_STORE = 2;

const BASE_NAMES = [
  'MQTT Broker',
  'Node-RED',
  'OPC UA Gateway',
  'Grafana Dashboard',
  'InfluxDB',
  'Modbus Bridge',
  'Vision Inspector',
  'Edge Analytics',
  'PLC Connector',
  'Log Collector',
  'Time Series Vault',
  'Device Monitor',
  'Codesys Runtime',
  'Portainer',
  'Asset Tracker',
];
const CATEGORIES = [
  { id: 11, name: 'Connectivity', slug: 'connectivity' },
  { id: 12, name: 'Visualisation', slug: 'visualisation' },
  { id: 13, name: 'Data Storage', slug: 'data-storage' },
  { id: 14, name: 'Machine Vision', slug: 'machine-vision' },
];
const APP_CATEGORY = { id: 20, name: 'Apps', slug: 'apps' };

function store(id: number, name: string, shopName: string, url: string, a: string[]): SimStore {
  const [street_1, street_2, city, zip, country, state] = a as [string, string, string, string, string, string];
  return { id, name, shop_name: shopName, url, address: { street_1, street_2, city, zip, country, state } };
}

function slugOf(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function makeProduct(id: number, owner: SimStore, serial: number, delisted: boolean): SimProduct {
  const base = BASE_NAMES[serial % BASE_NAMES.length];
  const name = `${base} #${id}`;
  const category = CATEGORIES[id % CATEGORIES.length];
  const app = serial % 3 !== 1; // two in three products are FLECS apps
  const product: SimProduct = {
    id,
    name,
    status: delisted ? 'private' : 'publish',
    description: `<p>${name} for FLECS, sold by ${owner.shop_name}.</p>`,
    short_description: `<p>${name}</p>`,
    // Unrated WooCommerce products carry an empty rating string.
    average_rating: id % 11 === 0 ? '' : (((id * 37) % 500) / 100).toFixed(2),
    rating_count: id % 11 === 0 ? 0 : (id * 13) % 200,
    categories: app ? [category, APP_CATEGORY] : [category],
    attributes: [{ id: 1, name: 'Architecture', options: id % 2 === 0 ? ['amd64', 'arm64'] : ['amd64'] }],
    meta_data: [{ id: id * 10 + 1, name: '_wc_review_count', value: String((id * 13) % 200) }],
    stock_status: id % 13 === 0 ? 'outofstock' : 'instock',
    store: owner,
    permalink: `${owner.url}/product/${slugOf(name)}/`,
    // Free products have an empty price, as WooCommerce sends it.
    price: id % 17 === 0 ? '' : (((id * 173) % 10_000) / 100).toFixed(2),
    purchasable: id % 5 !== 0,
  };
  if (app) appFacts(product, `${reverseDomainOf(owner)}.${slugOf(base)}-${id}`, serial);
  return product;
}

function reverseDomainOf(owner: SimStore): string {
  return new URL(owner.url).hostname.split('.').reverse().join('.');
}

/**
 * Ids are handed out in one sequence over all stores, as WordPress post ids are: each store's
 * products are scattered over the range, with gaps where other posts took ids.
 */
function buildAll(): { listed: SimProduct[]; delisted: SimProduct[] } {
  const random = prng(20261127);
  const left = new Map(STORES.map((s) => [s.id, STORE_SIZES[s.id] + DELISTED_PER_STORE]));
  const made = new Map<number, number>();
  const listed: SimProduct[] = [];
  const delisted: SimProduct[] = [];
  let id = 1200;
  let serial = 0;
  while ([...left.values()].some((n) => n > 0)) {
    const open = STORES.filter((s) => left.get(s.id)! > 0);
    const owner = open[Math.floor(random() * open.length)];
    id += 1 + Math.floor(random() * 4);
    const nth = made.get(owner.id) ?? 0;
    made.set(owner.id, nth + 1);
    left.set(owner.id, left.get(owner.id)! - 1);
    // The 5th and 17th product of each store were delisted later.
    const isDelisted = nth === 4 || nth === 16;
    const product = makeProduct(id, owner, serial, isDelisted);
    serial += 1;
    (isDelisted ? delisted : listed).push(product);
  }
  return { listed, delisted };
}

const ALL = buildAll();

/** Every publicly listed product, ordered by id. */
export const PRODUCTS: readonly SimProduct[] = ALL.listed;
/** Products no public catalogue lists any more, though users still own them. */
export const DELISTED_PRODUCTS: readonly SimProduct[] = ALL.delisted;
/** Every product the Console knows, listed or not. */
export const PRODUCTS_BY_ID: ReadonlyMap<number, SimProduct> = new Map([...ALL.listed, ...ALL.delisted].map((p) => [p.id, p]));

export function isApp(product: SimProduct): boolean {
  return product.categories.some((c) => c.id === APP_CATEGORY.id);
}

export function storeOfProduct(productId: number): SimStore | undefined {
  return PRODUCTS_BY_ID.get(productId)?.store;
}

export function publicCatalogue(storeId: number): SimProduct[] {
  return PRODUCTS.filter((p) => p.store.id === storeId);
}
