// A small deterministic LangGraph.js graph (no LLM): each run takes one input event, "plan" notes it, "act" counts
// it. Its state is the log of events and the number of acts, so the state says which runs completed.
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";

const State = Annotation.Root({
  events: Annotation({ reducer: (a, b) => a.concat(b), default: () => [] }),
  acts: Annotation({ reducer: (a, b) => a + b, default: () => 0 }),
});

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

/** The tag of the run's input: the last "in:" event. */
function lastInput(events) {
  for (let i = events.length - 1; i >= 0; i--) {
    if (events[i].startsWith("in:")) {
      return events[i].slice(3);
    }
  }
  return "?";
}

export function buildGraph(checkpointer, stepMillis = 20) {
  return new StateGraph(State)
    .addNode("plan", async (s) => {
      await pause(stepMillis);
      return { events: [`plan:${lastInput(s.events)}`] };
    })
    .addNode("act", async (s) => {
      await pause(stepMillis);
      return { events: [`act:${lastInput(s.events)}`], acts: 1 };
    })
    .addEdge(START, "plan")
    .addEdge("plan", "act")
    .addEdge("act", END)
    .compile({ checkpointer });
}
