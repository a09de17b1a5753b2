// Amazon Route 53 (REST-XML, GET /2013-04-01/hostedzone/{Id}) over a Fleet.

import type { Fleet } from "./fleet/types.ts";
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

/** `GET /2013-04-01/hostedzone/{Id}`: the GetHostedZoneResponse document. */
export function getHostedZoneXml(fleet: Fleet, rawId: string): string {
  const id = rawId.replace(/^\/?hostedzone\//, "");
  const zone = fleet.hostedZones.find((z) => z.id === id);
  if (!zone) throw new AwsError("NoSuchHostedZone", `No hosted zone found with ID: ${id}`, 404);
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

/** Route 53's error document (`<ErrorResponse><Error><Type>Sender</Type><Code>…`). */
export function errorXml(code: string, message: string, requestId: string, status: number): string {
  const type = status >= 500 ? "Receiver" : "Sender";
  return `<?xml version="1.0"?>\n<ErrorResponse xmlns="${ROUTE53_XMLNS}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}
