/**
 * A user's token from the Console (the simulator at `simUrl`) itself: new to every gateway, as after
 * a restart, and not spent from any gateway's login limits or budgets (500 logins from one address
 * are more than a gateway with the production edge lets through).
 */
export async function consoleLogin(simUrl: string, user: string): Promise<string> {
  const res = await fetch(`${simUrl}/api/v2/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user, password: 'password', issueJWT: true }),
  });
  return ((await res.json()) as { data: { jwt: { token: string } } }).data.jwt.token;
}
