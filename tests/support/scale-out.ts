/**
 * A scaled-out deployment on one machine: N production instances (`next start` on the build in
 * EDGE_DIST_DIR) sharing one fresh Postgres database and one Redis (through the Upstash REST
 * protocol server), behind a round-robin proxy whose origin is the app's APP_URL. What Vercel runs
 * as many functions against Postgres and Upstash, in the smallest form that shows it working.
 */
import { ensureEdgeBuild, freePort, startAppInstance, type AppInstance } from "./edge-app-server";
import { provisionDatabase, type ProvisionedDatabase } from "./databases";
import { startRoundRobinProxy, type RoundRobinProxy } from "./round-robin-proxy";
import { startUpstashRestServer, type UpstashRestServer } from "./upstash-rest-server";

export interface ClusterOptions {
  /** The Postgres server to create this cluster's database on (an admin URL). */
  postgresAdminUrl: string;
  redisUrl: string;
  /** Ports for the proxy and the instances, inclusive. */
  ports: readonly [number, number];
  /** Variables every instance gets (on top of the database, Redis, APP_URL and TRUSTED_PROXY). */
  env: Record<string, string>;
  /** Per-instance variables, one object per instance; their count is the instance count (default 2). */
  instanceEnv?: Record<string, string>[];
}

export interface Cluster {
  /** The origin clients use: the proxy's, and every instance's APP_URL. */
  appUrl: string;
  proxy: RoundRobinProxy;
  instances: AppInstance[];
  databaseUrl: string;
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const [from, to] = options.ports;
  const instanceEnv = options.instanceEnv ?? [{}, {}];
  await ensureEdgeBuild();
  const started: { database?: ProvisionedDatabase; rest?: UpstashRestServer; proxy?: RoundRobinProxy; instances: AppInstance[] } = { instances: [] };
  const stop = async () => {
    await started.proxy?.close();
    await Promise.all(started.instances.map((instance) => instance.stop()));
    await started.rest?.close();
    await started.database?.drop();
  };
  try {
    started.database = await provisionDatabase("postgres", { migrated: true, adminUrl: options.postgresAdminUrl });
    const databaseUrl = started.database.url as string;
    started.rest = await startUpstashRestServer({ redisUrl: options.redisUrl });
    const taken = new Set<number>();
    const proxyPort = await freePort(from, to);
    taken.add(proxyPort);
    const ports: number[] = [];
    while (ports.length < instanceEnv.length) {
      const port = await freePort(from, to, taken);
      taken.add(port);
      ports.push(port);
    }
    const appUrl = `http://127.0.0.1:${proxyPort}`;
    const common = {
      APP_URL: appUrl,
      DATABASE_URL: databaseUrl,
      UPSTASH_REDIS_REST_URL: started.rest.url,
      UPSTASH_REDIS_REST_TOKEN: started.rest.token,
      // One trusted hop: the proxy appends the address it saw.
      TRUSTED_PROXY: "1",
      ...options.env,
    };
    started.instances = await Promise.all(ports.map((port, index) => startAppInstance(port, { ...common, ...instanceEnv[index] })));
    started.proxy = await startRoundRobinProxy(
      started.instances.map((instance) => instance.url),
      { port: proxyPort },
    );
    return { appUrl, proxy: started.proxy, instances: started.instances, databaseUrl, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
