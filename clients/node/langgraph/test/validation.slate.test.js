// @langchain/langgraph-checkpoint-validation against SlateSaver over a live `slate serve` on a real space.
import { validate } from "@langchain/langgraph-checkpoint-validation";
import { SlateSaver } from "../src/index.js";
import { delKeys, scanKeys } from "../src/keys.js";
import { connect, uniquePrefix } from "./helpers.js";

let client;

validate({
  checkpointerName: "SlateSaver",
  beforeAllTimeout: 30000,
  async beforeAll() {
    client = await connect();
  },
  async afterAll() {
    await client?.quit();
  },
  // each checkpointer its own prefix (the suite wants instances isolated), removed when it is destroyed
  createCheckpointer: () => new SlateSaver(client, { prefix: uniquePrefix("v") }),
  async destroyCheckpointer(saver) {
    await delKeys(client, await scanKeys(client, `${saver.prefix}:*`));
  },
});
