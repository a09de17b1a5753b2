// Every AWS action the bot calls, and nothing else: serverless.yml's IAM role must name
// exactly these (a test compares them), so least privilege cannot drift from the code.

import { INCIDENTS_TABLE_ACTIONS } from "./incidents-store.ts";

/**
 * `/ecs why` (src/aws/ec2.ts, src/aws/lambda-config.ts, src/aws/route53-resolver.ts,
 * src/aws/route53-profiles.ts): the VPC's rules between two ends, a Lambda client's VPC
 * attachment, and for a private DNS name who answers DNS in the client's VPC (its owner and DHCP
 * options, its Resolver rules, its Route 53 Profile); the function names, when a client is not
 * found, for "did you mean". Read-only; these List and Describe actions take no resource ARN.
 */
export const PATH_ACTIONS = [
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeNetworkAcls",
  "ec2:DescribeRouteTables",
  "ec2:GetManagedPrefixListEntries",
  "ec2:DescribeSubnets",
  "ec2:DescribeVpcAttribute",
  "ec2:DescribeVpcs",
  "ec2:DescribeDhcpOptions",
  "route53resolver:ListResolverRuleAssociations",
  "route53resolver:ListResolverRules",
  "route53profiles:ListProfileAssociations",
  "lambda:GetFunctionConfiguration",
  "lambda:ListFunctions",
] as const;

/**
 * An IP's network interface (src/aws/ec2.ts, networkInterfacesByIp): whose the address is, before
 * any ECS search. Interactive lookups only: a digest never looks an IP up.
 */
export const IP_OWNER_ACTIONS = ["ec2:DescribeNetworkInterfaces"] as const;

/**
 * A service's target health (src/commands/reads/target-health.ts): the target groups
 * describe-services names (`loadBalancers`), their health check, their targets' health, and, when
 * a target is Target.NotInUse, their balancers (the zones they are enabled in). Elastic Load
 * Balancing's Describe actions support no resource-level permissions (Service Authorization
 * Reference, "Actions defined by Elastic Load Balancing V2": no resource type): "*". Part of
 * every health report (HEALTH_REPORT_ACTIONS: the notify function's role) and of the digest's.
 */
export const TARGET_HEALTH_ACTIONS = [
  "elasticloadbalancing:DescribeTargetGroups",
  "elasticloadbalancing:DescribeTargetHealth",
  "elasticloadbalancing:DescribeLoadBalancers",
] as const;

/**
 * Every ELBv2 read of src/aws/elbv2.ts: a balancer by DNS name, name or ARN, its listeners and
 * their rules (whois), target groups and target health, and an NLB target group's client IP
 * preservation (DescribeTargetGroupAttributes, `/ecs why`). Read-only; "*" as above.
 */
export const LOAD_BALANCER_READ_ACTIONS = [
  "elasticloadbalancing:DescribeListeners",
  "elasticloadbalancing:DescribeRules",
  ...TARGET_HEALTH_ACTIONS,
  "elasticloadbalancing:DescribeTargetGroupAttributes",
] as const;

/**
 * One service's health report, read fresh (src/commands/reads/health-report.ts, reportFor: its
 * facts, Service Connect clients, 15 minutes of traffic, its target health (TARGET_HEALTH_ACTIONS,
 * for a service behind target groups; with an `instance` target group, its bridge/host tasks'
 * EC2 instances: ecs:DescribeContainerInstances) and its recently stopped tasks). The
 * service is known by cluster and name, so no ecs:ListServices (only a scope or a catalog lists
 * a cluster's services); no graph, no path reads, no IP lookup.
 */
export const HEALTH_REPORT_ACTIONS = [
  "ecs:ListClusters",
  "ecs:ListServicesByNamespace",
  "ecs:DescribeServices",
  "ecs:ListTasks",
  "ecs:DescribeTasks",
  "ecs:DescribeTaskDefinition",
  "ecs:DescribeContainerInstances",
  "servicediscovery:ListNamespaces",
  "servicediscovery:ListServices",
  "servicediscovery:GetService",
  "servicediscovery:DiscoverInstances",
  "route53:GetHostedZone",
  "cloudwatch:GetMetricData",
  ...TARGET_HEALTH_ACTIONS,
] as const;

/**
 * whois of a Route 53 alias record of a load balancer (src/aws/route53.ts): the hosted zones of
 * the name's suffixes (ListHostedZonesByName: no resource-level permissions, "*"), then the name's
 * records (ListResourceRecordSets, on hostedzone/*). Not the digest's.
 */
export const ALIAS_ACTIONS = [
  "route53:ListHostedZonesByName",
  "route53:ListResourceRecordSets",
] as const;

/**
 * Every read of every verb: health's, a scope's or catalog's service listing, graphs, paths, IPs,
 * load balancers.
 */
export const READ_ACTIONS = [
  ...HEALTH_REPORT_ACTIONS,
  "ecs:ListServices",
  "cloudwatch:GetMetricWidgetImage",
  ...ALIAS_ACTIONS,
  ...PATH_ACTIONS,
  ...IP_OWNER_ACTIONS,
  // Target health's are health's own already.
  ...LOAD_BALANCER_READ_ACTIONS.filter(
    (a) => !(TARGET_HEALTH_ACTIONS as readonly string[]).includes(a),
  ),
] as const;

