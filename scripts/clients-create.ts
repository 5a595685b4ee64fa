/**
 * `npm run clients:create -- --name "Nightly report" --scopes reports:read`: create a service
 * client from the command line and print its secret, once.
 *
 * For operators who hold database access but no admin session (first setup, automation). The
 * secret is printed here and nowhere else: only its hash is stored, so a lost secret means a new
 * client, not a lookup. The creation is audited like the admin endpoint's, with no actor.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { disconnectDb, getDb } from "../lib/db/client";
import { CreateClientSchema, createServiceClient } from "../lib/service-clients/clients";
import { SCOPES } from "../lib/authz/scopes";

/* eslint-disable no-console -- a command-line script reports to its terminal */

function usage(): string {
  const scopes = Object.entries(SCOPES).map(([name, what]) => `  ${name.padEnd(16)} ${what}`);
  return ['Usage: npm run clients:create -- --name "<name>" --scopes <scope>[,<scope>…]', "", "Scopes:", ...scopes].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { name: { type: "string" }, scopes: { type: "string" } }, strict: true });
  const input = CreateClientSchema.safeParse({
    name: values.name,
    scopes: (values.scopes ?? "").split(/[\s,]+/).filter((scope) => scope !== ""),
  });
  if (!input.success) {
    const problems = input.error.issues.map((issue) => `  --${String(issue.path[0] ?? "")}: ${issue.message}`);
    console.error(`clients:create: ${["invalid arguments", ...problems].join("\n")}\n\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  const created = await createServiceClient(
    await getDb(),
    { ...input.data, createdById: null },
    { ip: null, userAgent: "npm run clients:create", requestId: randomUUID() },
  );
  console.log(`Created service client "${created.client.name}" with scopes: ${created.client.scopes.join(" ")}`);
  console.log(`client_id:     ${created.client.clientId}`);
  console.log(`client_secret: ${created.clientSecret}`);
  console.log("The secret is shown only now and cannot be recovered. Store it in the client's secret manager.");
}

main()
  .catch((error: unknown) => {
    console.error(`clients:create failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  })
  .finally(() => disconnectDb());
