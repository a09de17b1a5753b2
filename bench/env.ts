// The process environment every benchmark runs in: dummy credentials and a region for the real
// SDK clients, pointed at the loopback emulator by each benchmark; no EC2 metadata lookups.
export const BENCH_ENV = {
  AWS_REGION: "ap-northeast-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
} as const;
