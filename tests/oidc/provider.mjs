// A real OpenID Connect provider for the single sign-on tests: the certified
// `oidc-provider` package (package.json), configured from a JSON file named on the command
// line: {"clients": [...], "accounts": {"<id>": {email, name, groups}}}.
//
// It listens on a free port of 127.0.0.1 and prints "listening <issuer>" when ready
// (tests/oidc_support.py waits for that line). The one thing not as in production is the
// login step: /interaction/<uid> signs in the account whose email the relying party sent
// as login_hint, or shows a one-field form asking for the email (a person types it in
// Chromium) — there is no password, since the provider's own login is not what we test.
// Consent is given once per client (loadExistingGrant), as a municipality's provider does
// for its own apps.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const settings = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = settings.accounts;

function accountByEmail(email) {
  const wanted = String(email || '').trim().toLowerCase();
  return Object.keys(accounts).find((id) => accounts[id].email.toLowerCase() === wanted);
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const server = createServer();
await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${server.address().port}`;

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-signing-key', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: settings.clients,
  jwks: { keys: [signingKey] },
  cookies: { keys: ['samskabt-test-cookie-key'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  // The claims go in the ID token itself, as Entra ID and ADFS put them there.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      // The package's own page loads a web font; this one needs no network.
      async logoutSource(ctx, form) {
        ctx.body = page('Sign out', `${form}<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>`);
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: account.email,
          email_verified: account.email_verified ?? true,
          name: account.name || '',
          groups: account.groups || [],
        };
      },
    };
  },
});

const callback = provider.callback();
server.on('request', async (req, res) => {
  const match = /^\/interaction\/([\w-]+)$/.exec(req.url.split('?')[0]);
  if (!match) {
    callback(req, res);
    return;
  }
  try {
    const details = await provider.interactionDetails(req, res);
    let email = details.params.login_hint;
    if (req.method === 'POST') email = (await readForm(req)).get('email');
    const accountId = email ? accountByEmail(email) : undefined;
    if (accountId) {
      await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page('Sign in at the test provider', `${email ? '<p role="alert">No such account.</p>' : ''}<form method="post" action="/interaction/${escape(match[1])}"><label>Email <input name="email" type="email"></label> <button type="submit">Sign in</button></form>`));
  } catch (error) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(String(error));
  }
});

process.stdout.write(`listening ${issuer}\n`);
