// The path every request to a known operation takes, whatever its wire protocol: recorded, judged
// by the fault layer, delayed, then answered with the fault's error or the operation's result.
// An operation throwing anything but an AwsError is an InternalFailure, as a service bug would be.

import type { ServerResponse } from "node:http";
import type { Accounts } from "./accounts.ts";
import type { FaultErrors, Faults } from "./faults.ts";
import type { RecordedRequest, Recorder } from "./recorder.ts";
import { AwsError } from "./wire.ts";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One request on its way through the pipeline. */
export interface Call {
  res: ServerResponse;
  /** performance.now() at arrival. */
  start: number;
  record: RecordedRequest;
  errors: FaultErrors;
  /** Answers with the operation's result (may throw the AwsError the service would send). */
  run: () => void;
  fail: (error: AwsError) => void;
  /** The account whose rate limit and denials apply. */
  account: string;
}

export class Pipeline {
  constructor(
    readonly accounts: Accounts,
    private readonly faults: Faults,
    private readonly recorder: Recorder,
  ) {}

  /** Counts a request refused before reaching an operation. */
  reject(): void {
    this.recorder.countRejected();
  }

  /** Counts, records, throttles, denies, delays, runs and times one request to a known operation. */
  async serve({ res, start, record, errors, run, fail, account }: Call): Promise<void> {
    const key = `${record.service}.${record.operation}`;
    this.recorder.begin(res, start, key, record);
    const verdict = this.faults.judge(key, record.operation, record.body, account);
    record.throttled = verdict.throttled;
    if (verdict.denied) record.denied = true;
    if (verdict.delayMs > 0) await sleep(verdict.delayMs);
    if (record.throttled) {
      this.recorder.countThrottled();
      fail(errors.throttle());
      return;
    }
    if (record.denied) {
      this.recorder.countDenied();
      fail(errors.denied(record.operation, account));
      return;
    }
    try {
      run();
    } catch (error) {
      if (error instanceof AwsError) fail(error);
      else {
        console.error("emulator: operation failed", error);
        fail(
          new AwsError(
            "InternalFailure",
            "The request processing has failed because of an unknown error.",
            500,
          ),
        );
      }
    }
  }
}