/**
 * Other accounts (BOT_TARGETS, src/aws/credentials.ts): the read-only role each member account
 * creates from deploy/member-account-role.yml, which grants exactly READ_ACTIONS.
 */
export const ROLE_ACTIONS = ["sts:AssumeRole"] as const;

/** The name of that role in every member account (serverless.yml scopes sts:AssumeRole to it). */
export const MEMBER_ROLE_NAME = "ecs-chatops-read";

/** Read at cold start, to fetch the Slack signing secret and bot token. */
export const SECRET_ACTIONS = ["ssm:GetParameters"] as const;

/** On its own function only: hands a slow lookup to an asynchronous run of itself. */
export const SELF_ACTIONS = ["lambda:InvokeFunction"] as const;

/**
 * On the idempotency table only (src/aws/idempotency.ts): exactly the calls of Powertools'
 * DynamoDBPersistenceLayer. PutItem (conditional) claims a key, GetItem reads the record that
 * holds it, UpdateItem marks it completed, DeleteItem frees it when the work failed.
 */
export const IDEMPOTENCY_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
] as const;

/**
 * The bot's only writes, on its own resources (src/aws/scheduler.ts): incident digests' schedules
 * in its own schedule group, and passing its scheduler role to EventBridge Scheduler.
 */
export const SCHEDULE_ACTIONS = [
  "scheduler:CreateSchedule",
  "scheduler:DeleteSchedule",
  "iam:PassRole",
] as const;

/**
 * On the address book table only (src/aws/address-book.ts): `whois <IP>` queries which tasks
 * held an address; the events function keeps (PutItem) and forgets (DeleteItem) them as ECS's
 * task state change events tell.
 */
export const ADDRESS_BOOK_ACTIONS = [
  "dynamodb:Query",
  "dynamodb:PutItem",
  "dynamodb:DeleteItem",
] as const;

/**
 * On the incidents table only, for the Slack function's Mute 1 h button (src/slack/incident-mute.ts)
 * and `/ecs alerts` (src/commands/alerts.ts): the open incidents and mutes (Query), a mute kept
 * (PutItem) or ended by `/ecs alerts unmute` (DeleteItem).
 */
export const INCIDENT_MUTE_ACTIONS = [
  "dynamodb:Query",
  "dynamodb:PutItem",
  "dynamodb:DeleteItem",
] as const;

/** On the digest history table only (src/aws/digest-history.ts): read the last digest, keep the new one. */
export const DIGEST_HISTORY_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem"] as const;

/**
 * On the digest history table only (src/aws/digest-parts.ts): the parts of a digest too large for
 * one invocation, recorded, kept, counted and gathered.
 */
export const DIGEST_PARTS_ACTIONS = [
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:BatchGetItem",
] as const;

/**
 * The scheduled digest's own role (serverless.yml, DigestFunctionRole): the reads of a health
 * judgement, target health included (no metric images: a digest draws no graph; no path reads: a
 * digest asks no `/ecs why`; no network interfaces: it looks up no IP; of the balancers, only
 * their target groups' health), its two SSM parameters, the idempotency
 * and history tables, Invoke on itself only (the parts of a large digest), and its own log group.
 * No signing secret.
 */
export const DIGEST_FUNCTION_ACTIONS = [
  ...READ_ACTIONS.filter(
    (a) =>
      a !== "cloudwatch:GetMetricWidgetImage" &&
      !([...PATH_ACTIONS, ...IP_OWNER_ACTIONS, ...ALIAS_ACTIONS] as readonly string[]).includes(
        a,
      ) &&
      (!(LOAD_BALANCER_READ_ACTIONS as readonly string[]).includes(a) ||
        (TARGET_HEALTH_ACTIONS as readonly string[]).includes(a)),
  ),
  ...SECRET_ACTIONS,
  ...SELF_ACTIONS,
  ...IDEMPOTENCY_ACTIONS,
  ...DIGEST_HISTORY_ACTIONS,
  ...DIGEST_PARTS_ACTIONS,
  "logs:CreateLogStream",
  "logs:PutLogEvents",
] as const;

/**
 * The notification function's own role (serverless.yml, NotifyFunctionRole; src/entry/notify.ts):
 * an incident's enrichment is health's judgement of its service (HEALTH_REPORT_ACTIONS, in a
 * member account through its read role, ROLE_ACTIONS), the bot token and the routes (they live in
 * the digest targets' parameter: SECRET_ACTIONS on those two), the incidents table
 * (INCIDENTS_TABLE_ACTIONS), its on-failure queue (Lambda sends the record of an invocation it gave
 * up on with the function's own role: sqs:SendMessage) and its own log group. No signing secret,
 * no other table, no write outside its own resources.
 */
export const NOTIFY_FUNCTION_ACTIONS = [
  ...HEALTH_REPORT_ACTIONS,
  ...ROLE_ACTIONS,
  ...SECRET_ACTIONS,
  ...INCIDENTS_TABLE_ACTIONS,
  "sqs:SendMessage",
  "logs:CreateLogStream",
  "logs:PutLogEvents",
] as const;
