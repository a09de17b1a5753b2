// Amazon Route 53 (REST-XML, GET /2013-04-01/hostedzone/{Id} and its /rrset) over a Fleet.

import type { Fleet, FleetHostedZone, FleetResourceRecordSet } from "./fleet/types.ts";
import { escapeXml } from "./protocols/xml.ts";
import { AwsError } from "./wire.ts";

export const ROUTE53_XMLNS = "https://route53.amazonaws.com/doc/2013-04-01/";

type XmlNode = [name: string, content: string | number | boolean | XmlNode[] | undefined];

function render(nodes: XmlNode[]): string {
  return nodes
    .filter(([, content]) => content !== undefined)
    .map(([name, content]) => {
      const inner = Array.isArray(content) ? render(content) : escapeXml(String(content));
      return `<${name}>${inner}</${name}>`;
    })
    .join("");
}

function zoneOf(fleet: Fleet, rawId: string): FleetHostedZone {
  const id = rawId.replace(/^\/?hostedzone\//, "");
  const zone = fleet.hostedZones.find((z) => z.id === id);
  if (!zone) throw new AwsError("NoSuchHostedZone", `No hosted zone found with ID: ${id}`, 404);
  return zone;
}

/** A zone's HostedZone members as both GetHostedZone and ListHostedZonesByName answer them. */
const zoneNodes = (zone: FleetHostedZone): XmlNode[] => [
  ["Id", `/hostedzone/${zone.id}`],
  ["Name", zone.name],
  ["CallerReference", zone.callerReference],
  [
    "Config",
    [
      ["Comment", zone.comment],
      ["PrivateZone", zone.privateZone],
    ],
  ],
  ["ResourceRecordSetCount", zone.resourceRecordSetCount],
];

/** Route 53's order of DNS names: lower case, labels reversed (com.example.www), no final dot. */
const reversedName = (name: string) =>
  name.toLowerCase().replace(/\.$/, "").split(".").reverse().join(".");

/**
 * One page of a Route 53 list: the items in order of `key` from `from` on, at most `maxitems`
 * (default and limit `limit`), and the first one left over (the next page's start), if any.
 */
function pageOf<T>(
  items: readonly T[],
  key: (item: T) => string,
  from: string,
  query: URLSearchParams,
  limit: number,
): { page: T[]; next: T | undefined; max: number } {
  const max = Number(query.get("maxitems") ?? limit);
  if (!Number.isInteger(max) || max < 1 || max > limit) {
    throw new AwsError("InvalidInput", `MaxItems must be between 1 and ${limit}.`);
  }
  const rest = [...items]
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
    .filter((item) => key(item) >= from);
  return { page: rest.slice(0, max), next: rest[max], max };
}

/**
 * `GET /2013-04-01/hostedzonesbyname?dnsname=&maxitems=`: the account's zones in Route 53's
 * order (labels reversed), from DNSName on, at most maxitems (default and limit 100), with
 * NextDNSName and NextHostedZoneId when truncated (API ListHostedZonesByName).
 */
export function listHostedZonesByNameXml(fleet: Fleet, query: URLSearchParams): string {
  const name = query.get("dnsname");
  const key = (zone: FleetHostedZone) => reversedName(zone.name);
  const { page, next, max } = pageOf(
    fleet.hostedZones,
    key,
    name ? reversedName(name) : "",
    query,
    100,
  );
  const body = render([
    ["HostedZones", page.map((zone): XmlNode => ["HostedZone", zoneNodes(zone)])],
    ["DNSName", name ?? undefined],
    ["IsTruncated", next !== undefined],
    ["NextDNSName", next?.name],
    ["NextHostedZoneId", next?.id],
    ["MaxItems", max],
  ]);
  return `<?xml version="1.0"?>\n<ListHostedZonesByNameResponse xmlns="${ROUTE53_XMLNS}">${body}</ListHostedZonesByNameResponse>`;
}

/** `GET /2013-04-01/hostedzone/{Id}`: the GetHostedZoneResponse document. */
export function getHostedZoneXml(fleet: Fleet, rawId: string): string {
  const zone = zoneOf(fleet, rawId);
  const body = render([
    [
      "HostedZone",
      [
        ...zoneNodes(zone),
        [
          "LinkedService",
          zone.linkedService && [
            ["ServicePrincipal", zone.linkedService.servicePrincipal],
            ["Description", zone.linkedService.description],
          ],
        ],
      ],
    ],
    [
      "VPCs",
      zone.vpcs.map(
        (v): XmlNode => [
          "VPC",
          [
            ["VPCRegion", v.vpcRegion],
            ["VPCId", v.vpcId],
          ],
        ],
      ),
    ],
  ]);
  return `<?xml version="1.0"?>\n<GetHostedZoneResponse xmlns="${ROUTE53_XMLNS}">${body}</GetHostedZoneResponse>`;
}

/** Route 53's order of record sets: by name with its labels reversed (com.example.www), then type. */
const orderKey = (r: { Name: string; Type: string }) => `${reversedName(r.Name)}\u0000${r.Type}`;

const recordXml = (r: FleetResourceRecordSet): XmlNode => [
  "ResourceRecordSet",
  [
    ["Name", r.Name],
    ["Type", r.Type],
    ["SetIdentifier", r.SetIdentifier],
    ["Weight", r.Weight],
    ["TTL", r.TTL],
    [
      "ResourceRecords",
      r.ResourceRecords?.map((v): XmlNode => ["ResourceRecord", [["Value", v.Value]]]),
    ],
    [
      "AliasTarget",
      r.AliasTarget && [
        ["HostedZoneId", r.AliasTarget.HostedZoneId],
        ["DNSName", r.AliasTarget.DNSName],
        ["EvaluateTargetHealth", r.AliasTarget.EvaluateTargetHealth],
      ],
    ],
  ],
];

/**
 * `GET /2013-04-01/hostedzone/{Id}/rrset?name=&type=&maxitems=`: the zone's record sets from
 * StartRecordName (and type) on, in Route 53's order, at most maxitems (default and limit 300),
 * with NextRecordName/NextRecordType when truncated (API ListResourceRecordSets). A zone the fleet
 * states no records for (a Cloud Map one) lists none.
 */
export function listResourceRecordSetsXml(
  fleet: Fleet,
  rawId: string,
  query: URLSearchParams,
): string {
  const zone = zoneOf(fleet, rawId);
  const name = query.get("name");
  const type = query.get("type");
  if (type && !name) {
    throw new AwsError("InvalidInput", "The input is not valid: a type requires a name.");
  }
  const from = name
    ? orderKey({ Name: name.endsWith(".") ? name : `${name}.`, Type: type ?? "" })
    : "";
  const { page, next, max } = pageOf(zone.records ?? [], orderKey, from, query, 300);
  const body = render([
    ["ResourceRecordSets", page.map(recordXml)],
    ["IsTruncated", next !== undefined],
    ["NextRecordName", next?.Name],
    ["NextRecordType", next?.Type],
    ["MaxItems", max],
  ]);
  return `<?xml version="1.0"?>\n<ListResourceRecordSetsResponse xmlns="${ROUTE53_XMLNS}">${body}</ListResourceRecordSetsResponse>`;
}

/** Route 53's error document (`<ErrorResponse><Error><Type>Sender</Type><Code>…`). */
export function errorXml(code: string, message: string, requestId: string, status: number): string {
  const type = status >= 500 ? "Receiver" : "Sender";
  return `<?xml version="1.0"?>\n<ErrorResponse xmlns="${ROUTE53_XMLNS}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}
