// The gateway the tests run against: `slate serve` started by the Maven test (LangGraphValidationTest) on a free port,
// over a fresh space, passed here as SLATE_GATEWAY_PORT.
import { createClient } from "redis";

export function gatewayUrl() {
  const port = process.env.SLATE_GATEWAY_PORT;
  if (!port) {
    throw new Error("SLATE_GATEWAY_PORT is not set: start `scripts/slate serve --space NAME --port PORT` and set it, "
      + "or run the tests through `mvn -B verify` (LangGraphValidationTest starts the gateway)");
  }
  return `redis://127.0.0.1:${port}`;
}

/** A client of the gateway; resp 3 makes it ask for RESP3 (HELLO 3), as `createClient({ RESP: 3 })` does. */
export async function connect(resp = 2) {
  const client = createClient({ url: gatewayUrl(), RESP: resp });
  client.on("error", (e) => console.error("redis client:", e.message));
  await client.connect();
  return client;
}

let counter = 0;

/** A key prefix no other test uses. */
export function uniquePrefix(label) {
  counter += 1;
  return `${label}${process.pid}x${counter}x${Math.random().toString(36).slice(2, 8)}`;
}
