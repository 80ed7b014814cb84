import { randomUUID } from 'node:crypto';
import { DEFAULT_STORE_ID, PRODUCTS, PRODUCTS_BY_ID, isApp } from './catalogue.js';
import { signToken, verifyToken } from './jwt.js';
import type { SimProduct } from './rest-records.js';
import { buildUserData, indexOfUserId, userIndexOf, type UserData } from './users.js';

export interface SimRequest {
  method: string;
  url: URL;
  authorization: string | undefined;
  /** Parsed JSON body; undefined when none was sent or it was not JSON. */
  body: unknown;
}

export interface SimResponse {
  status: number;
  body: unknown;
}

export interface ConsoleOptions {
  pageSize: number;
  tokenTtlSeconds: number;
  secret: string;
  now?: () => number;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
};

export function errorBody(status: number, reason?: string): { reason?: string; statusCode: number; statusText: string } {
  return { ...(reason === undefined ? {} : { reason }), statusCode: status, statusText: STATUS_TEXT[status] ?? 'Error' };
}

const ok = (data: unknown, status = 200): SimResponse => ({ status, body: { statusCode: status, statusText: STATUS_TEXT[status], data } });
const fail = (status: number, reason: string): SimResponse => ({ status, body: errorBody(status, reason) });

class QueryError extends Error {}

/** The Console's routes, answering with the shapes, status codes and field names of its OpenAPI. */
export class SimulatedConsole {
  private readonly users = new Map<number, UserData>();
  private readonly now: () => number;

