/**
 * The FLECS Console's REST shapes, snake_case as it sends them. They stay next to the client: the
 * GraphQL schema never sees them, the mappers in each domain folder translate them in one place.
 * Fields the Console documents as required are still optional here: one odd record must not break
 * a whole list, so the mappers decide what a missing field becomes.
 */
export interface RestFeatureFlags {
  isVendor?: boolean;
  isWhitelabeled?: boolean;
}

export interface RestLoginData {
  feature_flags?: RestFeatureFlags;
  jwt?: { token?: string; token_expires?: number };
  user?: { ID?: number; display_name?: string; user_email?: string; user_login?: string };
}

export interface RestValidateData {
  isValid?: boolean;
  feature_flags?: { ff?: RestFeatureFlags };
}

export interface RestAddress {
  street_1?: string;
  street_2?: string;
  city?: string;
  zip?: string;
  country?: string;
  state?: string;
}

export interface RestStore {
  id?: number;
  name?: string;
  shop_name?: string;
  url?: string;
  address?: RestAddress;
}

export interface RestCategory {
  id?: number;
  name?: string;
  slug?: string;
}

export interface RestAttribute {
  id?: number;
  name?: string;
  options?: string[];
}

/** The published doc says `name`; WooCommerce-backed data says `key`. Both are accepted. */
export interface RestMeta {
  id?: number;
  key?: string;
  name?: string;
  value?: unknown;
}

export interface RestProduct {
  id?: number;
  name?: string;
  status?: string;
  description?: string;
  short_description?: string;
  average_rating?: string;
  rating_count?: number;
  categories?: RestCategory[];
  attributes?: RestAttribute[];
  meta_data?: RestMeta[];
  stock_status?: string;
  store?: RestStore;
  permalink?: string;
  price?: string;
  purchasable?: boolean;
}

export interface RestProductPage {
  page?: number;
  totalPages?: number;
  products?: RestProduct[];
}

export interface RestAppList {
  totalProducts?: number;
  products?: RestProduct[];
}

export interface RestLineItem {
  id?: number;
  status?: string;
  product_id?: number;
  variation_id?: number;
  quantity?: number;
  image?: unknown;
}

export interface RestBilling {
  first_name?: string;
  last_name?: string;
  company?: string;
  email?: string;
}

export interface RestOrder {
  id?: number;
  status?: string;
  customer_id?: number;
  line_items?: RestLineItem[];
  billing?: RestBilling;
}

export interface RestSubscriptionList {
  totalSubscriptions?: number;
  subscriptions?: RestOrder[];
}

/** POST /api/v2/products/apps/reviews: the request's `data`. */
export interface RestReviewRequest {
  product_id: number;
  review: string;
  reviewer: string;
  reviewer_email: string;
  rating: number;
}

export interface RestReview {
  id?: number;
  date_created?: string;
  date_created_gmt?: string;
  product_id?: number;
  product_name?: string;
  product_permalink?: string;
  status?: string;
  reviewer?: string;
  reviewer_email?: string;
  review?: string;
  rating?: number;
  verified?: boolean;
}

export interface RestReviewData {
  review: RestReview;
}
