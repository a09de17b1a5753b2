import { GetFunctionConfigurationCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import type { LambdaFunction } from "../domain/network-path.ts";
import { TTL, type TtlCache } from "./cache.ts";
import { read } from "./errors.ts";

/** A Lambda client's VPC attachment (GetFunctionConfiguration's VpcConfig). */
export class LambdaConfigAdapter {
  private readonly options: { abortSignal?: AbortSignal } | undefined;

  constructor(
    private readonly client: LambdaClient,
    private readonly cache: TtlCache,
    private readonly region: string,
    signal?: AbortSignal,
  ) {
    this.options = signal ? { abortSignal: signal } : undefined;
  }

  functionConfiguration(name: string): Promise<LambdaFunction> {
    return this.cache.getOrLoad(`lambda:${this.region}:config:${name}`, TTL.networkRules, () =>
      read(
        `get the configuration of Lambda function ${name}`,
        "GetFunctionConfiguration",
        async () => {
          const out = await this.client.send(
            new GetFunctionConfigurationCommand({ FunctionName: name }),
            this.options,
          );
          const vpc = out.VpcConfig;
          // A function never attached has no VpcConfig; one detached keeps it with empty lists.
          const attached = vpc?.VpcId && (vpc.SubnetIds?.length ?? 0) > 0;
          return {
            name: out.FunctionName ?? name,
            arn: out.FunctionArn,
            vpc: attached
              ? {
                  vpcId: vpc.VpcId ?? "",
                  subnetIds: vpc.SubnetIds ?? [],
                  securityGroupIds: vpc.SecurityGroupIds ?? [],
                }
              : undefined,
          };
        },
      ),
    );
  }
}
