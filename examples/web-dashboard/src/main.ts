import './styles.css';
import { clearSession, loadSession, saveSession, type Session } from './session.js';
import { dashboardView } from './views/dashboard.js';
import { loginView } from './views/login.js';

/**
 * The example frontend: log in, then one page of the user's FLECS data. The gateway's address comes
 * from config.json beside the page (the demo writes the running gateway's; edit it for your own).
 */
async function start(): Promise<void> {
  const root = document.getElementById('app')!;
  const endpoint = await gatewayEndpoint();
  const showLogin = (notice?: string) => root.replaceChildren(loginView(endpoint, showDashboard, notice));
  function showDashboard(session: Session): void {
    saveSession(session);
    root.replaceChildren(
      dashboardView(endpoint, session, {
        onSessionEnded: () => {
          clearSession();
          showLogin('Your session has ended. Please log in again.');
        },
        onLogout: () => {
          clearSession();
          showLogin();
        },
      }),
    );
  }
  const session = loadSession();
  if (session) showDashboard(session);
  else showLogin();
}

async function gatewayEndpoint(): Promise<string> {
  try {
    const config = (await (await fetch('./config.json', { cache: 'no-store' })).json()) as { graphqlUrl?: string };
    if (config.graphqlUrl) return config.graphqlUrl;
  } catch {
    // no config.json: the gateway's default address
  }
  return 'http://localhost:4000/graphql';
}

void start();
