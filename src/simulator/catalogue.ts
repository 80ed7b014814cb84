import type { SimProduct, SimStore } from './rest-records.js';

/** The public side of the simulated Console: stores and their products, the same in every run. */
export const PRODUCTS_PER_STORE = 24;
export const DEFAULT_STORE_ID = 1;
/** A product id that no store sells: one line item of every user points at it. */
export const UNKNOWN_PRODUCT_ID = 999_999;

export const STORES: readonly SimStore[] = [
  store(1, 'FLECS Marketplace', 'FLECS', 'https://flecs.tech', ['Am Weichselgarten 7', '', 'Erlangen', '91058', 'DE', 'BY']),
  store(2, 'Edge Apps', 'Edge Apps GmbH', 'https://edge-apps.example', ['Hafenstraße 12', 'Halle 3', 'Hamburg', '20457', 'DE', 'HH']),
  store(3, 'Industrial IoT Store', 'IIoT Solutions AG', 'https://iiot.example', ['Bahnhofstrasse 1', '', 'Zürich', '8001', 'CH', 'ZH']),
  store(4, 'Vision Systems', 'Vision Systems Ltd', 'https://vision.example', ['1 Innovation Way', 'Suite 200', 'Cambridge', 'CB4 0WS', 'GB', 'Cambridgeshire']),
];

const BASE_NAMES = [
  'MQTT Broker', 'Node-RED', 'OPC UA Gateway', 'Grafana Dashboard', 'InfluxDB', 'Modbus Bridge',
  'Vision Inspector', 'Edge Analytics', 'PLC Connector', 'Log Collector', 'Time Series Vault', 'Device Monitor',
];
const CATEGORIES = [
  { id: 11, name: 'Connectivity', slug: 'connectivity' },
  { id: 12, name: 'Visualisation', slug: 'visualisation' },
  { id: 13, name: 'Data Storage', slug: 'data-storage' },
  { id: 14, name: 'Machine Vision', slug: 'machine-vision' },
];
const APP_CATEGORY = { id: 20, name: 'Apps', slug: 'apps' };

export function isApp(productId: number): boolean {
  return productId % 3 === 0;
}

export function storeOfProduct(productId: number): SimStore | undefined {
  return STORES[Math.floor((productId - 101) / PRODUCTS_PER_STORE)];
}

function store(id: number, name: string, shopName: string, url: string, a: string[]): SimStore {
  const [street_1, street_2, city, zip, country, state] = a as [string, string, string, string, string, string];
  return { id, name, shop_name: shopName, url, address: { street_1, street_2, city, zip, country, state } };
}

function makeProduct(id: number, owner: SimStore): SimProduct {
  const name = `${BASE_NAMES[id % BASE_NAMES.length]} #${id}`;
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/-+$/, '');
  const category = CATEGORIES[id % CATEGORIES.length]!;
  return {
    id,
    name,
    status: 'publish',
    description: `<p>${name} for FLECS, sold by ${owner.shop_name}.</p>`,
    short_description: `<p>${name}</p>`,
    // Every eleventh product carries an empty rating, as unrated WooCommerce products do.
    average_rating: id % 11 === 0 ? '' : (((id * 37) % 500) / 100).toFixed(2),
    rating_count: (id * 13) % 200,
    categories: isApp(id) ? [category, APP_CATEGORY] : [category],
    attributes: [{ id: 1, name: 'Architecture', options: id % 2 === 0 ? ['amd64', 'arm64'] : ['amd64'] }],
    meta_data: [{ id: id * 10 + 1, name: 'flecs_app', value: { app: `tech.flecs.app-${id}`, version: `1.${id % 7}.0` } }],
    stock_status: id % 13 === 0 ? 'outofstock' : 'instock',
    store: owner,
    permalink: `${owner.url}/product/${slug}/`,
    price: (((id * 173) % 10_000) / 100).toFixed(2),
    purchasable: id % 5 !== 0,
  };
}

/** Every product, ordered by id: store s sells ids 100 + (s-1)·24 + 1 … 100 + s·24. */
export const PRODUCTS: readonly SimProduct[] = STORES.flatMap((s, index) =>
  Array.from({ length: PRODUCTS_PER_STORE }, (_, i) => makeProduct(101 + index * PRODUCTS_PER_STORE + i, s)),
);

export const PRODUCTS_BY_ID: ReadonlyMap<number, SimProduct> = new Map(PRODUCTS.map((p) => [p.id, p]));
