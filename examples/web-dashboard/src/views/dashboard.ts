import { errorsUnder, isTransient, RequestFailed, send, type Answer, type GatewayError } from '../client.js';
import { h, icon } from '../dom.js';
import {
  WebCatalogueDocument as CatalogueDocument,
  WebDashboardDocument as MyDashboardDocument,
  type WebCatalogueQuery,
  type WebDashboardQuery,
} from '../gql/graphql.js';
import type { Session } from '../session.js';

type Me = NonNullable<WebDashboardQuery['me']>;
type Product = NonNullable<Me['products']>['items'][number];
type App = NonNullable<Me['apps']>['items'][number];
type Subscription = NonNullable<Me['subscriptions']>['items'][number];
type CatalogueItem = NonNullable<WebCatalogueQuery['catalog']>['edges'][number]['node'];

export interface DashboardCallbacks {
  /** The token was refused: back to the login form. */
  onSessionEnded(): void;
  onLogout(): void;
}

/**
 * The signed-in page: four sections filled from two requests (the user's data by POST with the
 * token; the public catalogue by GET without it). Each section shows its own loading, data or error
 * state, so that one failing Console route leaves the others readable.
 */
export function dashboardView(endpoint: string, session: Session, callbacks: DashboardCallbacks): HTMLElement {
  const sections = {
    products: section('products', 'My products'),
    apps: section('apps', 'My apps'),
    subscriptions: section('subscriptions', 'Subscriptions'),
    catalogue: section('catalogue', 'Public catalogue'),
  };
  const logout = h('button', { type: 'button', class: 'secondary', 'data-testid': 'logout' }, 'Log out');
  logout.addEventListener('click', () => callbacks.onLogout());
  const page = h(
    'div',
    { class: 'dashboard' },
    h('header', {}, h('h1', {}, 'FLECS dashboard'), h('span', { 'data-testid': 'user' }, session.login), logout),
    h('div', { class: 'grid' }, sections.products.root, sections.apps.root, sections.subscriptions.root, sections.catalogue.root),
  );

  const loadMine = async () => {
    for (const name of ['products', 'apps', 'subscriptions'] as const) sections[name].loading();
    let answer: Answer<WebDashboardQuery>;
    try {
      answer = await send(endpoint, MyDashboardDocument, {}, { token: session.token });
    } catch (error) {
      for (const name of ['products', 'apps', 'subscriptions'] as const) sections[name].failed(failure(error), loadMine);
      return;
    }
    if (answer.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) return callbacks.onSessionEnded();
    const me = answer.data?.me;
    show(sections.products, me?.products?.items, errorsUnder(answer.errors, 'me', 'products'), productLine, loadMine, me?.products);
    show(sections.apps, me?.apps?.items, errorsUnder(answer.errors, 'me', 'apps'), appLine, loadMine, me?.apps);
    show(sections.subscriptions, me?.subscriptions?.items, errorsUnder(answer.errors, 'me', 'subscriptions'), subscriptionLine, loadMine);
  };
  // The catalogue grows a window at a time: each "Load more" asks for the items after the last
  // cursor and appends them, skipping any it already shows (a double click, a window asked twice).
  let shown: Array<{ cursor: string; node: CatalogueItem }> = [];
  const loadCatalogue = async (after?: string): Promise<void> => {
    if (after === undefined) {
      shown = [];
      sections.catalogue.loading();
    }
    try {
      const answer = await send(endpoint, CatalogueDocument, after === undefined ? {} : { after }, { method: 'GET' });
      const window = answer.data?.catalog;
      const errors = errorsUnder(answer.errors, 'catalog');
      if (!window) {
        sections.catalogue.failed(errors[0] ?? { message: 'No data.', extensions: { code: 'ERROR' } }, () => loadCatalogue(after));
        return;
      }
      const known = new Set(shown.map((edge) => edge.cursor));
      shown = [...shown, ...window.edges.filter((edge) => !known.has(edge.cursor))];
      const next = window.pageInfo.hasNextPage ? window.pageInfo.endCursor : null;
      sections.catalogue.filled(
        shown.map((edge) => catalogueLine(edge.node)),
        errors[0],
        undefined,
        next ? loadMoreButton(() => loadCatalogue(next)) : undefined,
      );
    } catch (error) {
      sections.catalogue.failed(failure(error), () => loadCatalogue(after));
    }
  };
  void loadMine();
  void loadCatalogue();
  return page;
}

interface Section {
  root: HTMLElement;
  loading(): void;
  filled(lines: HTMLElement[], partialError?: GatewayError, note?: string, action?: HTMLElement): void;
  failed(error: GatewayError, retry: () => Promise<void>): void;
}

