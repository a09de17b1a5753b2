// A real DynamoDB wire protocol on loopback, for tests: dynalite runs in this process with its
// in-memory store (memory-level; the LevelDB backend is never loaded with a path, so no native
// build is involved) and the real @aws-sdk/client-dynamodb talks to it over HTTP.
//
// The table is created from serverless.yml's own declaration (resources.Resources), so tests run
// against the key schema and billing mode that are deployed.
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import {
  type AttributeDefinition,
  type BillingMode,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type KeySchemaElement,
} from "@aws-sdk/client-dynamodb";
import { parse } from "yaml";
import { forgetOnceStoreClients } from "../../src/aws/idempotency.ts";
import { forgetOwnDynamo } from "../../src/aws/own-dynamo.ts";

/** dynalite ships no type declarations; this is the part of its API used here. */
type Dynalite = (options: { createTableMs?: number; deleteTableMs?: number }) => Server;
const dynalite = createRequire(import.meta.url)("dynalite") as Dynalite;

/** The logical id of the table in serverless.yml. */
export const IDEMPOTENCY_TABLE_RESOURCE = "IdempotencyTable";

interface TableDeclaration {
  Type: string;
  Properties: {
    BillingMode: BillingMode;
    KeySchema: KeySchemaElement[];
    AttributeDefinitions: AttributeDefinition[];
    TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
  };
}

/** The table as serverless.yml declares it (CloudFormation properties). */
export function declaredIdempotencyTable(resource = IDEMPOTENCY_TABLE_RESOURCE): TableDeclaration {
  const file = fileURLToPath(new URL("../../serverless.yml", import.meta.url));
  const config = parse(readFileSync(file, "utf8")) as {
    resources?: { Resources?: Record<string, TableDeclaration> };
  };
  const table = config.resources?.Resources?.[resource];
  if (table?.Type !== "AWS::DynamoDB::Table") {
    throw new Error(`serverless.yml declares no ${resource} (AWS::DynamoDB::Table)`);
  }
  return table;
}

const ENV_KEYS = [
  "AWS_ENDPOINT_URL_DYNAMODB",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_REGION",
] as const;

export interface RunningDynalite {
  url: string;
  /** A client on the emulator, for assertions (Scan, GetItem) outside the code under test. */
  client: DynamoDBClient;
  stop(): Promise<void>;
}

/**
 * Starts dynalite on 127.0.0.1 (a free port), creates `tableName` as serverless.yml declares the
 * idempotency table, and points the SDK at it with AWS_ENDPOINT_URL_DYNAMODB. That per-service
 * variable takes precedence over the global AWS_ENDPOINT_URL that other tests set for the ECS and
 * Cloud Map emulator. Dummy credentials and a region are set only where none are.
 * stop() restores the environment and closes the server.
 */
export async function useDynalite(
  tableName: string,
  /** The table's logical ID in serverless.yml, whose key schema it gets. */
  resource = IDEMPOTENCY_TABLE_RESOURCE,
): Promise<RunningDynalite> {
  const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  process.env.AWS_ENDPOINT_URL_DYNAMODB = url;
  process.env.AWS_ACCESS_KEY_ID ??= "AKIDDYNALITE";
  process.env.AWS_SECRET_ACCESS_KEY ??= "dynalite-secret";
  process.env.AWS_REGION ??= "ap-northeast-1";
  forgetOnceStoreClients();
  forgetOwnDynamo();

  const client = new DynamoDBClient({ maxAttempts: 1 });
  const { Properties } = declaredIdempotencyTable(resource);
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: Properties.BillingMode,
      KeySchema: Properties.KeySchema,
      AttributeDefinitions: Properties.AttributeDefinitions,
    }),
  );
  // TimeToLiveSpecification is not applied: dynalite implements DescribeTimeToLive (always
  // DISABLED) but not UpdateTimeToLive, and it never deletes expired items. Powertools does not
  // rely on the sweeper: its conditional write treats a record past `expiration` as absent.
  for (let i = 0; i < 50; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === "ACTIVE") break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }

  return {
    url,
    client,
    async stop() {
      forgetOnceStoreClients();
      forgetOwnDynamo();
      client.destroy();
      for (const key of ENV_KEYS) {
        const value = saved[key];
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
