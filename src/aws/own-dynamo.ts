// The one DynamoDB client of the bot's own tables (digest history and parts, the address book).
// Created on first use, so the Slack function's cold start does not pay for it; shared, so a
// container keeps one connection pool for all of them. Idempotency records go through
// Powertools' persistence layer, which builds its own (src/aws/idempotency.ts).
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { OWN_RESOURCE_CLIENT } from "./clients.ts";

let client: DynamoDBClient | undefined;

export function ownDynamo(): DynamoDBClient {
  client ??= new DynamoDBClient(OWN_RESOURCE_CLIENT);
  return client;
}

/** For tests and the demo, which point the client elsewhere between runs. */
export function forgetOwnDynamo(): void {
  client?.destroy();
  client = undefined;
}
