// A real OpenID Connect provider for the SSO tests (npm's oidc-provider, pinned in package.json), on loopback.
// Usage: node provider.mjs PORT REDIRECT_URI. Its users sign in on its development login form with any password;
// their claims are below. It prints "ready" once it listens.
import Provider from "oidc-provider";

const [port, redirectUri] = [Number(process.argv[2]), process.argv[3]];
const users = {
  lea: { sub: "lea", email: "lea@example.org", email_verified: true },
  unverified: { sub: "unverified", email: "lea@example.org", email_verified: false },
  outsider: { sub: "outsider", email: "someone@elsewhere.example", email_verified: true },
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: "registre",
      client_secret: "registre-test-secret",
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    },
  ],
  claims: { openid: ["sub"], email: ["email", "email_verified"] },
  findAccount: async (ctx, id) =>
    users[id] ? { accountId: id, claims: async () => users[id] } : undefined,
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ["registre-tests-only"] },
});
provider.proxy = false;
provider.listen(port, "127.0.0.1", () => console.log("ready"));
