/**
 * Scale-out: two production instances behind a round-robin proxy, sharing one Postgres and one
 * Redis, as a multi-instance deployment runs (docs/scaling.md). Nothing about a session may live
 * in one instance: a refresh token minted on one must rotate on the other, a refresh race split
 * across instances must still mint exactly one successor, and during a key rotation each
 * instance must accept the tokens the other signs.
 *
 * The two instances are mid-way through a rolling deploy of step 3 of the key rotation
 * (docs/tokens.md "Rotating keys"): A already signs with the new key and keeps the old one for
 * verification; B still signs with the old key and has the new one published (step 2).
 */
import { randomInt } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { accessClaims, ACCESS_COOKIE, login, refresh, register, REFRESH_COOKIE, type ClientIdentity, type RefreshAnswer } from "../support/auth-client";
import { testKeyPair } from "../support/keys";
import { startCluster, type Cluster } from "../support/scale-out";

const postgresUrl = inject("postgresUrl");
const redisUrl = inject("redisUrl");
// Concurrent presentations of one refresh token per race, and races per run.
const RACERS = 12;
const RACES = 5;
const oldKey = testKeyPair("rotation-old");
const newKey = testKeyPair("rotation-new");
// This run's client addresses (198.18.0.0/15 is reserved for benchmarking).
const subnet = `198.19.${randomInt(0, 256)}`;

describe.runIf(postgresUrl !== null && redisUrl !== null)("two instances behind a round-robin proxy, sharing Postgres and Redis", () => {
  let cluster: Cluster;
  let identity: ClientIdentity;
  const urlOf = (index: 0 | 1) => cluster.instances[index]?.url as string;

  beforeAll(async () => {
    cluster = await startCluster({
      postgresAdminUrl: postgresUrl as string,
      redisUrl: redisUrl as string,
      ports: [3770, 3789],
      env: {
        LOG_LEVEL: "error",
        // The limits are not under test here. Everything sent through the proxy comes from the
        // address it saw, 127.0.0.1, whose buckets in the shared Redis other runs use too.
        RATE_LIMIT_GLOBAL_MAX: "100000",
        RATE_LIMIT_USER_MAX: "100000",
        RATE_LIMIT_REFRESH_MAX: "100000",
        RATE_LIMIT_CREDENTIAL_MAX: "100000",
        RATE_LIMIT_MAIL_IP_MAX: "1000000",
        RATE_LIMIT_AUTH_MAX: "100000",
      },
      instanceEnv: [
        { JWT_PRIVATE_KEY: newKey.privateKeyPem, JWT_PUBLIC_KEYS: oldKey.publicKeyPem },
        { JWT_PRIVATE_KEY: oldKey.privateKeyPem, JWT_PUBLIC_KEYS: newKey.publicKeyPem },
      ],
    });
    identity = { appUrl: cluster.appUrl, address: `${subnet}.1` };
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  const me = (target: string, accessToken: string) =>
    fetch(`${target}/api/me`, { headers: { authorization: `Bearer ${accessToken}`, "x-forwarded-for": identity.address } });

  it("signs a user in on instance A and refreshes them on instance B", async () => {
    const user = await register(urlOf(0), identity, `a-then-b-${subnet}@scale.test`);
    const minted = user.jar.cookies.get(REFRESH_COOKIE) as string;
    const onB = await refresh(urlOf(1), identity, minted);
    expect(onB.result).toBe("rotated");
    // And back: B's successor rotates on A.
    const onA = await refresh(urlOf(0), identity, onB.refreshToken as string);
    expect(onA.result).toBe("rotated");
  });

  it("verifies, on each instance, the access tokens the other signs with the other key", async () => {
    const user = await register(urlOf(0), identity, `keys-${subnet}@scale.test`);
    const fromA = user.jar.cookies.get(ACCESS_COOKIE) as string;
    const signedOnB = await login(urlOf(1), identity, user.email);
    const fromB = signedOnB.jar.cookies.get(ACCESS_COOKIE) as string;
    expect(accessClaims(fromA).kid).not.toBe(accessClaims(fromB).kid);

    expect((await me(urlOf(1), fromA)).status).toBe(200);
    expect((await me(urlOf(0), fromB)).status).toBe(200);

    const kids = async (target: string) => {
      const { keys } = (await (await fetch(`${target}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
      return keys.map((key) => key.kid).sort();
    };
    const [onA, onB] = await Promise.all([kids(urlOf(0)), kids(urlOf(1))]);
    expect(onA).toEqual([accessClaims(fromA).kid, accessClaims(fromB).kid].sort());
    expect(onB).toEqual(onA);
  });

  it("alternates requests between the instances", async () => {
    const before = [...cluster.proxy.counts];
    await Promise.all(Array.from({ length: 4 }, () => fetch(`${cluster.appUrl}/api/health`, { headers: { "x-forwarded-for": identity.address } })));
    expect(cluster.proxy.counts.map((count, index) => count - (before[index] ?? 0))).toEqual([2, 2]);
  });

  it(`mints exactly one successor when ${RACERS} requests split across both instances present one refresh token at once, and revokes the family when an older token is replayed`, async () => {
    const db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    try {
      const user = await register(cluster.appUrl, identity, `race-${subnet}@scale.test`);
      for (let race = 0; race < RACES; race++) {
        const session = race === 0 ? user : await login(cluster.appUrl, identity, user.email);
        const sid = accessClaims(session.jar.cookies.get(ACCESS_COOKIE) as string).sid;
        const presented = session.jar.cookies.get(REFRESH_COOKIE) as string;
        const answers: RefreshAnswer[] = await Promise.all(Array.from({ length: RACERS }, () => refresh(cluster.appUrl, identity, presented)));
        const results = answers.map((answer) => answer.result);
        // One winner; every other racer came within the grace window, so no one is told "reuse".
        expect(results.filter((result) => result === "rotated")).toHaveLength(1);
        expect(results.filter((result) => result === "grace")).toHaveLength(RACERS - 1);
        const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "RefreshToken" WHERE "sessionId" = $1`, [sid]);
        expect(Number(rows[0]?.n)).toBe(2);

        // The chain goes on from the winner's token; the raced one, now two links back, is theft.
        const winner = answers.find((answer) => answer.result === "rotated")?.refreshToken as string;
        const next = await refresh(cluster.appUrl, identity, winner);
        expect(next.result).toBe("rotated");
        expect((await refresh(cluster.appUrl, identity, presented)).result).toBe("reused");
        expect((await refresh(cluster.appUrl, identity, next.refreshToken as string)).result).toBe("invalid");
        const revoked = await db.query<{ reason: string | null }>(`SELECT "revokedReason" AS reason FROM "Session" WHERE id = $1`, [sid]);
        expect(revoked.rows[0]?.reason).toBe("reuse_detected");
      }
    } finally {
      await db.end();
    }
  });
});
