import { RequestFailed, send } from '../client.js';
import { h } from '../dom.js';
import { WebLoginDocument as LoginDocument } from '../gql/graphql.js';
import type { Session } from '../session.js';

/** The login form; `notice` says why the user is here again (a session that ended). */
export function loginView(endpoint: string, onLoggedIn: (session: Session) => void, notice?: string): HTMLElement {
  const username = h('input', { name: 'username', autocomplete: 'username', required: '', 'data-testid': 'username' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: '', 'data-testid': 'password' });
  const submit = h('button', { type: 'submit', 'data-testid': 'login' }, 'Log in');
  const message = h('p', { class: 'message', role: 'alert', 'data-testid': 'login-message' }, notice ?? '');
  const form = h(
    'form',
    { class: 'card login' },
    h('h1', {}, 'FLECS dashboard'),
    h('label', {}, 'Username', username),
    h('label', {}, 'Password', password),
    submit,
    message,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    message.textContent = 'Logging in…';
    void logIn(endpoint, username.value, password.value)
      .then((session) => onLoggedIn(session))
      .catch((error: unknown) => {
        message.textContent = error instanceof Error ? error.message : 'Login failed.';
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
  return form;
}

async function logIn(endpoint: string, username: string, password: string): Promise<Session> {
  const answer = await send(endpoint, LoginDocument, { username, password }).catch((error: unknown) => {
    if (error instanceof RequestFailed && error.code === 'RATE_LIMITED') throw new Error(`Too many attempts. Try again in ${error.retryAfterSeconds ?? 60} s.`);
    throw error;
  });
  const login = answer.data?.login;
  if (login) return { token: login.token, login: login.user.displayName ?? login.user.login };
  const code = answer.errors[0]?.extensions?.code;
  if (code === 'INVALID_CREDENTIALS') throw new Error('Wrong username or password.');
  if (code === 'RATE_LIMITED') throw new Error(`Too many failed attempts. Try again in ${answer.errors[0]?.extensions?.retryAfter ?? 60} s.`);
  throw new Error(answer.errors[0]?.message ?? 'Login failed.');
}
