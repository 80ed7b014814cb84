import { decimal, int, list, str, bool } from '../common/coerce.js';
import type { RestAddress, RestAppList, RestAttribute, RestCategory, RestMeta, RestProduct, RestProductPage, RestStore } from '../console/rest-types.js';
import { toAppDetails } from './app-details.mapper.js';
import type { AppCatalog, ProductPage } from './product-page.type.js';
import type { Category, MetaEntry, Product, ProductAttribute } from './product.type.js';
import type { Address, Store } from './store.type.js';

/** The one place where a Console product record becomes a GraphQL Product. */
export function toProduct(rest: RestProduct): Product | null {
  const id = int(rest.id);
  if (id === null) return null; // a product without an id cannot be referred to; drop it
  return {
    id,
    name: str(rest.name) ?? '',
    status: str(rest.status),
    description: str(rest.description),
    shortDescription: str(rest.short_description),
    averageRating: decimal(rest.average_rating),
    ratingCount: int(rest.rating_count),
    categories: list(rest.categories, toCategory),
    attributes: list(rest.attributes, toAttribute),
    metaData: list(rest.meta_data, toMetaEntry),
    stockStatus: str(rest.stock_status),
    store: rest.store && typeof rest.store === 'object' ? toStore(rest.store) : null,
    permalink: str(rest.permalink),
    price: str(rest.price),
    purchasable: bool(rest.purchasable),
    app: toAppDetails(rest.attributes, rest.meta_data),
  };
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
