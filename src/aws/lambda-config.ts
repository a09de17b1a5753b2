import {
  GetFunctionConfigurationCommand,
  type LambdaClient,
  ListFunctionsCommand,
} from "@aws-sdk/client-lambda";
import type { LambdaFunction } from "../domain/why/client.ts";
import { TTL, type TtlCache } from "./cache.ts";
import { read } from "./errors.ts";

const LIST_PAGES = 10;

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

  /**
   * The region's function names, for "did you mean" when a client is not found: 50 a page
   * (ListFunctions' most), at most LIST_PAGES pages, so a huge account costs a bounded wait.
   * Cut short, the names are those read: suggestions only, they decide nothing.
   */
  functionNames(): Promise<string[]> {
    return this.cache.getOrLoad(`lambda:${this.region}:names`, TTL.serviceList, () =>
      read("list the Lambda functions", "ListFunctions", async () => {
        const names: string[] = [];
        let marker: string | undefined;
        for (let page = 0; page < LIST_PAGES; page++) {
          const out = await this.client.send(
            new ListFunctionsCommand({ MaxItems: 50, Marker: marker }),
            this.options,
          );
          names.push(...(out.Functions ?? []).flatMap((f) => f.FunctionName ?? []));
          marker = out.NextMarker;
          if (!marker) break;
        }
        return names;
      }),
    );
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
