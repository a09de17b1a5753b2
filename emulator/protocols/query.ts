// The AWS Query protocols: a signed form-encoded `POST /` naming its `Action` (and `Version`),
// answered in XML. Requests are alike in both dialects; the answers differ. This module writes both
// dialects' documents and reads their lists; each service module says only its operations, its
// namespace and (EC2) its member names (../ec2.ts, ../elbv2.ts, ../sts.ts):
// - awsQuery (ELBv2, STS; https://smithy.io/2.0/aws/protocols/aws-query-protocol.html): lists as
//   `Name.member.N`; members under their own names inside `<{Action}Result>`, list items as
//   `<member>`, then `<ResponseMetadata><RequestId>`; errors as
//   `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`.
// - ec2Query (EC2; https://smithy.io/2.0/aws/protocols/aws-ec2-query-protocol.html): lists as
//   `Name.N`; no Result wrapper, `<requestId>` first, members under their locationNames, list
//   items as `<item>`; errors as `<Response><Errors><Error><Code/><Message/></Error></Errors>
//   <RequestID/>` (no Type, capital ID).

import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServiceOperations } from "../accounts.ts";
import type { FaultErrors } from "../faults.ts";
import type { Pipeline } from "../pipeline.ts";
import type { EmulatedService } from "../recorder.ts";
import { AwsError } from "../wire.ts";
import { readBody, sendXmlWithId } from "./http.ts";
import { checkSignature } from "./signature.ts";
import { escapeXml } from "./xml.ts";

/** Where a Query call runs: the account it is charged to and its answer's XML. */
export interface QueryTarget {
  account: string;
  /** The answer around a request ID (may throw the AwsError the service would send). */
  answer: (requestId: string) => string;
}

/** What one Query service adds to the protocol. */
export interface QueryService {
  /** The service's name in the recorder. */
  name: EmulatedService;
  /** The call's target, or the error refused before any operation (signature, unknown action). */
  target: (req: IncomingMessage, action: string, params: URLSearchParams) => QueryTarget | AwsError;
  /** The fault layer's errors under this service's codes. */
  errors: (params: URLSearchParams) => FaultErrors;
  /** The service's error document (its dialect's). */
  errorXml: (error: AwsError, requestId: string) => string;
}

/** The handler of one Query service's requests over `pipeline`. */
export function queryProtocol(pipeline: Pipeline, service: QueryService) {
  return async (req: IncomingMessage, res: ServerResponse, start: number) => {
    const sendError = (error: AwsError) =>
      sendXmlWithId(res, error.status, (requestId) => service.errorXml(error, requestId));
    const params = new URLSearchParams(await readBody(req));
    const action = params.get("Action") ?? "";
    const target = service.target(req, action, params);
    if (target instanceof AwsError) {
      pipeline.reject();
      sendError(target);
      return;
    }
    await pipeline.serve({
      res,
      start,
      record: {
        operation: action,
        service: service.name,
        body: Object.fromEntries(params),
        at: Date.now(),
      },
      errors: service.errors(params),
      run: () => sendXmlWithId(res, 200, target.answer),
      fail: sendError,
      account: target.account,
    });
  };
}

/** How a regional service finds and answers a signed call's operation. */
export interface FleetLookup<Op> {
  signingName: string;
  operations: (all: ServiceOperations) => Record<string, Op>;
  /** A signature or credentials error under the service's codes. */
  authError: (error: AwsError) => AwsError;
  invalidAction: (action: string) => AwsError;
  answer: (operation: Op, action: string, params: URLSearchParams, requestId: string) => string;
}

/**
 * A regional service's targets: the operation a signed call names, over the fleet of its
 * credentials and region, or the error the service answers (the signature's or credentials'
 * first, then an unknown action's).
 */
export function fleetTarget<Op>(
  pipeline: Pipeline,
  lookup: FleetLookup<Op>,
): QueryService["target"] {
  const { accounts } = pipeline;
  // Every fleet has the same actions: the bot's own at start tells which exist.
  const known = lookup.operations(accounts.operationsFor(accounts.own));
  return (req, action, params) => {
    const where =
      checkSignature(req, lookup.signingName, accounts.signedRegion) ?? accounts.fleetOrError(req);
    if (where instanceof AwsError) return lookup.authError(where);
    const operation = Object.hasOwn(known, action)
      ? lookup.operations(accounts.operationsFor(where))[action]
      : undefined;
    if (!operation) return lookup.invalidAction(action);
    return {
      account: where.accountId,
      answer: (requestId) => lookup.answer(operation, action, params, requestId),
    };
  };
}

