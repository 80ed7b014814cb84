/** Text and attributes only: names from the Console never become HTML. */
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'number' ? String(child) : child);
  }
  return element;
}

/** An icon from the Console's own host; its initial when there is none or it does not load. */
export function icon(url: string | null | undefined, name: string): HTMLElement {
  const badge = h('span', { class: 'icon', 'aria-hidden': 'true' }, name.trim().charAt(0).toUpperCase());
  if (!url) return badge;
  const img = h('img', { src: url, alt: '', loading: 'lazy', referrerpolicy: 'no-referrer' });
  img.addEventListener('error', () => img.remove(), { once: true });
  badge.append(img);
  return badge;
}
