// Every AWS action the bot calls, and nothing else: serverless.yml's IAM role must name
// exactly these (a test compares them), so least privilege cannot drift from the code.

/**
 * `/ecs why` (src/aws/ec2.ts, src/aws/lambda-config.ts): the VPC's rules between two ends and a
 * Lambda client's VPC attachment; the function names, when a client is not found, for "did you
 * mean". Read-only; the EC2 Describe actions and ListFunctions take no resource ARN.
 */
export const PATH_ACTIONS = [
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeNetworkAcls",
  "ec2:DescribeRouteTables",
  "ec2:GetManagedPrefixListEntries",
  "ec2:DescribeSubnets",
  "ec2:DescribeVpcAttribute",
  "lambda:GetFunctionConfiguration",
  "lambda:ListFunctions",
] as const;

/**
 * An IP's network interface (src/aws/ec2.ts, networkInterfacesByIp): whose the address is, before
 * any ECS search. Interactive lookups only: a digest never looks an IP up.
 */
export const IP_OWNER_ACTIONS = ["ec2:DescribeNetworkInterfaces"] as const;

export const READ_ACTIONS = [
  "ecs:ListClusters",
  "ecs:ListServices",
  "ecs:ListServicesByNamespace",
  "ecs:DescribeServices",
  "ecs:ListTasks",
  "ecs:DescribeTasks",
  "ecs:DescribeTaskDefinition",
  "servicediscovery:ListNamespaces",
  "servicediscovery:ListServices",
  "servicediscovery:GetService",
  "servicediscovery:DiscoverInstances",
  "route53:GetHostedZone",
  "cloudwatch:GetMetricData",
  "cloudwatch:GetMetricWidgetImage",
  ...PATH_ACTIONS,
  ...IP_OWNER_ACTIONS,
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
 * judgement (no metric images: a digest draws no graph; no path reads: a digest asks no
 * `/ecs why`; no network interfaces: it looks up no IP), its two SSM parameters, the idempotency
 * and history tables, Invoke on itself only (the parts of a large digest), and its own log group.
 * No signing secret.
 */
export const DIGEST_FUNCTION_ACTIONS = [
  ...READ_ACTIONS.filter(
    (a) =>
      a !== "cloudwatch:GetMetricWidgetImage" &&
      !([...PATH_ACTIONS, ...IP_OWNER_ACTIONS] as readonly string[]).includes(a),
  ),
  ...SECRET_ACTIONS,
  ...SELF_ACTIONS,
  ...IDEMPOTENCY_ACTIONS,
  ...DIGEST_HISTORY_ACTIONS,
  ...DIGEST_PARTS_ACTIONS,
  "logs:CreateLogStream",
  "logs:PutLogEvents",
] as const;
