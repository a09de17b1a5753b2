import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Obviously fake credentials: tests reach only nock and the loopback emulator.
    env: {
      AWS_ACCESS_KEY_ID: "AKIDTESTONLY",
      AWS_SECRET_ACCESS_KEY: "test-secret",
      AWS_REGION: "ap-northeast-1",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
    unstubEnvs: true,
    // The request log (one JSON line per request) is asserted where it matters, not printed.
    onConsoleLog: (log) => !log.includes('"message":"ecs-chatops request"'),
    testTimeout: 20_000,
  },
});
