// A real OpenID Provider for the accounts tests: the certified npm package oidc-provider.
//
// The test starts it with `node provider.js` and the configuration in the PEER_CONFIG
// environment variable (JSON: client id/secret/redirect uri and the accounts with their
// Swedish claims and acr). Numbers come from the test (Skatteverket's test series), never
// from this file. It listens on a free port on 127.0.0.1 and prints one JSON line with
// its issuer when ready.
//
// Login is a minimal, non-interactive form: POST the account name and the provider ends
// the interaction with that account and the account's acr (a stand-in for the IdP's
// authentication at that assurance level). Consent is granted automatically.
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(process.env.PEER_CONFIG || '{}');
const accounts = config.accounts || {};
const SE_SCOPE = 'https://id.oidc.se/scope/';
const SE_CLAIM = 'https://id.oidc.se/claim/';
const LOA = 'http://id.elegnamnden.se/loa/1.0/';

function page(res, status, body) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="sv"><head><title>Test-IdP</title></head><body>${body}</body></html>`);
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(data))));
    req.on('error', reject);
  });
}

let provider;

async function interaction(req, res) {
  const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'consent') {
    const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  if (req.method === 'POST' && match[2]) {
    const form = await readForm(req);
    const account = accounts[form.login];
    if (!account) return page(res, 400, '<p>Okänt testkonto</p>');
    const login = { accountId: form.login, amr: ['pwd'] };
    if (account.acr) login.acr = account.acr;
    return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
  }
  return page(res, 200, `<h1>Test-IdP</h1>
<form method="post" action="/interaction/${details.uid}/login">
<label for="login">Testkonto</label><input id="login" name="login" autocomplete="off">
<button type="submit">Legitimera</button></form>`);
}

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => page(res, 500, `<p>${String(error.message).replace(/[<>&]/g, '')}</p>`));
    return;
  }
  provider.callback()(req, res);
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  provider = new Provider(issuer, {
    clients: [{
      client_id: config.client_id,
      client_secret: config.client_secret,
      redirect_uris: [config.redirect_uri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name'],
      [`${SE_SCOPE}naturalPersonNumber`]: [`${SE_CLAIM}personalIdentityNumber`, `${SE_CLAIM}coordinationNumber`],
      [`${SE_SCOPE}naturalPersonOrgId`]: ['name', `${SE_CLAIM}orgAffiliation`, `${SE_CLAIM}orgName`, `${SE_CLAIM}orgNumber`],
    },
    acrValues: [`${LOA}loa2`, `${LOA}loa3`, `${LOA}loa4`],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['backa-test-peer-only'] },
    async findAccount(ctx, id) {
      const account = accounts[id];
      if (!account) return undefined;
      return { accountId: id, async claims() { return { sub: id, ...account.claims }; } };
    },
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
