/** The simulator's records, in the Console's own REST shapes (as its OpenAPI description gives them). */
export interface SimAddress {
  street_1: string;
  street_2: string;
  city: string;
  zip: string;
  country: string;
  state: string;
}

export interface SimStore {
  id: number;
  name: string;
  shop_name: string;
  url: string;
  address: SimAddress;
}

export interface SimProduct {
  id: number;
  name: string;
  status: string;
  description: string;
  short_description: string;
  average_rating: string;
  rating_count: number;
  categories: Array<{ id: number; name: string; slug: string }>;
  attributes: Array<{ id: number; name: string; options: string[] }>;
  /** The published doc names the key `name`; WooCommerce-backed entries say `key`. */
  meta_data: Array<{ id: number; name?: string; key?: string; value: unknown }>;
  stock_status: string;
  store: SimStore;
  permalink: string;
  price: string;
  purchasable: boolean;
}

export interface SimLineItem {
  id: number;
  status: string;
  product_id: number;
  variation_id: number;
  quantity: number;
  image: Record<string, unknown>;
}

export interface SimOrder {
  id: number;
  status: string;
  customer_id: number;
  line_items: SimLineItem[];
  billing: { first_name: string; last_name: string; company: string; email: string };
}

export interface SimUser {
  ID: number;
  user_login: string;
  display_name: string;
  user_email: string;
  password: string;
  featureFlags: { isVendor: boolean; isWhitelabeled: boolean };
}