// ---- Requests: the lists of a form ----

/** Values of the indexed list `prefix.1`, `prefix.2`, … (1-based), in index order. */
function indexed(params: URLSearchParams, prefix: string): string[] {
  const pattern = new RegExp(`^${prefix.replaceAll(".", "\\.")}\\.(\\d+)$`);
  return [...params]
    .flatMap(([key, value]) => {
      const index = pattern.exec(key)?.[1];
      return index === undefined ? [] : [{ index: Number(index), value }];
    })
    .sort((a, b) => a.index - b.index)
    .map((p) => p.value);
}

/** The structures of the indexed list `prefix.N.Field…`, in index order, each its own fields. */
function structures(params: URLSearchParams, prefix: string): URLSearchParams[] {
  const pattern = new RegExp(`^${prefix.replaceAll(".", "\\.")}\\.(\\d+)\\.(.+)$`);
  const byIndex = new Map<number, URLSearchParams>();
  for (const [key, value] of params) {
    const match = pattern.exec(key);
    if (!match) continue;
    const index = Number(match[1]);
    const fields = byIndex.get(index) ?? new URLSearchParams();
    byIndex.set(index, fields);
    fields.append(match[2] ?? "", value);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, fields]) => fields);
}

/** awsQuery's list `Name.member.N`. */
export const awsQueryList = (params: URLSearchParams, name: string) =>
  indexed(params, `${name}.member`);

/** awsQuery's list of structures `Name.member.N.Field`. */
export const awsQueryStructures = (params: URLSearchParams, name: string) =>
  structures(params, `${name}.member`);

/** ec2Query's list `Name.N` (no `member`). */
export const ec2QueryList = (params: URLSearchParams, name: string) => indexed(params, name);

/** EC2's filters, `Filter.N.Name` with `Filter.N.Value.M` (any value may match). */
export function ec2QueryFilters(params: URLSearchParams): { name: string; values: string[] }[] {
  return structures(params, "Filter").map((filter) => ({
    name: filter.get("Name") ?? "",
    values: ec2QueryList(filter, "Value"),
  }));
}

// ---- Answers: the documents ----

/** How a dialect writes a shape: the element of a list's items, and a member's element. */
export interface ShapeXml {
  item: "member" | "item";
  name: (member: string) => string;
}

/** awsQuery: list items as `<member>`, members under their own (PascalCase) names. */
export const AWS_QUERY_SHAPES: ShapeXml = { item: "member", name: (member) => member };

/** A stored SDK shape (PascalCase members, unset ones left out) as the dialect's XML. */
export function shapeXml(value: unknown, how: ShapeXml): string {
  if (Array.isArray(value)) {
    return value.map((v) => `<${how.item}>${shapeXml(v, how)}</${how.item}>`).join("");
  }
  if (typeof value === "object" && value !== null) {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => {
        const name = how.name(k);
        return `<${name}>${shapeXml(v, how)}</${name}>`;
      })
      .join("");
  }
  return escapeXml(String(value));
}

/** The XML declaration EC2's and ELBv2's answers open with. */
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** How an awsQuery service's documents open: its namespace, and an XML declaration or none. */
export interface AwsQueryDocuments {
  xmlns: string;
  declaration: boolean;
}

const opening = (documents: AwsQueryDocuments) => (documents.declaration ? DECLARATION : "");

/** An awsQuery answer: the Result's members (XML), then the request ID. */
export function awsQueryResponseXml(
  documents: AwsQueryDocuments,
  action: string,
  requestId: string,
  result: string,
): string {
  return `${opening(documents)}<${action}Response xmlns="${documents.xmlns}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

/** An awsQuery error: Type Sender, or Receiver for a 5xx. */
export function awsQueryErrorXml(
  documents: AwsQueryDocuments,
  error: AwsError,
  requestId: string,
): string {
  const type = error.status >= 500 ? "Receiver" : "Sender";
  return `${opening(documents)}<ErrorResponse xmlns="${documents.xmlns}"><Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

/** An ec2Query answer: the request ID first, then the members (XML), no Result wrapper. */
export function ec2QueryResponseXml(
  xmlns: string,
  action: string,
  requestId: string,
  members: string,
): string {
  return `${DECLARATION}<${action}Response xmlns="${xmlns}"><requestId>${requestId}</requestId>${members}</${action}Response>`;
}

/** An ec2Query error: no namespace, no Type, `RequestID`. */
export function ec2QueryErrorXml(error: AwsError, requestId: string): string {
  return `${DECLARATION}<Response><Errors><Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
}
