// AWS STS AssumeRole over the Query protocol, and the accounts behind the credentials it issues:
// a request signed with issued credentials reads the fleet of the role's account (in the region of
// its credential scope), as a role in a member account does.
//
// Request: a signed `POST /` form `Action=AssumeRole&Version=2011-06-15&RoleArn=…&RoleSessionName=…
// &DurationSeconds=…`. Response and errors as in the API reference's example
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html, "Examples") and
// https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html: `<ErrorResponse>` with
// `<Error><Type>Sender</Type><Code>AccessDenied</Code>…` and HTTP 403 (both without an XML
// declaration, as the examples show them); the documents are ./protocols/query.ts's.

import { createHash } from "node:crypto";
import type { AwsQueryDocuments } from "./protocols/query.ts";
import { AwsError } from "./wire.ts";

export const STS_DOCUMENTS: AwsQueryDocuments = {
  xmlns: "https://sts.amazonaws.com/doc/2011-06-15/",
  declaration: false,
};
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;
/** AssumeRole's bounds for DurationSeconds (15 minutes to the role's maximum, 12 hours at most). */
const MIN_SECONDS = 900;
const MAX_SECONDS = 43_200;

export interface IssuedCredentials {
  accessKeyId: string;
  account: string;
  expires: number;
}

/** The credentials the emulator handed out, by access key ID. */
export class CredentialIssuer {
  private readonly issued = new Map<string, IssuedCredentials>();
  private counter = 0;

  constructor(private readonly now: () => number) {}

  /** AssumeRole: the Result's members, or the AwsError AWS would send. */
  assumeRole(params: URLSearchParams): Record<string, unknown> {
    const roleArn = params.get("RoleArn") ?? "";
    const session = params.get("RoleSessionName") ?? "";
    const match = ROLE_ARN.exec(roleArn);
    if (!match || !/^[\w+=,.@-]{2,64}$/.test(session)) {
      throw new AwsError(
        "ValidationError",
        match
          ? "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint"
          : `${roleArn} is invalid`,
        400,
      );
    }
    const seconds = Number(params.get("DurationSeconds") ?? 3_600);
    if (!Number.isInteger(seconds) || seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
      throw new AwsError(
        "ValidationError",
        `1 validation error detected: Value '${params.get("DurationSeconds")}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`,
        400,
      );
    }
    const [, account = "", roleName = ""] = match;
    this.counter += 1;
    const accessKeyId = `ASIA${createHash("sha256").update(`${roleArn}#${this.counter}`).digest("hex").slice(0, 16).toUpperCase()}`;
    const expires = this.now() + seconds * 1000;
    this.issued.set(accessKeyId, { accessKeyId, account, expires });
    const roleId = `AROA${createHash("sha256").update(roleArn).digest("hex").slice(0, 17).toUpperCase()}`;
    return {
      SourceIdentity: "",
      AssumedRoleUser: {
        Arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${session}`,
        AssumedRoleId: `${roleId}:${session}`,
      },
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: createHash("sha256")
          .update(`secret#${accessKeyId}`)
          .digest("base64")
          .slice(0, 40),
        SessionToken: Buffer.from(`emulator-session#${accessKeyId}`).toString("base64"),
        Expiration: new Date(expires).toISOString(),
      },
      PackedPolicySize: 0,
    };
  }

  /**
   * The account a request's access key belongs to: an issued key's role account (or an
   * ExpiredTokenException once it has expired, as AWS answers), else undefined (the bot's own).
   */
  accountOf(accessKeyId: string): string | undefined {
    const issued = this.issued.get(accessKeyId);
    if (!issued) return undefined;
    if (this.now() >= issued.expires) {
      throw new AwsError(
        "ExpiredTokenException",
        "The security token included in the request is expired",
        400,
      );
    }
    return issued.account;
  }
}
