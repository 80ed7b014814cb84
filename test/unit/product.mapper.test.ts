import { describe, expect, it } from '@jest/globals';
import { toAppCatalog, toProduct, toProductPage } from '../../src/catalog/product.mapper.js';
import type { RestProduct } from '../../src/console/rest-types.js';

const REST: RestProduct = {
  id: 7,
  name: 'MQTT Broker',
  status: 'publish',
  description: '<p>long</p>',
  short_description: '<p>short</p>',
  average_rating: '4.50',
  rating_count: 12,
  categories: [{ id: 3, name: 'Connectivity', slug: 'connectivity' }],
  attributes: [{ id: 1, name: 'Architecture', options: ['amd64', 'arm64'] }],
  meta_data: [
    { id: 70, key: 'woo_key', value: { a: 1 } },
    { id: 71, name: 'doc_name', value: 'x' },
  ],
  stock_status: 'instock',
  store: {
    id: 2,
    name: 'Edge Apps',
    shop_name: 'Edge Apps GmbH',
    url: 'https://edge.example',
    address: { street_1: 'A 1', street_2: 'B', city: 'Hamburg', zip: '20457', country: 'DE', state: 'HH' },
  },
  permalink: 'https://edge.example/p/7',
  price: '19.90',
  purchasable: true,
};

/** Every GraphQL field of a mapped product, read as a query would (the nested ones are read lazily). */
function fields(product: ReturnType<typeof toProduct>) {
  if (product === null) return null;
  const {
    id,
    name,
    status,
    description,
    shortDescription,
    averageRating,
    ratingCount,
    categories,
    attributes,
    metaData,
    stockStatus,
    store,
    permalink,
    price,
    purchasable,
    app,
  } = product;
  return {
    id,
    name,
    status,
    description,
    shortDescription,
    averageRating,
    ratingCount,
    categories,
    attributes,
    metaData,
    stockStatus,
    store,
    permalink,
    price,
    purchasable,
    app,
  };
}

describe('toProduct', () => {
  it('should map every REST field to its GraphQL field', () => {
    expect(fields(toProduct(REST))).toEqual({
      id: 7,
      name: 'MQTT Broker',
      status: 'publish',
      description: '<p>long</p>',
      shortDescription: '<p>short</p>',
      averageRating: 4.5,
      ratingCount: 12,
      categories: [{ id: 3, name: 'Connectivity', slug: 'connectivity' }],
      attributes: [{ id: 1, name: 'Architecture', options: ['amd64', 'arm64'] }],
      metaData: [
        { id: 70, key: 'woo_key', value: { a: 1 } },
        { id: 71, key: 'doc_name', value: 'x' },
      ],
      stockStatus: 'instock',
      store: {
        id: 2,
        name: 'Edge Apps',
        shopName: 'Edge Apps GmbH',
        url: 'https://edge.example',
        address: { street1: 'A 1', street2: 'B', city: 'Hamburg', zip: '20457', country: 'DE', state: 'HH' },
      },
      permalink: 'https://edge.example/p/7',
      price: '19.90',
      purchasable: true,
      app: null, // no reverse-domain-name attribute: not a FLECS app (test/unit/app-details.mapper.test.ts)
    });
  });

  it('should turn omitted scalars into null and omitted lists into []', () => {
    expect(fields(toProduct({ id: 1 }))).toEqual({
      id: 1,
      name: '',
      status: null,
      description: null,
      shortDescription: null,
      averageRating: null,
      ratingCount: null,
      categories: [],
      attributes: [],
      metaData: [],
      stockStatus: null,
      store: null,
      permalink: null,
      price: null,
      purchasable: null,
      app: null,
    });
  });

  it.each([
    ['', null],
    ['n/a', null],
    ['4.5.1', null],
    ['0', 0],
    [' 3.25 ', 3.25],
  ])('should parse average_rating %p as %p', (raw, expected) => {
    expect(toProduct({ id: 1, average_rating: raw })?.averageRating).toBe(expected);
  });

  it('should drop a product without a usable id, and list entries without id or name', () => {
    expect(toProduct({ name: 'x' })).toBeNull();
    expect(toProduct({ id: 1.5 })).toBeNull();
    const mapped = toProduct({
      id: 1,
      categories: [{ name: 'no id' }, { id: 2, name: 'ok' }],
      attributes: [{ id: 1, name: 'A', options: ['x', 3 as unknown as string] }],
      meta_data: [{ id: 1, value: 'no key' }],
    });
    expect(mapped?.categories).toEqual([{ id: 2, name: 'ok', slug: null }]);
    expect(mapped?.attributes).toEqual([{ id: 1, name: 'A', options: ['x'] }]);
    expect(mapped?.metaData).toEqual([]);
  });

  it("should keep a page's good products when one record is broken", () => {
    const page = toProductPage({ page: 2, totalPages: 4, products: [REST, { name: 'broken' }, null as unknown as RestProduct] }, 2);
    expect(page.page).toBe(2);
    expect(page.totalPages).toBe(4);
    expect(page.items.map((p) => p.id)).toEqual([7]);
  });

  it('should fill a page number the Console omitted from the request, and count apps it did not total', () => {
    expect(toProductPage({}, 3)).toEqual({ page: 3, totalPages: 0, items: [] });
    expect(toAppCatalog({ products: [REST] })).toMatchObject({ total: 1 });
  });
});
