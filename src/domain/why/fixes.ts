// The fixes of a why answer: one per broken link as data, one per command, deployments last.

import type { WhyCheck, WhyFix } from "./check.ts";

/** AWS resource IDs a command names (sg-…, acl-…, subnet-…, rtb-…, vpc-…, pcx-…). */
const AWS_ID =
  /\b(?:sg|acl|subnet|rtb|vpc|pcx|tgw|igw|nat|eni|pl|eigw|vgw|dopt|rslvr-rr|rslvr-rrassoc)-[0-9a-f]+\b/g;
/** The resources a command names: AWS IDs, and the CLI's own naming flags. */
export function resourcesIn(command: string): string[] {
  const flag = (name: string) => new RegExp(`--${name} (\\S+)`).exec(command)?.[1];
  const cluster = flag("cluster");
  const service = flag("service");
  const fn = flag("function-name");
  const zone = flag("hosted-zone-id");
  return [
    ...new Set([
      ...(command.match(AWS_ID) ?? []),
      ...(cluster && service ? [`${cluster}/${service}`] : []),
      ...(fn ? [`lambda:${fn}`] : []),
      ...(zone ? [zone] : []),
    ]),
  ];
}

/** A broken link's fix as data: its remedy, else its hop's command, else advice alone. */
function fixOf(check: WhyCheck, apart: boolean): WhyFix {
  const base = { link: check.link, layer: check.layer };
  // Across environments, opening a rule would let one into the other: only the name is fixed.
  if (apart && check.layer !== "name") {
    return {
      ...base,
      advice: `Not proposed: the client and the target are in different Service Connect namespaces (different environments), and opening ${check.link} would let one into the other`,
      resources: [],
    };
  }
  if (check.remedy) return { ...base, ...check.remedy };
  if (check.fix) {
    return {
      ...base,
      command: check.fix,
      advice: "run the command below to open it",
      resources: resourcesIn(check.fix),
    };
  }
  return {
    ...base,
    advice: `No command opens ${check.link} from what the bot reads: see its line below`,
    resources: [],
  };
}

/**
 * Links one command opens get that command once, naming them all: subnets sharing a route
 * table break their replies together, and one route fixes every one of them.
 */
function oneFixPerCommand(fixes: WhyFix[]): WhyFix[] {
  const byCommand = new Map<string, WhyFix>();
  const out: WhyFix[] = [];
  for (const fix of fixes) {
    const same = fix.command ? byCommand.get(fix.command) : undefined;
    if (!same) {
      out.push(fix);
      if (fix.command) byCommand.set(fix.command, fix);
      continue;
    }
    const merged = { ...same, link: `${same.link}, ${fix.link}` };
    out[out.indexOf(same)] = merged;
    byCommand.set(fix.command as string, merged);
  }
  return out;
}

/**
 * One fix per broken link, in the order to apply them: rules and settings first, what starts a
 * deployment last, so its new tasks start with every other link open and one deployment is
 * enough; else in the chain's order (sort is stable: equals keep the chain's order).
 */
export function fixesInOrder(broken: WhyCheck[], apart: boolean): WhyFix[] {
  return oneFixPerCommand(broken.map((c) => fixOf(c, apart))).sort(
    (a, b) => Number(!!a.startsDeployment) - Number(!!b.startsDeployment),
  );
}
