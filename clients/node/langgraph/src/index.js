export { SlateSaver, SlateCheckpointConflictError } from "./saver.js";
export { SlateStore } from "./store.js";
