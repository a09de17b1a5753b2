// The one file bundled as dist/handler.mjs (scripts/bundle.mjs): every Lambda entry of
// serverless.yml, by the name it gives them (dist/handler.handler, .addresses, .digest). Each
// entry imports what only it needs on first use, so the Slack function's cold start loads no
// digest or address-book code. A new entry (a notification, say) is one more line here.
export { addresses } from "./addresses.ts";
export { digest } from "./digest.ts";
export { notify } from "./notify.ts";
export { handler } from "./slack.ts";
