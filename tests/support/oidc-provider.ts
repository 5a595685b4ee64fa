/**
 * A real OpenID Connect provider for tests: oauth2-mock-server, listening on loopback, with its
 * own RSA signing key, discovery document, JWKS, PKCE verification and nonce echo. The app talks
 * to it exactly as it would to Okta or Google; nothing of ours is stubbed.
 *
 * The mock signs in whoever the test says (`signInAs`), without a login form, and lets a test
 * tamper with one response (`onNextAuthorizeRedirect`, `onNextIdToken`) to play the attacker.
 */
import { Events, OAuth2Server, type MutableRedirectUri, type MutableResponse, type MutableToken } from "oauth2-mock-server";

export interface TestIdentity {
  /** The provider's subject: what the app stores as `providerAccountId`. */
  sub: string;
  email?: string;
  /** As sent; anything but the boolean `true` must count as unverified. Omitted: claim absent. */
  emailVerified?: unknown;
  name?: string;
}

export { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from "./oidc-config";

export class TestOidcProvider {
  private identity: TestIdentity = { sub: "nobody" };
  private announcedIssuer: string | null = null;

  private constructor(private readonly server: OAuth2Server) {
    server.service.on(Events.BeforeWellKnownOpenIdConfiguration, (response: MutableResponse) => {
      if (this.announcedIssuer !== null && response.body !== "") response.body.issuer = this.announcedIssuer;
    });
    // Every token the provider signs describes the current identity. The mock also signs the
    // access token this way, which is harmless: the app reads the ID token only.
    server.service.on(Events.BeforeTokenSigning, (token: MutableToken) => {
      const { sub, email, emailVerified, name } = this.identity;
      token.payload.sub = sub;
      if (email !== undefined) token.payload.email = email;
      if (emailVerified !== undefined) token.payload.email_verified = emailVerified;
      if (name !== undefined) token.payload.name = name;
      if (this.announcedIssuer !== null) token.payload.iss = this.announcedIssuer;
    });
  }

  /**
   * Start on `port` (0: any free port) on 127.0.0.1. The mock would call itself `localhost`
   * whatever loopback address it listens on; its issuer is set to the address it really has, so
   * its pages are on a different site from an app on localhost, as a real provider's are.
   */
  static async start(port = 0): Promise<TestOidcProvider> {
    const server = new OAuth2Server();
    await server.issuer.keys.generate("RS256");
    await server.start(port, "127.0.0.1");
    server.issuer.url = `http://127.0.0.1:${server.address().port}`;
    return new TestOidcProvider(server);
  }

  /** The issuer URL, as AUTH_OIDC_ISSUER. */
  get issuer(): string {
    const url = this.server.issuer.url;
    if (url === undefined) throw new Error("the test OIDC provider is not running");
    return url;
  }

  /** Who the next sign-ins authenticate as, until changed. */
  signInAs(identity: TestIdentity): void {
    this.identity = identity;
  }

  /**
   * Make the discovery document and every token name `issuer` instead of the provider's real
   * address (null: stop). The documents stay self-consistent, so only a check against the
   * configured issuer can tell.
   */
  announceIssuer(issuer: string | null): void {
    this.announcedIssuer = issuer;
  }

  /** Edit the next redirect from the authorization endpoint back to the app (its `state`, say). */
  onNextAuthorizeRedirect(edit: (url: URL) => void): void {
    this.server.service.once(Events.BeforeAuthorizeRedirect, (redirect: MutableRedirectUri) => edit(redirect.url));
  }

  /**
   * Edit the claims of the next ID token. The token endpoint signs the access token first and the
   * ID token second, so the edit skips one signing and applies to the one after it.
   */
  onNextIdToken(edit: (payload: Record<string, unknown>) => void): void {
    let seen = 0;
    const listener = (token: MutableToken) => {
      seen++;
      if (seen < 2) return;
      this.server.service.off(Events.BeforeTokenSigning, listener);
      edit(token.payload);
    };
    this.server.service.on(Events.BeforeTokenSigning, listener);
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }
}