function section(name: string, title: string): Section {
  const body = h('div', { class: 'body' });
  const root = h('section', { class: 'card', 'data-testid': `section-${name}`, 'data-state': 'loading' }, h('h2', {}, title), body);
  const state = (value: string, ...children: Node[]) => {
    root.dataset.state = value;
    body.replaceChildren(...children);
  };
  return {
    root,
    loading: () => state('loading', h('p', { class: 'muted' }, 'Loading…')),
    filled: (lines, partialError, note, action) =>
      state(
        partialError ? 'partial' : 'ready',
        ...(partialError
          ? [h('p', { class: 'warning', 'data-testid': 'partial' }, `Some entries could not be loaded (${partialError.extensions?.code ?? 'error'}).`)]
          : []),
        lines.length > 0 ? h('ul', {}, ...lines) : h('p', { class: 'muted' }, 'Nothing here yet.'),
        ...(note ? [h('p', { class: 'muted note' }, note)] : []),
        ...(action ? [action] : []),
      ),
    failed: (error, retry) => {
      const code = error.extensions?.code ?? 'ERROR';
      const retryButton = isTransient(code) ? h('button', { type: 'button', 'data-testid': `retry-${name}` }, 'Retry') : null;
      retryButton?.addEventListener('click', () => void retry());
      state(
        'error',
        h('p', { class: 'error', role: 'alert' }, h('strong', { 'data-testid': `error-code-${name}` }, code), ' ', error.message),
        ...(retryButton ? [retryButton] : []),
      );
    },
  };
}

/** Data when there is some (an error under an item is shown beside it), the error otherwise. */
function show<T>(
  target: Section,
  items: readonly T[] | null | undefined,
  errors: GatewayError[],
  line: (item: T) => HTMLElement,
  retry: () => Promise<void>,
  pages?: Page | null,
): void {
  if (items) target.filled(items.map(line), errors[0], pages && pages.totalPages > 1 ? `Page ${pages.page} of ${pages.totalPages}` : undefined);
  else target.failed(errors[0] ?? { message: 'No data.', extensions: { code: 'ERROR' } }, retry);
}

interface Page {
  page: number;
  totalPages: number;
}

function failure(error: unknown): GatewayError {
  if (error instanceof RequestFailed) return { message: error.message, extensions: { code: error.code } };
  return { message: error instanceof Error ? error.message : String(error), extensions: { code: 'ERROR' } };
}

/** One line of a list: icon, name over a detail line, and a price on the right. */
function line(testId: string, name: string, iconUrl: string | null | undefined, detail: string, price?: string | null): HTMLElement {
  return h(
    'li',
    { 'data-testid': testId },
    icon(iconUrl, name),
    h('div', { class: 'text' }, h('span', { class: 'name' }, name), h('span', { class: 'muted' }, detail)),
    price ? h('span', { class: 'price' }, `€${price}`) : null,
  );
}

function productLine(product: Product): HTMLElement {
  const detail = [product.store?.name, product.app?.latestVersion ? `v${product.app.latestVersion}` : null].filter(Boolean).join(' · ');
  return line('product', product.name, product.app?.iconUrl, detail, product.price);
}

function appLine(app: App): HTMLElement {
  return line('app', app.name, app.app?.iconUrl, app.app?.latestVersion ? `latest ${app.app.latestVersion}` : 'no version published');
}

function subscriptionLine(subscription: Subscription): HTMLElement {
  return h(
    'li',
    { 'data-testid': 'subscription' },
    h('div', { class: 'text' }, h('span', { class: 'name' }, `Subscription #${subscription.id}`), h('span', { class: 'muted' }, subscription.status ?? '')),
    h(
      'ul',
      { class: 'line-items' },
      ...subscription.lineItems.map((item) =>
        h(
          'li',
          { 'data-testid': 'line-item' },
          `${item.quantity} × `,
          item.product ? h('span', { class: 'name' }, item.product.name) : h('span', { class: 'muted' }, `product #${item.productId} (not found)`),
        ),
      ),
    ),
  );
}

/** "Load more": disabled once clicked, so one click asks for one window. */
function loadMoreButton(load: () => Promise<void>): HTMLElement {
  const button = h('button', { type: 'button', 'data-testid': 'load-more-catalogue' }, 'Load more');
  button.addEventListener('click', () => {
    button.disabled = true;
    void load();
  });
  return button;
}

function catalogueLine(item: CatalogueItem): HTMLElement {
  return line('catalogue-item', item.name, item.app?.iconUrl, item.store?.name ?? '', item.price);
}
