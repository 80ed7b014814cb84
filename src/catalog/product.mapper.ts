import { decimal, int, list, str, bool } from '../common/coerce.js';
import type { RestAddress, RestAppList, RestAttribute, RestCategory, RestMeta, RestProduct, RestProductPage, RestStore } from '../console/rest-types.js';
import { toAppDetails } from './app-details.mapper.js';
import { productNodeId } from '../node/global-id.js';
import type { AppCatalog, ProductPage } from './product-page.type.js';
import type { AppDetails } from './app-details.type.js';
import type { Category, MetaEntry, Product, ProductAttribute } from './product.type.js';
import type { Address, Store } from './store.type.js';

/**
 * The one place where a Console product record becomes a GraphQL Product. Scalars are read at
 * once; the nested parts (categories, attributes, meta data, store, app details) only when a query
 * reads them, once each: a dashboard lists dozens of products and reads four fields of each, and
 * mapping all of them was most of its garbage.
 */
export class MappedProduct implements Product {
  readonly id: number;
  readonly name: string;
  readonly status: string | null;
  readonly description: string | null;
  readonly shortDescription: string | null;
  readonly averageRating: number | null;
  readonly ratingCount: number | null;
  readonly stockStatus: string | null;
  readonly permalink: string | null;
  readonly price: string | null;
  readonly purchasable: boolean | null;
  readonly #rest: RestProduct;
  #categories: Category[] | undefined;
  #attributes: ProductAttribute[] | undefined;
  #metaData: MetaEntry[] | undefined;
  #store: Store | null | undefined;
  #app: AppDetails | null | undefined;

  constructor(rest: RestProduct, id: number) {
    this.#rest = rest;
    this.id = id;
    this.name = str(rest.name) ?? '';
    this.status = str(rest.status);
    this.description = str(rest.description);
    this.shortDescription = str(rest.short_description);
    this.averageRating = decimal(rest.average_rating);
    this.ratingCount = int(rest.rating_count);
    this.stockStatus = str(rest.stock_status);
    this.permalink = str(rest.permalink);
    this.price = str(rest.price);
    this.purchasable = bool(rest.purchasable);
  }

  /** Relay's global id (src/node/global-id.ts), made when a query reads it. */
  get nodeId(): string {
    return productNodeId(this.id);
  }

  /** The concrete type behind `Node` (src/node/node.type.ts). */
  get __typename(): 'Product' {
    return 'Product';
  }

  get categories(): Category[] {
    return (this.#categories ??= list(this.#rest.categories, toCategory));
  }

  get attributes(): ProductAttribute[] {
    return (this.#attributes ??= list(this.#rest.attributes, toAttribute));
  }

  get metaData(): MetaEntry[] {
    return (this.#metaData ??= list(this.#rest.meta_data, toMetaEntry));
  }

  get store(): Store | null {
    if (this.#store === undefined) this.#store = this.#rest.store && typeof this.#rest.store === 'object' ? toStore(this.#rest.store) : null;
    return this.#store;
  }

  get app(): AppDetails | null {
    if (this.#app === undefined) this.#app = toAppDetails(this.#rest.attributes, this.#rest.meta_data);
    return this.#app;
  }

  /** The store's id without mapping the store (a product search reads it for every product it sees). */
  get storeId(): number | null {
    const store = this.#rest.store;
    return store && typeof store === 'object' ? int(store.id) : null;
  }
}

export function toProduct(rest: RestProduct): MappedProduct | null {
  const id = int(rest.id);
  return id === null ? null : new MappedProduct(rest, id); // a product without an id cannot be referred to; drop it
}

export function toProductPage(rest: RestProductPage, requestedPage: number | undefined): ProductPage {
  const items = list(rest.products, toProduct);
  return {
    page: int(rest.page) ?? requestedPage ?? 1,
    totalPages: int(rest.totalPages) ?? (items.length > 0 ? 1 : 0),
    items,
  };
}

export function toAppCatalog(rest: RestAppList): AppCatalog {
  const items = list(rest.products, toProduct);
  return { total: int(rest.totalProducts) ?? items.length, items };
}

function toCategory(rest: RestCategory): Category | null {
  const id = int(rest.id);
  const name = str(rest.name);
  return id === null || name === null ? null : { id, name, slug: str(rest.slug) };
}

function toAttribute(rest: RestAttribute): ProductAttribute | null {
  const id = int(rest.id);
  const name = str(rest.name);
  if (id === null || name === null) return null;
  const options = Array.isArray(rest.options) ? rest.options.filter((o): o is string => typeof o === 'string') : [];
  return { id, name, options };
}

/** The published doc names the key `name`; WooCommerce-backed data sends `key`. Accept both. */
function toMetaEntry(rest: RestMeta): MetaEntry | null {
  const key = str(rest.key) ?? str(rest.name);
  return key === null ? null : { id: int(rest.id), key, value: rest.value ?? null };
}

export function toStore(rest: RestStore): Store | null {
  const id = int(rest.id);
  if (id === null) return null;
  return {
    id,
    name: str(rest.name),
    shopName: str(rest.shop_name),
    url: str(rest.url),
    address: rest.address && typeof rest.address === 'object' ? toAddress(rest.address) : null,
  };
}

function toAddress(rest: RestAddress): Address {
  return {
    street1: str(rest.street_1),
    street2: str(rest.street_2),
    city: str(rest.city),
    zip: str(rest.zip),
    country: str(rest.country),
    state: str(rest.state),
  };
}