  constructor(private readonly options: ConsoleOptions) {
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  readonly routes: Record<string, (req: SimRequest) => SimResponse> = {
    'POST /api/v2/auth/login': (req) => this.login(req),
    'POST /api/v2/auth/validate': (req) => this.validate(req),
    'GET /api/v2/my/products': (req) => this.mine(req, (u, q) => this.page(u.products.filter(inStore(q.store)), q.page)),
    'GET /api/v2/my/products/apps': (req) => this.mine(req, (u, q) => this.page(u.apps.filter(inStore(q.store)), q.page)),
    'GET /api/v2/my/subscriptions': (req) =>
      this.mine(req, (u, q) => {
        const subs = u.subscriptions.filter((s) => q.store === undefined || s.storeId === q.store).map((s) => s.order);
        return ok({ totalSubscriptions: subs.length, subscriptions: subs });
      }),
    'GET /api/v2/products': (req) => this.withQuery(req, (q) => this.page(PRODUCTS.filter(inStore(q.store ?? DEFAULT_STORE_ID)), q.page)),
    'GET /api/v2/products/apps': (req) =>
      this.withQuery(req, (q) => {
        const apps = PRODUCTS.filter((p) => isApp(p) && inStore(q.store ?? DEFAULT_STORE_ID)(p));
        return ok({ totalProducts: apps.length, products: apps });
      }),
    'POST /api/v2/products/apps/reviews': (req) => this.review(req),
  };

  userData(index: number): UserData {
    let data = this.users.get(index);
    if (data === undefined) {
      data = buildUserData(index, this.options.pageSize);
      this.users.set(index, data);
    }
    return data;
  }

  issueToken(index: number): { token: string; token_expires: number } {
    const user = this.userData(index).user;
    const iat = this.now();
    const exp = iat + this.options.tokenTtlSeconds;
    return { token: signToken({ sub: user.ID, login: user.user_login, iat, exp, jti: randomUUID() }, this.options.secret), token_expires: exp };
  }

  private login(req: SimRequest): SimResponse {
    const body = req.body as Record<string, unknown> | undefined;
    if (typeof body !== 'object' || body === null || typeof body.username !== 'string' || typeof body.password !== 'string') {
      return fail(400, 'Expected a JSON body with username and password');
    }
    const login = body.username.endsWith('@example.com') ? body.username.slice(0, -'@example.com'.length) : body.username;
    const index = userIndexOf(login);
    if (index === undefined || body.password !== this.userData(index).user.password) {
      return fail(
        403,
        'Sorry, the password you entered is incorrect. Please verify your input or let us help you <a href="https://flecs.tech/my-account/lost-password/">recover your account</a>.',
      );
    }
    const { user } = this.userData(index);
    return ok({
      feature_flags: user.featureFlags,
      ...(body.issueJWT === true ? { jwt: this.issueToken(index) } : {}),
      user: { ID: user.ID, display_name: user.display_name, user_email: user.user_email, user_login: user.user_login },
    });
  }

  private validate(req: SimRequest): SimResponse {
    const body = req.body as { jwt?: { token?: unknown } } | undefined;
    const token = typeof body === 'object' && body !== null ? body.jwt?.token : undefined;
    if (typeof token !== 'string') return fail(400, 'Expected a JSON body with jwt.token');
    const index = this.userOfToken(token);
    if (index === undefined) return ok({ isValid: false });
    return ok({ feature_flags: { ff: this.userData(index).user.featureFlags }, isValid: true });
  }

  /** Every review posted, in order: tests and the admin interface read them. */
  readonly reviews: Array<Record<string, unknown>> = [];

  private review(req: SimRequest): SimResponse {
    const body = req.body as { data?: Record<string, unknown>; jwt?: unknown } | undefined;
    const index = typeof body?.jwt === 'string' ? this.userOfToken(body.jwt) : undefined;
    if (index === undefined) return fail(403, 'Invalid token');
    const data = body?.data;
    const product = typeof data?.product_id === 'number' ? PRODUCTS_BY_ID.get(data.product_id) : undefined;
    if (
      !data ||
      typeof data.review !== 'string' ||
      typeof data.reviewer !== 'string' ||
      typeof data.reviewer_email !== 'string' ||
      typeof data.rating !== 'number'
    ) {
      return fail(400, 'Expected data.product_id, data.review, data.reviewer, data.reviewer_email and data.rating');
    }
    if (!product || !isApp(product)) return fail(400, 'Invalid product_id: not an app');
    if (data.rating < 0 || data.rating > 5) return fail(400, 'Invalid rating');
    const when = new Date(this.now() * 1000).toISOString().slice(0, 19);
    const review = {
      id: 90_000 + this.reviews.length + 1,
      date_created: when,
      date_created_gmt: when,
      product_id: product.id,
      product_name: product.name,
      product_permalink: product.permalink,
      status: 'hold',
      reviewer: data.reviewer,
      reviewer_email: data.reviewer_email,
      review: data.review,
      rating: data.rating,
      verified: this.userData(index).products.some((p) => p.id === product.id) || this.userData(index).apps.some((p) => p.id === product.id),
    };
    this.reviews.push(review);
    return ok({ review }, 201);
  }

  private userOfToken(token: string): number | undefined {
    const claims = verifyToken(token, this.options.secret, this.now());
    return claims ? indexOfUserId(claims.sub) : undefined;
  }

  private mine(req: SimRequest, answer: (user: UserData, query: PageQuery) => SimResponse): SimResponse {
    if (req.authorization === undefined || req.authorization.trim() === '') return fail(403, 'Missing Header: Authorization');
    const match = /^Bearer (.+)$/.exec(req.authorization);
    const index = match ? this.userOfToken(match[1]) : undefined;
    if (index === undefined) return fail(401, 'Invalid or expired token');
    return this.withQuery(req, (q) => answer(this.userData(index), q));
  }

  private withQuery(req: SimRequest, answer: (query: PageQuery) => SimResponse): SimResponse {
    try {
      return answer({ store: positive(req.url, 'store_id'), page: positive(req.url, 'page') ?? 1 });
    } catch (error) {
      if (error instanceof QueryError) return fail(400, error.message);
      throw error;
    }
  }

  private page(items: SimProduct[], page: number): SimResponse {
    const size = this.options.pageSize;
    return ok({ page, totalPages: Math.ceil(items.length / size), products: items.slice((page - 1) * size, page * size) });
  }
}

interface PageQuery {
  store: number | undefined;
  page: number;
}

const inStore = (store: number | undefined) => (p: SimProduct) => store === undefined || p.store.id === store;

function positive(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  if (!/^[1-9]\d{0,8}$/.test(raw)) throw new QueryError(`Invalid query parameter ${name}`);
  return Number(raw);
}
