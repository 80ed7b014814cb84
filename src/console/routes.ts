/**
 * The Console routes this gateway calls. The route name ("METHOD /path") is what errors and the
 * simulator's counters use; the path is relative so that CONSOLE_URL may carry a path prefix.
 */
export const ConsoleRoute = {
  login: { method: 'POST', path: 'api/v2/auth/login' },
  validate: { method: 'POST', path: 'api/v2/auth/validate' },
  myProducts: { method: 'GET', path: 'api/v2/my/products' },
  myApps: { method: 'GET', path: 'api/v2/my/products/apps' },
  mySubscriptions: { method: 'GET', path: 'api/v2/my/subscriptions' },
  catalog: { method: 'GET', path: 'api/v2/products' },
  appCatalog: { method: 'GET', path: 'api/v2/products/apps' },
  appReviews: { method: 'POST', path: 'api/v2/products/apps/reviews' },
} as const satisfies Record<string, { method: 'GET' | 'POST'; path: string }>;

export type ConsoleRouteSpec = (typeof ConsoleRoute)[keyof typeof ConsoleRoute];

export function routeName(route: ConsoleRouteSpec): string {
  return `${route.method} /${route.path}`;
}
