// LangGraph's own MemorySaver through the same validation suite, in the same run: the baseline the Slate saver is
// held to (LangGraphValidationTest compares the two counts from vitest's JSON report).
import { validate } from "@langchain/langgraph-checkpoint-validation";
import { MemorySaver } from "@langchain/langgraph-checkpoint";

validate({
  checkpointerName: "MemorySaver",
  createCheckpointer: () => new MemorySaver(),
});
