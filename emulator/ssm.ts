// AWS Systems Manager Parameter Store (AWS JSON 1.1, X-Amz-Target AmazonSSM.<Op>): GetParameters,
// the one call the bot makes at cold start to read its Slack secrets (SecureStrings, decrypted).

import type { Fleet } from "./fleet/types.ts";
import { AwsError, Input, type Operation } from "./wire.ts";

const validation = (message: string) => new AwsError("ValidationException", message);

export function ssmOperations(
  parameters: Record<string, string>,
  fleet: Fleet,
): Record<string, Operation> {
  return {
    GetParameters(body) {
      const req = new Input(body, validation);
      const names = req.strings("Names");
      if (!names || names.length === 0 || names.length > 10) {
        throw validation(
          "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and 10",
        );
      }
      const found = names.filter((n) => n in parameters);
      return {
        Parameters: found.map((name) => ({
          Name: name,
          Type: "SecureString",
          Value: parameters[name],
          Version: 1,
          LastModifiedDate: Date.parse("2026-11-20T09:00:00Z") / 1000,
          ARN: `arn:aws:ssm:${fleet.region}:${fleet.accountId}:parameter${name.startsWith("/") ? "" : "/"}${name}`,
          DataType: "text",
        })),
        InvalidParameters: names.filter((n) => !(n in parameters)),
      };
    },
  };
}
