// Amazon Route 53 (REST-XML, GET /2013-04-01/hostedzone/{Id} and its /rrset) over a Fleet.

import type { Fleet, FleetHostedZone, FleetResourceRecordSet } from "./fleet/types.ts";
import { AwsError } from "./wire.ts";

export const ROUTE53_XMLNS = "https://route53.amazonaws.com/doc/2013-04-01/";

export function escapeXml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

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

const zoneXml = (zone: FleetHostedZone): XmlNode => [
  "HostedZone",
  [
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
  ],
];

/**
 * `GET /2013-04-01/hostedzonesbyname?dnsname=&maxitems=`: the account's zones in Route 53's
 * order (labels reversed), from DNSName on, at most maxitems (default and limit 100), with
 * NextDNSName and NextHostedZoneId when truncated (API ListHostedZonesByName).
 */
export function listHostedZonesByNameXml(fleet: Fleet, query: URLSearchParams): string {
  const name = query.get("dnsname");
  const max = Number(query.get("maxitems") ?? 100);
  if (!Number.isInteger(max) || max < 1 || max > 100) {
    throw new AwsError("InvalidInput", "MaxItems must be between 1 and 100.");
  }
  const key = (n: string) => n.toLowerCase().replace(/\.$/, "").split(".").reverse().join(".");
  const sorted = [...fleet.hostedZones].sort((a, b) =>
    key(a.name) < key(b.name) ? -1 : key(a.name) > key(b.name) ? 1 : 0,
  );
  const rest = name ? sorted.filter((z) => key(z.name) >= key(name)) : sorted;
  const page = rest.slice(0, max);
  const next = rest[max];
  const body = render([
    ["HostedZones", page.map(zoneXml)],
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
const orderKey = (r: { Name: string; Type: string }) =>
  `${r.Name.toLowerCase().replace(/\.$/, "").split(".").reverse().join(".")}\u0000${r.Type}`;

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
  const max = Number(query.get("maxitems") ?? 300);
  if (!Number.isInteger(max) || max < 1 || max > 300) {
    throw new AwsError("InvalidInput", "MaxItems must be between 1 and 300.");
  }
  const sorted = [...(zone.records ?? [])].sort((a, b) =>
    orderKey(a) < orderKey(b) ? -1 : orderKey(a) > orderKey(b) ? 1 : 0,
  );
  const from = name
    ? orderKey({ Name: name.endsWith(".") ? name : `${name}.`, Type: type ?? "" })
    : "";
  const rest = sorted.filter((r) => orderKey(r) >= from);
  const page = rest.slice(0, max);
  const next = rest[max];
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
